"""``make_schedule``: every rep's visit calendar and daily routes over the horizon, reps side
by side on worker processes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from territory_opt.domain.errors import InfeasibleError
from territory_opt.domain.scenario import Scenario
from territory_opt.io.plan_folder import PlanFolder
from territory_opt.planning.executors import open_executor
from territory_opt.schedule.calendar import work_calendar
from territory_opt.schedule.rep_schedule import schedule_rep
from territory_opt.schedule.touches import TaskSettings, rep_tasks
from territory_opt.schedule.types import RepSchedule, ScheduleResult


@dataclass(frozen=True)
class ScheduleParams:
    """What the command line may override: the horizon, its first day, the worker processes
    and the seed (default: the scenario's), and today (for the default start)."""

    weeks: int | None = None
    start: dt.date | None = None
    workers: int | None = None
    seed: int | None = None
    today: dt.date | None = None


def make_schedule(plan: PlanFolder, scenario: Scenario, params: ScheduleParams | None = None,
                  progress: Callable[[RepSchedule, int, int], None] | None = None
                  ) -> ScheduleResult:
    """Schedule every rep of ``plan`` that owes a touch in the horizon.

    Raises
    ------
    InfeasibleError
        Touches are due but not one fits any day (exit 3); a partial fit is a schedule
        whose touches that do not fit are listed.
    """
    params = params or ScheduleParams()
    settings = scenario.schedule
    cal = work_calendar(settings, weeks=params.weeks, start=params.start, today=params.today)
    seed = scenario.solver.seed if params.seed is None else params.seed
    task_settings = TaskSettings(calendar=cal, day_start=settings.day_start_minutes,
                                 day_minutes=settings.day_hours * 60.0,
                                 search_s=settings.search_s, seed=seed)
    tasks = rep_tasks(plan, scenario, task_settings)
    start = time.perf_counter()
    workers = min(params.workers or scenario.solver.workers, max(1, len(tasks)))
    reps: list[RepSchedule] = []
    with open_executor(workers) as pool:
        done = (map(schedule_rep, tasks) if pool is None
                else pool.map(schedule_rep, tasks))
        for rep in done:
            reps.append(rep)
            if progress is not None:
                progress(rep, len(reps), len(tasks))
    due = sum(r.visits_due + r.remote_due for r in reps)
    placed = sum(r.visits_scheduled + r.remote_scheduled for r in reps)
    if due and not placed:
        reasons = sorted({u.reason for r in reps for u in r.unfit})
        raise InfeasibleError(f"none of the {due:,} touches due in the {cal.weeks} weeks from "
                              f"{cal.start} fits a working day: " + "; ".join(reasons[:3]))
    notes = []
    if not cal.dates:
        notes.append("the horizon has no open day")
    return ScheduleResult(
        scenario=scenario.name, calendar=cal, day_start=settings.day_start_minutes,
        day_minutes=settings.day_hours * 60.0, reps=tuple(reps),
        seconds=time.perf_counter() - start, visits_per_trip=scenario.capacity.trip_visits,
        timezone=settings.timezone, search_s=settings.search_s, seed=seed, notes=tuple(notes))
