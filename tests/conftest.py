"""A small simulated world shared by slow tests (reliability, the engines test), written once per session."""

from datetime import date

import pytest

END = date(2026, 11, 15)


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    import simulator

    root = tmp_path_factory.mktemp("reliability_world")
    landing = root / "landing"
    # Big enough that every table has rows (appeals need reviews a day or two earlier).
    # The rich label regime: a world this small gets no appeals under the scarce default.
    simulator.simulate(landing, root / "truth.parquet", accounts=1000, days=5, seed=13, end_date=END,
                       csv_days=1, labels="rich")
    days = sorted(date.fromisoformat(p.name[3:]) for p in (landing / "events").iterdir())
    return {"landing": landing, "days": days}
