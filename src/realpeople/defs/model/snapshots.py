"""Which feature snapshots a run must build so that every label can be trained on.

Grain: one call plans one run: the earlier run dates whose ``account_features`` snapshot
is missing and needed.

Point-in-time training (``sql/training_set.sql``) joins each reviewed account's latest
verdict to the newest snapshot taken *before the day of that review* and at most
``MAX_FEATURE_AGE_DAYS`` older. A daily run builds its own date, so in operation every
review finds yesterday's snapshot. A run that loads many days at once (a first run, a
catch-up after an outage, ``make demo``) used to build one earlier snapshot in the middle
of the new dates, and silently dropped every review without a snapshot in its window
(the first half of the demo's reviews, every review of a world whose reviews start early).

Here the run builds the fewest snapshots that give *every* review day a snapshot in
its window: for the earliest review day not yet covered, the day before it (the newest
date still before the review, so it covers as many later review days as the window
allows), and so on. Reviews whose day before holds too little history to be like the
snapshot the model scores stay untrainable (``ml.dataset.earliest_training_snapshot``:
a week, or half of a younger world's history), and so do reviews of the first delivery
day: nothing was delivered before them (both still act as moderator decisions). Each snapshot is one dbt
build (~10-20 s on a small world); with reviews on every day that is one build per
``MAX_FEATURE_AGE_DAYS`` days of catch-up.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from realpeople.defs.features.builds import built_without_accounts, mart_drift
from realpeople.defs.model.assets import MAX_FEATURE_AGE_DAYS, earliest_training_date
from realpeople.warehouse import sql_reader

sql = sql_reader(__file__)


def cover_review_days(
    review_days: list[date],
    snapshots: set[date],
    first_day: date,
    run_date: date,
    max_age_days: int = MAX_FEATURE_AGE_DAYS,
    earliest: date | None = None,
) -> list[date]:
    """The fewest new snapshot dates so that each review day ``r`` (``first_day < r <=
    run_date``) has a snapshot ``s`` with ``r - max_age_days <= s < r`` and ``s >=
    earliest`` (the first date like enough to the scored snapshot; ``first_day`` when
    None); ``snapshots`` already exist (the run date's own counts: it is always built)."""
    earliest = first_day if earliest is None else max(first_day, earliest)
    have = {s for s in set(snapshots) | {run_date} if s >= earliest}
    new: list[date] = []
    for day in sorted(set(review_days)):
        if day <= earliest or day > run_date:
            continue  # no snapshot like the scored one before it / not yet part of this run
        if any(day - timedelta(days=max_age_days) <= s < day for s in have):
            continue
        pick = day - timedelta(days=1)  # the newest date before the review: covers the most
        have.add(pick)
        new.append(pick)
    return sorted(new)


def snapshots_to_build(
    con: duckdb.DuckDBPyConnection, first_day: date, run_date: date, window_days: int
) -> list[date]:
    """The earlier run dates to build features for before ``run_date`` (see the module)."""
    review_days = [
        row[0] for row in con.execute(sql("review_days.sql"), {"as_of": run_date}).fetchall()
    ]
    has_mart = con.execute(sql("has_account_features.sql")).fetchone()[0]
    # A mart built by another version (other columns) is set aside by the next build
    # (features.builds.supersede_mart): none of its snapshots counts.
    snapshots = (
        {row[0] for row in con.execute(sql("snapshot_dates.sql")).fetchall()}
        if has_mart and mart_drift(con) is None
        else set()
    )
    # a date built while no account was known has its (empty) snapshot: not built again
    snapshots |= built_without_accounts(con)
    earliest = earliest_training_date(con, run_date, window_days)
    return cover_review_days(review_days, snapshots, first_day, run_date, earliest=earliest)
