"""Command line. Each command parses options, calls one library function and prints; library
errors become exit codes (2: invalid input, 3: infeasible)."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from territory_opt.crm import CRMS
from territory_opt.errors import InfeasibleError, InputError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_INFEASIBLE = 3


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def domain_errors(func: F) -> F:
    """Turn InputError into exit 2 and InfeasibleError into exit 3, without a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            _fail(str(err), EXIT_INPUT)
        except InfeasibleError as err:
            _fail(str(err), EXIT_INFEASIBLE)

    return wrapper  # type: ignore[return-value]


@click.group()
@click.version_option(package_name="territory_opt")
def main() -> None:
    """territory_opt: plan sales territories and teams with provable quality.

    Example: territory-opt run scenarios/demo.yaml
    """
    # SIGTERM unwinds like Ctrl-C, so a half-written plan folder is cleaned up
    signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@domain_errors
def validate(scenario: str, as_json: bool) -> None:
    """Check a scenario and its tables; print accounts per role and tier, reps per role and
    call hours against capacity.

    Example: territory-opt validate scenarios/demo.yaml
    """
    from territory_opt.data import load_planning_data
    from territory_opt.summary import validation_summary

    summary = validation_summary(load_planning_data(scenario))
    if as_json:
        click.echo(json.dumps(summary.to_dict(orient="records"), indent=2))
    else:
        click.echo(summary.to_string(index=False))


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Write the tiers table to this CSV file.")
@domain_errors
def segment(scenario: str, out_file: str | None) -> None:
    """Compute A/B/C tiers; print the tier summary (and write account tiers with --out).

    Example: territory-opt segment scenarios/demo.yaml --out tiers.csv
    """
    from territory_opt.data import load_planning_data
    from territory_opt.summary import tier_summary

    data = load_planning_data(scenario)
    click.echo(tier_summary(data).to_string(index=False))
    if out_file:
        cols = ["account_id", "tier", "role", "potential", "touch_hours"]
        data.accounts[cols].to_csv(out_file, index=False)
        click.echo(f"wrote {out_file}")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--utilization", type=click.FloatRange(0, 1, min_open=True), default=0.85,
              show_default=True, help="Target share of capacity a rep is planned to work.")
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON.")
@domain_errors
def size(scenario: str, utilization: float, as_json: bool) -> None:
    """Headcount planning: reps per role by workload and by reverse funnel, the managers and
    overlay people they imply, and the profit model.

    Example: territory-opt size scenarios/demo.yaml --utilization 0.8
    """
    from territory_opt.data import load_planning_data
    from territory_opt.sizing import size_team

    report = size_team(load_planning_data(scenario), utilization=utilization)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.to_text())


def _progress_printer(quiet: bool) -> Callable[[Any], None] | None:
    if quiet:
        return None
    last = [0.0]

    def show(p: Any) -> None:
        if p.elapsed - last[0] < 1.0:
            return
        last[0] = p.elapsed
        obj = "—" if p.objective is None else f"{p.objective:,.1f}"
        gap = ""
        if p.objective and p.bound is not None and p.violation == 0:
            gap = f"  gap {(p.objective - p.bound) / max(abs(p.objective), 1e-9):.2%}"
        viol = f"  violation {p.violation:,.0f}" if p.violation else ""
        bound = "—" if p.bound is None else f"{p.bound:,.1f}"
        click.echo(f"\r[{p.elapsed:6.1f}s] {p.phase:8s} objective {obj}  bound "
                   f"{bound}{gap}{viol}      ", nl=False, err=True)

    return show


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Plan folder (default out/<scenario name>/).")
@click.option("--time-limit", type=float, help="Seconds for the solver (scenario default).")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), help="Random seed (scenario default).")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print plan.json's summary as JSON.")
@click.option("--scheduler", help="Price the candidate pairs and the bound on this Dask "
              "scheduler, e.g. tcp://scheduler.example.com:8786 (needs territory_opt[dask]); "
              "the plan is the same as without.")
