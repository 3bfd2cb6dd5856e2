"""Commands on a scenario: validate, segment, size, run and demo."""

from __future__ import annotations

import json
from pathlib import Path

import click

from territory_opt.application.inspect import segment as segment_scenario
from territory_opt.application.inspect import size as size_scenario
from territory_opt.application.inspect import size_profit
from territory_opt.application.inspect import validate as validate_scenario
from territory_opt.application.run import run_plan
from territory_opt.cli.common import (
    EXIT_INPUT,
    SECONDS,
    SEED,
    domain_errors,
    fail,
    force_option,
    progress_printer,
    say,
)
from territory_opt.headcount.options import OptionResult
from territory_opt.output.profit_text import profit_lines


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@domain_errors
def validate(scenario: str, as_json: bool) -> None:
    """Check a scenario and its tables; print accounts per role and tier, reps per role and
    call hours against capacity.

    Example: territory-opt validate scenarios/demo.yaml
    """
    summary = validate_scenario(scenario)
    if as_json:
        click.echo(json.dumps(summary.to_dict(orient="records"), indent=2))
    else:
        say(summary.to_string(index=False))


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Write the tiers table to this CSV file.")
@force_option
@domain_errors
def segment(scenario: str, out_file: str | None, force: bool) -> None:
    """Compute A/B/C tiers; print the tier summary (and write account tiers with --out).

    Example: territory-opt segment scenarios/demo.yaml --out tiers.csv
    """
    say(segment_scenario(scenario, out_file, force=force).to_string(index=False))
    if out_file:
        say(f"wrote {out_file}")


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--utilization", type=click.FloatRange(0, 1, min_open=True), default=0.85,
              show_default=True, help="Target share of capacity a rep is planned to work.")
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON.")
@click.option("--profit", is_flag=True, help="Plan head counts around today's for profit "
              "(objective: profit) and name, per role, the one where the next rep returns "
              "less than its cost.")
@click.option("--time-limit", type=SECONDS,
              help="With --profit: solver seconds per head count (default: the scenario's).")
@click.option("--seed", type=SEED,
              help="With --profit: random seed of every head count (default: the scenario's).")
@click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
              help="With --profit: head counts solved at once on local processes.")
@domain_errors
def size(scenario: str, utilization: float, as_json: bool, profit: bool,
         time_limit: float | None, seed: int | None, workers: int) -> None:
    """Headcount planning: reps per role by workload and by reverse funnel, the managers and
    overlay people they imply, and the profit model. With --profit, the profit-optimal head
    count per role from sales-response curves (solves a plan per head count).

    Example: territory-opt size scenarios/demo.yaml --utilization 0.8
    """
    if profit:
        def done(res: OptionResult) -> None:
            if not as_json:
                say(f"{res.name}: {res.row['status']}, {res.seconds:.1f} s", err=True)

        sizing = size_profit(scenario, time_limit=time_limit, seed=seed, workers=workers,
                             on_done=done)
        say(json.dumps(sizing.to_dict(), indent=2) if as_json else sizing.to_text())
        return
    report = size_scenario(scenario, utilization=utilization)
    say(json.dumps(report.to_dict(), indent=2) if as_json else report.to_text())


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Plan folder (default out/<scenario name>/).")
@click.option("--time-limit", type=SECONDS, help="Seconds for the solver, above 0 "
              "(scenario default).")
@click.option("--seed", type=SEED, help="Random seed (scenario default).")
@force_option
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print plan.json's summary as JSON.")
@click.option("--scheduler", help="Price the candidate pairs and the bound on this Dask "
              "scheduler, e.g. tcp://scheduler.example.com:8786 (needs territory_opt[dask]); "
              "the plan is the same as without.")
@domain_errors
def run(scenario: str, out_dir: str | None, time_limit: float | None, seed: int | None,
        force: bool, quiet: bool, as_json: bool, scheduler: str | None) -> None:
    """Solve the rebalancing plan and write the plan folder.

    Example: territory-opt run scenarios/demo.yaml --out out/demo --time-limit 30
    """
    outcome = run_plan(scenario, out=out_dir, time_limit=time_limit, seed=seed,
                       scheduler=scheduler, force=force,
                       progress=progress_printer(quiet or as_json))
    if not (quiet or as_json):
        click.echo("", err=True)
    result, summary = outcome.result, outcome.summary()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif not quiet:
        if "profit" in outcome.document:
            click.echo(profit_lines(result.status, result.solve_seconds,
                                    outcome.document["profit"]))
        else:
            click.echo(f"{result.status}: objective {result.objective:,.2f}, bound "
                       f"{result.bound:,.2f}, gap {result.gap:.2%}, "
                       f"{result.solve_seconds:.1f} s")
        click.echo(f"moves {summary['moves']} ({summary['moved_share']:.1%}), hand-overs "
                   f"{summary['handovers']}, travel {summary['travel_hours']:,.0f} h, "
                   f"max deviation {summary['max_deviation']:.1%}")
        say(f"wrote {outcome.out}/")
    if not result.reproducible and not quiet:
        click.echo("note: the time limit stopped the search before its work budget (a busy "
                   "machine?), so a rerun with the same seed may give another plan", err=True)


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out/demo",
              show_default=True, help="Plan folder.")
@click.option("--time-limit", type=SECONDS, help="Seconds for the solver, above 0.")
@force_option
@click.pass_context
def demo(ctx: click.Context, out_dir: str, time_limit: float | None, force: bool) -> None:
    """Run the bundled Ohio demo scenario (scenarios/demo.yaml of the source checkout).

    Example: territory-opt demo --out out/demo
    """
    path = Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml"
    if not path.is_file():
        fail(f"the demo scenario is not at {path}; run from a source checkout", EXIT_INPUT)
    ctx.invoke(run, scenario=str(path), out_dir=out_dir, time_limit=time_limit, seed=None,
               force=force, quiet=False, as_json=False, scheduler=None)
