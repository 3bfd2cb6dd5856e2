"""A sortable HTML table for the reports (the page's script sorts it on a header click)."""

from __future__ import annotations

from collections.abc import Sequence

from territory_opt.output.svg import esc


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
