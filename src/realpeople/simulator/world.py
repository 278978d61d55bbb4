"""The simulated world: accounts of fourteen archetypes and everything they do,
delivered day by day to a landing zone that follows the activity-data contract.

Moderator reviews follow a label regime (:class:`LabelRegime`): how many accounts of
each class are reviewed a day, how noisy the verdicts are, how strongly user reports
follow what users notice.  The default is scarce, as on a young platform.

Everything is vectorised with numpy per archetype and per day; no Python code
runs per event.  All randomness comes from ``numpy.random.Generator(PCG64)``
streams spawned from the seed, and nothing reads the wall clock (except the
``seconds`` figure in the returned summary), so the same seed gives
byte-identical files.  Memory is bounded by one day of events plus per-account
state (a few hundred bytes per account).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .accounts import AccountsMixin
from .arrays import _resolve_mix
from .events import EventsMixin
from .labels import LabelsMixin
from .parameters import CLASS_OF, CLASSES, DAY_US, SEC, LabelRegime
from .schema import write_csv, write_parquet


# ------------------------------------------------------------------ the world
class World(AccountsMixin, EventsMixin, LabelsMixin):
    def __init__(self, accounts: int, days: int, seed: int, end_date: date, mix=None, labels=None):
        if accounts < 10 or days < 1:
            raise ValueError("need at least 10 accounts and 1 day")
        self.n = int(accounts)
        self.days = int(days)
        self.end_date = end_date
        self.labels = LabelRegime.resolve(labels)
        self.start_date = end_date - timedelta(days=self.days - 1)
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        start_dt = datetime(
            self.start_date.year, self.start_date.month, self.start_date.day, tzinfo=UTC
        )
        self.start_us = int((start_dt - epoch).total_seconds()) * SEC
        self.end_us = self.start_us + self.days * DAY_US
        ss = np.random.SeedSequence(seed)
        kids = ss.spawn(4 + self.days)
        self.rng_acc = np.random.Generator(np.random.PCG64(kids[0]))
        self.rng_rev = np.random.Generator(np.random.PCG64(kids[1]))
        self.rng_deliv = np.random.Generator(np.random.PCG64(kids[2]))
        self.rng_snap = np.random.Generator(np.random.PCG64(kids[3]))
        self.rng_day = [np.random.Generator(np.random.PCG64(k)) for k in kids[4:]]
        self.queued_appeals: dict[int, list] = {}  # delivery day -> appeal rows
        self.queued_reviews: dict[int, list] = {}  # day -> reviews that decided an appeal
        self._build_accounts(_resolve_mix(mix))


# ------------------------------------------------------------------ driver
def _csv_day_indices(days: int, csv_days: int) -> set[int]:
    """Which delivery days are written as CSV: the second day onwards (then the first)."""
    csv_days = max(0, min(int(csv_days), days))
    order = list(range(1, days)) + [0]
    return set(order[:csv_days])


def _event_day(table: pa.Table, start_us: int) -> np.ndarray:
    us = table.column("event_ts").cast(pa.int64()).to_numpy()
    return (us - start_us) // DAY_US


def simulate(
    landing_dir,
    truth_path,
    accounts: int = 20000,
    days: int = 14,
    seed: int = 7,
    end_date: date = date(2026, 11, 15),
    csv_days: int = 1,
    mix: dict | None = None,
    labels: LabelRegime | str | dict | None = None,
) -> dict:
    """Simulate ``accounts`` accounts for ``days`` days ending on ``end_date`` and write
    the deliveries ``<landing_dir>/<table>/dt=YYYY-MM-DD/part-0.{parquet,csv}`` plus
    the ground truth to ``truth_path``.  ``labels`` is the label regime (a
    :class:`LabelRegime`, a preset name of :data:`LABEL_REGIMES` or a dict of its fields;
    default ``scarce``).  Returns rows written per table, seconds, and (from the truth, for
    whoever runs the simulator; never in the landing zone) reviews per true class."""
    t0 = time.perf_counter()
    landing = Path(landing_dir)
    truth_path = Path(truth_path)
    if isinstance(end_date, str):
        end_date = date.fromisoformat(end_date)
    lr, tr = landing.resolve(), truth_path.resolve()
    if lr == tr.parent or lr in tr.parents:
        raise ValueError("truth_path must be outside the landing zone")
    w = World(accounts, days, seed, end_date, mix, labels)
    csv_idx = _csv_day_indices(w.days, csv_days)
    counts = {"accounts": 0, "events": 0, "reviews": 0, "appeals": 0}
    reviewed_class = np.zeros(len(CLASSES), np.int64)  # non-appeal reviews by true class
    extra = {"late_events": 0, "resent_events": 0}
    carry: dict[int, list[pa.Table]] = {}  # by event day
    pending: dict[int, list[pa.Table]] = {}  # by delivery day
    rng = w.rng_deliv

    for d in range(w.days):
        dt = w.start_date + timedelta(days=d)
        gen = w.day_events(d)
        eday = _event_day(gen, w.start_us)
        for k in np.unique(eday):
            if k <= d:
                continue  # k == d handled below
            if k < w.days:
                carry.setdefault(int(k), []).append(gen.filter(pa.array(eday == k)))
        today = [gen.filter(pa.array(eday == d))] + carry.pop(d, [])
        del gen  # memory: at most about two copies of one day's events are alive at once
        today = pa.concat_tables(today)
        m = today.num_rows
        # delivery problems: ~1% late (1-3 days), ~0.5% re-sent in a later delivery
        # a late event still lands inside the window (so references never dangle)
        lag = np.minimum(rng.integers(1, 4, m), w.days - 1 - d)
        late = (rng.random(m) < 0.01) & (lag > 0)
        resend = (rng.random(m) < 0.005) & ~late
        rlag = rng.integers(1, 4, m)
        for L in (1, 2, 3):
            if d + L < w.days:
                sel = late & (lag == L)
                if sel.any():
                    pending.setdefault(d + L, []).append(today.filter(pa.array(sel)))
                    extra["late_events"] += int(sel.sum())
                sel = resend & (rlag == L)
                if sel.any():
                    pending.setdefault(d + L, []).append(today.filter(pa.array(sel)))
                    extra["resent_events"] += int(sel.sum())
        ev = pa.concat_tables([today.filter(pa.array(~late))] + pending.pop(d, []))
        del today
        ev = ev.take(pc.sort_indices(ev, [("event_ts", "ascending"), ("event_id", "ascending")]))

        day_reviews = w.reviews_for_day(d)
        first_look = day_reviews["source"] != 3
        reviewed_class += np.bincount(
            CLASS_OF[w.arch[day_reviews["acc"][first_look]]], minlength=len(CLASSES)
        )
        tables = {
            "accounts": w.accounts_table(w.account_rows_for_day(d), d),
            "events": ev,
            "reviews": w.reviews_table(day_reviews),
            "appeals": w.appeals_table(d),
        }
        for name, t in tables.items():
            folder = landing / name / f"dt={dt.isoformat()}"
            if d in csv_idx:
                write_csv(t, folder / "part-0.csv")
            else:
                write_parquet(t, folder / "part-0.parquet")
            counts[name] += t.num_rows
        del tables, ev, t  # free this day before the next one is generated

    write_parquet(w.ground_truth(), truth_path)
    summary = dict(counts)
    summary.update(extra)
    summary["simulated_accounts"] = w.n
    summary["days"] = w.days
    summary["start_date"] = w.start_date.isoformat()
    summary["end_date"] = w.end_date.isoformat()
    summary["csv_days"] = sorted((w.start_date + timedelta(days=i)).isoformat() for i in csv_idx)
    summary["reviews_by_true_class"] = dict(zip(CLASSES, reviewed_class.tolist(), strict=True))
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    return summary
