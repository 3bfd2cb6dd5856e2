"""How many touches of an account fall in the horizon, and on which day patterns its visits
may take place (the combinations of the routing problem).

Count: a touch of ``per_year`` a year has ``per_year × weeks / 52`` touches in the horizon on
average; each account takes the whole part plus one more with the probability of the
fraction, decided by a phase in [0, 1) drawn from its id (the same every run), so 7 visits a
year give 1 or 2 visits in 13 weeks and 1.75 on average over many accounts.

Pattern: ``n`` visits of period ``p`` grid days (a weekly visit on five working weekdays:
``p = 5``) sit on grid days ``s + round(k × p)``, ``k = 0 … n − 1``, for a first day ``s``
within the first period; every gap is then ``floor(p)`` or ``ceil(p)``, within one working
day of the period, and a weekly or two-weekly visit keeps its weekday. A grid day that is
closed moves to the next open day. One pattern per first day: an account with weekly visits
has five (its weekday), one visit a month about 22. A single visit may take any open day.
"""

from __future__ import annotations

import hashlib
import math

from territory_opt.schedule.calendar import WEEKS_PER_YEAR, WorkCalendar

Pattern = tuple[int, ...]


def phase(key: str) -> float:
    """A number in [0, 1) fixed by ``key`` (the account id and the touch)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def touches_in_horizon(per_year: float, weeks: int, key: str) -> int:
    """The touches of ``per_year`` a year that fall in ``weeks`` weeks for this account."""
    expected = per_year * weeks / WEEKS_PER_YEAR
    return int(math.floor(expected + phase(key)))


def patterns(cal: WorkCalendar, count: int, per_year: float) -> tuple[Pattern, ...]:
    """The allowed open-day patterns of ``count`` visits of ``per_year`` a year."""
    days = len(cal.dates)
    if count <= 0 or days == 0:
        return ()
    if count == 1:
        return tuple((d,) for d in range(days))
    grid = len(cal.grid)
    p = cal.period(per_year)
    span = round((count - 1) * p)
    if span >= grid:  # the horizon is a little short for the period: squeeze the gaps
        p = (grid - 1) / (count - 1)
        span = grid - 1
    found: dict[Pattern, None] = {}
    for s in range(min(math.ceil(p), grid - span)):
        pattern = _on_open_days(cal, [s + round(k * p) for k in range(count)])
        if pattern is not None:
            found[pattern] = None
    return tuple(found)


def _on_open_days(cal: WorkCalendar, grid_days: list[int]) -> Pattern | None:
    """The open days of a pattern of grid days (closed ones moved on); None when two visits
    would fall on one day."""
    out: list[int] = []
    for g in grid_days:
        day = cal.open_day(g, not_before=out[-1] + 1 if out else 0)
        if day is None:
            return None
        out.append(day)
    return tuple(out)
