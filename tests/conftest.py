"""A small simulated world shared by slow tests (reliability, the engines test), written once per session."""

import os
from datetime import date
from pathlib import Path

import pytest

END = date(2026, 11, 15)

# An export written by someone outside the team from the contract alone (1,000 accounts
# over 8 days; see tests/fixtures/worlds/README.md). Read-only: tests copy it first.
FOREIGN_WORLD = Path(__file__).parent / "fixtures" / "worlds" / "foreign-1000x8" / "landing"


@pytest.fixture(autouse=True)
def _environment_restored():
    """Each test starts from the same environment. Libraries write to it (e.g.
    ``mlflow.set_tracking_uri`` sets MLFLOW_TRACKING_URI, the CLI sets DAGSTER_HOME), and
    ``load_settings()`` reads it: one test's stores must not become the next test's
    defaults (a whole-pipeline test once ran against the previous test's warehouse)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    from realpeople import simulator

    root = tmp_path_factory.mktemp("reliability_world")
    landing = root / "landing"
    # Big enough that every table has rows (appeals need reviews a day or two earlier).
    # The rich label regime: a world this small gets no appeals under the scarce default.
    simulator.simulate(
        landing,
        root / "truth.parquet",
        accounts=1000,
        days=5,
        seed=13,
        end_date=END,
        csv_days=1,
        labels="rich",
    )
    days = sorted(date.fromisoformat(p.name[3:]) for p in (landing / "events").iterdir())
    return {"landing": landing, "days": days}
