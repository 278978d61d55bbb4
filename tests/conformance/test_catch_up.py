"""A first run over several days trains on every review that has data before its day.

Before: a catch-up run built one earlier snapshot in the middle of the new dates
(CATCH_UP_SNAPSHOTS = 1), so reviews on days before that snapshot had none before their
day and were silently left out of training. Now the run builds the snapshots that cover
every review day (src/realpeople/defs/model/snapshots.py).
"""

import pytest

import realpeople.defs.model.assets as model_assets
from realpeople.warehouse import sql_reader
from tests.conformance.harness import run_world, warehouse_frame
from tests.conformance.worlds import WorldSpec, build_rows

model_sql = sql_reader(model_assets.__file__)


@pytest.mark.extended
def test_reviews_from_the_second_day_all_reach_training(tmp_path):
    # Three days; reviews on the second and the third (the old catch-up snapshot was the
    # second day itself, so the second day's reviews had no snapshot before their day).
    spec = WorldSpec(
        seed=131,
        accounts=40,
        days=3,
        reviews="three_per_class",
        reviews_from_day=1,
        formats="parquet",
        appeals=False,
    )
    rows = build_rows(spec)
    review_days = {
        r["reviewed_at"].date() for rows_of_day in rows["reviews"].values() for r in rows_of_day
    }
    first = min(rows["events"])
    assert first not in review_days and len(review_days) == 2, (
        "the world must review on days 2 and 3"
    )

    outcome = run_world(spec, tmp_path)
    assert outcome.status == "published"
    snapshots = warehouse_frame(
        outcome.settings, "select distinct run_date from account_features order by 1"
    )
    assert [d.isoformat() for d in snapshots["run_date"].dt.date] == [
        first.isoformat(),
        outcome.run_date,
    ]

    training = warehouse_frame(
        outcome.settings,
        model_sql("training_set.sql"),
        {"as_of": outcome.run_date, "max_feature_age_days": 7},
    )
    reviewed = warehouse_frame(
        outcome.settings, "select count(distinct account_id) as n from stg_activity__reviews"
    )
    # every reviewed account (all reviewed after the first day) has a label with features
    assert len(training) == int(reviewed["n"].iloc[0]) == 9
    assert (training["feature_date"].dt.date < training["reviewed_at"].dt.date).all()
