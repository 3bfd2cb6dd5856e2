"""How many touches fall in a horizon, and the day patterns of an account's visits."""

from __future__ import annotations

import datetime as dt

from territory_opt.domain.schedule_settings import ScheduleSettings
from territory_opt.schedule.calendar import work_calendar
from territory_opt.schedule.rhythm import patterns, phase, touches_in_horizon

QUARTER = work_calendar(ScheduleSettings(), weeks=13, start=dt.date(2026, 1, 5))


def test_whole_counts() -> None:
    """24 a year over 13 weeks: 24 × 13 / 52 = 6 for every account; 52 a year: 13."""
    assert {touches_in_horizon(24, 13, f"a{i}") for i in range(50)} == {6}
    assert touches_in_horizon(52, 13, "x") == 13


def test_fractional_counts_average_out() -> None:
    """7 a year over 13 weeks is 1.75: each account gets 1 or 2, 2 for about 3 in 4."""
    counts = [touches_in_horizon(7, 13, f"acc{i}") for i in range(2000)]
    assert set(counts) == {1, 2}
    assert abs(sum(counts) / len(counts) - 1.75) < 0.03
    assert 0 <= phase("x") < 1 and phase("x") == phase("x")


def test_weekly_visits_keep_their_weekday() -> None:
    """13 weekly visits on a 65-day grid: 5 patterns (Monday … Friday), gaps of 5 days."""
    found = patterns(QUARTER, 13, 52)
    assert len(found) == 5
    for p in found:
        assert len({QUARTER.dates[d].weekday() for d in p}) == 1
        assert all(b - a == 5 for a, b in zip(p, p[1:], strict=False))


def test_gaps_stay_within_a_working_day_of_the_period() -> None:
    """24 a year: period 260 / 24 = 10.83 working days, so every gap is 10 or 11."""
    found = patterns(QUARTER, 6, 24)
    assert len(found) == 11
    for p in found:
        assert {b - a for a, b in zip(p, p[1:], strict=False)} <= {10, 11}


def test_a_closed_day_moves_a_visit_to_the_next_open_day() -> None:
    """Monday 01-19 closed: the Monday pattern of a weekly visit takes Tuesday that week."""
    cal = work_calendar(ScheduleSettings(closed=(dt.date(2026, 1, 19),)), weeks=4,
                        start=dt.date(2026, 1, 5))
    monday = next(p for p in patterns(cal, 4, 52) if p[0] == 0)
    assert [cal.dates[d].isoformat() for d in monday] == [
        "2026-01-05", "2026-01-12", "2026-01-20", "2026-01-26"]


def test_a_single_visit_may_take_any_open_day() -> None:
    assert patterns(QUARTER, 1, 4) == tuple((d,) for d in range(65))
    assert patterns(QUARTER, 0, 4) == ()
