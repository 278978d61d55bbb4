"""Tests of the built-in world simulator (small world: 1,500 accounts x 5 days)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realpeople import simulator
from realpeople.simulator import SCHEMAS, read_delivery_csv, simulate, write_delivery_as_csv
from realpeople.simulator.__main__ import main as cli_main
from realpeople.simulator.schema import ALLOWED_VALUES, TABLE_COLUMNS

ACCOUNTS, DAYS, SEED = 1500, 5, 7
END = date(2026, 11, 15)
START = END - timedelta(days=DAYS - 1)
DTS = [(START + timedelta(days=i)).isoformat() for i in range(DAYS)]
TABLES = ["accounts", "events", "reviews", "appeals"]


def _run(base: Path, seed: int = SEED) -> dict:
    # The rich label regime: 1,500 accounts x 5 days then give enough reviews and appeals
    # to test their rules. The scarce default regime has tests of its own.
    return simulate(
        base / "landing",
        base / "truth" / "ground_truth.parquet",
        accounts=ACCOUNTS,
        days=DAYS,
        seed=seed,
        end_date=END,
        csv_days=1,
        labels="rich",
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("world_a")
    summary = _run(base)
    return base, summary


def _files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file())


def _read(path: Path, table: str) -> pa.Table:
    if path.suffix == ".csv":
        return read_delivery_csv(path, table)
    return pq.read_table(path)


@pytest.fixture(scope="module")
def frames(world):
    base, _ = world
    out = {}
    for t in TABLES:
        parts = []
        for dt in DTS:
            for f in sorted((base / "landing" / t / f"dt={dt}").iterdir()):
                df = _read(f, t).to_pandas()
                df["dt"] = pd.Timestamp(dt, tz="UTC")
                parts.append(df)
        out[t] = pd.concat(parts, ignore_index=True)
    out["truth"] = pq.read_table(base / "truth" / "ground_truth.parquet").to_pandas()
    return out


@pytest.fixture(scope="module")
def events(frames):
    ev = frames["events"].merge(frames["truth"], on="account_id", how="left")
    return ev


@pytest.fixture(scope="module")
def unique_events(events):
    return events.drop_duplicates("event_id")


# ------------------------------------------------------------------ layout & contract
def test_folder_layout_and_csv_day(world):
    base, summary = world
    landing = base / "landing"
    files = _files(landing)
    assert {p.relative_to(landing).parts[0] for p in files} == set(TABLES)
    for t in TABLES:
        for i, dt in enumerate(DTS):
            got = [p.name for p in (landing / t / f"dt={dt}").iterdir()]
            want = "part-0.csv" if i == 1 else "part-0.parquet"  # the second day is CSV
            assert got == [want], (t, dt, got)
    assert len(files) == len(TABLES) * DAYS
    assert summary["csv_days"] == [DTS[1]]
    for t in TABLES:
        assert summary[t] > 0


@pytest.mark.parametrize("table", TABLES)
def test_every_file_follows_the_contract(world, table):
    base, _ = world
    schema = SCHEMAS[table]
    for f in _files(base / "landing" / table):
        if f.suffix == ".parquet":
            t = pq.read_table(f)
            assert t.schema.names == [c for c, _, _ in TABLE_COLUMNS[table]], f
            for name, typ, _ in TABLE_COLUMNS[table]:
                assert t.schema.field(name).type == typ, (f, name, t.schema.field(name).type)
        else:
            header = f.read_text(encoding="utf-8").split("\n", 1)[0]
            assert header == ",".join(f'"{c}"' for c, _, _ in TABLE_COLUMNS[table])
            t = read_delivery_csv(f, table)
        assert t.schema.equals(schema, check_metadata=False), f
        assert t.num_rows > 0 or table == "appeals"
        for name, _, nullable in TABLE_COLUMNS[table]:
            if not nullable:
                assert t.column(name).null_count == 0, (f, name)
        for (tab, col), allowed in ALLOWED_VALUES.items():
            if tab == table:
                vals = set(t.column(col).drop_null().to_pylist())
                assert vals <= allowed, (f, col, vals - allowed)


def test_timestamps_are_utc_microseconds(world):
    base, _ = world
    t = pq.read_table(base / "landing" / "events" / f"dt={DTS[0]}" / "part-0.parquet")
    assert t.schema.field("event_ts").type == pa.timestamp("us", tz="UTC")
    csv = (base / "landing" / "events" / f"dt={DTS[1]}" / "part-0.csv").read_text("utf-8")
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", csv)


def test_event_column_rules(frames):
    ev = frames["events"]
    texty = ev.event_type.isin(["post", "comment", "dm", "group_message"])
    assert ev.loc[texty, "text"].notna().all()
    assert ev.loc[~texty, "text"].isna().all()
    targeted = ev.event_type.isin(["comment", "like", "follow", "dm"])
    assert ev.loc[targeted, "target_account_id"].notna().all()
    assert ev.loc[~targeted, "target_account_id"].isna().all()
    assert ev.loc[ev.event_type == "comment", "target_event_id"].notna().all()
    assert ev.loc[~ev.event_type.isin(["comment", "dm"]), "target_event_id"].isna().all()
    not_post = ev.event_type != "post"
    for c in ("image_hash", "location_tag", "ai_label", "ai_metadata", "commercial"):
        assert ev.loc[not_post, c].isna().all(), c
    posts = ev[ev.event_type == "post"]
    assert posts.image_hash.notna().mean() > 0.3
    assert 0.05 < posts.location_tag.notna().mean() < 0.8
    assert (posts.location_tag.dropna() == "CN").mean() > 0.7
    assert (ev.ip_country.dropna() == "CN").mean() > 0.75
    assert posts[["ai_label", "ai_metadata", "commercial"]].notna().all().all()


def test_accounts_columns_and_snapshots(frames):
    acc, truth = frames["accounts"], frames["truth"]
    assert (acc.follower_count >= 0).all() and (acc.following_count >= 0).all()
    assert (acc.declared_country.dropna() == "CN").mean() > 0.8
    first = acc[acc.dt == acc.dt.min()]
    window_start = pd.Timestamp(DTS[0], tz="UTC")
    # the first delivery is a snapshot of everything created before the window
    assert first.account_id.is_unique
    assert (first.created_at < window_start + pd.Timedelta(days=1)).all()
    assert len(first) > 0.9 * ACCOUNTS
    assert (first.created_at < window_start - pd.Timedelta(days=300)).any()
    later = acc[acc.dt > acc.dt.min()]
    assert 0 < len(later) < 0.2 * ACCOUNTS * (DAYS - 1)
    assert set(acc.account_id) == set(truth.account_id)


# ------------------------------------------------------------------ determinism
def _digest(landing: Path) -> dict[str, str]:
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in _files(landing)
    }


def test_same_seed_same_bytes_other_seed_differs(world, tmp_path):
    base, _ = world
    _run(tmp_path / "again")
    assert _digest(tmp_path / "again" / "landing") == _digest(base / "landing")
    a = (tmp_path / "again" / "truth" / "ground_truth.parquet").read_bytes()
    assert a == (base / "truth" / "ground_truth.parquet").read_bytes()
    _run(tmp_path / "other", seed=SEED + 1)
    other = _digest(tmp_path / "other" / "landing")
    assert other.keys() == _digest(base / "landing").keys()
    same = [k for k, v in _digest(base / "landing").items() if other[k] == v]
    # only an empty delivery (e.g. no appeals yet on the first day) may coincide
    assert all(_read(base / "landing" / k, k.split("/")[0]).num_rows == 0 for k in same), same
    assert len(same) <= 2


# ------------------------------------------------------------------ population
def test_archetype_shares(frames):
    truth = frames["truth"]
    assert truth.account_id.is_unique and len(truth) == ACCOUNTS
    share = truth.archetype.value_counts(normalize=True)
    for name, p in simulator.DEFAULT_MIX.items():
        assert abs(share.get(name, 0) - p) < 0.01 + 0.1 * p, name
    cls = truth.true_class.value_counts(normalize=True)
    assert abs(cls["human"] - 0.765) < 0.02
    assert abs(cls["ai_assisted"] - 0.11) < 0.02
    assert abs(cls["ai_managed"] - 0.125) < 0.02
    managed = truth[truth.true_class == "ai_managed"]
    assert 0.3 < (managed.archetype == "ai_managed_naive").mean() < 0.5
    for a in [
        "human_night_shift",
        "human_power_user",
        "human_scheduler",
        "human_traveller",
        "human_expat",
        "ai_managed_farm",
        "ai_managed_sold",
        "ai_managed_impostor",
    ]:
        assert 0.005 < share[a] < 0.06, a


def test_mix_is_configurable(tmp_path):
    s = simulate(
        tmp_path / "l",
        tmp_path / "t.parquet",
        accounts=400,
        days=2,
        seed=3,
        end_date=END,
        csv_days=0,
        mix={"human": 0.5, "ai_managed": 0.5},
    )
    truth = pq.read_table(tmp_path / "t.parquet").to_pandas()
    cls = truth.true_class.value_counts(normalize=True)
    assert abs(cls["human"] - 0.5) < 0.01 and abs(cls["ai_managed"] - 0.5) < 0.01
    assert "ai_assisted" not in cls
    assert s["events"] > 0
    assert not list((tmp_path / "l").rglob("*.csv"))


def test_ids_are_opaque(frames):
    truth = frames["truth"]
    assert truth.account_id.str.fullmatch(r"[0-9a-f]{16}").all()
    ev = frames["events"]
    assert ev.event_id.str.fullmatch(r"[0-9a-f]{16}").all()
    # no archetype signal in the id
    ai = truth.true_class == "ai_managed"
    hi = truth.account_id.str[0].isin(list("01234567"))
    assert abs(ai[hi].mean() - ai[~hi].mean()) < 0.04
    # nor in row order of the first accounts snapshot
    first = frames["accounts"][frames["accounts"].dt == frames["accounts"].dt.min()]
    arch = first.merge(truth, on="account_id").true_class == "ai_managed"
    half = len(arch) // 2
    assert abs(arch.iloc[:half].mean() - arch.iloc[half:].mean()) < 0.04


def test_hard_negatives_look_like_what_they_claim(unique_events):
    ev = unique_events
    local_hour = (ev.event_ts.dt.hour + 8) % 24
    night = (local_hour >= 22) | (local_hour < 6)
    assert night[ev.archetype == "human_night_shift"].mean() > 0.6
    assert night[ev.archetype == "human_regular"].mean() < 0.3
    sched = ev[ev.archetype == "human_scheduler"]
    sposts = sched[sched.event_type == "post"]
    assert (sposts.client == "api").mean() > 0.8
    chat = sched[sched.event_type.isin(["comment", "dm"])]
    assert chat.client.isin(["app_ios", "app_android", "web"]).all()
    reg = ev[ev.archetype == "human_regular"]
    assert (reg.client == "api").sum() == 0
    assert reg.client.isin(["app_ios", "app_android"]).mean() > 0.8
    trav = ev[ev.archetype == "human_traveller"]
    assert (trav.ip_country != "CN").mean() > (reg.ip_country != "CN").mean() + 0.05
    per_day = ev.groupby(["archetype", "account_id"]).size().groupby("archetype").median() / DAYS
    assert per_day["human_power_user"] > 3 * per_day["human_regular"]
    # night workers: most activity at night in the platform's zone, regular people at day
    hours = local_hour[ev.archetype == "human_night_shift"]
    assert hours.isin([23, 0, 1, 2, 3, 4]).mean() > 0.4
    # travellers: each leaves the country for a few days, then comes back
    trav_days = trav.assign(day=trav.event_ts.dt.floor("D"), abroad=trav.ip_country != "CN")
    per_acc = trav_days.groupby("account_id").abroad.agg(["any", "all"])
    assert per_acc["any"].mean() > 0.3 and not per_acc["all"].all()


def test_ai_managed_behaviour(unique_events):
    ev = unique_events
    naive = ev[ev.archetype == "ai_managed_naive"]
    assert naive.client.isin(["api", "web"]).all()
    local_hour = (naive.event_ts.dt.hour + 8) % 24
    assert ((local_hour >= 1) & (local_hour < 6)).mean() > 0.12  # no sleep
    stealth = ev[ev.archetype == "ai_managed_stealth"]
    assert stealth.client.isin(["app_ios", "app_android"]).all()
    # naive farms share a browser, farms and impostors their phone pools
    dev_accounts = ev.groupby("device_id").account_id.nunique()
    for a in ("ai_managed_naive", "ai_managed_farm"):
        used = ev[(ev.archetype == a) & ev.device_id.notna()].device_id.map(dev_accounts)
        assert (used >= 2).mean() > 0.5, a
    # people keep their devices to themselves, but for families and cybercafe PCs
    own = ev[(ev.true_class == "human") & ~ev.archetype.isin(["human_family", "human_cybercafe"])]
    assert (own.groupby("device_id").account_id.nunique() == 1).all()
    # reused images across naive accounts
    naive_imgs = naive.dropna(subset=["image_hash"]).groupby("image_hash").account_id.nunique()
    assert (naive_imgs >= 2).any()

    # templated text: naive posts repeat across accounts, human posts rarely do
    def copied(p):
        by = ev[ev.event_type == "post"].groupby("text").account_id.nunique()
        return (p.text.map(by) >= 2).mean()

    nposts = naive[naive.event_type == "post"]
    hposts = ev[(ev.archetype == "human_regular") & (ev.event_type == "post")]
    assert copied(nposts) > 0.3 and copied(hposts) < 0.05

    # naive cadence is steadier than people's
    def gap_cv(df):
        g = df[df.event_type != "login"].sort_values("event_ts").groupby("account_id").event_ts
        gaps = g.diff().dt.total_seconds()
        return gaps.groupby(df.account_id).agg(lambda x: x.std() / x.mean()).median()

    assert gap_cv(naive) < 0.5 < gap_cv(ev[ev.archetype == "human_regular"])


def test_ai_assisted_posts_are_polished(unique_events):
    ev = unique_events
    posts = ev[ev.event_type == "post"]
    ap = posts[posts.archetype == "ai_assisted"]
    hp = posts[posts.archetype == "human_regular"]
    assert ap.text.str.len().median() > 3 * hp.text.str.len().median()
    assert ap.text.str.contains("\n").mean() > 0.9
    assert hp.text.str.contains("\n").mean() == 0
    assert 0.05 < ap.ai_label.mean() < 0.6
    assert (ap.ai_metadata & ~ap.ai_label).any()
    assert (~ap.ai_metadata & ~ap.ai_label).mean() > 0.3
    assert hp.ai_label.mean() < 0.02


# ------------------------------------------------------------------ conversations
def test_dm_replies_reference_existing_dms(unique_events):
    ev = unique_events
    dms = ev[ev.event_type == "dm"]
    replies = dms[dms.target_event_id.notna()]
    assert len(replies) > 100
    inbound = dms.set_index("event_id")
    assert replies.target_event_id.isin(inbound.index).all()
    src = inbound.loc[replies.target_event_id]
    assert (src.account_id.values == replies.target_account_id.values).all()
    assert (src.target_account_id.values == replies.account_id.values).all()
    lat = (replies.event_ts.values - src.event_ts.values) / np.timedelta64(1, "s")
    assert (lat > 0).all()
    arch = replies.archetype.values
    assert (lat[arch == "ai_managed_naive"] <= 5.01).all()
    # stealth rings answer after minutes, and not always after the same delay
    st = lat[arch == "ai_managed_stealth"]
    assert (st >= 20).all() and np.median(st) > 120
    assert np.std(st) / np.mean(st) > 0.3
    assert np.median(lat[arch == "human_regular"]) > 300


def test_comments_reference_earlier_posts(unique_events):
    ev = unique_events
    posts = ev[ev.event_type == "post"].set_index("event_id")
    com = ev[ev.event_type == "comment"]
    assert com.target_event_id.isin(posts.index).all()
    p = posts.loc[com.target_event_id]
    assert (p.event_ts.values < com.event_ts.values).all()
    assert (p.account_id.values == com.target_account_id.values).all()


# ------------------------------------------------------------------ data problems
def test_late_and_resent_events(frames):
    ev = frames["events"]
    lag = (ev.dt - ev.event_ts.dt.floor("D")).dt.days
    assert (lag >= 0).all() and (lag <= 3).all()
    assert (ev.event_ts >= pd.Timestamp(DTS[0], tz="UTC")).all()
    late = lag > 0
    assert 0.003 < late.mean() < 0.03
    dup = ev[ev.event_id.duplicated(keep=False)]
    assert 0.001 < dup.event_id.nunique() / ev.event_id.nunique() < 0.015
    cols = [c for c, _, _ in TABLE_COLUMNS["events"]]
    # a re-sent event is the identical row, each copy in a different delivery
    assert len(dup[cols].drop_duplicates()) == dup.event_id.nunique()
    assert (dup.groupby("event_id").dt.nunique() == dup.groupby("event_id").size()).all()


def test_ground_truth_outside_landing_and_complete(world, frames):
    base, _ = world
    truth_path = (base / "truth" / "ground_truth.parquet").resolve()
    landing = (base / "landing").resolve()
    assert landing not in truth_path.parents
    truth = frames["truth"]
    assert set(truth.columns) == {"account_id", "archetype", "true_class"}
    ids = set(truth.account_id)
    assert set(frames["events"].account_id) <= ids
    assert set(frames["reviews"].account_id) <= ids
    assert set(truth.archetype) == set(simulator.ARCHETYPES)
    with pytest.raises(ValueError):
        simulate(base / "landing", base / "landing" / "gt.parquet", accounts=50, days=1)


def test_reviews_and_appeals(frames):
    rv = frames["reviews"].merge(frames["truth"], on="account_id")
    assert rv.review_id.is_unique
    assert set(rv.source) >= {"random_sample", "user_report"}
    reviewed = rv.account_id.nunique() / ACCOUNTS
    assert 0.04 < reviewed < 0.15  # ~1.5 %/day over 5 days
    base = rv[rv.source != "appeal"]
    assert 0.93 < (base.verdict == base.true_class).mean() <= 1.0
    rep = base[base.source == "user_report"]
    rnd = base[base.source == "random_sample"]
    assert (rep.true_class == "ai_managed").mean() > 2 * (rnd.true_class == "ai_managed").mean()
    ap = frames["appeals"]
    assert len(ap) > 0
    assert ((ap.outcome == "pending") == ap.decided_at.isna()).all()
    assert (ap.decided_at.dropna() > ap.filed_at[ap.decided_at.notna()]).all()
    flagged = base[base.verdict != "human"]
    assert set(ap.account_id) <= set(flagged.account_id)
    for acc, g in ap.groupby("account_id"):
        verdicts = set(flagged[flagged.account_id == acc].verdict)
        wanted = {"terminate" if v == "ai_managed" else "warn_and_limit" for v in verdicts}
        assert set(g.action) <= wanted
    # a decided appeal may have appeared first as pending, with the same id
    again = ap[ap.appeal_id.duplicated(keep=False)].sort_values(["appeal_id", "dt"])
    if len(again):
        firsts = again.groupby("appeal_id").outcome.first()
        assert (firsts == "pending").all()


# ------------------------------------------------------------------ CSV
def test_csv_delivery_roundtrip(world, tmp_path):
    base, _ = world
    for t in TABLES:
        src = base / "landing" / t / f"dt={DTS[0]}" / "part-0.parquet"
        dst = tmp_path / t / "part-0.csv"
        write_delivery_as_csv(src, dst)
        back = read_delivery_csv(dst, t)
        orig = pq.read_table(src)
        assert back.schema.equals(orig.schema, check_metadata=False)
        assert back.equals(orig), t
        assert dst.read_bytes().decode("utf-8")


def test_cli(tmp_path, capsys):
    rc = cli_main(
        [
            "--accounts",
            "200",
            "--days",
            "2",
            "--seed",
            "1",
            "--end-date",
            "2026-11-15",
            "--landing-dir",
            str(tmp_path / "landing"),
            "--truth-path",
            str(tmp_path / "gt.parquet"),
            "--csv-days",
            "1",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out.splitlines()
    for t in TABLES:
        assert any(line.startswith(f"{t}:") for line in out)
    assert (tmp_path / "landing" / "events" / "dt=2026-11-15" / "part-0.csv").exists()
    assert (tmp_path / "landing" / "events" / "dt=2026-11-14" / "part-0.parquet").exists()


def test_expats_claim_a_country_they_do_not_connect_from(frames, unique_events):
    acc = frames["accounts"].merge(frames["truth"], on="account_id")
    expat = acc[acc.archetype == "human_expat"].drop_duplicates("account_id")
    assert (expat.declared_country != "CN").all()
    ev = unique_events[unique_events.archetype == "human_expat"]
    assert (ev.ip_country == "CN").mean() > 0.7
    # their own photos, their own phones: nothing shared with other accounts
    assert (
        expat.avatar_hash.dropna()
        .isin(acc[acc.archetype != "human_expat"].avatar_hash.dropna())
        .sum()
        == 0
    )
    texts = ev.text.dropna()
    assert 0.2 < texts.str.contains(r"[a-z]{3}", regex=True).mean() < 0.95


def test_text_register(unique_events):
    ev = unique_events
    texty = ev.dropna(subset=["text"])
    han = texty.text.str.contains(r"[\u4e00-\u9fff]", regex=True)
    assert han.mean() > 0.8  # mostly Chinese
    people = texty[texty.true_class == "human"]
    english = ~people.text.str.contains(r"[\u4e00-\u9fff]", regex=True)
    assert 0.005 < english.mean() < 0.15  # some English
    emoji = people.text.str.contains(r"[\U0001F300-\U0001FAFF]", regex=True)
    assert emoji.mean() > 0.3
    # machine posts are more uniform than people's: lengths vary less
    posts = texty[texty.event_type == "post"]
    cv = posts.groupby("archetype").text.apply(lambda t: t.str.len().std() / t.str.len().mean())
    assert cv["ai_managed_naive"] < 0.6 * cv["human_regular"], cv.to_dict()
    # stealth rings write like people (drawn from people's pools): as varied in length
    assert cv["ai_managed_stealth"] > 0.6 * cv["human_regular"], cv.to_dict()
    # and no word gives them away: every frequent token of machine posts also occurs in
    # people's or AI-assisted people's texts
    machine = posts[posts.true_class == "ai_managed"].text
    for token in ("生成", "自动", "bot", "机器人", "作为AI", "as an AI"):
        assert machine.str.contains(token, regex=False).mean() < 0.05, token


def test_reports_follow_what_users_notice(frames, unique_events):
    rv = frames["reviews"]
    posts = unique_events[unique_events.event_type == "post"]
    commercial = posts.groupby("account_id").commercial.mean()
    commercial = commercial.astype(float)
    rnd = rv[rv.source == "random_sample"].account_id.map(commercial).fillna(0.0)
    rep = rv[rv.source == "user_report"].account_id.map(commercial).fillna(0.0)
    assert rep.mean() > 2 * rnd.mean()


def test_label_noise_is_realistic():
    """Verdicts are wrong a few percent of the time, more often on the hard cases: AI
    help without a label passes for a person, a bought account has a human history."""
    from realpeople.simulator.parameters import ARCHETYPES, CLASS_OF
    from realpeople.simulator.world import World

    w = World(6000, 1, 3, END)
    rows = np.tile(np.arange(w.n), 20)
    v = w._verdicts(np.random.default_rng(0), rows)
    arch = w.arch[rows]
    right = v == CLASS_OF[arch]
    assert 0.96 < right.mean() < 0.99
    acc = {a: right[arch == i].mean() for i, a in enumerate(ARCHETYPES)}
    assert acc["ai_assisted"] < acc["human_regular"] - 0.03
    assert acc["ai_managed_sold"] < acc["ai_managed_naive"] - 0.02
    managed_wrong = v[(CLASS_OF[arch] == 2) & ~right]
    assert (managed_wrong == 0).mean() > 0.5  # automation mistaken mostly for a person


# ------------------------------------------------------------------ farms, sold, impostors
BOTS = {
    "human_regular": 0.45,
    "ai_managed_farm": 0.3,
    "ai_managed_sold": 0.15,
    "ai_managed_impostor": 0.1,
}


@pytest.fixture(scope="module")
def bot_world(tmp_path_factory):
    """A world crowded with account farms, bought accounts and impostors, long enough for
    farms to turn and accounts to change hands inside it."""
    base = tmp_path_factory.mktemp("bots")
    simulate(
        base / "landing",
        base / "gt.parquet",
        accounts=1200,
        days=10,
        seed=11,
        end_date=END,
        csv_days=0,
        mix=BOTS,
    )
    truth = pq.read_table(base / "gt.parquet").to_pandas()
    read = {}
    for t in ("events", "accounts"):
        parts = []
        for f in sorted((base / "landing" / t).rglob("*.parquet")):
            df = pq.read_table(f).to_pandas()
            df["dt"] = f.parent.name[3:]
            parts.append(df)
        read[t] = pd.concat(parts, ignore_index=True).merge(truth, on="account_id")
    read["events"] = read["events"].drop_duplicates("event_id")
    return read


def test_farm_batches_register_together_and_turn_commercial(bot_world):
    ev, acc = bot_world["events"], bot_world["accounts"]
    farm = ev[ev.archetype == "ai_managed_farm"]
    created = acc.drop_duplicates("account_id").set_index("account_id").created_at
    # a batch shares its phones: accounts on one device were registered within hours
    spread = (
        farm.groupby("device_id")
        .account_id.unique()
        .apply(lambda ids: (created[ids].max() - created[ids].min()).total_seconds() / 3600)
    )
    sizes = farm.groupby("device_id").account_id.nunique()
    assert (sizes >= 5).mean() > 0.8
    assert (spread < 12).mean() > 0.9
    assert created[farm.account_id.unique()].dt.floor("D").nunique() >= 3  # several batches
    # cultivation first (lifestyle, not commercial), selling later
    posts = farm[farm.event_type == "post"]
    share = posts.groupby("account_id").commercial.mean()
    assert (share < 0.15).any() and (share > 0.5).any()
    # some batches turn inside the window: their profile changes and the ads start
    later = acc[(acc.archetype == "ai_managed_farm") & (acc.dt > acc.dt.min())]
    bios = acc[acc.archetype == "ai_managed_farm"].groupby("account_id").bio.nunique()
    turned = bios[bios > 1].index
    assert len(turned) > 0 and set(turned) <= set(later.account_id)
    snaps = acc[acc.account_id.isin(turned)].sort_values("dt")
    first_bio = snaps.groupby("account_id").bio.first()
    change = snaps[snaps.bio != snaps.account_id.map(first_bio)].groupby("account_id").dt.min()
    p = posts[posts.account_id.isin(turned)].copy()
    day = p.event_ts.dt.strftime("%Y-%m-%d")
    before = p[day < p.account_id.map(change)]
    after = p[day > p.account_id.map(change)]  # the change day itself is mixed
    assert len(before) > 20 and len(after) > 20
    assert before.commercial.mean() < 0.15 and after.commercial.mean() > 0.5
    # farms follow their own batch to look popular
    follows = farm[farm.event_type == "follow"]
    assert follows.target_account_id.isin(farm.account_id).mean() > 0.3


def test_sold_accounts_change_device_and_behaviour_mid_life(bot_world):
    ev = bot_world["events"]
    sold = ev[ev.archetype == "ai_managed_sold"]
    users = ev.groupby("device_id").account_id.nunique()
    shared = sold.device_id.map(users) >= 2
    both = sold.assign(shared=shared).groupby("account_id").shared.agg(["any", "all"])
    # before the sale: the seller's own phones; after it: the buyer's shared devices
    changed = both["any"] & ~both["all"]
    assert changed.mean() > 0.3
    for acc_id in changed[changed].index[:20]:
        a = sold[sold.account_id == acc_id].sort_values("event_ts")
        first_shared = a.event_ts[a.device_id.map(users) >= 2].min()
        before, after = a[a.event_ts < first_shared], a[a.event_ts >= first_shared]
        assert (before.device_id.map(users) == 1).all()
        assert after.event_ts.min() > before.event_ts.max()
    # posts before the first event on a shared device are the seller's, after it the
    # buyer's (an account alone on its buyer's phones so far cannot be placed: left out)
    switch = sold[shared].groupby("account_id").event_ts.min()
    posts = sold[
        sold.account_id.isin(switch[changed.reindex(switch.index, fill_value=False)].index)
        & (sold.event_type == "post")
    ]
    sold_by_then = posts.event_ts >= posts.account_id.map(switch)
    after, before = posts[sold_by_then], posts[~sold_by_then]
    assert after.commercial.mean() > 0.4 and before.commercial.mean() < 0.1


def test_impostors_claim_abroad_and_reuse_photos(bot_world):
    ev, acc = bot_world["events"], bot_world["accounts"]
    imp_acc = acc[acc.archetype == "ai_managed_impostor"].drop_duplicates("account_id")
    assert (imp_acc.declared_country != "CN").all()
    imp = ev[ev.archetype == "ai_managed_impostor"].merge(
        imp_acc[["account_id", "declared_country"]], on="account_id"
    )
    assert (imp.ip_country != imp.declared_country).mean() > 0.99
    # AI-made or stolen portraits: the same picture on several profiles
    per_avatar = imp_acc.groupby("avatar_hash").account_id.nunique()
    assert (imp_acc.avatar_hash.map(per_avatar) >= 2).mean() > 0.5
    # and posted again as their photos
    pics = imp.dropna(subset=["image_hash"])
    assert pics.image_hash.isin(imp_acc.avatar_hash).mean() > 0.3
    texts = imp.text.dropna()
    assert texts.str.contains(r"[A-Za-z]{4}", regex=True).mean() > 0.4


# ------------------------------------------------------------------ the harder world
@pytest.fixture(scope="module")
def rings(unique_events):
    """The stealth events with each account's ring. The ring is the simulator's own
    bookkeeping (never delivered): the same seed rebuilds the same accounts."""
    from realpeople.simulator.world import World

    w = World(ACCOUNTS, DAYS, SEED, END, labels="rich")
    ring = pd.Series(w.ring_of, index=w.id_str.to_pylist())
    ev = unique_events.assign(ring=unique_events.account_id.map(ring))
    st = ev[ev.archetype == "ai_managed_stealth"]
    assert (st.ring >= 0).all() and st.ring.nunique() >= 3
    return st


def test_stealth_accounts_share_no_device(unique_events, rings):
    """Operators rotate device fingerprints: no device of a stealth account is used by
    any other account, and they use the app clients only."""
    users = unique_events.groupby("device_id").account_id.nunique()
    assert rings.device_id.notna().all()
    assert (rings.device_id.map(users) == 1).all()
    assert rings.client.isin(["app_ios", "app_android"]).all()


def test_stealth_accounts_look_like_people_one_by_one(frames, unique_events, rings):
    """Bought, aged accounts at human hours with a person's mix of actions and volume."""
    acc = frames["accounts"].drop_duplicates("account_id").merge(frames["truth"], on="account_id")
    age = (pd.Timestamp(START, tz="UTC") - acc.created_at).dt.days.groupby(acc.archetype).median()
    assert age["ai_managed_stealth"] > 0.5 * age["human_regular"]
    created = acc[acc.archetype == "ai_managed_stealth"].created_at
    assert created.dt.floor("D").nunique() > 0.8 * len(created)  # not registered in batches
    ev = unique_events
    local = (ev.event_ts.dt.hour + 8) % 24
    night = (local >= 1) & (local < 6)
    assert night[ev.archetype == "ai_managed_stealth"].mean() < 0.1
    mix = ev[ev.event_type != "login"].groupby("archetype").event_type.value_counts(normalize=True)
    assert abs(mix["ai_managed_stealth"]["like"] - mix["human_regular"]["like"]) < 0.12
    per_day = ev[ev.event_type != "login"].groupby(["archetype", "account_id"]).size()
    per_day = per_day.groupby("archetype").median() / DAYS
    assert per_day["ai_managed_stealth"] < per_day["human_power_user"] / 2
    # comments come a person's delay after the post (minutes to hours, not days)
    posts = ev[ev.event_type == "post"].set_index("event_id").event_ts
    com = ev[(ev.event_type == "comment") & ev.target_event_id.isin(posts.index)]
    delay = (com.event_ts - com.target_event_id.map(posts)).dt.total_seconds()
    by = delay.groupby(com.archetype).median()
    assert by["human_regular"] / 4 < by["ai_managed_stealth"] < 4 * by["human_regular"], (
        by.to_dict()
    )


