"""The working days of a schedule's horizon, and the rhythm grid visits are spaced on.

Two day sequences matter. The *open days* are the dates a rep works: the working weekdays of
the horizon without the closed days; they are the days of the routing problem. The *grid* is
every working weekday of the horizon, closed or not: visits are spaced on it, so a weekly
visit keeps its weekday across a holiday (only the holiday's week moves, to the next open
day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from territory_opt.domain.schedule_settings import WEEKDAYS, ScheduleSettings

#: weeks a year of the rhythm: a touch of ``per_year`` comes every 52 / per_year weeks
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class WorkCalendar:
    """The horizon ``start`` + ``weeks`` weeks on ``weekdays`` (Monday = 0), without
    ``closed``."""

    start: dt.date
    weeks: int
    weekdays: tuple[int, ...]
    closed: frozenset[dt.date]

    @cached_property
    def grid(self) -> tuple[dt.date, ...]:
        """Every working weekday of the horizon, closed days included, in order."""
        days = (self.start + dt.timedelta(days=k) for k in range(7 * self.weeks))
        return tuple(d for d in days if d.weekday() in self.weekdays)

    @cached_property
    def dates(self) -> tuple[dt.date, ...]:
        """The open days: the routing problem's day ``d`` is ``dates[d]``."""
        return tuple(d for d in self.grid if d not in self.closed)

    @cached_property
    def _open_index(self) -> dict[dt.date, int]:
        return {d: i for i, d in enumerate(self.dates)}

    @property
    def end(self) -> dt.date:
        """The last calendar day of the horizon."""
        return self.start + dt.timedelta(days=7 * self.weeks - 1)

    @property
    def grid_per_year(self) -> float:
        """Working weekdays a year: the unit of a rhythm's period."""
        return len(self.weekdays) * WEEKS_PER_YEAR

    def period(self, per_year: float) -> float:
        """Grid days between two touches of ``per_year`` a year (a weekly visit on five
        working weekdays: 5)."""
        return self.grid_per_year / per_year

    def open_day(self, grid_index: int, not_before: int = 0) -> int | None:
        """The open day of grid day ``grid_index``: itself when open, else the next open day
        (the previous one when no later day is open); never an open day before
        ``not_before``; None when there is none."""
        date = self.grid[grid_index]
        if date in self._open_index and self._open_index[date] >= not_before:
            return self._open_index[date]
        later = [i for i, d in enumerate(self.dates) if d > date and i >= not_before]
        if later:
            return later[0]
        earlier = [i for i, d in enumerate(self.dates) if d < date and i >= not_before]
        return earlier[-1] if earlier else None

    def week(self, day: int) -> int:
        """The week (0-based from the start) of open day ``day``."""
        return (self.dates[day] - self.start).days // 7

    def week_start(self, week: int) -> dt.date:
        return self.start + dt.timedelta(days=7 * week)


def next_monday(today: dt.date) -> dt.date:
    """The Monday after ``today`` (a week later when today is a Monday)."""
    return today + dt.timedelta(days=7 - today.weekday())


def work_calendar(settings: ScheduleSettings, *, weeks: int | None = None,
                  start: dt.date | None = None, today: dt.date | None = None) -> WorkCalendar:
    """The calendar of ``settings`` with ``weeks`` and ``start`` overriding its own; with no
    start anywhere, the Monday after ``today``."""
    first = start or settings.start or next_monday(today or dt.date.today())
    return WorkCalendar(start=first, weeks=weeks or settings.weeks,
                        weekdays=tuple(sorted(WEEKDAYS.index(w) for w in settings.weekdays)),
                        closed=frozenset(settings.closed))
