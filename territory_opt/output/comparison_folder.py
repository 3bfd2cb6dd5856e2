"""The comparison folder of `territory-opt compare`, written atomically."""

from __future__ import annotations

import re
from pathlib import Path

from territory_opt.headcount.options import all_changes, all_uncovered
from territory_opt.headcount.runner import Comparison
from territory_opt.io.atomic import write_atomically
from territory_opt.output.comparison_page import render_comparison


def _slug(index: int, name: str) -> str:
    return f"{index + 1:02d}-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "option")


def write_comparison(comparison: Comparison, out_dir: Path) -> None:
    """Write comparison.csv, comparison.html, sites.csv, uncovered.csv and per option its
    accounts (every account once) and reps, atomically."""
    results = list(comparison.results)

    def fill(tmp: Path) -> None:
        comparison.table.to_csv(tmp / "comparison.csv", index=False)
        all_changes(results).to_csv(tmp / "sites.csv", index=False)
        all_uncovered(results).to_csv(tmp / "uncovered.csv", index=False)
        for r in results:
            folder = tmp / "options" / _slug(r.index, r.name)
            folder.mkdir(parents=True)
            r.accounts.to_csv(folder / "accounts.csv", index=False)
            r.reps.round(4).to_csv(folder / "reps.csv", index=False)
        html = render_comparison(comparison.title, comparison.table, all_changes(results),
                                 all_uncovered(results))
        (tmp / "comparison.html").write_text(html, encoding="utf-8", newline="\n")

    write_atomically(out_dir, fill)