@domain_errors
def run(scenario: str, out_dir: str | None, time_limit: float | None, seed: int | None,
        quiet: bool, as_json: bool, scheduler: str | None) -> None:
    """Solve the rebalancing plan and write the plan folder.

    Example: territory-opt run scenarios/demo.yaml --out out/demo --time-limit 30
    """
    from territory_opt.data import load_planning_data
    from territory_opt.executors import open_executor
    from territory_opt.outputs import check_output_dir, default_plan_dir, manifest, write_plan
    from territory_opt.solve import SolveParams, solve

    data = load_planning_data(scenario)
    target = Path(out_dir) if out_dir else default_plan_dir(data.scenario.name)
    check_output_dir(data, target)
    sc = data.scenario.solver
    with open_executor(scheduler=scheduler) as executor:
        params = SolveParams(time_limit=time_limit, seed=seed, executor=executor,
                             progress=_progress_printer(quiet or as_json))
        result = solve(data, params)
    if not (quiet or as_json):
        click.echo("", err=True)
    if result.plan is None:
        raise InfeasibleError("\n  ".join(result.reasons))
    man = manifest(data, seed if seed is not None else sc.seed, sc.workers,
                   time_limit if time_limit is not None else sc.time_limit_s)
    write_plan(data, result, target, man)
    summary = {"status": result.status, "objective": result.objective, "bound": result.bound,
               "gap": result.gap, "solve_seconds": round(result.solve_seconds, 2),
               **result.metrics, "out": str(target)}
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif not quiet:
        m = result.metrics
        click.echo(f"{result.status}: objective {result.objective:,.2f}, bound "
                   f"{result.bound:,.2f}, gap {result.gap:.2%}, {result.solve_seconds:.1f} s")
        click.echo(f"moves {m['moves']} ({m['moved_share']:.1%}), hand-overs {m['handovers']}, "
                   f"travel {m['travel_hours']:,.0f} h, max deviation {m['max_deviation']:.1%}")
        click.echo(f"wrote {target}/")
    if result.stats.get("clock_stopped") and not quiet:
        click.echo("note: the time limit stopped the search before its work budget (a busy "
                   "machine?), so a rerun with the same seed may give another plan", err=True)


@main.command()
@click.argument("scenarios", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--sweep", "sweep_file", type=click.Path(dir_okay=False),
              help="YAML of headcount options for one SCENARIO, e.g. "
                   "'ranges: {farmer: [10, 14]}' (README: Comparing headcount options).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for comparison.csv and comparison.html "
                   "(default out/<scenario name>-compare/).")
@click.option("--workers", type=click.IntRange(1, 256), help="Options solved at once on "
              "local processes (default: the number of CPUs).")
@click.option("--scheduler", help="Run the options on this Dask scheduler, e.g. "
              "tcp://scheduler.example.com:8786 (needs territory_opt[dask]).")
@click.option("--time-limit", type=click.FloatRange(0, min_open=True),
              help="Solver seconds per option (default: the sweep's, else the scenario's).")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), help="Random seed of every option.")
@click.option("--utilization", type=click.FloatRange(0, 1, min_open=True),
              help="Share of each rep's capacity_hours an option may plan (default 1).")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@domain_errors
def compare(scenarios: tuple[str, ...], sweep_file: str | None, out_dir: str | None,
            workers: int | None, scheduler: str | None, time_limit: float | None,
            seed: int | None, utilization: float | None, quiet: bool, as_json: bool) -> None:
    """Compare headcount options side by side: several scenarios, or one scenario and a sweep
    of head counts; reps added are placed, too few reps leave accounts uncovered.

    Example: territory-opt compare scenarios/demo.yaml --sweep farmers.yaml --workers 2
    """
    import os

    from territory_opt.compare_run import (
        compare_options,
        format_text,
        load_comparison,
        write_comparison,
    )
    from territory_opt.outputs import check_output_dir

    inputs = load_comparison(list(scenarios), sweep_file, time_limit=time_limit, seed=seed,
                             utilization=utilization)
    target = Path(out_dir) if out_dir else inputs.default_out
    for data in inputs.datas:
        check_output_dir(data, target)
    n = len(inputs.tasks)

    def done(res: Any) -> None:
        if not (quiet or as_json):
            click.echo(f"{res.name}: {res.row['status']}, {res.row['uncovered_accounts']} "
                       f"uncovered, {res.seconds:.1f} s", err=True)

    comparison = compare_options(inputs.tasks, title=inputs.title,
                                 workers=min(n, workers or os.cpu_count() or 1),
                                 scheduler=scheduler, on_done=done)
    write_comparison(comparison, target)
    if as_json:
        table = json.loads(comparison.table.to_json(orient="records", double_precision=10))
        click.echo(json.dumps({"options": table, "seconds": round(comparison.seconds, 2),
                               "out": str(target)}, indent=2))
    elif not quiet:
        click.echo(format_text(comparison))
        click.echo(f"wrote {target}/")


@main.command()
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.option("--crm", type=click.Choice(CRMS), required=True,
              help="Import layout: Salesforce account owners, Salesforce Enterprise Territory "
                   "Management, HubSpot companies or Dynamics 365 accounts.")
@click.option("--all", "all_accounts", is_flag=True,
              help="Every account, not only those whose owner changes.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Output folder (default: PLAN_DIR/crm/CRM).")
