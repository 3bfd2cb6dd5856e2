"""From a plan folder and its scenario to the touches each rep owes over the horizon: every
call-pattern line of an account's role and tier is one stream, ``visit`` lines to be routed,
``phone``, ``video`` and ``email`` lines to be placed in the hours left."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Scenario
from territory_opt.domain.schedule_settings import time_of_day
from territory_opt.io.plan_folder import ASSIGNMENTS_FILE, REPS_FILE, PlanFolder
from territory_opt.schedule.calendar import WorkCalendar
from territory_opt.schedule.rhythm import touches_in_horizon
from territory_opt.schedule.types import VISIT, RepTask, TouchStream

_FIRST_DATA_ROW = 2  # spreadsheet numbering: header = row 1


@dataclass(frozen=True)
class TaskSettings:
    """The numbers every rep's task shares."""

    calendar: WorkCalendar
    day_start: int
    day_minutes: float
    search_s: float
    seed: int


def rep_tasks(plan: PlanFolder, scenario: Scenario, settings: TaskSettings) -> list[RepTask]:
    """One task per rep of the plan that owes at least one touch in the horizon, in the
    order of ``reps.csv``."""
    a, reps = plan.assignments, plan.reps
    for table, file in ((a, ASSIGNMENTS_FILE), (reps, REPS_FILE)):
        for column in ("lat", "lon"):
            if column not in table.columns or table[column].isna().any():
                raise InputError("a schedule needs every location: the column is missing or "
                                 "has empty cells", file=str(plan.path / file), column=column)
    windows = _windows(a, scenario.schedule.time_windows, plan)
    names = a["name"].astype(str) if "name" in a.columns else a["account_id"]
    by_rep: dict[str, tuple[list[TouchStream], list[TouchStream]]] = {
        str(r): ([], []) for r in reps["rep_id"]}
    weeks = settings.calendar.weeks
    lat, lon = a["lat"].to_numpy(float), a["lon"].to_numpy(float)
    for i, row in enumerate(a.itertuples(index=False)):
        for k, touch in enumerate(scenario.touches(str(row.role), str(row.tier))):
            count = touches_in_horizon(touch.per_year, weeks, f"{row.account_id}|{k}")
            if count <= 0:
                continue
            stream = TouchStream(str(row.account_id), str(names.iloc[i]), str(row.tier),
                                 touch.channel, touch.per_year, touch.minutes, count,
                                 float(lat[i]), float(lon[i]), windows[i])
            by_rep[str(row.rep_id)][0 if touch.channel == VISIT else 1].append(stream)
    cap = scenario.capacity
    rep_names = reps["name"].astype(str) if "name" in reps.columns else reps["rep_id"]
    rep_lat, rep_lon = reps["lat"].to_numpy(float), reps["lon"].to_numpy(float)
    tasks = []
    for j, rep in enumerate(reps.itertuples(index=False)):
        visits, remote = by_rep[str(rep.rep_id)]
        if not visits and not remote:
            continue
        tasks.append(RepTask(
            rep_id=str(rep.rep_id), name=str(rep_names.iloc[j]), role=str(rep.role),
            lat=float(rep_lat[j]), lon=float(rep_lon[j]), visits=tuple(visits),
            remote=tuple(remote),
            calendar=settings.calendar, day_start=settings.day_start,
            day_minutes=settings.day_minutes, speed_kmh=cap.speed_kmh, circuity=cap.circuity,
            visits_per_trip=cap.trip_visits, search_s=settings.search_s, seed=settings.seed))
    return tasks


def _column(table: pd.DataFrame, name: str) -> str | None:
    """The table's column named ``name`` in any case, or None."""
    for column in table.columns:
        if str(column).strip().lower() == name.strip().lower():
            return str(column)
    return None


def _windows(a: pd.DataFrame, names: tuple[str, str],
             plan: PlanFolder) -> list[tuple[float, float] | None]:
    """Each account's visiting hours from the two window columns (absent columns or empty
    cells: the whole day)."""
    found = [_column(a, n) for n in names]
    out: list[tuple[float, float] | None] = [None] * len(a)
    if found[0] is None and found[1] is None:
        return out
    file = str(plan.path / ASSIGNMENTS_FILE)
    cells = [a[c].tolist() if c is not None else [""] * len(a) for c in found]
    for i, (lo, hi) in enumerate(zip(*cells, strict=True)):
        bounds = []
        for cell, column, default in ((lo, found[0], 0.0), (hi, found[1], 24 * 60.0)):
            text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) \
                else str(cell).strip()
            if not text:
                bounds.append(default)
                continue
            try:
                bounds.append(float(time_of_day(text)))
            except ValueError as exc:
                raise InputError(str(exc), file=file, row=i + _FIRST_DATA_ROW,
                                 column=column) from None
        if bounds != [0.0, 24 * 60.0]:
            if bounds[1] <= bounds[0]:
                raise InputError(f"the visiting hours end ({cells[1][i]}) before they start "
                                 f"({cells[0][i]})", file=file, row=i + _FIRST_DATA_ROW,
                                 column=found[1])
            out[i] = (bounds[0], bounds[1])
    return out