def test_stealth_rings_keep_a_shared_schedule(rings):
    """Co-activity: each login has a ring-mate's login within minutes on the same day,
    while another ring's nearest login is hours away."""
    lg = rings[rings.event_type == "login"].assign(day=lambda d: d.event_ts.dt.floor("D"))
    ring_ids = sorted(lg.ring.unique())
    same, other = [], []
    for (r, day), g in lg.groupby(["ring", "day"]):
        mates = lg[(lg.day == day) & (lg.ring == r)]
        strangers = lg[
            (lg.day == day) & (lg.ring == ring_ids[(ring_ids.index(r) + 1) % len(ring_ids)])
        ]
        for acc, ts in zip(g.account_id, g.event_ts, strict=True):
            m = mates[mates.account_id != acc].event_ts
            if len(m) and len(strangers):
                same.append((m - ts).abs().min().total_seconds())
                other.append((strangers.event_ts - ts).abs().min().total_seconds())
    assert len(same) > 50
    assert np.median(same) < 300
    assert np.median(other) > 5 * np.median(same)


def test_stealth_rings_engage_the_same_targets_in_order(rings):
    """Ring-mates comment on the same posts (far more overlap than accounts of two
    different rings), and in the same order."""
    com = rings[(rings.event_type == "comment") & rings.target_event_id.notna()]
    targets = com.groupby("account_id").target_event_id.apply(set)
    ring = com.groupby("account_id").ring.first()
    ids = list(targets.index)
    same, other = [], []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            j = len(targets[a] & targets[b]) / len(targets[a] | targets[b])
            (same if ring[a] == ring[b] else other).append(j)
    assert np.mean(same) > 0.05 > 10 * np.mean(other)
    # the same order: ring-mates' first comment or like of a day goes to the same author
    eng = rings[rings.event_type.isin(["comment", "like"])].sort_values("event_ts")
    first = eng.groupby(
        ["ring", eng.event_ts.dt.floor("D"), "account_id"]
    ).target_account_id.first()
    agree = first.groupby(level=[0, 1]).agg(lambda t: t.value_counts().iloc[0] / len(t))
    assert agree[first.groupby(level=[0, 1]).size() >= 3].mean() > 0.5


