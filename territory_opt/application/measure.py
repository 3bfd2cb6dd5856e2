"""`territory-opt measure`: load the scenario, measure execution, write the CSVs."""

from __future__ import annotations

from pathlib import Path

from territory_opt.io.load import load_planning_data, run_inputs
from territory_opt.io.out_folder import default_plan_dir, prepare_output_dir
from territory_opt.measure.measure import MeasureParams, MeasureResult, measure
from territory_opt.output.measure_folder import write_measure


def run_measure(scenario: str | Path, params: MeasureParams, out_dir: Path | None = None, *,
                force: bool = False) -> tuple[MeasureResult, Path]:
    """Load the scenario, check the output folder (default out/<name>/measure/), measure,
    write the CSVs."""
    data = load_planning_data(scenario)
    target = Path(out_dir) if out_dir else default_plan_dir(data.scenario.name) / "measure"
    inputs = run_inputs(data)
    for name, path in (("activities", params.activities), ("deals", params.deals),
                       ("plan", params.plan_dir)):
        if path is not None:
            inputs.append((name, Path(path)))
    checked = prepare_output_dir(target, inputs, kind="measure", force=force)
    result = measure(data, params)
    write_measure(result, checked)
    return result, target
