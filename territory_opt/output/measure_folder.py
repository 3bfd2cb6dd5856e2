"""The measure folder: every table of a measure as CSV, and summary.json."""

from __future__ import annotations

import json
from pathlib import Path

from territory_opt.io.atomic import write_atomically
from territory_opt.measure.measure import MeasureResult, to_json


def write_measure(result: MeasureResult, out_dir: Path) -> None:
    """Write every table as ``<name>.csv`` and ``summary.json``, atomically."""
    def fill(tmp: Path) -> None:
        for name, table in result.tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        (tmp / "summary.json").write_text(json.dumps(to_json(result, tables=False), indent=2)
                                          + "\n", encoding="utf-8")

    write_atomically(out_dir, fill)
