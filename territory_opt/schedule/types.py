"""What a schedule is made of: the touches to lay out per rep (the input of one rep's solve)
and what comes back (stops, day loads, touches that do not fit, the travel calibration).

Times are minutes after midnight of the stop's date; hours and km are floats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from territory_opt.schedule.calendar import WorkCalendar

#: the channels that travel, and the one row per day that closes a route
VISIT, HOME = "visit", "home"
#: the order in which a too-long day gives up visits: tier C first, A last
TIER_RANK = {"C": 0, "B": 1, "A": 2}


@dataclass(frozen=True)
class TouchStream:
    """The touches of one call-pattern line for one account over the horizon."""

    account_id: str
    name: str
    tier: str
    channel: str
    per_year: float
    minutes: float
    count: int
    lat: float = 0.0
    lon: float = 0.0
    #: [from, until] in minutes after midnight, or None for the whole day
    window: tuple[float, float] | None = None


@dataclass(frozen=True)
class RepTask:
    """Everything one rep's schedule needs (sent to a worker process as it is)."""

    rep_id: str
    name: str
    role: str
    lat: float
    lon: float
    visits: tuple[TouchStream, ...]
    remote: tuple[TouchStream, ...]
    calendar: WorkCalendar
    day_start: int
    day_minutes: float
    speed_kmh: float
    circuity: float
    visits_per_trip: float
    search_s: float
    seed: int


@dataclass(frozen=True)
class Stop:
    """A row of ``schedule.csv``: a touch (or the way home) of one rep on one day."""

    rep_id: str
    date: dt.date
    order: int
    account_id: str
    name: str
    tier: str
    channel: str
    arrival: float
    start: float
    departure: float
    drive_minutes: float
    km: float


@dataclass(frozen=True)
class DayLoad:
    """One rep's day: what it holds and how long it lasts.

    ``over_minutes`` is how far the routes the search found went past the day (or past an
    account's window) before visits were taken off it; 0 on a day that fitted."""

    rep_id: str
    date: dt.date
    week: int
    visits: int
    remote: int
    drive_minutes: float
    km: float
    visit_minutes: float
    remote_minutes: float
    wait_minutes: float
    leave: float
    back: float
    end: float
    limit_minutes: float
    over_minutes: float

    @property
    def work_minutes(self) -> float:
        return self.drive_minutes + self.visit_minutes + self.remote_minutes + self.wait_minutes


@dataclass(frozen=True)
class Unfit:
    """A touch that does not fit: on which day it was meant to be (None when no day can
    hold it) and why."""

    rep_id: str
    account_id: str
    name: str
    tier: str
    channel: str
    date: dt.date | None
    week: int | None
    minutes: float
    reason: str
    #: how far the touch alone overruns a day (visits no day can hold), else 0
    over_minutes: float = 0.0


@dataclass(frozen=True)
class RepCalibration:
    """One rep's routed drive time against SPEC §5 for the same visits.

    ``round_trip_hours`` is SPEC §5's travel with one visit a trip (a round trip from home per
    visit); ``modelled_hours`` divides it by the scenario's ``visits_per_trip``."""

    rep_id: str
    role: str
    visits: int
    routed_hours: float
    round_trip_hours: float
    modelled_hours: float
    routed_km: float

    @property
    def visits_per_trip(self) -> float | None:
        """The ``visits_per_trip`` at which SPEC §5 equals the routes (None without drive)."""
        return self.round_trip_hours / self.routed_hours if self.routed_hours > 0 else None


@dataclass(frozen=True)
class RepSchedule:
    """One rep's schedule and how its search went."""

    rep_id: str
    role: str
    name: str
    stops: tuple[Stop, ...]
    days: tuple[DayLoad, ...]
    unfit: tuple[Unfit, ...]
    calibration: RepCalibration
    visits_due: int
    remote_due: int
    seconds: float
    clock_stopped: bool
    routes_within_limits: bool
    #: CPU seconds of the worker that scheduled the rep
    cpu_seconds: float = 0.0

    @property
    def visits_scheduled(self) -> int:
        return sum(1 for s in self.stops if s.channel == VISIT)

    @property
    def remote_scheduled(self) -> int:
        return sum(1 for s in self.stops if s.channel not in (VISIT, HOME))


@dataclass(frozen=True)
class ScheduleResult:
    """Every rep's schedule over one calendar."""

    scenario: str
    calendar: WorkCalendar
    day_start: int
    day_minutes: float
    reps: tuple[RepSchedule, ...]
    seconds: float
    visits_per_trip: float
    timezone: str | None = None
    search_s: float = 0.0
    seed: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unfit(self) -> tuple[Unfit, ...]:
        return tuple(u for r in self.reps for u in r.unfit)
