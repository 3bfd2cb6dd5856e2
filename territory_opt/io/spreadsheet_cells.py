"""The one rule for text cells of every CSV a person may open in a spreadsheet (plan tables,
comparison and measure folders, ``segment --out``, CRM files), and its inverse for the tool's
own readers.

A text cell that a spreadsheet would run as a formula — it begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (OWASP, CSV injection) — gets a leading ``'``, unless the
whole cell is a plain number such as ``-12.5`` or ``+3e4``, which a spreadsheet reads as a
number. So that reading back is exact, a cell that already begins with ``'`` followed by one of
those characters or another ``'`` gets one more ``'``. :func:`restore` drops exactly that one
``'``: ``restore(neutralise(text)) == text`` for every text.

Numeric columns (floats, integers, booleans) are written as they are: a number cannot be a
formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: object) -> str:
    """Text of ``cell``, prefixed with ``'`` when a spreadsheet would run it as a formula (or
    when it begins with ``'`` that :func:`restore` would otherwise drop)."""
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_STARTS):
        return text if _PLAIN_NUMBER.fullmatch(text) else "'" + text
    if text.startswith("'") and text[1:].startswith(_ESCAPED_STARTS):
        return "'" + text
    return text


def restore(cell: str) -> str:
    """The original text of a cell written by :func:`neutralise`."""
    if cell.startswith("'") and cell[1:].startswith(_ESCAPED_STARTS):
        return cell[1:]
    return cell


def _is_text(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column))


def neutralise_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) follow :func:`neutralise`; numbers untouched.
    Missing values stay missing."""
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if _is_text(column):
            # only cells whose text begins with a character of the rule can change: finding
            # them first took the plan tables of a million accounts from 30 s to under 1 s
            values = column.astype(object)
            risky = column.astype(str).str.startswith(_ESCAPED_STARTS).fillna(False)
            at = np.flatnonzero(risky.to_numpy(bool))
            if len(at):
                values = values.copy()
                values.iloc[at] = [v if _missing(v) else _cell(v) for v in values.iloc[at]]
            out[name] = values
    out.columns = [neutralise(c) for c in out.columns]
    return out


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and value != value)


def _cell(value: object) -> object:
    if isinstance(value, (bool, int, float)):
        return value
    return neutralise(value)


def table_csv(table: pd.DataFrame, **to_csv: object) -> str:
    """The table as CSV text (no index, ``\\n`` line endings), neutralised."""
    text = neutralise_table(table).to_csv(index=False, lineterminator="\n", **to_csv)  # type: ignore[call-overload]
    return str(text)


def write_table_csv(table: pd.DataFrame, path: Path, **to_csv: object) -> None:
    """Write the table as UTF-8 CSV, neutralised (the rule of this module)."""
    Path(path).write_text(table_csv(table, **to_csv), encoding="utf-8", newline="")


def restore_table(table: pd.DataFrame) -> pd.DataFrame:
    """Headers and text cells of a table read as text, back to their original text."""
    out = table.map(lambda v: restore(v) if isinstance(v, str) else v)
    out.columns = [restore(str(c)) for c in out.columns]
    return out
