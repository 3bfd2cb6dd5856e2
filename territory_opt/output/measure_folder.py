"""The measure folder: every table of a measure as CSV, and summary.json."""

from __future__ import annotations

import json
from pathlib import Path

from territory_opt.io.atomic import write_atomically
from territory_opt.io.out_folder import OutputTarget
from territory_opt.io.spreadsheet_cells import write_table_csv
from territory_opt.measure.measure import MeasureResult, to_json


def write_measure(result: MeasureResult, out_dir: OutputTarget | Path) -> None:
    """Write every table as ``<name>.csv`` and ``summary.json``, atomically."""
    def fill(tmp: Path) -> None:
        for name, table in result.tables.items():
            write_table_csv(table, tmp / f"{name}.csv", date_format="%Y-%m-%d")
        (tmp / "summary.json").write_text(json.dumps(to_json(result, tables=False), indent=2)
                                          + "\n", encoding="utf-8")

    write_atomically(out_dir, fill, kind="measure")
