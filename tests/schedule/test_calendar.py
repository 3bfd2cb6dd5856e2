"""The working days of a horizon: the grid of working weekdays and the open days without the
closed ones."""

from __future__ import annotations

import datetime as dt

from territory_opt.domain.schedule_settings import ScheduleSettings
from territory_opt.schedule.calendar import next_monday, work_calendar

MONDAY = dt.date(2026, 1, 5)


def test_two_weeks_of_weekdays_with_a_holiday() -> None:
    """Mon 2026-01-05 + 2 weeks, Monday 01-12 closed: 10 grid days, 9 open days; the closed
    Monday's grid day moves to the Tuesday after it."""
    cal = work_calendar(ScheduleSettings(closed=(dt.date(2026, 1, 12),)), weeks=2,
                        start=MONDAY)
    assert len(cal.grid) == 10 and len(cal.dates) == 9
    assert cal.dates[5] == dt.date(2026, 1, 13)
    assert cal.open_day(5) == 5  # grid 5 is Monday 01-12, closed: Tuesday, open day 5
    assert cal.open_day(5, not_before=6) == 6
    assert cal.week(4) == 0 and cal.week(5) == 1
    assert cal.end == dt.date(2026, 1, 18)
    assert cal.period(52) == 5.0 and cal.period(12) == 5 * 52 / 12


def test_three_working_days_a_week() -> None:
    cal = work_calendar(ScheduleSettings(weekdays=("mon", "wed", "fri")), weeks=1,
                        start=MONDAY)
    assert [d.weekday() for d in cal.dates] == [0, 2, 4]
    assert cal.period(52) == 3.0


def test_default_start_is_the_next_monday() -> None:
    assert next_monday(dt.date(2026, 1, 1)) == MONDAY  # a Thursday
    assert next_monday(MONDAY) == dt.date(2026, 1, 12)
    assert work_calendar(ScheduleSettings(), today=dt.date(2026, 1, 1)).start == MONDAY