def test_stealth_text_is_fluent_but_repeats_across_the_ring(unique_events):
    """Each text reads like a person's (people's pools, no template), but with the
    paraphrasing undone most of a ring's posts recur across its accounts; people's do not."""
    posts = unique_events[unique_events.event_type == "post"]
    core = posts.text.str.replace(
        r"^(嗯，|说真的，|hh |话说|哈哈 |诶 )", "", regex=True
    ).str.replace(r"[^\u4e00-\u9fffA-Za-z0-9]", "", regex=True)
    shared_core = core.map(posts.groupby(core).account_id.nunique()) >= 2
    shared_exact = posts.text.map(posts.groupby("text").account_id.nunique()) >= 2
    stealth = posts.archetype == "ai_managed_stealth"
    people = posts.archetype == "human_regular"
    assert shared_core[stealth].mean() > 0.5 and shared_core[people].mean() < 0.05
    assert shared_exact[stealth].mean() < 0.2  # paraphrased: rarely a verbatim copy
    assert shared_exact[posts.archetype == "ai_managed_naive"].mean() > 0.5


def test_families_and_cybercafes_share_devices(unique_events):
    """Hard negatives for device sharing: a household's tablet, a cybercafe's PCs."""
    ev = unique_events
    users = ev.groupby("device_id").account_id.nunique()
    for a, client in (("human_family", None), ("human_cybercafe", "web")):
        g = ev[ev.archetype == a]
        on_shared = g.device_id.map(users) >= 2
        assert 0.15 < on_shared.mean() < 0.8, a
        assert on_shared.groupby(g.account_id).any().mean() > 0.5, a
        if client:
            assert (g[on_shared].client == client).all()


