"""Generated worlds, written straight as contract files, through the whole pipeline.

Each must end published (complete, contract-valid) or stopped with a designed reason
(``tests/conformance/harness.py``). A few hand-picked worlds run in ``make
test-extended`` (CI runs it; each costs about a minute on this machine, so they left
``make test`` to keep it under 10 minutes); the seeded draw of ``CONFORMANCE_WORLDS``
worlds (default 200) runs in ``make conformance``. The designed stops stay in ``make test``.
"""

import os
import time
from collections import Counter

import pytest

from tests.conformance.harness import run_world
from tests.conformance.worlds import WorldSpec, random_spec

# The fast set (make test-extended): single-day worlds, one dbt build each (60-90 s a world
# on 2 cores, mostly fixed costs: a first dbt parse per data dir, GX, the run policy).
FAST_WORLDS = [
    # no reviews at all, a single day, CSV only, no appeals: no model; nothing to act on
    WorldSpec(seed=101, accounts=30, days=1, reviews="none", formats="csv", appeals=False),
    # 3 reviews per class, CSV and Parquet within one delivery, all-null optional columns
    # (Arrow null type), duplicate and late rows, events of unknown accounts, accounts
    # without events, extreme legal values (0 followers, 10,000 events in a day, 5,000
    # characters): no model; moderators' verdicts act
    WorldSpec(
        seed=102,
        accounts=40,
        days=1,
        reviews="three_per_class",
        formats="mix",
        null_optional_columns=True,
        duplicates=True,
        late_rows=True,
        unknown_account_events=5,
        extremes=True,
        accounts_without_events=4,
    ),
    # no accounts table at all (events and verdicts only): no account is known, so the
    # features are empty, no model trains, and the verdicts wait for their accounts
    WorldSpec(
        seed=103, accounts=30, days=1, reviews="three_per_class", missing_tables=("accounts",)
    ),
]


@pytest.mark.slow
@pytest.mark.extended
@pytest.mark.parametrize("spec", FAST_WORLDS, ids=lambda s: f"world{s.seed}")
def test_a_world_publishes_or_stops_by_design(spec, tmp_path):
    outcome = run_world(spec, tmp_path)
    assert outcome.status in ("published", "stopped"), spec.describe()


N_WORLDS = int(os.environ.get("CONFORMANCE_WORLDS", "200"))
FIRST_SEED = int(os.environ.get("CONFORMANCE_FIRST_SEED", "0"))
ENDINGS: Counter = Counter()


@pytest.mark.conformance
@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + N_WORLDS))
def test_generated_world(seed, tmp_path):
    spec = random_spec(seed)
    started = time.perf_counter()
    outcome = run_world(spec, tmp_path)
    ending = (
        outcome.reason
        if outcome.status == "stopped"
        else ("published (model acts)" if outcome.model_acting else "published (moderators only)")
    )
    ENDINGS[ending] += 1
    print(
        f"\n{spec.describe()} -> {ending} in {time.perf_counter() - started:.1f} s "
        f"(load {os.getloadavg()[0]:.1f})",
        flush=True,
    )


@pytest.mark.parametrize("stop", ["no_deliveries", "no_deliveries_but_too_early", "no_rows"])
def test_designed_stops_are_named(stop, tmp_path):
    """The stops that come before any data is read, with their designed reason (the
    landing zone is read, nothing is written to published/)."""
    from datetime import date

    from tests.conformance.harness import run_once, settings_for
    from tests.conformance.worlds import write_delivery

    landing = tmp_path / "landing"
    landing.mkdir()
    if stop == "no_rows":
        # a delivery whose only file cannot be read: rejected on its own, nothing loads
        (landing / "accounts" / "dt=2026-10-01").mkdir(parents=True)
        (landing / "accounts" / "dt=2026-10-01" / "part-0.parquet").write_bytes(b"PAR1 truncated")
    if stop == "no_deliveries_but_too_early":
        # dated before REALPEOPLE_FIRST_DELIVERY_DATE: rejected (recorded), so nothing to take
        spec = WorldSpec(seed=104, accounts=5, days=1)
        rows = [
            {
                "account_id": "a1",
                "created_at": None,
                "signup_client": "web",
                "follower_count": 0,
                "following_count": 0,
            }
        ]
        import random

        write_delivery(landing, "accounts", date(2023, 12, 31), rows, spec, random.Random(0))
    settings = settings_for(tmp_path, landing)
    outcome = run_once(settings)
    assert (outcome.status, outcome.reason) == ("stopped", stop.removesuffix("_but_too_early"))
    published = tmp_path / "data" / "published"
    assert not published.exists() or not any(published.iterdir())


def test_the_draw_varies_everything_the_issue_lists():
    """Issue 13's list of what the worlds must vary, each met by the default draw of
    ``make conformance`` (seeds 0-199): a generator change that drops one fails here."""
    specs = [random_spec(seed) for seed in range(200)]
    met = {
        "no reviews": any(s.reviews == "none" for s in specs),
        "one class reviewed": any(s.reviews == "one_class" for s in specs),
        "3 reviews per class": any(s.reviews == "three_per_class" for s in specs),
        "10 % noisy verdicts": any(s.reviews == "noisy" for s in specs),
        "enough reviews to train": any(s.reviews == "enough" for s in specs),
        "no appeals": any(not s.appeals for s in specs),
        "a single day": any(s.days == 1 for s in specs),
        "CSV only": any(s.formats == "csv" for s in specs),
        "Parquet only": any(s.formats == "parquet" for s in specs),
        "CSV and Parquet in one delivery": any(s.formats == "mix" for s in specs),
        "accounts with no events": any(s.accounts_without_events for s in specs),
        "events of unknown accounts": any(s.unknown_account_events for s in specs),
        "all-null optional columns": any(s.null_optional_columns for s in specs),
        "duplicate rows": any(s.duplicates for s in specs),
        "late rows": any(s.late_rows for s in specs),
        "a re-sent day": any(s.resend_day for s in specs),
        "extreme legal values": any(s.extremes for s in specs),
        "no accounts table": any("accounts" in s.missing_tables for s in specs),
        "no reviews table": any("reviews" in s.missing_tables for s in specs),
    }
    assert all(met.values()), [name for name, ok in met.items() if not ok]
    # and the corners meet each other: a re-sent day in a world that trains a model
    assert any(s.resend_day and s.reviews in ("enough", "noisy") for s in specs)
