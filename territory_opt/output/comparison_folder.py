"""The comparison folder of `territory-opt compare`, written atomically."""

from __future__ import annotations

from pathlib import Path

from territory_opt.headcount.options import all_changes, all_uncovered
from territory_opt.headcount.runner import Comparison
from territory_opt.io.atomic import write_atomically
from territory_opt.io.out_folder import OutputTarget, slug
from territory_opt.io.spreadsheet_cells import write_table_csv
from territory_opt.output.comparison_page import render_comparison


def _slug(index: int, name: str) -> str:
    return f"{index + 1:02d}-" + slug(name, fallback="option")


def write_comparison(comparison: Comparison, out_dir: OutputTarget | Path) -> None:
    """Write comparison.csv, comparison.html, sites.csv, uncovered.csv and per option its
    accounts (every account once) and reps, atomically."""
    results = list(comparison.results)

    def fill(tmp: Path) -> None:
        write_table_csv(comparison.table, tmp / "comparison.csv")
        write_table_csv(all_changes(results), tmp / "sites.csv")
        write_table_csv(all_uncovered(results), tmp / "uncovered.csv")
        for r in results:
            folder = tmp / "options" / _slug(r.index, r.name)
            folder.mkdir(parents=True)
            write_table_csv(r.accounts, folder / "accounts.csv")
            write_table_csv(r.reps.round(4), folder / "reps.csv")
        html = render_comparison(comparison.title, comparison.table, all_changes(results),
                                 all_uncovered(results))
        (tmp / "comparison.html").write_text(html, encoding="utf-8", newline="\n")

    write_atomically(out_dir, fill, kind="comparison")
