"""Small worlds written straight as contract files (activity data contract v1.1).

Grain: one :class:`WorldSpec` describes one landing zone; :func:`write_world` writes it
file by file with pyarrow (Parquet) and the csv module, never through ``src/realpeople/simulator/``:
these worlds follow the contract page, not our simulator's archetypes, so they meet what
a stranger's export may hold (one class reviewed, no appeals, all-null columns typed as
Arrow's null type, a delivery that mixes CSV and Parquet, ...).

Behaviour follows the verdict loosely (automation posts through ``api`` on the hour and
copies its texts; people use apps at scattered times), so a model trained on a world
with enough reviews has something to learn, but ``overlap`` blurs it on purpose.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from realpeople import vocabulary
from realpeople.contract import TABLES

END = date(2026, 11, 15)
_ARROW = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}
# The contract's columns, in order, with their contract type and nullability: read from
# the one machine-readable declaration (src/realpeople/contract.py), not copied.
COLUMNS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    name: tuple((c.name, c.type, c.nullable) for c in table.columns)
    for name, table in TABLES.items()
}

# How reviews are spread over the classes.
REVIEW_REGIMES = ("none", "one_class", "two_classes", "three_per_class", "enough", "noisy")


@dataclass(frozen=True)
class WorldSpec:
    """One world: its size, its label regime and the contract corners it exercises."""

    seed: int
    accounts: int = 60
    days: int = 3
    reviews: str = "three_per_class"  # one of REVIEW_REGIMES
    appeals: bool = True
    formats: str = "parquet"  # parquet | csv | mix (CSV and Parquet within one delivery)
    accounts_without_events: int = 3
    unknown_account_events: int = 0
    null_optional_columns: bool = False  # optional columns all null (Arrow null type in Parquet)
    duplicates: bool = False  # repeated event_ids within and across deliveries
    late_rows: bool = False  # events up to 3 days older than their delivery
    resend_day: bool = False  # the first day is delivered again (changed) after a first run
    extremes: bool = False  # 0 followers, 10,000 events in a day, 5,000-character texts
    overlap: float = 0.1  # share of accounts whose behaviour does not match their class
    reviewed_share: float = 0.0  # with 'enough'/'noisy': share of accounts reviewed
    # reviews="counts": exactly these many reviewed accounts per verdict (every account
    # then delivered on the first day, so every review has an earlier feature snapshot)
    review_counts: tuple[tuple[str, int], ...] = ()
    # reviews on the days from this index on (default: the later half, after the middle day)
    reviews_from_day: int | None = None
    # tables never delivered (e.g. ("accounts",): events and verdicts, no account snapshot)
    missing_tables: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        return (
            f"seed={self.seed} {self.accounts}x{self.days}d reviews={self.reviews} "
            f"{self.formats} appeals={self.appeals} nulls={self.null_optional_columns} "
            f"dups={self.duplicates} late={self.late_rows} resend={self.resend_day} "
            f"extremes={self.extremes} unknown={self.unknown_account_events}"
            + (f" missing={','.join(self.missing_tables)}" if self.missing_tables else "")
        )


def random_spec(seed: int) -> WorldSpec:
    """A seeded draw over the dimensions the issue lists (tiny sizes: runtime)."""
    rng = random.Random(seed)
    reviews = rng.choice(REVIEW_REGIMES)
    days = rng.choice((1, 2, 3, 4)) if reviews not in ("enough", "noisy") else rng.choice((4, 5))
    accounts = (
        rng.choice((20, 40, 80)) if reviews not in ("enough", "noisy") else rng.choice((400, 600))
    )
    return WorldSpec(
        seed=seed,
        accounts=accounts,
        days=days,
        reviews=reviews,
        appeals=rng.random() < 0.6,
        formats=rng.choice(("parquet", "csv", "mix")),
        accounts_without_events=rng.choice((0, 2, 5)),
        unknown_account_events=rng.choice((0, 0, 7)),
        null_optional_columns=rng.random() < 0.3,
        duplicates=rng.random() < 0.4,
        late_rows=rng.random() < 0.4,
        resend_day=rng.random() < 0.15 and days > 1,
        extremes=rng.random() < 0.2,
        overlap=rng.choice((0.0, 0.1, 0.3)),
        reviewed_share=rng.choice((0.4, 0.6)),
        missing_tables=rng.choice(((),) * 18 + (("accounts",), ("reviews",))),
    )


def _ts(day: date, seconds: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


def _verdicts(spec: WorldSpec, rng: random.Random, classes: list[str]) -> dict[int, str]:
    """Which accounts are reviewed, with what verdict (index -> verdict)."""
    n = len(classes)
    by_class = {c: [i for i in range(n) if classes[i] == c] for c in vocabulary.VERDICTS}
    picked: dict[int, str] = {}
    if spec.reviews == "none":
        return picked
    if spec.reviews == "one_class":
        cls = rng.choice(vocabulary.VERDICTS)
        for i in by_class[cls][:8]:
            picked[i] = cls
        return picked
    if spec.reviews == "two_classes":
        for cls in rng.sample(vocabulary.VERDICTS, 2):
            for i in by_class[cls][:15]:
                picked[i] = cls
        return picked
    if spec.reviews == "counts":
        for cls, count in spec.review_counts:
            if len(by_class[cls]) < count:
                raise ValueError(
                    f"{count} reviews of {cls} need more accounts than {spec.accounts}"
                )
            for i in by_class[cls][:count]:
                picked[i] = cls
        return picked
    if spec.reviews == "three_per_class":
        for cls in vocabulary.VERDICTS:
            for i in by_class[cls][:3]:
                picked[i] = cls
        return picked
    # enough / noisy: a share of every class reviewed; noisy flips 10 % of verdicts
    for i in range(n):
        if rng.random() < spec.reviewed_share:
            verdict = classes[i]
            if spec.reviews == "noisy" and rng.random() < 0.1:
                verdict = rng.choice([c for c in vocabulary.VERDICTS if c != verdict])
            picked[i] = verdict
    return picked


def build_rows(spec: WorldSpec) -> dict[str, dict[date, list[dict]]]:
    """Every table's rows per delivery date."""
    rng = random.Random(spec.seed)
    days = [END - timedelta(days=spec.days - 1 - k) for k in range(spec.days)]
    n = spec.accounts
    # A mix like a platform's: mostly people, some assisted writers, some automation.
    classes = [rng.choices(vocabulary.VERDICTS, weights=(0.6, 0.2, 0.2))[0] for _ in range(n)]
    behaves = [
        rng.choice(vocabulary.VERDICTS) if rng.random() < spec.overlap else c for c in classes
    ]
    ids = [f"acct-{spec.seed}-{i:05d}" for i in range(n)]
    if spec.extremes and n > 2:
        ids[2] = f"acct-{spec.seed}-" + "x" * 300  # the contract sets no length limit
    tables: dict[str, dict[date, list[dict]]] = {t: {d: [] for d in days} for t in COLUMNS}

    # accounts: a snapshot of each on a day (most on the first), a few changed later
    snapshots = []
    for i in range(n):
        day = days[0] if rng.random() < 0.8 or spec.reviews == "counts" else rng.choice(days)
        row = {
            "account_id": ids[i],
            "created_at": _ts(day, 0) - timedelta(days=rng.randint(0, 900)),
            "declared_country": rng.choice(("DE", "FR", "BR", None)),
            "bio": None
            if rng.random() < 0.3
            else ("x" * 5000 if spec.extremes and i == 0 else f"bio {i}"),
            "avatar_hash": rng.choice(("ab12", "ffee", None)),
            "signup_client": "api"
            if behaves[i] == "ai_managed" and rng.random() < 0.7
            else rng.choice(vocabulary.CLIENTS),
            "signup_ip_country": rng.choice(("DE", "US", None)),
            "follower_count": 0 if spec.extremes and i % 7 == 0 else rng.randint(0, 5000),
            "following_count": rng.randint(0, 800),
        }
        tables["accounts"][day].append(row)
        snapshots.append(row)
    for i in rng.sample(range(n), k=min(n, 3)):
        tables["accounts"][days[-1]].append({**snapshots[i], "follower_count": rng.randint(0, 10)})

    # events
    silent = set(range(n - spec.accounts_without_events, n))
    counter = 0
    for k, day in enumerate(days):
        rows = tables["events"][day]
        for i in range(n):
            if i in silent:
                continue
            kind = behaves[i]
            n_events = rng.randint(2, 12) if kind != "ai_managed" else rng.randint(8, 25)
            if spec.extremes and i == 1 and k == len(days) - 1:
                n_events = 10_000
            for j in range(n_events):
                counter += 1
                if kind == "ai_managed":
                    seconds = (j * 3600 + rng.randint(0, 3)) % 86_400
                else:
                    seconds = rng.uniform(0, 86_399)
                offset = 0
                if spec.late_rows and rng.random() < 0.05:
                    offset = -rng.randint(1, 3) * 86_400  # up to 3 days late: legal
                event_type = rng.choice(
                    ("post", "comment", "like", "dm", "login")
                    if kind != "ai_managed"
                    else ("post", "post", "dm", "follow")
                )
                text = None
                if event_type in ("post", "comment", "dm"):
                    if spec.extremes and j == 0:
                        text = "é" * 5000
                    elif kind == "ai_managed":
                        text = f"Unlock growth today with tip #{j % 3}!"
                    elif kind == "ai_assisted":
                        text = (
                            f"Here are three thoughts on topic {rng.randint(0, 50)}:\n- one\n- two"
                        )
                    else:
                        text = f"lol {rng.randint(0, 10_000)} :)"
                rows.append(
                    {
                        "event_id": f"ev-{spec.seed}-{counter}",
                        "account_id": ids[i],
                        "event_ts": _ts(day, seconds + offset),
                        "event_type": event_type,
                        "client": "api"
                        if kind == "ai_managed" and rng.random() < 0.8
                        else rng.choice(("app_ios", "app_android", "web")),
                        "device_id": f"dev-{i % (n // 2 + 1) if kind == 'ai_managed' else i}",
                        "ip_country": rng.choice(("DE", "US", None)),
                        "target_account_id": ids[rng.randrange(n)]
                        if event_type in ("comment", "dm", "follow")
                        else None,
                        "target_event_id": None,
                        "text": text,
                        "image_hash": rng.choice((None, "abcd")) if event_type == "post" else None,
                        "location_tag": rng.choice((None, "DE")) if event_type == "post" else None,
                        "ai_label": (rng.random() < 0.3) if event_type == "post" else None,
                        "ai_metadata": (kind != "human" and rng.random() < 0.5)
                        if event_type == "post"
                        else None,
                        "commercial": (kind == "ai_managed") if event_type == "post" else None,
                    }
                )
        for u in range(spec.unknown_account_events):
            counter += 1
            rows.append(
                {
                    "event_id": f"ev-{spec.seed}-{counter}",
                    "account_id": f"ghost-{u}",
                    "event_ts": _ts(day, 3600 + u),
                    "event_type": "like",
                    "client": "web",
                }
            )
        if spec.duplicates and rows:
            rows.extend(
                dict(r) for r in rng.sample(rows, k=min(5, len(rows)))
            )  # within the delivery
            if k > 0 and tables["events"][days[k - 1]]:
                rows.append(dict(tables["events"][days[k - 1]][0]))  # across deliveries

    # reviews: verdicts on the later days (point-in-time training needs earlier features)
    verdicts = _verdicts(spec, rng, classes)
    start = len(days) // 2 + 1 if spec.reviews_from_day is None else spec.reviews_from_day
    review_days = days[start:] or days[-1:]
    for r, (i, verdict) in enumerate(sorted(verdicts.items())):
        day = rng.choice(review_days)
        tables["reviews"][day].append(
            {
                "review_id": f"rev-{spec.seed}-{r}",
                "account_id": ids[i],
                "reviewed_at": _ts(day, rng.uniform(0, 80_000)),
                "verdict": verdict,
                "source": rng.choice(vocabulary.REVIEW_SOURCES[:2]),
            }
        )

    # appeals: some actioned accounts appeal, some decided
    if spec.appeals:
        actioned = [(i, v) for i, v in verdicts.items() if vocabulary.VERDICT_ACTION[v]]
        for a, (i, verdict) in enumerate(actioned[: max(1, len(actioned) // 3)]):
            day = days[-1]
            outcome = rng.choice(vocabulary.APPEAL_OUTCOMES)
            filed = _ts(day, 1000 + a)
            tables["appeals"][day].append(
                {
                    "appeal_id": f"app-{spec.seed}-{a}",
                    "account_id": ids[i],
                    "action": vocabulary.VERDICT_ACTION[verdict],
                    "filed_at": filed,
                    "outcome": outcome,
                    "decided_at": None if outcome == "pending" else filed + timedelta(hours=2),
                }
            )
    return tables


def _arrow(table: str, rows: list[dict], null_optional: bool) -> pa.Table:
    fields, arrays = [], []
    for name, kind, nullable in COLUMNS[table]:
        values = [r.get(name) for r in rows]
        if nullable and null_optional:
            fields.append(pa.field(name, pa.null()))
            arrays.append(pa.nulls(len(rows)))
        else:
            fields.append(pa.field(name, _ARROW[kind]))
            arrays.append(pa.array(values, type=_ARROW[kind]))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_csv(path: Path, table: str, rows: list[dict], null_optional: bool) -> None:
    names = [c[0] for c in COLUMNS[table]]
    nullable = {c[0] for c in COLUMNS[table] if c[2]}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for r in rows:
            writer.writerow(
                ["" if (null_optional and n in nullable) else _csv_value(r.get(n)) for n in names]
            )


def write_delivery(
    landing: Path,
    table: str,
    day: date,
    rows: list[dict],
    spec: WorldSpec,
    rng: random.Random,
    suffix: str = "",
) -> None:
    if not rows:
        return
    folder = Path(landing) / table / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    fmt = spec.formats
    if fmt == "mix" and len(rows) >= 2:
        cut = len(rows) // 2
        pq.write_table(
            _arrow(table, rows[:cut], spec.null_optional_columns),
            folder / f"part-0{suffix}.parquet",
        )
        _write_csv(folder / f"part-1{suffix}.csv", table, rows[cut:], spec.null_optional_columns)
    elif fmt == "csv" or (fmt == "mix" and rng.random() < 0.5):
        _write_csv(folder / f"part-0{suffix}.csv", table, rows, spec.null_optional_columns)
    else:
        pq.write_table(
            _arrow(table, rows, spec.null_optional_columns), folder / f"part-0{suffix}.parquet"
        )


def write_world(spec: WorldSpec, landing: Path) -> dict[str, dict[date, list[dict]]]:
    """Write every delivery of ``spec`` under ``landing`` (none of its ``missing_tables``);
    return the rows written (an empty table for each missing one)."""
    rng = random.Random(spec.seed + 1)
    tables = {
        table: ({} if table in spec.missing_tables else by_day)
        for table, by_day in build_rows(spec).items()
    }
    for table, by_day in tables.items():
        for day, rows in by_day.items():
            write_delivery(landing, table, day, rows, spec, rng)
    return tables


def resend_first_day(spec: WorldSpec, landing: Path, tables: dict) -> None:
    """Deliver the first day's events again, changed (one more file in the same folder):
    the contract says a re-sent delivery must not duplicate anything."""
    first = min(tables["events"])
    rows = tables["events"][first]
    if rows:
        write_delivery(
            landing,
            "events",
            first,
            rows[: max(1, len(rows) // 4)],
            replace(spec, formats="parquet"),
            random.Random(spec.seed),
            suffix="-resent",
        )
