"""Column mapping: a table read with the names of its columns and the spellings of its values
(``data.<table>: {path, columns, values}`` and ``data.preset``), turned into our column names
and values before the typed checks of :mod:`territory_opt.io.inputs` run.

``columns`` maps our column to the file's header (matched ignoring case and spaces); a header
the file lacks is an error that lists the file's headers with a did-you-mean. A preset adds
the CRM's standard headers for every column of ours not mapped explicitly
(:mod:`territory_opt.io.crm_presets`). ``values`` maps, per column of ours, the file's
spellings (ignoring case and spaces) to ours, on top of the preset's; a stage, role or
outcome that neither map nor our own spellings know is an error naming the value. Columns
the mapping does not name keep their header and pass through to the outputs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import TableSource
from territory_opt.io.crm_presets import (
    OWN_VALUES,
    TablePreset,
    header_key,
    match_columns,
    table_preset,
)
from territory_opt.io.id_text import first_unprintable, unprintable_message
from territory_opt.io.tables import read_table, sheet_rows

#: the columns each table must have once mapped (the checks of inputs.py need them)
REQUIRED: dict[str, tuple[str, ...]] = {"accounts": ("account_id", "potential"),
                                        "reps": ("rep_id", "role")}
#: columns of ours beyond those inputs.py and activity_tables.py check: a header spelled like
#: one of them (any case) is renamed to it
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("parent_id", "country"),
    "reps": ("email", "active", "disabled", "first_name", "last_name", "country"),
    "deals": ("is_closed",),
}
#: columns whose unknown values stop the run here, with a hint how to map them (a deal's
#: outcome is checked row by row by activity_tables.py instead)
STRICT_VALUES = ("stage", "role")
#: a value mapped to this is left out: for a rep's role, the user is not a rep
NOT_A_REP = None


@dataclass(frozen=True)
class MappedTable:
    """A table with our column names: raw cells (text, or what Excel and Parquet hold), the
    spreadsheet row of each row (header = row 1, kept when rows are left out), our column ->
    the file's header (for messages) and, per row, whether a value map left it out (a user
    whose role maps to ``~``)."""

    df: pd.DataFrame
    file: str
    rows: np.ndarray
    headers: dict[str, str] = field(default_factory=dict)
    left_out: np.ndarray | None = None

    def header(self, column: str) -> str:
        """The file's header of our ``column``."""
        return self.headers.get(column, column)

    def fail(self, message: str, index: int | None = None,
             column: str | None = None) -> InputError:
        """An error naming the file, the spreadsheet row of positional ``index`` and the
        file's header of ``column``."""
        row = None if index is None else int(self.rows[index])
        return InputError(message, file=self.file, row=row,
                          column=None if column is None else self.header(column))

    def text(self, column: str) -> pd.Series:
        """Cells as stripped text ('' when missing or when the column is absent)."""
        if column not in self.df.columns:
            return pd.Series([""] * len(self.df), index=self.df.index, dtype=object)
        values = self.df[column]
        if pd.api.types.is_string_dtype(values.dtype) and not values.isna().any():
            return values.str.strip().astype(object)  # CSV cells: text already (fast path)
        return values.map(cell_text).astype(object)

    def ids(self, column: str) -> pd.Series:
        """Cells of an id column as text, refused when one holds a control character."""
        values = self.text(column)
        i = first_unprintable(values)
        if i is not None:
            raise self.fail(unprintable_message(values.iloc[i]), i, column)
        return values

    def take(self, keep: np.ndarray) -> MappedTable:
        """The rows where ``keep`` is true (their spreadsheet rows kept)."""
        return MappedTable(self.df[keep].reset_index(drop=True), self.file, self.rows[keep],
                           self.headers, None if self.left_out is None else self.left_out[keep])

    def with_column(self, column: str, values: pd.Series | list[str]) -> MappedTable:
        df = self.df.copy()
        df[column] = list(values)
        return MappedTable(df, self.file, self.rows, self.headers, self.left_out)


def cell_text(value: object) -> str:
    """A cell as text: empty for missing values, whole floats without '.0' (Excel numbers)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is pd.NaT:
        return ""
    return str(value).strip()


def read_mapped(source: Path | str | TableSource, table: str, preset: str | None = None,
                decimal: str = ".") -> MappedTable:
    """Read ``table`` (accounts, reps, activities, deals) and map its columns and values;
    ``decimal`` is the scenario's decimal separator (io/numbers.py)."""
    spec = source if isinstance(source, TableSource) else TableSource(path=Path(source))
    file = str(spec.path)
    return map_table(read_table(spec.path, decimal=decimal), file, table, spec,
                     table_preset(preset, table), preset)


