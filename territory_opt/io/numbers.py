"""Numbers in CSV text, read exactly or refused (``data.decimal``).

One rule per scenario, never a guess per cell:

- ``data.decimal: "."`` (the default): ``1234.5``, ``-0.25``, ``1e6``; a comma only between
  groups of three digits (``1,234,567.5``).
- ``data.decimal: ","``: ``1234,5``, ``-0,25``; a point only between groups of three digits
  (``1.234.567,5``). The file's separator is then ``;``.

Any other cell — ``49553,69`` with the decimal point, ``49.55`` with the decimal comma,
``1,2,3``, ``$5``, ``1 234`` — is not a number: the reader names the file, the row and the
column. Values beyond :data:`MAX_VALUE` are refused too, so sums stay exact and finite.
Cells that a spreadsheet or Parquet file already holds as numbers are taken as they are.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

#: the largest magnitude read: a million accounts of this much still sum exactly enough in
#: float64 (1e21 < 2**53 × 1e6) and far from overflow
MAX_VALUE = 1e15

_EXP = r"(?:[eE][+-]?\d+)?"
_PATTERNS = {
    ".": (re.compile(rf"[+-]?(?:\d+(?:\.\d*)?|\.\d+){_EXP}"),
          re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")),
    ",": (re.compile(rf"[+-]?(?:\d+(?:,\d*)?|,\d+){_EXP}"),
          re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")),
}
_NONFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def parse_number(text: str, decimal: str = ".") -> float | None:
    """The value of one cell, or None when it is not a number under the ``decimal`` rule."""
    plain, grouped = _PATTERNS[decimal]
    if plain.fullmatch(text):
        return float(text.replace(",", ".")) if decimal == "," else float(text)
    if grouped.fullmatch(text):
        thousands = "," if decimal == "." else "."
        return float(text.replace(thousands, "").replace(",", "."))
    return None


def why_not_a_number(text: str, decimal: str = ".") -> str:
    """The message for a cell :func:`parse_number` refused."""
    if text.strip().lower() in _NONFINITE:
        return f"'{text}' is not a finite number"
    other = "," if decimal == "." else "."
    if parse_number(text, other) is not None and any(c in text for c in ".,"):
        name = "point" if decimal == "." else "comma"
        return (f"'{text}' is not a number with a decimal {name} ('{decimal}'): it reads as a "
                f"number only with data.decimal: '{other}'; the tool does not guess, so set "
                "data.decimal in the scenario or fix the cell")
    return f"'{text}' is not a number"


def parse_numbers(cells: pd.Series, decimal: str = ".") -> tuple[pd.Series, np.ndarray]:
    """Floats of a column of cells (text, or numbers from Excel/Parquet); NaN for empty
    cells. Returns the values and a mask of the cells that are not numbers (or not finite,
    or beyond ±MAX_VALUE)."""
    if pd.api.types.is_bool_dtype(cells.dtype):
        return pd.Series(np.nan, index=cells.index), np.ones(len(cells), dtype=bool)
    if pd.api.types.is_numeric_dtype(cells.dtype):
        values = cells.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(values) & ~(np.abs(values) <= MAX_VALUE)
        return pd.Series(np.where(bad, np.nan, values), index=cells.index), bad
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":
        # CSV: the common, vectorised path; grouped digits and errors one by one
        text = cells.str.strip()
        plain = text.str.fullmatch(_PATTERNS[decimal][0].pattern).to_numpy(dtype=bool)
        digits = text[plain].str.replace(",", ".", regex=False) if decimal == "," \
            else text[plain]
        values = np.full(len(cells), np.nan)
        values[plain] = pd.to_numeric(digits, errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = plain & ~(np.abs(values) <= MAX_VALUE)
        values[bad] = np.nan
        rest = np.flatnonzero(~plain & (text != "").to_numpy(dtype=bool))
        if len(rest):
            rest_values, rest_bad = _parse_cells(cells.iloc[rest], decimal)
            values[rest], bad[rest] = rest_values, rest_bad
        return pd.Series(values, index=cells.index), bad
    values, bad = _parse_cells(cells, decimal)
    return pd.Series(values, index=cells.index), bad


def _parse_cells(cells: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_numbers`, one cell at a time (mixed types, grouped digits)."""
    values = np.full(len(cells), np.nan)
    bad = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells.tolist()):
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            continue
        if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
            value: float | None = float(cell)
        else:
            text = str(cell).strip()
            if text == "":
                continue
            value = parse_number(text, decimal)
        if value is None or not math.isfinite(value) or abs(value) > MAX_VALUE:
            bad[i] = True
        else:
            values[i] = value
    return values, bad


def why_bad(cell: object, decimal: str = ".") -> str:
    """The message for a cell :func:`parse_numbers` flagged."""
    text = str(cell).strip()
    value = parse_number(text, decimal) if isinstance(cell, str) else None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        value = float(cell)
    if value is not None:
        if not math.isfinite(value):
            return f"'{text}' is not a finite number"
        return f"{text} is beyond ±{MAX_VALUE:g}, the largest magnitude territory_opt reads"
    return why_not_a_number(text, decimal)
