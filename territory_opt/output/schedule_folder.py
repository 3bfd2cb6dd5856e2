"""The schedule folder, written atomically (issue #26, point 2): ``schedule.csv``, ``days.csv``,
``not_fitting.csv``, ``overloads.csv``, ``calibration.csv`` and ``calibration.json``, one
``calendars/<rep>.ics`` per rep, ``salesforce_event.csv`` and ``schedule.json``."""

from __future__ import annotations

import datetime as dt
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.io.atomic import write_atomically
from territory_opt.io.calibration_file import CALIBRATION_FILE
from territory_opt.io.out_folder import OutputTarget, slug
from territory_opt.io.plan_folder import PlanFolder
from territory_opt.io.schedule_folder import (
    CALENDARS_DIR,
    CALIBRATION_TABLE,
    DAYS_FILE,
    EVENTS_FILE,
    NOT_FITTING_FILE,
    OVERLOADS_FILE,
    STOPS_FILE,
    SUMMARY_FILE,
)
from territory_opt.io.spreadsheet_cells import write_table_csv
from territory_opt.output.ics import rep_calendar
from territory_opt.output.salesforce_events import event_table
from territory_opt.output.schedule_tables import (
    calibration_document,
    calibration_table,
    days_table,
    overloads_table,
    stops_table,
    unfit_table,
)
from territory_opt.schedule.types import ScheduleResult


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def calendar_names(result: ScheduleResult) -> dict[str, str]:
    """Each rep's calendar file, ``calendars/<rep id made safe>.ics``, unique."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for rep in result.reps:
        base = slug(rep.rep_id, fallback="rep")
        name, k = base, 2
        while name.lower() in taken:
            name, k = f"{base}-{k}", k + 1
        taken.add(name.lower())
        out[rep.rep_id] = f"{CALENDARS_DIR}/{name}.ics"
    return out


def summary_document(result: ScheduleResult, plan: PlanFolder,
                     tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """``schedule.json``: the settings, what fits and what does not, per rep, the calibration
    and what is needed to trace the schedule to its plan."""
    cal = result.calendar
    reps = [{"rep_id": r.rep_id, "role": r.role, "visits_due": r.visits_due,
             "visits_scheduled": r.visits_scheduled,
             "remote_due": r.remote_due, "remote_scheduled": r.remote_scheduled,
             "not_fitting": len(r.unfit), "seconds": round(r.seconds, 2),
             "cpu_seconds": round(r.cpu_seconds, 2),
             "routes_within_limits": r.routes_within_limits,
             "reproducible": not r.clock_stopped} for r in result.reps]
    visits_due = sum(r.visits_due for r in result.reps)
    visits_done = sum(r.visits_scheduled for r in result.reps)
    remote_due = sum(r.remote_due for r in result.reps)
    remote_done = sum(r.remote_scheduled for r in result.reps)
    return {
        "scenario": result.scenario,
        "plan": {"path": str(plan.path), "plan_hash": plan.plan_hash},
        "calendar": {"start": cal.start.isoformat(), "end": cal.end.isoformat(),
                     "weeks": cal.weeks, "open_days": len(cal.dates),
                     "weekdays": [("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d]
                                  for d in cal.weekdays],
                     "closed": sorted(d.isoformat() for d in cal.closed)},
        "day": {"start": f"{result.day_start // 60:02d}:{result.day_start % 60:02d}",
                "hours": result.day_minutes / 60},
        "timezone": result.timezone,
        "search_s": result.search_s, "seed": result.seed,
        "seconds": round(result.seconds, 2),
        "cpu_seconds": round(sum(r.cpu_seconds for r in result.reps), 2),
        "reproducible": all(not r.clock_stopped for r in result.reps),
        "totals": {"visits_due": visits_due, "visits_scheduled": visits_done,
                   "visits_not_fitting": visits_due - visits_done,
                   "remote_due": remote_due, "remote_scheduled": remote_done,
                   "remote_not_fitting": remote_due - remote_done,
                   "drive_hours": round(sum(r.calibration.routed_hours for r in result.reps), 2),
                   "km": round(sum(r.calibration.routed_km for r in result.reps), 1)},
        "overloads": tables["overloads"].to_dict(orient="records"),
        "calibration": calibration_document(result),
        "reps": reps,
        "calendars": calendar_names(result),
        "notes": list(result.notes),
        "manifest": {"versions": {"territory_opt": _version("territory_opt"),
                                  "pyvrp": _version("pyvrp"),
                                  "icalendar": _version("icalendar"),
                                  "python": platform.python_version()}},
    }


def write_schedule(result: ScheduleResult, plan: PlanFolder, out_dir: OutputTarget | Path,
                   *, stamp: dt.datetime | None = None) -> dict[str, Any]:
    """Write the schedule folder; returns ``schedule.json``'s content. ``stamp`` is the
    calendars' DTSTAMP (default: now, UTC)."""
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    tables = {"stops": stops_table(result), "days": days_table(result),
              "unfit": unfit_table(result), "overloads": overloads_table(result),
              "calibration": calibration_table(result)}
    summary = summary_document(result, plan, tables)
    owners = {}
    if "crm_user_id" in plan.reps.columns:
        owners = {str(r): str(u) for r, u in zip(plan.reps["rep_id"], plan.reps["crm_user_id"],
                                                 strict=True) if str(u).strip()}
    names = calendar_names(result)

    def fill(tmp: Path) -> None:
        for key, file in (("stops", STOPS_FILE), ("days", DAYS_FILE),
                          ("unfit", NOT_FITTING_FILE), ("overloads", OVERLOADS_FILE),
                          ("calibration", CALIBRATION_TABLE)):
            write_table_csv(tables[key], tmp / file)
        write_table_csv(event_table(result, owners), tmp / EVENTS_FILE)
        (tmp / CALENDARS_DIR).mkdir()
        for rep in result.reps:
            (tmp / names[rep.rep_id]).write_bytes(rep_calendar(rep, result.timezone, stamp))
        for name, doc in ((CALIBRATION_FILE, summary["calibration"]), (SUMMARY_FILE, summary)):
            (tmp / name).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")

    write_atomically(out_dir, fill, kind="schedule")
    return summary