def map_table(df: pd.DataFrame, file: str, table: str, spec: TableSource | None,
              preset: TablePreset | None, preset_name: str | None = None) -> MappedTable:
    """Rename ``df``'s columns to ours and recode their values; see the module docstring."""
    explicit = dict(spec.columns) if spec is not None else {}
    headers = [str(c) for c in df.columns]
    _check_explicit(explicit, headers, file, table)
    actual = {header_key(h): h for h in headers}
    explicit = {ours: actual[header_key(h)] for ours, h in explicit.items()}
    mapping = match_columns(headers, preset, explicit)
    for extra in EXTRA_COLUMNS.get(table, ()):
        same = [h for h in headers if header_key(h) == extra]
        if extra not in mapping and same:
            mapping[extra] = same[0]
    out = _renamed(df, mapping)
    mapped = MappedTable(out, file, np.asarray(sheet_rows(df), dtype=np.int64), mapping)
    if (explicit or preset is not None) and table in REQUIRED:
        for column in REQUIRED[table]:
            if column not in out.columns and not _has(out, column):
                raise _missing(column, headers, file, table, preset, preset_name, explicit)
    return _recode(mapped, table, spec, preset)


def _has(df: pd.DataFrame, column: str) -> bool:
    return any(header_key(c) == column for c in df.columns)


def _check_explicit(explicit: dict[str, str], headers: list[str], file: str,
                    table: str) -> None:
    keys = {header_key(h): h for h in headers}
    for ours, header in explicit.items():
        if header_key(header) not in keys:
            close = difflib.get_close_matches(header, headers, n=1, cutoff=0.6) or \
                difflib.get_close_matches(header_key(header), list(keys), n=1, cutoff=0.6)
            hint = f" Did you mean '{keys.get(close[0], close[0])}'?" if close else ""
            raise InputError(
                f"data.{table}.columns.{ours} names the column '{header}', which the file "
                f"lacks.{hint} The file's columns: {', '.join(headers)}",
                file=file, row=1, column=header)
        same = keys.get(header_key(ours))
        if same is not None and header_key(same) != header_key(header):
            raise InputError(
                f"data.{table}.columns.{ours} names '{header}', but the file also has a "
                f"column '{same}'; rename or drop one of them", file=file, row=1, column=same)


def _renamed(df: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    """Our columns first (one header may feed two of ours), then the other headers."""
    if all(header_key(h) == ours for ours, h in mapping.items()):
        return df.rename(columns={h: ours for ours, h in mapping.items()})  # names only
    taken = {header_key(h) for h in mapping.values()}
    ours = {column: df[header].to_numpy() for column, header in mapping.items()}
    rest = {c: df[c].to_numpy() for c in df.columns if header_key(c) not in taken}
    return pd.DataFrame({**ours, **rest}, index=range(len(df)))


def _missing(column: str, headers: list[str], file: str, table: str,
             preset: TablePreset | None, preset_name: str | None,
             explicit: dict[str, str]) -> InputError:
    looked = [column, *(preset.columns.get(column, ()) if preset is not None else ())]
    how = f"the {preset_name} preset looks for " if preset_name else "looked for "
    typo = difflib.get_close_matches(column, list(explicit), n=1, cutoff=0.6)
    hint = (f"; data.{table}.columns.{typo[0]} maps '{explicit[typo[0]]}': did you mean "
            f"'{column}'?" if typo else "")
    return InputError(
        f"required column '{column}' is missing: {how}{', '.join(looked)}; map one with "
        f"data.{table}.columns.{column}{hint} (columns found: {', '.join(headers)})",
        file=file, column=column)


def value_map(column: str, spec: TableSource | None,
              preset: TablePreset | None) -> dict[str, str | None]:
    """The spellings of ``column`` (keys compared ignoring case and spaces): the preset's,
    then the scenario's ``values`` on top."""
    out: dict[str, str | None] = {}
    if preset is not None:
        out.update({header_key(k): v for k, v in preset.values.get(column, {}).items()})
    if spec is not None:
        out.update({("*" if k == "*" else header_key(k)): v
                    for k, v in spec.values.get(column, {}).items()})
    return out


def _recode(mapped: MappedTable, table: str, spec: TableSource | None,
            preset: TablePreset | None) -> MappedTable:
    columns = set(preset.values if preset is not None else ()) | set(
        spec.values if spec is not None else ())
    if preset is not None or (spec is not None and spec.columns):
        columns |= set(STRICT_VALUES)  # a CRM's stage or title: say how to map it
    df = mapped.df.copy()
    left_out = np.zeros(len(df), dtype=bool)
    for column in sorted(columns):
        if column not in df.columns:
            continue
        spellings = value_map(column, spec, preset)
        own = {v.casefold() for v in OWN_VALUES.get(column, ())}
        text = mapped.text(column)
        new = []
        for i, cell in enumerate(text.tolist()):
            key = header_key(cell)
            if key in spellings:
                value = spellings[key]
            elif cell == "" or key in own:
                value = cell
            elif "*" in spellings:
                value = spellings["*"]
            elif column in STRICT_VALUES:
                raise mapped.fail(
                    f"'{cell}' is not a known {column} value; map it under "
                    f"data.{table}.values.{column}, e.g. {{'{cell}': "
                    f"{OWN_VALUES[column][0]}}} (known: "
                    f"{', '.join(sorted(k for k in spellings if k != '*'))})", i, column)
            else:
                value = cell
            if value is NOT_A_REP:
                left_out[i] = table == "reps" and column == "role"
                value = ""
            new.append(value)
        df[column] = pd.Series(new, index=df.index, dtype=object)
    return MappedTable(df, mapped.file, mapped.rows, mapped.headers, left_out)