# ------------------------------------------------------------------ label regimes
def _reviews_over(w, days):
    got = [w.reviews_for_day(d) for d in range(days)]
    acc = np.concatenate([r["acc"][r["source"] != 3] for r in got])
    src = np.concatenate([r["source"][r["source"] != 3] for r in got])
    return acc, src


def test_default_label_regime_is_scarce():
    """The demo world (20,000 accounts x 14 days) gets 30-75 ai_managed reviews (about 50 expected)."""
    from realpeople.simulator.parameters import CLASS_OF
    from realpeople.simulator.world import World

    w = World(20000, 14, 7, END)
    assert w.labels == simulator.LABEL_REGIMES["scarce"]
    acc, _src = _reviews_over(w, 14)
    managed = int((CLASS_OF[w.arch[acc]] == 2).sum())
    assert 30 <= managed <= 75, managed
    assert len(acc) < 0.03 * w.n
    rich = World(20000, 14, 7, END, labels="rich")
    acc_rich, _ = _reviews_over(rich, 14)
    assert len(acc_rich) > 5 * len(acc)


def test_label_regime_settings():
    from realpeople.simulator.parameters import CLASS_OF, CLASSES, LabelRegime
    from realpeople.simulator.world import World

    with pytest.raises(ValueError):
        World(100, 1, 1, END, labels="plenty")
    # reviews per class per day: reports only of ai_managed accounts, no random audit
    only = {"audit_rate": 0.0, "report_rate": {"ai_managed": 0.05}}
    w = World(4000, 4, 5, END, labels=only)
    acc, src = _reviews_over(w, 4)
    assert len(acc) > 50 and (src == 2).all()
    assert (CLASS_OF[w.arch[acc]] == CLASSES.index("ai_managed")).all()
    # verdict noise scales: none at 0, several times the default at 4
    rows = np.tile(np.arange(w.n), 10)
    truth = CLASS_OF[w.arch[rows]]
    clean = World(4000, 1, 5, END, labels=LabelRegime(noise_scale=0.0))
    assert (clean._verdicts(np.random.default_rng(0), rows) == truth).all()
    noisy = World(4000, 1, 5, END, labels=LabelRegime(noise_scale=4.0))
    default_wrong = (w._verdicts(np.random.default_rng(0), rows) != truth).mean()
    assert (noisy._verdicts(np.random.default_rng(0), rows) != truth).mean() > 3 * default_wrong


def test_report_bias_setting(tmp_path):
    """report_bias 0: reports pick accounts at random within their class; the default
    follows what users noticed (ads, instant replies), which stealth rings avoid."""
    from realpeople.simulator.world import World

    def reported_naive_share(bias):
        lab = {"audit_rate": 0.0, "report_rate": {"ai_managed": 0.05}, "report_bias": bias}
        w = World(3000, 4, 9, END, labels=lab)
        got = []
        for d in range(4):
            w.day_events(d)  # what users notice builds up from the events
            r = w.reviews_for_day(d)
            got.append(r["acc"][r["source"] == 2])
        arch = w.arch[np.concatenate(got)]
        return (arch == simulator.ARCHETYPES.index("ai_managed_naive")).mean()

    assert reported_naive_share(1.0) > reported_naive_share(0.0) + 0.1
