"""Which catch-up feature snapshots a run builds (src/realpeople/defs/model/snapshots.py)."""

from datetime import date, timedelta

from realpeople.defs.model.snapshots import cover_review_days

D = date(2026, 11, 1)


def day(n: int) -> date:
    return D + timedelta(days=n - 1)


def covered(review_days, snapshots, max_age=7):
    return all(any(r - timedelta(days=max_age) <= s < r for s in snapshots) for r in review_days)


def test_every_review_day_after_the_first_gets_a_snapshot_in_its_window():
    reviews = [day(n) for n in range(1, 15)]  # a review on each of 14 days, like the demo
    new = cover_review_days(reviews, set(), first_day=day(1), run_date=day(14))
    # the day before the first coverable review, then the day before the first one left
    assert new == [day(1), day(8)]
    assert covered(reviews[1:], set(new) | {day(14)})


def test_existing_snapshots_and_the_run_date_count():
    # a daily run: yesterday's snapshot exists, nothing more to build
    assert cover_review_days([day(9)], {day(8)}, first_day=day(1), run_date=day(10)) == []
    # the run date itself covers reviews after it? never: reviews are at most on the run date
    assert cover_review_days([day(10)], set(), first_day=day(1), run_date=day(10)) == [day(9)]


def test_reviews_nothing_precedes_are_left_alone():
    assert cover_review_days([day(1)], set(), first_day=day(1), run_date=day(3)) == []


def test_a_snapshot_too_old_does_not_count():
    assert cover_review_days([day(20)], {day(5)}, first_day=day(1), run_date=day(20)) == [day(19)]