@click.option("--territory-model-id", default="",
              help="Id of the Territory2Model in Planning state (salesforce-territory).")
@click.option("--territory-type-id", default="",
              help="Id of the Territory2Type (salesforce-territory).")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@domain_errors
def export(plan_dir: str, crm: str, all_accounts: bool, out_dir: str | None,
           territory_model_id: str, territory_type_id: str, as_json: bool) -> None:
    """Write a plan's owner changes in the CSV layout of a CRM's import tool.

    Example: territory-opt export out/demo --crm salesforce
    """
    from territory_opt.crm import export_crm
    from territory_opt.plan_folder import read_plan_folder

    plan = read_plan_folder(plan_dir)
    target = Path(out_dir) if out_dir else Path(plan_dir) / "crm" / crm
    manifest = export_crm(plan, crm, target, changes_only=not all_accounts,
                          territory_model_id=territory_model_id,
                          territory_type_id=territory_type_id)
    if as_json:
        click.echo(json.dumps(manifest, indent=2))
        return
    for name, rows in manifest["files"].items():
        click.echo(f"{target / name}: {rows} rows")
    for note in manifest["notes"]:
        click.echo(f"- {note}")


@main.command()
@click.argument("plan_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="HTML file (default: PLAN_DIR/report.html for one plan, "
                   "compare.html for several).")
@domain_errors
def report(plan_dirs: tuple[str, ...], out_file: str | None) -> None:
    """Write one self-contained HTML report that opens offline; several plans give a
    comparison page.

    Example: territory-opt report out/demo out/demo-2-farmers --out compare.html
    """
    from territory_opt.plan_folder import read_plan_folder
    from territory_opt.report import write_report

    plans = [read_plan_folder(d) for d in plan_dirs]
    if out_file:
        target = Path(out_file)
    else:
        target = Path(plan_dirs[0]) / "report.html" if len(plans) == 1 else Path("compare.html")
    write_report(plans, target)
    click.echo(f"Wrote {target}")


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--activities", type=click.Path(dir_okay=False),
              help="Activities table (default: the scenario's data.activities).")
@click.option("--deals", type=click.Path(dir_okay=False),
              help="Deals table (default: the scenario's data.deals).")
@click.option("--plan", "plan_dir", type=click.Path(file_okay=False),
              help="Plan folder whose rep_id is the owner (default: the accounts' owner_id).")
@click.option("--period", help="2026 (year), 2026-Q3 (quarter) or 2026-07 (month); "
              "default: the span of the activity dates.")
@click.option("--target-deals", type=float, help="Won deals wanted per period: size the "
              "reverse funnel from the measured rates.")
@click.option("--strict", is_flag=True, help="Stop at the first bad row instead of leaving "
              "bad rows out.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the CSVs (default out/<scenario name>/measure/).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@domain_errors
def measure(scenario: str, activities: str | None, deals: str | None, plan_dir: str | None,
            period: str | None, target_deals: float | None, strict: bool, out_dir: str | None,
            as_json: bool) -> None:
    """Measure execution: call-plan coverage, stage conversion, win rate, cycle length per
    rep and month, and the reverse funnel from the measured rates.

    Example: territory-opt measure scenarios/demo.yaml --period 2026-Q3 --target-deals 40
    """
    from territory_opt.measure import (
        MeasureParams,
        format_text,
        format_warnings,
        run_measure,
        to_json,
    )

    params = MeasureParams(activities=Path(activities) if activities else None,
                           deals=Path(deals) if deals else None,
                           plan_dir=Path(plan_dir) if plan_dir else None, period=period,
                           target_deals=target_deals, strict=strict)
    result, target = run_measure(scenario, params, Path(out_dir) if out_dir else None)
    if warnings := format_warnings(result):
        click.echo(warnings, err=True)
    if as_json:
        click.echo(json.dumps({**to_json(result), "out": str(target)}, indent=2))
    else:
        click.echo(format_text(result, target))


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out/demo",
              show_default=True, help="Plan folder.")
@click.option("--time-limit", type=float, help="Seconds for the solver.")
@click.pass_context
def demo(ctx: click.Context, out_dir: str, time_limit: float | None) -> None:
    """Run the bundled Ohio demo scenario (scenarios/demo.yaml of the source checkout).

    Example: territory-opt demo --out out/demo
    """
    path = Path(__file__).resolve().parent.parent / "scenarios" / "demo.yaml"
    if not path.is_file():
        _fail(f"the demo scenario is not at {path}; run from a source checkout", EXIT_INPUT)
    ctx.invoke(run, scenario=str(path), out_dir=out_dir, time_limit=time_limit, seed=None,
               quiet=False, as_json=False)
