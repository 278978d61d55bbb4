"""A small simulated world shared by slow tests (reliability, the engines test), written once per session."""

import os
from datetime import date
from pathlib import Path

import pytest

END = date(2026, 11, 15)

# An export written by someone outside the team from the contract alone (1,000 accounts
# over 8 days; see tests/fixtures/worlds/README.md). Read-only: tests copy it first.
FOREIGN_WORLD = Path(__file__).parent / "fixtures" / "worlds" / "foreign-1000x8" / "landing"


# make test runs on pytest-xdist workers (--dist loadfile --no-loadscope-reorder): a worker
# takes a whole file at a time, in collection order. The longest files go first (longest
# processing time first), so that none starts near the end while the other worker idles.
# Seconds on 2 cores in stop 30's make test and make test-extended (the conformance files
# here are extended only); the other files follow in their own order.
LONGEST_FILES = (
    "tests/conformance/test_run_policy_days.py",  # ~420
    "tests/integration/test_pipeline.py",  # ~330 (its world ~175)
    "tests/conformance/test_issue13_failures.py",  # ~230
    "tests/conformance/test_worlds.py",  # ~215
    "tests/integration/test_incremental_features.py",  # ~130
    "tests/reliability/test_reruns.py",  # ~115
    "tests/integration/test_automation.py",  # ~110
    "tests/integration/test_foreign_world.py",  # ~100
    "tests/reliability/test_bad_input.py",  # ~90
    "tests/reliability/test_faults.py",  # ~90
    "tests/integration/test_dbt_features.py",  # ~65
    "tests/unit/test_model.py",  # ~60
    "tests/integration/test_cluster_features.py",  # ~55
    "tests/unit/test_distributed.py",  # ~45
)


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


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
