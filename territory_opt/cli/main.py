"""The `territory-opt` command group."""

from __future__ import annotations

import signal

import click

from territory_opt.cli.init_command import init
from territory_opt.cli.measure_command import measure
from territory_opt.cli.plan_commands import export, report
from territory_opt.cli.scenario_commands import demo, run, segment, size, validate
from territory_opt.cli.schedule_command import schedule
from territory_opt.cli.team_commands import compare


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


for command in (init, validate, segment, size, run, compare, export, report, measure, schedule,
                demo):
    main.add_command(command)
