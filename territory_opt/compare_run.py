"""Run headcount options on an executor and write the comparison folder.

Options run one per task: in this process (``workers=1``), on local processes
(``ProcessPoolExecutor``, a fork server that preloads the package) or on a Dask distributed
cluster (``scheduler``; ``pip install "territory_opt[dask]"``). Each option is solved with a
fixed seed and one solver worker, so the table is the same whichever executor ran it; only the
seconds differ, and they are printed, not written to ``comparison.csv``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.atomic import write_atomically
from territory_opt.compare import (
    OptionResult,
    OptionTask,
    all_changes,
    all_uncovered,
    comparison_table,
    run_option,
)
from territory_opt.data import PlanningData
from territory_opt.errors import InputError
from territory_opt.executors import open_executor
from territory_opt.report_compare import ROWS
from territory_opt.sweep import HeadcountOption, Sweep


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
                    utilization: float | None = None) -> ComparisonInputs:
    """Options from several scenario files, or from one scenario and a sweep file (whose own
    ``scenario:`` is used when no scenario is given)."""
    from territory_opt.data import load_planning_data
    from territory_opt.outputs import default_plan_dir
    from territory_opt.sweep import load_sweep

    if sweep_file is not None:
        sweep = load_sweep(sweep_file)
        if len(scenarios) > 1:
            raise InputError("--sweep applies to one scenario; give one SCENARIO",
                             column="--sweep")
        path = scenarios[0] if scenarios else sweep.scenario
        if path is None:
            raise InputError("give a SCENARIO, or name one in the sweep file ('scenario:')",
                             file=sweep_file, column="scenario")
        data = load_planning_data(path)
        data = data.replace(scenario=sweep.apply(data.scenario))
        tasks = sweep_tasks(data, sweep, time_limit=time_limit, seed=seed,
                            utilization=utilization)
        name = data.scenario.name
        return ComparisonInputs(tasks, f"Headcount options: {name}",
                                default_plan_dir(f"{name}-compare"), (data,))
    if not scenarios:
        raise InputError("give scenario files to compare, or one scenario and --sweep FILE")
    datas = [load_planning_data(p) for p in scenarios]
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


def _slug(index: int, name: str) -> str:
    return f"{index + 1:02d}-" + (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "option")


def write_comparison(comparison: Comparison, out_dir: Path) -> None:
    """Write comparison.csv, comparison.html, sites.csv, uncovered.csv and per option its
    accounts (every account once) and reps, atomically."""
    from territory_opt.report_compare import render_comparison

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


# ---------------------------------------------------------------- terminal text

def _cell(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "%":
        return f"{100 * float(value):.1f}%"
    if kind == "n":
        x = float(value)
        return f"{0.0 if abs(x) < 0.5 else x:,.0f}"  # no '-0'
    if kind == "d":
        return f"{int(value)}"
    return str(value)


def format_text(comparison: Comparison) -> str:
    """The options side by side (one column each), then the sites and the run's timings."""
    t = comparison.table
    head = ["", *t["option"].astype(str)]
    rows = [head] + [[label, *(_cell(v, kind) for v in t[col])] for col, _, label, kind in ROWS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for _, r in t.iterrows():
        if r["added_sites"]:
            lines.append(f"{r['option']}: added {r['added_sites']}")
        if r["removed_reps"]:
            lines.append(f"{r['option']}: removed {r['removed_reps']}")
    for res in comparison.results:
        for reason in res.reasons if res.row["status"] not in ("optimal", "feasible") else ():
            lines.append(f"{res.name}: {reason}")
        for note in res.notes:
            lines.append(f"{res.name}: {note}")
    secs = ", ".join(f"{r.name} {r.seconds:.1f} s" for r in comparison.results)
    lines.append(f"{len(comparison.results)} options in {comparison.seconds:.1f} s "
                 f"({comparison.executor}): {secs}")
    return "\n".join(lines)
