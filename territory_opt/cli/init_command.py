"""`territory-opt init`: a commented scenario from a CRM's account and user exports."""

from __future__ import annotations

import click

from territory_opt.application.init import init_scenario
from territory_opt.cli.common import domain_errors
from territory_opt.domain.scenario import PRESETS


@click.command()
@click.argument("accounts", type=click.Path(dir_okay=False))
@click.argument("reps", type=click.Path(dir_okay=False))
@click.option("--preset", type=click.Choice(PRESETS),
              help="The CRM that wrote the files (default: told from their headers).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default="scenario.yaml",
              show_default=True, help="The scenario file to write.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@domain_errors
def init(accounts: str, reps: str, preset: str | None, out_file: str, force: bool) -> None:
    """Start a scenario from the CRM export you have: detect the CRM and the columns, preview
    tiers and workload against capacity, and write a commented scenario that validates as
    written. Edit its call patterns and limits, then run it.

    Example: territory-opt init Account.csv User.csv --out scenario.yaml
    """
    result = init_scenario(accounts, reps, preset=preset, out=out_file, force=force)
    for note in result.notes:
        click.echo(note)
    for table, columns in result.columns.items():
        if columns:
            found = ", ".join(f"{ours} <- {header}" for ours, header in columns.items())
            click.echo(f"{table}: {found}")
    click.echo("")
    click.echo(result.preview.to_string(index=False))
    click.echo(f"\nwrote {result.path}; edit call_patterns and the limits, then: "
               f"territory-opt run {result.path}")
