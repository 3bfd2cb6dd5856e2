"""The schedule folder that ``territory-opt schedule`` writes (default ``PLAN_DIR/schedule/``):
its file names, and a reader for the report, which adds a page per rep when a plan folder
holds one."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.io.calibration_file import CALIBRATION_FILE
from territory_opt.io.spreadsheet_cells import restore_table

SCHEDULE_DIR = "schedule"
STOPS_FILE = "schedule.csv"
DAYS_FILE = "days.csv"
NOT_FITTING_FILE = "not_fitting.csv"
OVERLOADS_FILE = "overloads.csv"
CALIBRATION_TABLE = "calibration.csv"
SUMMARY_FILE = "schedule.json"
EVENTS_FILE = "salesforce_event.csv"
CALENDARS_DIR = "calendars"
__all__ = ["CALIBRATION_FILE", "ScheduleFolder", "read_schedule_folder"]

_NUMBERS = {
    STOPS_FILE: ("week", "order", "drive_minutes", "km"),
    DAYS_FILE: ("week", "visits", "remote", "drive_minutes", "km", "visit_minutes",
                "remote_minutes", "wait_minutes", "work_hours", "limit_hours", "over_hours"),
    CALIBRATION_TABLE: ("visits", "routed_hours", "routed_km", "round_trip_hours",
                        "modelled_hours", "routed_vs_modelled", "visits_per_trip_fit"),
    OVERLOADS_FILE: ("visits_not_fitting", "remote_not_fitting", "hours_over"),
}


@dataclass(frozen=True)
class ScheduleFolder:
    """A schedule as written: its tables (ids as text, measures as floats) and summary."""

    path: Path
    stops: pd.DataFrame
    days: pd.DataFrame
    calibration: pd.DataFrame
    overloads: pd.DataFrame
    summary: dict[str, Any]


def _table(folder: Path, name: str) -> pd.DataFrame:
    text = (folder / name).read_text(encoding="utf-8-sig")
    table = restore_table(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    for column in _NUMBERS.get(name, ()):
        if column in table.columns:
            table[column] = pd.to_numeric(table[column].where(table[column] != ""),
                                          errors="coerce")
    return table


def read_schedule_folder(path: Path) -> ScheduleFolder | None:
    """The schedule in ``path``, or None when there is none (or it cannot be read: a report
    then simply has no schedule pages)."""
    try:
        summary = json.loads((path / SUMMARY_FILE).read_text(encoding="utf-8"))
        return ScheduleFolder(path, _table(path, STOPS_FILE), _table(path, DAYS_FILE),
                              _table(path, CALIBRATION_TABLE), _table(path, OVERLOADS_FILE),
                              summary if isinstance(summary, dict) else {})
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
