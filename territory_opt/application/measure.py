"""`territory-opt measure`: load the scenario, measure execution, write the CSVs."""

from __future__ import annotations

from pathlib import Path

from territory_opt.io.load import load_planning_data
from territory_opt.io.out_folder import check_output_dir, default_plan_dir
from territory_opt.measure.measure import MeasureParams, MeasureResult, measure
from territory_opt.output.measure_folder import write_measure


def run_measure(scenario: str | Path, params: MeasureParams,
                out_dir: Path | None = None) -> tuple[MeasureResult, Path]:
    """Load the scenario, measure, write the CSVs (default out/<name>/measure/)."""
    data = load_planning_data(scenario)
    result = measure(data, params)
    target = Path(out_dir) if out_dir else default_plan_dir(data.scenario.name) / "measure"
    files = {t.name: Path(t.file) for t in result.inputs}
    check_output_dir(data.replace(sources={**data.sources, **files}), target)
    write_measure(result, target)
    return result, target
