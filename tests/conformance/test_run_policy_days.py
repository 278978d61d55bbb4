"""The run policy day after day, through `make run` (which follows the daemon's policy):
a first run, a new day, a re-run with nothing new, a re-sent older day, a retraining.

Each step asserts the runs the policy asked for, in order (``run_pipeline(...)["runs"]``),
on a simulated world with enough reviews for a champion.
"""

import os
import shutil
from datetime import date, timedelta

import pytest

from realpeople import simulator
from realpeople.cli import run_pipeline
from realpeople.settings import load_settings

END = date(2026, 11, 15)
DAYS = 7


@pytest.mark.extended
def test_the_run_policy_day_by_day(tmp_path):
    full, landing = tmp_path / "full", tmp_path / "landing"
    simulator.simulate(
        full,
        tmp_path / "truth.parquet",
        accounts=3000,
        days=DAYS,
        seed=23,
        end_date=END,
        csv_days=0,
        labels="rich",
    )
    days = [(END - timedelta(days=DAYS - 1 - i)).isoformat() for i in range(DAYS)]

    def land(day):
        for table in full.iterdir():
            if (table / f"dt={day}").exists():
                shutil.copytree(table / f"dt={day}", landing / table.name / f"dt={day}")

    for day in days[:-1]:
        land(day)
    settings = load_settings(
        {"REALPEOPLE_LANDING_DIR": str(landing), "REALPEOPLE_DATA_DIR": str(tmp_path / "data")}
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", settings.dagster_home)

        # A first run: the run date's features and the catch-up snapshots, then a first
        # model, then the run date's publication; no earlier date is published.
        first = run_pipeline(settings)["runs"]
        assert first[-2:] == [("training_job", None), ("publish_job", days[-2])]
        assert first[-3] == ("features_job", days[-2])  # the run date's features last
        assert {job for job, _ in first[:-2]} == {"features_job"}
        assert [day for job, day in first if job == "publish_job"] == [days[-2]]

        # A new day, with a champion: its features and publication, no training (and the
        # snapshot of an earlier date if the new reviews need one: the catch-up rule).
        land(days[-1])
        daily = run_pipeline(settings)
        assert daily["run_date"] == days[-1]
        assert daily["runs"][-2:] == [("features_job", days[-1]), ("publish_job", days[-1])]
        assert {job for job, _ in daily["runs"][:-2]} <= {"features_job"}

        # Nothing new: nothing to do.
        assert run_pipeline(settings)["runs"] == []

        # An older day re-sent (never published): it loads again, and the run date, whose
        # features read it, is built and published again; the older day is not published.
        resent = min((landing / "events" / f"dt={days[2]}").iterdir())
        os.utime(resent, ns=(resent.stat().st_atime_ns, resent.stat().st_mtime_ns + 10**9))
        again = run_pipeline(settings)["runs"]
        assert ("features_job", days[-1]) in again and again[-1] == ("publish_job", days[-1])
        assert [day for job, day in again if job == "publish_job"] == [days[-1]]

        # A retraining: the challenger goes through the gate; if it becomes champion, the
        # run date is published again by the new champion (and only then).
        from realpeople.defs.policy import champion_version

        before = champion_version(settings)
        retrained = run_pipeline(settings, retrain=True)["runs"]
        republished = ("publish_job", days[-1]) in retrained
        assert republished == (champion_version(settings) != before)
