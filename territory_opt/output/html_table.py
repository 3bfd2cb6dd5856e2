"""A sortable HTML table for the reports (the page's script sorts it on a header click), and
the number formats of their cells."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from territory_opt.output.svg import esc

#: what a cell shows for a missing or non-finite number
NA = "—"


def num(x: Any, digits: int = 0) -> str:
    """``x`` with thousands separators and ``digits`` decimals (NA when not a finite number)."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return NA
    return f"{value:,.{digits}f}" if math.isfinite(value) else NA


def pct(x: Any, digits: int = 1) -> str:
    """The share ``x`` as a percentage (NA when not a finite number)."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return NA
    return f"{value * 100:.{digits}f}%" if math.isfinite(value) else NA


def sortable_table(headers: Sequence[tuple[str, bool]], rows: list[list[tuple[str, str]]],
                   caption: str) -> str:
    """A sortable table; ``headers`` are (label, numeric), cells are (text, sort value)."""
    numeric = [num for _, num in headers]
    num_attr = ' data-type="num"'
    head = "".join(f'<th scope="col" tabindex="0"{num_attr if num else ""}>{esc(label)}</th>'
                   for label, num in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="num" data-v="{esc(v)}">{esc(t)}</td>' if num
                         else f"<td>{esc(t)}</td>"
                         for (t, v), num in zip(row, numeric, strict=True)) + "</tr>"
        for row in rows)
    return (f'<table class="sortable"><caption>{esc(caption)}</caption><thead><tr>{head}'
            f'</tr></thead><tbody>{body}</tbody></table>')
