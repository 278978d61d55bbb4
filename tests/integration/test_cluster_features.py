"""The model's structural cluster features (``account_cluster_features``): point in time,
and blind to labels.

One small simulated world (stealth rings included) is loaded three ways, each built with
dbt in this process and followed by the features step's own
``write_cluster_features`` (what the features asset runs after each date's build):

- **catch-up**: every delivery loaded, then snapshots built for an earlier date ``MID``
  and for ``END`` (what a first run does to give training snapshots);
- **as of MID**: only the deliveries up to ``MID`` loaded, built for ``MID`` (what a
  daily run on that date saw);
- **relabelled**: every delivery loaded, every verdict turned around, built for ``END``.

The catch-up's ``MID`` rows must equal the as-of-``MID`` rows (no later activity leaks
into a training snapshot's clusters), the relabelled ``END`` rows must equal the
catch-up's (no verdict shapes a feature), and the training set must carry each review's
cluster features from its own snapshot.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from realpeople.contract import TABLES
from realpeople.defs.features.clustered import write_cluster_features
from realpeople.defs.ingest.loader import load_delivery
from realpeople.ml.coordination import CLUSTER_FEATURE_COLUMNS as COLUMNS
from realpeople.settings import load_settings
from tests.dbt_runner import invoke_dbt

pytestmark = pytest.mark.slow

END = date(2026, 11, 15)
DAYS = 10
FIRST = END - timedelta(days=DAYS - 1)
MID = FIRST + timedelta(days=5)


def _load(warehouse: Path, landing: Path, last: date) -> None:
    with duckdb.connect(str(warehouse)) as con:
        for n in range((last - FIRST).days + 1):
            day = FIRST + timedelta(days=n)
            for table in TABLES:
                if (landing / table / f"dt={day.isoformat()}").is_dir():
                    load_delivery(con, landing, table, day)


def _build(tmp_path: Path, warehouse: Path, run_date: date) -> None:
    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path / "data")})
    invoke_dbt(
        ["run"],
        tmp_path / f"target-{warehouse.stem}",
        warehouse,
        run_date.isoformat(),
        settings.dbt_vars(),
    )
    with duckdb.connect(str(warehouse)) as con:
        write_cluster_features(con, run_date.isoformat(), settings.feature_window_days)


def _clusters(warehouse: Path, run_date: date) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select * exclude (run_date) from account_cluster_features "
            "where run_date = ? order by account_id",
            [run_date],
        ).df()


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    from realpeople.simulator.__main__ import main as simulate

    tmp_path = tmp_path_factory.mktemp("cluster_features")
    landing = tmp_path / "landing"
    truth = tmp_path / "truth.parquet"
    args = ["--accounts", "2000", "--days", str(DAYS), "--seed", "16"]
    args += ["--end-date", END.isoformat(), "--labels", "rich"]
    assert simulate([*args, "--landing-dir", str(landing), "--truth-path", str(truth)]) == 0

    catch_up = tmp_path / "catch_up.duckdb"
    _load(catch_up, landing, END)
    _build(tmp_path, catch_up, MID)
    _build(tmp_path, catch_up, END)

    as_of_mid = tmp_path / "as_of_mid.duckdb"
    _load(as_of_mid, landing, MID)
    _build(tmp_path, as_of_mid, MID)

    relabelled = tmp_path / "relabelled.duckdb"
    _load(relabelled, landing, END)
    with duckdb.connect(str(relabelled)) as con:
        con.execute(
            "update raw.reviews set verdict = case verdict when 'human' then 'ai_managed' "
            "when 'ai_managed' then 'human' else 'human' end"
        )
    _build(tmp_path, relabelled, END)
    return {
        "catch_up": catch_up,
        "as_of_mid": as_of_mid,
        "relabelled": relabelled,
        "truth": pd.read_parquet(truth),
        "tmp_path": tmp_path,
    }


def test_a_catch_up_snapshot_has_the_clusters_of_its_own_date(worlds):
    early = _clusters(worlds["catch_up"], MID)
    late = _clusters(worlds["catch_up"], END)
    seen_then = _clusters(worlds["as_of_mid"], MID)
    assert len(early) > 1000 and early["account_id"].is_unique
    # the world has rings, and the features find them (else the comparisons say nothing)
    truth = worlds["truth"].set_index("account_id")
    rings = early[early["cluster_is_ring"] == 1].join(truth, on="account_id")
    assert len(rings) >= 10 and (rings["true_class"] == "ai_managed").mean() >= 0.9
    # people's shared texts keep people's company, automation's keeps automation's
    company = early.join(truth, on="account_id").groupby("true_class")["text_company_shared_share"]
    assert company.count()["human"] > 100 and company.count()["ai_managed"] > 100
    assert company.median()["ai_managed"] > company.median()["human"] + 0.2
    pd.testing.assert_frame_equal(early, seen_then)
    # the END snapshot saw more: had MID been computed from it, the frames would differ
    both = early.merge(late, on="account_id", suffixes=("_mid", "_end"))
    moved = (
        both["cotarget_strongest_tie_per_week_mid"] != both["cotarget_strongest_tie_per_week_end"]
    )
    assert moved.sum() > 50


def test_cluster_features_do_not_move_when_every_verdict_is_turned_around(worlds):
    with duckdb.connect(str(worlds["catch_up"]), read_only=True) as con:
        before = con.execute("select verdict, count(*) from raw.reviews group by 1").fetchall()
    with duckdb.connect(str(worlds["relabelled"]), read_only=True) as con:
        after = con.execute("select verdict, count(*) from raw.reviews group by 1").fetchall()
    assert sorted(before) != sorted(after)
    pd.testing.assert_frame_equal(
        _clusters(worlds["catch_up"], END), _clusters(worlds["relabelled"], END)
    )


def test_training_rows_carry_the_cluster_features_of_their_snapshot(worlds):
    from realpeople.defs.model.assets import training_set

    settings = load_settings({"REALPEOPLE_DATA_DIR": str(worlds["tmp_path"] / "data")})
    with duckdb.connect(str(worlds["catch_up"]), read_only=True) as con:
        rows = training_set(con, END, settings.feature_window_days)
    assert len(rows) > 20 and (pd.to_datetime(rows["feature_date"]).dt.date == MID).all()
    expected = _clusters(worlds["catch_up"], MID).set_index("account_id")
    got = rows.set_index("account_id").loc[:, list(COLUMNS)]
    pd.testing.assert_frame_equal(got, expected.loc[got.index, list(COLUMNS)])
    # and not those of END, which differ for some of them
    later = _clusters(worlds["catch_up"], END).set_index("account_id").loc[got.index]
    column = "cotarget_strongest_tie_per_week"
    assert (later[column] != got[column]).any()
