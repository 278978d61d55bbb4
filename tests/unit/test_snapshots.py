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


def test_snapshots_before_the_like_for_like_date_are_neither_built_nor_used():
    # 14 days of data: training snapshots need a week of history (day 7 on); reviews of
    # days 2-7 get no catch-up snapshot, day 8 on are covered from day 7.
    new = cover_review_days(
        [day(d) for d in range(2, 15)],
        {day(3)},
        first_day=day(1),
        run_date=day(14),
        earliest=day(7),
    )
    assert new == [day(7)]


def test_earliest_training_snapshot_is_a_week_or_half_a_young_world():
    from realpeople.ml.dataset import earliest_training_snapshot

    # a week of history once the world is two weeks old (and on, capped by the window)
    assert earliest_training_snapshot(day(1), day(14), window_days=28) == day(7)
    assert earliest_training_snapshot(day(1), day(60), window_days=28) == day(7)
    # half the scored history for younger worlds: 8 days -> from day 4; 1 day -> day 1
    assert earliest_training_snapshot(day(1), day(8), window_days=28) == day(4)
    assert earliest_training_snapshot(day(1), day(1), window_days=28) == day(1)
    # a short window caps the scored history: a 4-day window scores 4 days -> from day 2
    assert earliest_training_snapshot(day(1), day(30), window_days=4) == day(2)
