"""Typed, checked account and rep tables (SPEC §3).

Each check names the file, the spreadsheet row (header = row 1) and the column. Known columns
are renamed to lower case; extra columns keep their names and pass through to the outputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.geo import zip_centroid
from territory_opt.domain.scenario import MAX_HOURS_PER_YEAR, ROLES, STAGES, Scenario
from territory_opt.io.id_text import first_unprintable, unprintable_message
from territory_opt.io.numbers import parse_numbers, why_bad
from territory_opt.io.plan_folder import ASSIGNMENT_COLUMNS
from territory_opt.io.tables import read_table, sheet_rows

if TYPE_CHECKING:
    from territory_opt.io.column_mapping import MappedTable

ACCOUNT_COLUMNS = ("account_id", "name", "lat", "lon", "postal_code", "potential", "revenue",
                   "stage", "owner_id", "locked", "unit_id")
REP_COLUMNS = ("rep_id", "name", "role", "lat", "lon", "postal_code", "capacity_hours", "cell",
               "manager_id", "crm_user_id", "cost")

#: names the tool writes beside an account's or a rep's input columns (assignments.csv,
#: reps.csv; see territory_opt/output/plan_tables.py) or keeps for itself
ACCOUNT_OUTPUT_COLUMNS = frozenset({*ACCOUNT_COLUMNS, *ASSIGNMENT_COLUMNS, "visits"})
REP_OUTPUT_COLUMNS = frozenset({
    *REP_COLUMNS, "accounts", "accounts_a", "accounts_b", "accounts_c", "potential",
    "touch_hours", "travel_hours", "workload_hours", "utilization", "deviation",
    "previous_workload_hours"})
#: an extra input column named like one of those is renamed with this prefix (repeated until
#: the name is free), so every output has unique headers: `tier` -> `input_tier`
INPUT_PREFIX = "input_"

_TRUE = {"true", "1", "yes", "y", "t", "x"}
_FALSE = {"false", "0", "no", "n", "f", ""}




class _Table:
    """A raw table plus the file name, for messages, the spreadsheet row of each row and, for a
    mapped table (io/column_mapping.py), the file's header of each of our columns."""

    def __init__(self, df: pd.DataFrame, file: str, known: Iterable[str],
                 decimal: str = ".", rows: Sequence[int] | np.ndarray | None = None,
                 headers: dict[str, str] | None = None) -> None:
        known = set(known)
        self.file = file
        self.decimal = decimal
        self.rows = list(sheet_rows(df) if rows is None else rows)
        self.headers = headers or {}
        self.df = df.rename(columns={c: c.lower() for c in df.columns if c.lower() in known})

    def row(self, index: int) -> int:
        """The spreadsheet row of the 0-based data row ``index`` (blank rows counted)."""
        return int(self.rows[index])

    def fail(self, message: str, index: int | None = None,
             column: str | None = None) -> NoReturn:
        row = None if index is None else self.row(index)
        column = None if column is None else self.headers.get(column, column)
        raise InputError(message, file=self.file, row=row, column=column)

    def check_printable(self, column: str, values: pd.Series) -> None:
        """Refuse ids holding control characters (io/id_text.py)."""
        i = first_unprintable(values)
        if i is not None:
            self.fail(unprintable_message(values.iloc[i]), i, column)

    def has(self, column: str) -> bool:
        return column in self.df.columns

    def find(self, column: str, why: str) -> str:
        """The table's own spelling of ``column`` (case-insensitive), or an error."""
        for c in self.df.columns:
            if str(c).lower() == column.lower():
                return str(c)
        self.fail(f"{why} names column '{column}', which the table lacks", column=column)
        raise AssertionError  # unreachable: fail() raises

    def require(self, *columns: str) -> None:
        for c in columns:
            if not self.has(c):
                have = ", ".join(map(str, self.df.columns))
                self.fail(f"required column '{c}' is missing (columns found: {have})",
                          column=c)

    def text(self, column: str) -> pd.Series:
        """Cells as stripped text; missing values become ''."""
        if not self.has(column):
            return pd.Series([""] * len(self.df), index=self.df.index, dtype=object)
        s = self.df[column]
        out = s.astype(object).where(s.notna(), "").map(lambda v: _as_text(v))
        return out.astype(object)

    def number(self, column: str, *, default: float | None = None,
               minimum: float | None = None, strict_min: bool = False,
               maximum: float | None = None) -> pd.Series:
        """Cells as floats by the scenario's decimal rule (:mod:`territory_opt.io.numbers`);
        an empty cell takes ``default`` or is an error."""
        raw = self.text(column)
        cells = self.df[column] if self.has(column) else raw
        values, bad = parse_numbers(cells, self.decimal)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            self.fail(why_bad(cells.iloc[i], self.decimal), i, column)
        empty = raw == ""
        if empty.any():
            if default is None:
                i = int(np.flatnonzero(empty.to_numpy())[0])
                self.fail("a value is required here", i, column)
            values = values.where(~empty, default)
        if minimum is not None:
            low = (values <= minimum) if strict_min else (values < minimum)
            if low.any():
                i = int(np.flatnonzero(low.to_numpy())[0])
                rel = ">" if strict_min else ">="
                self.fail(f"{values.iloc[i]:g} is out of range; it must be {rel} {minimum:g}",
                          i, column)
        if maximum is not None and (values > maximum).any():
            i = int(np.flatnonzero((values > maximum).to_numpy())[0])
            self.fail(f"{values.iloc[i]:g} is out of range; it must be <= {maximum:g}", i, column)
        return values

    def boolean(self, column: str) -> pd.Series:
        raw = self.text(column).str.lower()
        bad = ~raw.isin(_TRUE | _FALSE)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            self.fail(f"'{raw.iloc[i]}' is not a yes/no value (use true or false)", i, column)
        return raw.isin(_TRUE)

    def ids(self, column: str) -> pd.Series:
        """Cells of an id column (empty allowed), refused when they hold control characters."""
        ids = self.text(column)
        self.check_printable(column, ids)
        return ids

    def unique_ids(self, column: str) -> pd.Series:
        ids = self.ids(column)
        empty = ids == ""
        if empty.any():
            self.fail("the id is empty", int(np.flatnonzero(empty.to_numpy())[0]), column)
        dup = ids.duplicated()
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
            self.fail(f"duplicate id '{ids.iloc[i]}' (first seen in row {self.row(first)})",
                      i, column)
        return ids

    def coordinates(self) -> tuple[pd.Series, pd.Series]:
        """lat/lon from the columns, falling back to the postal code per row."""
        if not (self.has("lat") and self.has("lon")) and not self.has("postal_code"):
            self.require("lat", "lon")
        lat_raw, lon_raw = self.text("lat"), self.text("lon")
        lat = self.number("lat", default=np.nan) if self.has("lat") else lat_raw.map(
            lambda _: np.nan).astype(float)
        lon = self.number("lon", default=np.nan) if self.has("lon") else lon_raw.map(
            lambda _: np.nan).astype(float)
        missing = lat.isna() | lon.isna()
        if missing.any():
            if not self.has("postal_code"):
                i = int(np.flatnonzero(missing.to_numpy())[0])
                self.fail("a coordinate is missing and there is no postal_code column", i,
                          "lat" if np.isnan(lat.iloc[i]) else "lon")
            codes = self.text("postal_code")
            lat, lon = lat.copy(), lon.copy()
            for i in np.flatnonzero(missing.to_numpy()).tolist():
                point = zip_centroid(codes.iloc[i])
                if point is None:
                    self.fail(f"postal code '{codes.iloc[i]}' is not a known US ZIP code "
                              "(a row outside the US needs lat and lon)", int(i), "postal_code")
                lat.iloc[i], lon.iloc[i] = point
        for col, s, lim in (("lat", lat, 90.0), ("lon", lon, 180.0)):
            out = s.abs() > lim
            if out.any():
                i = int(np.flatnonzero(out.to_numpy())[0])
                name = "latitude" if col == "lat" else "longitude"
                self.fail(f"{name} {s.iloc[i]:g} is out of range [-{lim:g}, {lim:g}]", i, col)
        return lat, lon


