"""Each rep's visit calendar and daily routes over a horizon (issue #26): the adapter from a
plan folder and its scenario to the periodic routing of :mod:`territory_opt.routing`, the
repair of days that do not fit, the remote touches in the hours left, and the travel model
of SPEC §5 checked against the routes."""

from territory_opt.schedule.build import ScheduleParams, make_schedule
from territory_opt.schedule.calibration import team_visits_per_trip
from territory_opt.schedule.types import (
    DayLoad,
    RepCalibration,
    RepSchedule,
    ScheduleResult,
    Stop,
    Unfit,
)

__all__ = [
    "DayLoad",
    "RepCalibration",
    "RepSchedule",
    "ScheduleParams",
    "ScheduleResult",
    "Stop",
    "Unfit",
    "make_schedule",
    "team_visits_per_trip",
]
