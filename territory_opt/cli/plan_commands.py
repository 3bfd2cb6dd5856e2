"""Commands on plan folders already written: export and report."""

from __future__ import annotations

import json

import click

from territory_opt.application.plan_folders import export_plan, report_plans
from territory_opt.cli.common import domain_errors, force_option, say
from territory_opt.output.crm import CRMS


@click.command()
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
@force_option
@domain_errors
def export(plan_dir: str, crm: str, all_accounts: bool, out_dir: str | None,
           territory_model_id: str, territory_type_id: str, as_json: bool,
           force: bool) -> None:
    """Write a plan's owner changes in the CSV layout of a CRM's import tool.

    Example: territory-opt export out/demo --crm salesforce
    """
    manifest, target = export_plan(plan_dir, crm, out_dir, all_accounts=all_accounts,
                                   territory_model_id=territory_model_id,
                                   territory_type_id=territory_type_id, force=force)
    if as_json:
        click.echo(json.dumps(manifest, indent=2))
        return
    for name, rows in manifest["files"].items():
        say(f"{target / name}: {rows} rows")
    for note in manifest["notes"]:
        say(f"- {note}")


@click.command()
@click.argument("plan_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="HTML file (default: PLAN_DIR/report.html for one plan, "
                   "compare.html for several).")
@force_option
@domain_errors
def report(plan_dirs: tuple[str, ...], out_file: str | None, force: bool) -> None:
    """Write one self-contained HTML report that opens offline; several plans give a
    comparison page.

    Example: territory-opt report out/demo out/demo-2-farmers --out compare.html
    """
    target = report_plans(list(plan_dirs), out_file, force=force)
    say(f"Wrote {target}")