def _as_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _passthrough(t: _Table, known: Iterable[str]) -> pd.DataFrame:
    known = set(known)
    return t.df[[c for c in t.df.columns if c not in known]].copy()


def _rename_collisions(t: _Table, extra: pd.DataFrame, reserved: frozenset[str],
                       keep: Iterable[str] = ()) -> pd.DataFrame:
    """Extra columns named like an output column (any case) get :data:`INPUT_PREFIX`; a
    column the scenario names (``keep``) cannot be renamed, so it is an error."""
    keep = {k.lower() for k in keep}
    taken = set(reserved) | {str(c).lower() for c in extra.columns}
    mapping: dict[str, str] = {}
    for column in map(str, extra.columns):
        if column.lower() not in reserved:
            continue
        if column.lower() in keep:
            t.fail(f"the scenario names column '{column}', which is also a column the tool "
                   "writes; rename it in the file and the scenario", column=column)
        new = INPUT_PREFIX + column
        while new.lower() in taken:
            new = INPUT_PREFIX + new
        taken.add(new.lower())
        mapping[column] = new
    return extra.rename(columns=mapping)


def _open(path: str | Path, known: Iterable[str], table: MappedTable | None,
          decimal: str) -> _Table:
    """The file at ``path``, or ``table`` when it was read and mapped already."""
    if table is None:
        return _Table(read_table(path, decimal=decimal), str(path), known, decimal)
    return _Table(table.df, table.file, known, decimal, table.rows, table.headers)


