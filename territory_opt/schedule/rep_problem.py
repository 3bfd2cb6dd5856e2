"""One rep's visits as a periodic routing problem: node 0 the rep's home, one customer per visit
stream, drive minutes from great-circle km × circuity at the scenario's speed (the distances
of SPEC §5, so the calibration compares routes with round trips on one footing), each day
``day_minutes`` long from ``day_start``, visiting hours as time windows.

A stream that no day could hold even alone (too far for a day, or visiting hours shorter than
the visit) is left out of the problem and comes back as touches that do not fit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territory_opt.domain.geo import haversine_km
from territory_opt.engine.arrays import FloatArray
from territory_opt.routing import PvrpInstance
from territory_opt.schedule.rhythm import patterns
from territory_opt.schedule.types import RepTask, TouchStream, Unfit


@dataclass(frozen=True)
class RepProblem:
    """The routing problem of a rep: ``streams[i]`` is customer ``i``; ``km`` the road km
    between the nodes (home first)."""

    instance: PvrpInstance
    streams: tuple[TouchStream, ...]
    km: FloatArray
    unfit: tuple[Unfit, ...]


def road_km(task: RepTask, streams: tuple[TouchStream, ...]) -> FloatArray:
    """(n + 1, n + 1) great-circle km × circuity between home and the streams' accounts."""
    lat = np.array([task.lat, *(s.lat for s in streams)])
    lon = np.array([task.lon, *(s.lon for s in streams)])
    km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    return np.asarray(km * task.circuity, dtype=float)


def hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def _window(task: RepTask, s: TouchStream) -> tuple[float, float]:
    """Earliest and latest start of the visit, in minutes after the day's start."""
    if s.window is None:
        return 0.0, np.inf
    lo, hi = s.window
    return max(0.0, lo - task.day_start), hi - task.day_start - s.minutes


def _why_not(task: RepTask, s: TouchStream, drive: float) -> tuple[str, float] | None:
    """Why no day can hold one visit of ``s`` alone, and by how many minutes it overruns
    (None when a day can)."""
    early, late = _window(task, s)
    if s.window is not None and late < early:
        return (f"visiting hours {hhmm(s.window[0])}–{hhmm(s.window[1])} leave no "
                f"{s.minutes:g} min inside the working day", early - late)
    arrive = max(drive, early)
    if arrive > late + 1e-9:
        return (f"the drive takes {drive:.0f} min, too long to arrive within the visiting "
                f"hours {hhmm(s.window[0] if s.window else 0)}–"
                f"{hhmm(s.window[1] if s.window else 0)}", arrive - late)
    total = arrive + s.minutes + drive
    if total > task.day_minutes + 1e-9:
        return (f"the visit with the drive there and back takes {total / 60:.1f} h, a working "
                f"day has {task.day_minutes / 60:g} h", total - task.day_minutes)
    if not task.calendar.dates:
        return "the horizon has no open day", 0.0
    return None


def rep_problem(task: RepTask) -> RepProblem:
    """The routing problem of ``task`` and the visits that cannot be in it."""
    km_all = road_km(task, task.visits)
    drive_all = km_all / task.speed_kmh * 60.0
    keep: list[int] = []
    unfit: list[Unfit] = []
    for i, s in enumerate(task.visits):
        why = _why_not(task, s, float(drive_all[0, i + 1]))
        combos = patterns(task.calendar, s.count, s.per_year) if why is None else ()
        if why is None and not combos:
            why = "no pattern of its visits fits the horizon's open days", 0.0
        if why is None:
            keep.append(i)
        else:
            unfit += [Unfit(task.rep_id, s.account_id, s.name, s.tier, s.channel, None, None,
                            s.minutes, why[0], why[1])] * s.count
    streams = tuple(task.visits[i] for i in keep)
    nodes = np.array([0, *(i + 1 for i in keep)])
    km = km_all[np.ix_(nodes, nodes)]
    windows = [_window(task, s) for s in streams]
    days = len(task.calendar.dates)
    inst = PvrpInstance(
        name=task.rep_id,
        travel=km / task.speed_kmh * 60.0,
        service=np.array([s.minutes for s in streams], dtype=float),
        combos=tuple(patterns(task.calendar, s.count, s.per_year) for s in streams),
        num_days=max(days, 1),
        num_vehicles=1,
        max_duration=np.full(max(days, 1), task.day_minutes),
        tw_early=np.array([w[0] for w in windows], dtype=float),
        tw_late=np.array([w[1] for w in windows], dtype=float),
        xy=np.column_stack([[task.lon, *(s.lon for s in streams)],
                            [task.lat, *(s.lat for s in streams)]]),
    )
    return RepProblem(inst, streams, km, tuple(unfit))
