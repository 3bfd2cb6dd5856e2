"""Helpers shared by the benchmark scripts: where the data lives, best-known tables, printing.

The public instance files are not in the repository: they are read from the local mirror
named by ``$TERRITORY_OPT_BENCH``, else from the cache that ``python benchmarks/data.py fetch``
fills (see :mod:`data`). The reference tables (best known values, bounds, summaries) are in
the repository, under ``benchmarks/reference/<set>``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import data

ENV_VAR = data.MIRROR_ENV

Row = dict[str, Any]
Column = tuple[str, str, Callable[[Any], str]]


def bench_dir(*sets: str) -> Path:
    """The folder holding the instance files, ``<folder>/<set>/...``: ``$TERRITORY_OPT_BENCH``,
    else the cache. Exits with a message naming the fetch command when one of ``sets`` is not
    complete there."""
    try:
        return data.bench_root(*sets)
    except data.DataError as exc:
        raise SystemExit(f"error: {exc}") from None


def reference_dir(name: str) -> Path:
    """``benchmarks/reference/<set>``: the set's README, best_known.csv and other tables."""
    return data.reference_dir(name)


def read_best_known(path: Path) -> dict[tuple[str, int, str], float]:
    """best_known.csv as {(instance, problem_index, sense): value}."""
    out: dict[tuple[str, int, str], float] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            key = (rec["instance"], int(rec["problem_index"]), rec["sense"])
            out[key] = float(rec["best_known"])
    return out


def fmt_num(digits: int) -> Callable[[Any], str]:
    """Formatter for a float with ``digits`` decimals; None and NaN print as '-'."""

    def f(v: Any) -> str:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "-"
        return f"{v:,.{digits}f}"

    return f


def fmt_pct(v: Any) -> str:
    """A fraction as a percentage with 3 decimals; None and NaN print as '-'."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return f"{100 * v:.3f}"


def fmt_str(v: Any) -> str:
    return "-" if v is None else str(v)


def print_row_live(row: Row, columns: Sequence[Column], widths: Sequence[int]) -> None:
    """Print one row with fixed column widths (tables printed while instances run)."""
    parts = [fn(row.get(key)) for key, _, fn in columns]
    print("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                    for i, (v, w) in enumerate(zip(parts, widths, strict=True))), flush=True)


def print_header_live(columns: Sequence[Column], widths: Sequence[int]) -> None:
    heads = [h for _, h, _ in columns]
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                    for i, (h, w) in enumerate(zip(heads, widths, strict=True))), flush=True)


def to_json(row: Row) -> str:
    """One JSON line; NaN and infinity become null."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    return json.dumps({k: clean(v) for k, v in row.items()})


def rel_gap(value: float, reference: float) -> float:
    """(value − reference) / |reference| for minimisation; NaN when undefined."""
    if not (math.isfinite(value) and math.isfinite(reference)):
        return float("nan")
    if reference == 0:
        return 0.0 if value == 0 else float("inf")
    return (value - reference) / abs(reference)