def load_reps(path: str | Path, scenario: Scenario,
              table: MappedTable | None = None) -> pd.DataFrame:
    """Read and check the reps table. Columns: REP_COLUMNS then any extra columns."""
    t = _open(path, REP_COLUMNS, table, scenario.data.decimal)
    t.require("rep_id", "role")
    ids = t.unique_ids("rep_id")
    role = t.text("role").str.lower()
    bad = ~role.isin(ROLES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        t.fail(f"unknown role '{role.iloc[i]}'; use one of {', '.join(ROLES)}", i, "role")
    lat, lon = t.coordinates()
    crm = t.ids("crm_user_id")
    out = pd.DataFrame({
        "rep_id": ids,
        "name": t.text("name"),
        "role": role,
        "lat": lat,
        "lon": lon,
        "capacity_hours": t.number("capacity_hours", default=scenario.capacity.hours_per_year,
                                   minimum=0, strict_min=True, maximum=MAX_HOURS_PER_YEAR),
        "cell": t.ids("cell"),
        "manager_id": t.ids("manager_id"),
        "crm_user_id": crm.where(crm != "", ids),
        "cost": t.number("cost", default=0.0, minimum=0),
    })
    if scenario.structure == "cellular":
        empty = out["cell"] == ""
        if empty.any():
            t.fail("structure is cellular, so every rep needs a cell",
                   int(np.flatnonzero(empty.to_numpy())[0]), "cell")
    extra = _rename_collisions(t, _passthrough(t, REP_COLUMNS), REP_OUTPUT_COLUMNS)
    return pd.concat([out, extra], axis=1)


def load_accounts(path: str | Path, scenario: Scenario, reps: pd.DataFrame,
                  table: MappedTable | None = None) -> pd.DataFrame:
    """Read and check the accounts table against the scenario and the reps."""
    t = _open(path, ACCOUNT_COLUMNS, table, scenario.data.decimal)
    t.require("account_id", "potential")
    ids = t.unique_ids("account_id")
    stage = t.text("stage").str.lower()
    stage = stage.where(stage != "", "customer")
    bad = ~stage.isin(STAGES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        t.fail(f"unknown stage '{stage.iloc[i]}'; use one of {', '.join(STAGES)}", i, "stage")
    owner = t.ids("owner_id")
    rep_role = dict(zip(reps["rep_id"], reps["role"], strict=True))
    unknown = (owner != "") & ~owner.isin(list(rep_role))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        t.fail(f"owner '{owner.iloc[i]}' is not a rep_id in the reps table", i, "owner_id")
    locked = t.boolean("locked")
    role = stage.map(scenario.routing)
    for i in np.flatnonzero(locked.to_numpy()).tolist():
        o = owner.iloc[i]
        if o == "":
            t.fail("the account is locked but has no owner_id", int(i), "locked")
        if rep_role[o] != role.iloc[i]:
            t.fail(f"the account is locked to {o}, a {rep_role[o]}, but its stage "
                   f"'{stage.iloc[i]}' routes it to a {role.iloc[i]}", int(i), "locked")
    lat, lon = t.coordinates()
    out = pd.DataFrame({
        "account_id": ids,
        "name": t.text("name"),
        "lat": lat,
        "lon": lon,
        "potential": t.number("potential", minimum=0),
        "revenue": t.number("revenue", default=0.0, minimum=0),
        "stage": stage,
        "owner_id": owner,
        "locked": locked,
        "unit_id": t.ids("unit_id"),
    })
    extra = _passthrough(t, ACCOUNT_COLUMNS)
    extra = extra[[c for c in extra.columns if c != "postal_code"]]
    if t.has("postal_code"):
        extra.insert(0, "postal_code", t.text("postal_code"))
    by = scenario.segmentation.by
    for col in (by if isinstance(by, dict) else {by: 1.0}):
        if col.lower() in ("potential", "revenue"):
            continue
        actual = t.find(col, "segmentation.by")
        extra[actual] = t.number(actual, default=0.0)
    named = [c for c in (by if isinstance(by, dict) else {by: 1.0})
             if c.lower() not in ("potential", "revenue")]
    for col in scenario.segmentation.overrides:
        actual = t.find(col, "segmentation.overrides")
        extra[actual] = t.boolean(actual)
        named.append(col)
    extra = _rename_collisions(t, extra, ACCOUNT_OUTPUT_COLUMNS - {"postal_code"}, keep=named)
    return pd.concat([out, extra], axis=1)
