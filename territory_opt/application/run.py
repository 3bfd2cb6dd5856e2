"""`territory-opt run`: load a scenario, solve it, write the plan folder."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from territory_opt.domain.errors import InfeasibleError
from territory_opt.engine.progress import Progress
from territory_opt.io.load import load_planning_data, run_inputs
from territory_opt.io.out_folder import default_plan_dir, prepare_output_dir
from territory_opt.measure.calibration import with_history_curves
from territory_opt.output.plan_writer import manifest, write_plan
from territory_opt.planning.executors import open_executor
from territory_opt.planning.profit_solve import solve_with_baseline
from territory_opt.planning.result import SolveParams, SolveResult
from territory_opt.planning.solve import solve

#: seconds per account kept from the solve for what follows it (the plan's metrics, the plan
#: folder with its report and CRM files): a million accounts took 31 s to write and their
#: solve ended 21 s after its deadline, so 30 s there (a 10,000-account plan: 0.3 s)
AFTER_SOLVE_SECONDS_PER_ACCOUNT = 3e-5


@dataclass(frozen=True)
class RunOutcome:
    """A written plan: the solve's result, the plan folder and its plan.json document; with
    ``objective: profit`` also ``baseline``, today's call patterns planned the same way."""

    result: SolveResult
    out: Path
    document: dict[str, Any]
    baseline: SolveResult | None = None

    def summary(self) -> dict[str, Any]:
        """The headline of plan.json for a terminal or a script: status, objective, bound,
        gap, seconds, the metrics and the folder."""
        r = self.result
        metrics = r.metrics.as_dict() if r.metrics else {}
        out = {"status": r.status, "objective": r.objective, "bound": r.bound, "gap": r.gap,
               "solve_seconds": round(r.solve_seconds, 2), **metrics, "out": str(self.out)}
        if "profit" in self.document:
            out["profit"] = self.document["profit"]
        return out


def process_start() -> float:
    """When this process started, on the time.monotonic() clock: Linux's /proc gives the
    process's age; elsewhere, now (the interpreter's start-up is then not counted)."""
    now = time.monotonic()
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        age = uptime - int(fields[19]) / ticks
    except (OSError, ValueError, IndexError):
        return now
    return now - min(max(0.0, age), 600.0)


def run_plan(scenario: str | Path, *, out: str | Path | None = None,
             time_limit: float | None = None, seed: int | None = None,
             scheduler: str | None = None, force: bool = False,
             progress: Callable[[Progress], None] | None = None) -> RunOutcome:
    """Solve ``scenario`` and write its plan folder (default ``out/<scenario name>/``).

    The output folder is checked before solving (:mod:`territory_opt.io.out_folder`; ``force``
    replaces a non-empty folder territory_opt did not write). Raises InputError for bad input
    or a refused output folder (nothing written) and InfeasibleError, with the reasons, when
    no plan was found (nothing written).

    The time limit counts from the start of the process (reading the inputs included): the
    solve ends by then, less AFTER_SOLVE_SECONDS_PER_ACCOUNT per account, and writing the
    plan folder takes what is left of the promise that the whole run ends within 1.1 × the
    limit + 5 s (docs/optimizer.md)."""
    start = process_start()
    data = with_history_curves(load_planning_data(scenario))
    target = Path(out) if out is not None else default_plan_dir(data.scenario.name)
    checked = prepare_output_dir(target, run_inputs(data), kind="plan", force=force)
    params = SolveParams(time_limit=time_limit, seed=seed, progress=progress)
    after = AFTER_SOLVE_SECONDS_PER_ACCOUNT * len(data.accounts)
    params = replace(params, deadline=start + params.settings(data.scenario).time_limit - after)
    baseline = None
    with open_executor(scheduler=scheduler) as executor:
        if data.scenario.objective.kind == "profit":
            result, baseline = solve_with_baseline(data, replace(params, executor=executor))
        else:
            result = solve(data, replace(params, executor=executor))
    if result.plan is None:
        raise InfeasibleError("\n  ".join(result.reasons), reasons=list(result.reasons))
    document = write_plan(data, result, checked, manifest(data, params.settings(data.scenario)),
                          baseline=baseline)
    return RunOutcome(result, target, document, baseline)
