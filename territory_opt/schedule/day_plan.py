"""One rep's days laid out: each route's timeline (leaving home at the start of the day, or
later when the first account opens later), then the phone, video and email touches in the
hours left, then each day's load.

Remote touches: a line of ``per_year`` a year has its touches every ``52 / per_year`` weeks
from a first day fixed by the account's id; each goes to its own day when that day has the
minutes left, else to the nearest day within half a period that has them (the earlier on a
tie), else it does not fit. They are worked at home after the route (or from the start of a
day without visits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from territory_opt.engine.arrays import FloatArray
from territory_opt.routing import PvrpInstance
from territory_opt.routing.instance import DayRoutes, RouteT
from territory_opt.schedule.rep_problem import RepProblem
from territory_opt.schedule.rhythm import phase
from territory_opt.schedule.types import HOME, VISIT, DayLoad, RepTask, Stop, TouchStream, Unfit


@dataclass(frozen=True)
class Timeline:
    """A route's times in minutes after the day's start."""

    leave: float
    arrival: tuple[float, ...]
    start: tuple[float, ...]
    departure: tuple[float, ...]
    back: float


def timeline(inst: PvrpInstance, route: RouteT, leave: float = 0.0) -> Timeline:
    """The route's times when the rep leaves home at ``leave``."""
    assert inst.tw_early is not None
    t, prev = leave, 0
    arrival, start, departure = [], [], []
    for c in route:
        t += float(inst.travel[prev, c + 1])
        arrival.append(t)
        t = max(t, float(inst.tw_early[c]))
        start.append(t)
        t += float(inst.service[c])
        departure.append(t)
        prev = c + 1
    return Timeline(leave, tuple(arrival), tuple(start), tuple(departure),
                    t + float(inst.travel[prev, 0]))


def latest_timeline(inst: PvrpInstance, route: RouteT) -> Timeline:
    """The timeline leaving as late as the first visit's opening allows without making any
    visit late or the day longer (so no one waits at the first door)."""
    assert inst.tw_late is not None
    first = timeline(inst, route)
    if not route:
        return first
    wait = first.start[0] - first.arrival[0]
    slack = min(float(inst.tw_late[c]) - s for c, s in zip(route, first.start, strict=True))
    delay = max(0.0, min(wait, slack))
    return timeline(inst, route, delay) if delay > 0 else first


def _route_stops(task: RepTask, prob: RepProblem, day: int, route: RouteT) -> list[Stop]:
    inst, date, base = prob.instance, task.calendar.dates[day], task.day_start
    tl = latest_timeline(inst, route)
    stops, prev = [], 0
    for k, c in enumerate(route):
        s = prob.streams[c]
        stops.append(Stop(task.rep_id, date, k + 1, s.account_id, s.name, s.tier, VISIT,
                          base + tl.arrival[k], base + tl.start[k], base + tl.departure[k],
                          float(inst.travel[prev, c + 1]), float(prob.km[prev, c + 1])))
        prev = c + 1
    if route:
        stops.append(Stop(task.rep_id, date, len(route) + 1, "", "", "", HOME, base + tl.back,
                          base + tl.back, base + tl.back, float(inst.travel[prev, 0]),
                          float(prob.km[prev, 0])))
    return stops


def lay_out(task: RepTask, prob: RepProblem, routes: DayRoutes,
            over: tuple[float, ...]) -> tuple[list[Stop], list[DayLoad], list[Unfit]]:
    """Every day's stops (routes, then remote touches), day loads and the remote touches
    that do not fit."""
    cal = task.calendar
    days = len(cal.dates)
    by_day: list[list[Stop]] = []
    busy = np.zeros(days)
    for d in range(days):
        stops = [s for r in (routes[d] if d < len(routes) else ()) if r
                 for s in _route_stops(task, prob, d, r)]
        by_day.append(stops)
        busy[d] = stops[-1].departure - task.day_start if stops else 0.0
    placed, unfit = place_remote(task, busy)
    for d, items in placed.items():
        t = task.day_start + busy[d]
        for s, minutes in items:
            by_day[d].append(Stop(task.rep_id, cal.dates[d], len(by_day[d]) + 1, s.account_id,
                                  s.name, s.tier, s.channel, t, t, t + minutes, 0.0, 0.0))
            t += minutes
    loads = [_load(task, d, by_day[d], over[d] if d < len(over) else 0.0) for d in range(days)]
    return [s for day in by_day for s in day], loads, unfit


def _load(task: RepTask, day: int, stops: list[Stop], over: float) -> DayLoad:
    """What one day holds and how long it lasts."""
    visits = [s for s in stops if s.channel == VISIT]
    remote = [s for s in stops if s.channel not in (VISIT, HOME)]
    routed = [s for s in stops if s.channel in (VISIT, HOME)]
    drive = sum(s.drive_minutes for s in routed)
    leave = visits[0].arrival - visits[0].drive_minutes if visits else float(task.day_start)
    back = routed[-1].departure if routed else float(task.day_start)
    busy = back - leave
    visit_minutes = sum(s.departure - s.start for s in visits)
    return DayLoad(
        rep_id=task.rep_id, date=task.calendar.dates[day], week=task.calendar.week(day),
        visits=len(visits), remote=len(remote), drive_minutes=drive,
        km=sum(s.km for s in routed), visit_minutes=visit_minutes,
        remote_minutes=sum(s.departure - s.start for s in remote),
        wait_minutes=max(0.0, busy - drive - visit_minutes), leave=leave, back=back,
        end=max([back, *(s.departure for s in remote)]), limit_minutes=task.day_minutes,
        over_minutes=over)


Placed = dict[int, list[tuple[TouchStream, float]]]


def place_remote(task: RepTask, busy: FloatArray) -> tuple[Placed, list[Unfit]]:
    """Days for the remote touches, given the minutes each day's route takes."""
    cal = task.calendar
    days = len(cal.dates)
    free = task.day_minutes - busy
    wanted = []  # (nominal open day, -minutes, stream index, k)
    for i, s in enumerate(task.remote):
        p = cal.period(s.per_year)
        grid = len(cal.grid)
        if not days or not grid:
            continue
        first = math.floor(phase(f"{s.account_id}|{s.channel}|start") * min(p, grid))
        for k in range(s.count):
            g = min(grid - 1, first + round(k * p))
            day = cal.open_day(g)
            if day is not None:
                wanted.append((day, -s.minutes, i, k))
    placed: Placed = {}
    unfit: list[Unfit] = []
    for day, neg_minutes, i, _k in sorted(wanted):
        s, minutes = task.remote[i], -neg_minutes
        reach = max(1, math.floor(cal.period(s.per_year) / 2))
        order = sorted(range(max(0, day - reach), min(days, day + reach + 1)),
                       key=lambda d: (abs(d - day), d))
        target = next((d for d in order if free[d] >= minutes - 1e-9), None)
        if target is None:
            unfit.append(Unfit(task.rep_id, s.account_id, s.name, s.tier, s.channel,
                               cal.dates[day], cal.week(day), minutes,
                               f"no {minutes:g} min left within {reach} working days of its "
                               "date"))
            continue
        free[target] -= minutes
        placed.setdefault(target, []).append((s, minutes))
    return placed, unfit
