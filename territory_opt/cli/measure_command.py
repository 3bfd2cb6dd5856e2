"""The measure command: execution against the plan."""

from __future__ import annotations

import json
from pathlib import Path

import click

from territory_opt.application.measure import run_measure
from territory_opt.cli.common import FiniteFloat, domain_errors, force_option, say
from territory_opt.measure.measure import MeasureParams, to_json
from territory_opt.output.measure_text import format_text, format_warnings


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--activities", type=click.Path(dir_okay=False),
              help="Activities table (default: the scenario's data.activities).")
@click.option("--deals", type=click.Path(dir_okay=False),
              help="Deals table (default: the scenario's data.deals).")
@click.option("--plan", "plan_dir", type=click.Path(file_okay=False),
              help="Plan folder whose rep_id is the owner (default: the accounts' owner_id).")
@click.option("--period", help="2026 (year), 2026-Q3 (quarter) or 2026-07 (month); "
              "default: the span of the activity dates.")
@click.option("--target-deals", type=FiniteFloat(0, low_open=True),
              help="Won deals wanted per period: size the reverse funnel from the measured "
                   "rates.")
@click.option("--strict", is_flag=True, help="Stop at the first bad row instead of leaving "
              "bad rows out.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the CSVs (default out/<scenario name>/measure/).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@force_option
@domain_errors
def measure(scenario: str, activities: str | None, deals: str | None, plan_dir: str | None,
            period: str | None, target_deals: float | None, strict: bool, out_dir: str | None,
            as_json: bool, force: bool) -> None:
    """Measure execution: call-plan coverage, stage conversion, win rate, cycle length per
    rep and month, and the reverse funnel from the measured rates.

    Example: territory-opt measure scenarios/demo.yaml --period 2026-Q3 --target-deals 40
    """
    params = MeasureParams(activities=Path(activities) if activities else None,
                           deals=Path(deals) if deals else None,
                           plan_dir=Path(plan_dir) if plan_dir else None, period=period,
                           target_deals=target_deals, strict=strict)
    result, target = run_measure(scenario, params, Path(out_dir) if out_dir else None,
                                 force=force)
    if warnings := format_warnings(result):
        say(warnings, err=True)
    if as_json:
        click.echo(json.dumps({**to_json(result), "out": str(target)}, indent=2))
    else:
        say(format_text(result, target))
