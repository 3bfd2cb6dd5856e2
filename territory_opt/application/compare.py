"""`territory-opt compare`: headcount options solved side by side, written as a folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from territory_opt.headcount.options import OptionResult
from territory_opt.headcount.runner import Comparison, compare_options, load_comparison
from territory_opt.io.load import run_inputs
from territory_opt.io.out_folder import prepare_output_dir
from territory_opt.measure.calibration import with_history_curves
from territory_opt.output.comparison_folder import write_comparison


def run_comparison(scenarios: list[str], sweep_file: str | None = None, *,
                   out: str | Path | None = None, workers: int | None = None,
                   scheduler: str | None = None, time_limit: float | None = None,
                   seed: int | None = None, utilization: float | None = None,
                   force: bool = False, on_done: Callable[[OptionResult], None] | None = None
                   ) -> tuple[Comparison, Path]:
    """Solve every option (several scenarios, or one scenario and a sweep) and write the
    comparison folder (default ``out/<scenario name>-compare/``); the comparison and folder."""
    inputs = load_comparison(scenarios, sweep_file, time_limit=time_limit, seed=seed,
                             utilization=utilization, prepare=with_history_curves)
    target = Path(out) if out is not None else inputs.default_out
    sources = [item for data in inputs.datas for item in run_inputs(data)]
    if sweep_file is not None:
        sources.append(("sweep", Path(sweep_file)))
    checked = prepare_output_dir(target, sources, kind="comparison", force=force)
    n = len(inputs.tasks)
    comparison = compare_options(inputs.tasks, title=inputs.title,
                                 workers=min(n, workers or os.cpu_count() or 1),
                                 scheduler=scheduler, on_done=on_done)
    write_comparison(comparison, checked)
    return comparison, target
