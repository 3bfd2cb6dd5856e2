"""Read a plan folder written by ``territory-opt run`` (SPEC §6) for exports and reports.

A plan folder holds ``assignments.csv``, ``reps.csv`` and ``plan.json``. Every cell is read as
text (ids such as ZIP codes keep their leading zeros), then the known numeric and boolean
columns are converted. Row numbers in messages count like a spreadsheet: header = row 1.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.io.spreadsheet_cells import restore_table

ASSIGNMENTS_FILE = "assignments.csv"
REPS_FILE = "reps.csv"
PLAN_FILE = "plan.json"
TERRITORIES_FILE = "territories.geojson"

ASSIGNMENT_COLUMNS = (
    "account_id", "tier", "role", "rep_id", "previous_rep_id", "moved", "handover",
    "touch_hours", "travel_hours", "workload_hours",
)
REP_COLUMNS = ("rep_id", "role", "workload_hours", "capacity_hours")

ASSIGNMENT_NUMBERS = ("touch_hours", "travel_hours", "workload_hours", "lat", "lon",
                      "potential", "revenue", "calls_per_year", "expected_sales")
ASSIGNMENT_BOOLEANS = ("moved", "handover")
REP_NUMBERS = ("accounts", "accounts_A", "accounts_B", "accounts_C", "potential", "touch_hours",
               "travel_hours", "workload_hours", "capacity_hours", "utilization",
               "previous_workload_hours", "lat", "lon", "cost", "calls_per_year",
               "expected_sales", "contribution", "hour_value", "last_hour_value")

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})
_FIRST_DATA_ROW = 2  # spreadsheet numbering: header = row 1


@dataclass(frozen=True)
class PlanFolder:
    """One plan as written by ``territory-opt run``.

    Attributes
    ----------
    path
        The folder.
    assignments, reps
        The two tables; ids are text, measures are floats, ``moved``/``handover`` are bools.
    plan
        The parsed ``plan.json``.
    plan_hash
        sha256 of the bytes of ``plan.json`` followed by those of ``assignments.csv``, so an
        export can be traced back to the exact plan it came from.
    """

    path: Path
    assignments: pd.DataFrame
    reps: pd.DataFrame
    plan: dict[str, Any]
    plan_hash: str = field(default="")

    @property
    def name(self) -> str:
        """Scenario name from ``plan.json``, else the folder name."""
        scenario = self.plan.get("scenario")
        return str(scenario) if scenario else self.path.name


def read_plan_folder(path: str | Path) -> PlanFolder:
    """Read and check a plan folder.

    Raises
    ------
    InputError
        A file or a required column is missing, a number or boolean cell does not parse, or
        an assignment names a rep that is not in ``reps.csv``.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise InputError("plan folder not found (run `territory-opt run` first)",
                         file=str(folder))
    plan_bytes = _read_bytes(folder / PLAN_FILE)
    assignment_bytes = _read_bytes(folder / ASSIGNMENTS_FILE)
    rep_bytes = _read_bytes(folder / REPS_FILE)

    plan = _parse_plan(plan_bytes, folder / PLAN_FILE)
    assignments = _parse_table(assignment_bytes, folder / ASSIGNMENTS_FILE, ASSIGNMENT_COLUMNS,
                               ASSIGNMENT_NUMBERS, ASSIGNMENT_BOOLEANS)
    reps = _parse_table(rep_bytes, folder / REPS_FILE, REP_COLUMNS, REP_NUMBERS, ())
    _check_rep_references(assignments, reps, folder / ASSIGNMENTS_FILE)
    return PlanFolder(path=folder, assignments=assignments, reps=reps, plan=plan,
                      plan_hash=plan_hash(plan_bytes, assignment_bytes))


def plan_hash(plan_bytes: bytes, assignment_bytes: bytes) -> str:
    """sha256 of plan.json's bytes followed by assignments.csv's: the id of one exact plan."""
    return hashlib.sha256(plan_bytes + assignment_bytes).hexdigest()


def _read_bytes(file: Path) -> bytes:
    if not file.is_file():
        raise InputError("file missing from the plan folder", file=str(file))
    return file.read_bytes()


def _parse_plan(raw: bytes, file: Path) -> dict[str, Any]:
    try:
        plan = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", file=str(file)) from exc
    if not isinstance(plan, dict):
        raise InputError("expected a JSON object", file=str(file))
    return plan


def _parse_table(raw: bytes, file: Path, required: tuple[str, ...], numbers: tuple[str, ...],
                 booleans: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), dtype=str,
                            keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the table ({exc})", file=str(file)) from exc
    table = restore_table(table)  # cells were neutralised against formulas when written
    table.columns = [str(c).strip() for c in table.columns]
    for column in required:
        if column not in table.columns:
            raise InputError("required column missing", file=str(file), column=column)
    for column in numbers:
        if column in table.columns:
            table[column] = _to_float(table[column], file)
    for column in booleans:
        table[column] = _to_bool(table[column], file)
    return table


def _to_float(cells: pd.Series, file: Path) -> pd.Series:
    """Numbers; an empty cell becomes NaN (optional measures such as revenue or cost)."""
    text = cells.str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = values.isna() & (text != "")
    if bad.any():
        pos = int(bad.to_numpy().argmax())
        raise InputError(f"not a number: {text.iloc[pos]!r}", file=str(file),
                         row=pos + _FIRST_DATA_ROW, column=str(cells.name))
    return values.astype(float)


def _to_bool(cells: pd.Series, file: Path) -> pd.Series:
    text = cells.str.strip().str.lower()
    known = text.isin(_TRUE | _FALSE)
    if not known.all():
        pos = int((~known).to_numpy().argmax())
        raise InputError(f"expected true or false, got {cells.iloc[pos]!r}", file=str(file),
                         row=pos + _FIRST_DATA_ROW, column=str(cells.name))
    return text.isin(_TRUE)


def _check_rep_references(assignments: pd.DataFrame, reps: pd.DataFrame, file: Path) -> None:
    known = set(reps["rep_id"])
    unknown = ~assignments["rep_id"].isin(known)
    if unknown.any():
        pos = int(unknown.to_numpy().argmax())
        raise InputError(f"rep {assignments['rep_id'].iloc[pos]!r} is not in {REPS_FILE}",
                         file=str(file), row=pos + _FIRST_DATA_ROW, column="rep_id")
