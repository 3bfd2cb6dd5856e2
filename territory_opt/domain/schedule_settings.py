"""The ``schedule:`` section of the scenario: the horizon, the working days and hours of
``territory-opt schedule``, where account time windows are, and the calibration that
``capacity.visits_per_trip: calibrated`` reads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from territory_opt.domain.scenario_base import Number, Strict, Whole

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: the longest horizon: two years
MAX_WEEKS = 104
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def time_of_day(value: Any) -> int:
    """Minutes after midnight of a time written ``HH:MM`` (00:00 to 24:00).

    Raises ValueError with what to write instead; YAML reads an unquoted ``8:30`` as the
    number 510 (base 60), so numbers are refused with that hint."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time of day: write it as text in quotes, e.g. "
                         "'08:30' (YAML reads 8:30 without quotes as the number 510)")
    m = _CLOCK.fullmatch(value.strip())
    if not m or int(m[2]) > 59 or int(m[1]) * 60 + int(m[2]) > 24 * 60:
        raise ValueError(f"'{value}' is not a time of day HH:MM between 00:00 and 24:00")
    return int(m[1]) * 60 + int(m[2])


class ScheduleSettings(Strict):
    """How ``territory-opt schedule`` lays out the visits (every key has a default).

    Attributes
    ----------
    weeks
        The horizon in weeks (``--weeks`` wins).
    start
        The first day (``--start`` wins); empty: the Monday after today.
    day_start
        When the working day starts, ``HH:MM``.
    day_hours
        Hours of a working day, driving included: every route leaves home at ``day_start``
        or later and is back within this.
    weekdays
        The working days of the week.
    closed
        Days without work in the horizon (holidays, training days).
    time_windows
        The two account columns that hold the hours an account can be visited (``HH:MM``;
        an empty cell: the whole day); used when the plan's assignments have them.
    timezone
        An IANA time zone (``America/New_York``) for the calendars and the Salesforce Event
        file; empty: local times without a zone.
    calibration
        The ``calibration.json`` of a schedule (or the schedule folder holding it) that
        ``capacity.visits_per_trip: calibrated`` reads.
    search_s
        The deterministic search budget per rep in work seconds (about seconds on one idle
        core; the same budget and seed give the same schedule on any machine).
    """

    weeks: Whole = Field(default=13, ge=1, le=MAX_WEEKS)
    start: dt.date | None = None
    day_start: str = "08:00"
    day_hours: Number = Field(default=8.0, gt=0, le=24)
    weekdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    closed: tuple[dt.date, ...] = ()
    time_windows: tuple[str, str] = ("visit_from", "visit_until")
    timezone: str | None = None
    calibration: Path | None = None
    search_s: Number = Field(default=4.0, gt=0, le=3600)

    @field_validator("day_start", mode="before")
    @classmethod
    def _clock(cls, v: Any) -> str:
        minutes = time_of_day(v)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    @field_validator("weekdays", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        if isinstance(v, list | tuple):
            return tuple(str(x).strip().lower()[:3] if isinstance(x, str) else x for x in v)
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{v}' is not an IANA time zone such as America/New_York") from None
        return v

    @model_validator(mode="after")
    def _fits(self) -> ScheduleSettings:
        if not self.weekdays:
            raise ValueError("weekdays needs at least one working day, e.g. [mon, tue, wed]")
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError("weekdays lists a day twice")
        if self.day_start_minutes + self.day_hours * 60 > 24 * 60:
            raise ValueError(f"a day starting at {self.day_start} cannot last {self.day_hours:g} h")
        if self.time_windows[0] == self.time_windows[1]:
            raise ValueError("time_windows needs two different columns: [from, until]")
        return self

    @property
    def day_start_minutes(self) -> int:
        return time_of_day(self.day_start)
