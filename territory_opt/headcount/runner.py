"""Run headcount options on an executor: the comparison of `territory-opt compare`.

Options run one per task: in this process (``workers=1``), on local processes
(``ProcessPoolExecutor``, a fork server that preloads the package) or on a Dask distributed
cluster (``scheduler``; ``pip install "territory_opt[dask]"``). Each option is solved with a
fixed seed and one solver worker, so the table is the same whichever executor ran it; only the
seconds differ, and they are printed, not written to ``comparison.csv``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.options import (
    OptionResult,
    OptionTask,
    comparison_table,
    run_option,
)
from territory_opt.headcount.sweep_file import HeadcountOption, Sweep, load_sweep
from territory_opt.io.load import load_planning_data
from territory_opt.io.out_folder import default_plan_dir
from territory_opt.planning.executors import open_executor


@dataclass(frozen=True)
class Comparison:
    """The comparison table, every option's result and the wall time of the whole run."""

    title: str
    table: pd.DataFrame
    results: tuple[OptionResult, ...]
    seconds: float
    executor: str


def sweep_tasks(data: PlanningData, sweep: Sweep, *, time_limit: float | None = None,
                seed: int | None = None, utilization: float | None = None) -> list[OptionTask]:
    """One task per option of ``sweep`` on ``data``; arguments override the sweep's."""
    return [OptionTask(index=i, option=opt, data=data, sites=sweep.candidate_sites,
                       time_limit=time_limit if time_limit is not None else sweep.time_limit_s,
                       seed=seed if seed is not None else sweep.seed,
                       utilization=utilization if utilization is not None
                       else sweep.utilization)
            for i, opt in enumerate(sweep.options)]


def scenario_tasks(datas: list[PlanningData], *, time_limit: float | None = None,
                   seed: int | None = None, utilization: float = 1.0) -> list[OptionTask]:
    """One task per scenario, as it is (named by the scenario; repeated names numbered)."""
    names: list[str] = []
    for d in datas:
        name = d.scenario.name
        names.append(name if name not in names else f"{name} ({len(names) + 1})")
    return [OptionTask(index=i, option=HeadcountOption(name=n), data=d, time_limit=time_limit,
                       seed=seed, utilization=utilization)
            for i, (n, d) in enumerate(zip(names, datas, strict=True))]


@dataclass(frozen=True)
class ComparisonInputs:
    """The options to run, the page title, the default output folder and the input data (to
    refuse an output folder that holds an input)."""

    tasks: list[OptionTask]
    title: str
    default_out: Path
    datas: tuple[PlanningData, ...]


def load_comparison(scenarios: list[str], sweep_file: str | None = None, *,
                    time_limit: float | None = None, seed: int | None = None,
                    utilization: float | None = None,
                    prepare: Callable[[PlanningData], PlanningData] | None = None
                    ) -> ComparisonInputs:
    """Options from several scenario files, or from one scenario and a sweep file (whose own
    ``scenario:`` is used when no scenario is given). ``prepare`` is applied to each loaded
    scenario (the application fits history curves with it)."""
    def load(path: str | Path) -> PlanningData:
        data = load_planning_data(path)
        return prepare(data) if prepare is not None else data

    if sweep_file is not None:
        sweep = load_sweep(sweep_file)
        if len(scenarios) > 1:
            raise InputError("--sweep applies to one scenario; give one SCENARIO",
                             column="--sweep")
        path = scenarios[0] if scenarios else sweep.scenario
        if path is None:
            raise InputError("give a SCENARIO, or name one in the sweep file ('scenario:')",
                             file=sweep_file, column="scenario")
        data = load(path)
        data = data.replace(scenario=sweep.apply(data.scenario))
        tasks = sweep_tasks(data, sweep, time_limit=time_limit, seed=seed,
                            utilization=utilization)
        name = data.scenario.name
        return ComparisonInputs(tasks, f"Headcount options: {name}",
                                default_plan_dir(f"{name}-compare"), (data,))
    if not scenarios:
        raise InputError("give scenario files to compare, or one scenario and --sweep FILE")
    datas = [load(p) for p in scenarios]
    tasks = scenario_tasks(datas, time_limit=time_limit, seed=seed,
                           utilization=1.0 if utilization is None else utilization)
    first = datas[0].scenario.name
    return ComparisonInputs(tasks, f"Scenarios compared: {', '.join(t.option.name for t in tasks)}",
                            default_plan_dir(f"{first}-compare"), tuple(datas))


def _expected_work(task: OptionTask) -> tuple[int, int]:
    """Sort key putting the longest-looking options first (reps to place, then size), so
    the workers finish together."""
    have = task.data.reps["role"].value_counts()
    added = sum(max(0, n - int(have.get(role, 0))) for role, n in task.option.headcount)
    return -added, -len(task.data.accounts) * max(1, len(task.data.reps))


def run_options(tasks: list[OptionTask], executor: Executor | None,
                on_done: Callable[[OptionResult], None] | None = None) -> list[OptionResult]:
    """Every task's result, in task order; ``on_done`` is called as each one finishes."""
    results: list[OptionResult] = []
    if executor is None:
        for task in tasks:
            results.append(run_option(task))
            if on_done:
                on_done(results[-1])
        return results
    order = sorted(tasks, key=_expected_work)
    futures: list[Future[Any]] = [executor.submit(run_option, t) for t in order]
    for fut in as_completed(futures):
        res = fut.result()
        results.append(res)
        if on_done:
            on_done(res)
    return sorted(results, key=lambda r: r.index)


def compare_options(tasks: list[OptionTask], *, title: str, workers: int = 1,
                    scheduler: str | None = None, executor: Executor | None = None,
                    on_done: Callable[[OptionResult], None] | None = None) -> Comparison:
    """Run every option and build the table. ``executor`` (e.g. a Dask client's
    ``get_executor()``) wins over ``workers`` and ``scheduler``."""
    if not tasks:
        raise InputError("nothing to compare: give scenarios or a sweep with options")
    t0 = time.monotonic()
    if executor is not None:
        results = run_options(tasks, executor, on_done)
        kind = type(executor).__name__
    else:
        with open_executor(workers, scheduler) as ex:
            results = run_options(tasks, ex, on_done)
        kind = "dask" if scheduler else (f"{workers} processes" if workers > 1 else "serial")
    return Comparison(title, comparison_table(results), tuple(results),
                      time.monotonic() - t0, kind)
