"""Commands on headcount options: compare."""

from __future__ import annotations

import json

import click

from territory_opt.application.compare import run_comparison
from territory_opt.cli.common import SECONDS, SEED, FiniteFloat, domain_errors, force_option, say
from territory_opt.headcount.options import OptionResult
from territory_opt.output.comparison_text import format_text


@click.command()
@click.argument("scenarios", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--sweep", "sweep_file", type=click.Path(dir_okay=False),
              help="YAML of headcount options for one SCENARIO, e.g. "
                   "'ranges: {farmer: [10, 14]}' (docs/user-guide.md: headcount options).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for comparison.csv and comparison.html "
                   "(default out/<scenario name>-compare/).")
@click.option("--workers", type=click.IntRange(1, 256), help="Options solved at once on "
              "local processes (default: the number of CPUs).")
@click.option("--scheduler", help="Run the options on this Dask scheduler, e.g. "
              "tcp://scheduler.example.com:8786 (needs territory_opt[dask]).")
@click.option("--time-limit", type=SECONDS,
              help="Solver seconds per option (default: the sweep's, else the scenario's).")
@click.option("--seed", type=SEED, help="Random seed of every option.")
@click.option("--utilization", type=FiniteFloat(0, 1, low_open=True),
              help="Share of each rep's capacity_hours an option may plan (default 1).")
@force_option
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@domain_errors
def compare(scenarios: tuple[str, ...], sweep_file: str | None, out_dir: str | None,
            workers: int | None, scheduler: str | None, time_limit: float | None,
            seed: int | None, utilization: float | None, force: bool, quiet: bool,
            as_json: bool) -> None:
    """Compare headcount options side by side: several scenarios, or one scenario and a sweep
    of head counts; reps added are placed, too few reps leave accounts uncovered.

    Example: territory-opt compare scenarios/demo.yaml --sweep farmers.yaml --workers 2
    """

    def done(res: OptionResult) -> None:
        if not (quiet or as_json):
                say(f"{res.name}: {res.row['status']}, {res.row['uncovered_accounts']} "
                f"uncovered, {res.seconds:.1f} s", err=True)

    comparison, target = run_comparison(list(scenarios), sweep_file, out=out_dir,
                                        workers=workers, scheduler=scheduler,
                                        time_limit=time_limit, seed=seed,
                                        utilization=utilization, force=force, on_done=done)
    if as_json:
        table = json.loads(comparison.table.to_json(orient="records", double_precision=10))
        click.echo(json.dumps({"options": table, "seconds": round(comparison.seconds, 2),
                               "out": str(target)}, indent=2))
    elif not quiet:
        say(format_text(comparison))
        say(f"wrote {target}/")
