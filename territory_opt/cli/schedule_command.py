"""`territory-opt schedule`: each rep's visit calendar and daily routes over a horizon."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from territory_opt.application.schedule import run_schedule
from territory_opt.cli.common import SEED, domain_errors, force_option, say
from territory_opt.domain.schedule_settings import MAX_WEEKS
from territory_opt.schedule import RepSchedule, ScheduleParams


@click.command()
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.option("--weeks", type=click.IntRange(1, MAX_WEEKS),
              help="Weeks to schedule (default: the scenario's schedule.weeks, 13).")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="First day, YYYY-MM-DD (default: schedule.start, else the next Monday).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Output folder (default: PLAN_DIR/schedule).")
@click.option("--scenario", type=click.Path(dir_okay=False),
              help="The plan's scenario file (default: the one plan.json names).")
@click.option("--workers", type=click.IntRange(1, 256),
              help="Reps scheduled at once on local processes (default: solver.workers).")
@click.option("--seed", type=SEED, help="Random seed (default: solver.seed).")
@click.option("--quiet", is_flag=True, help="No progress and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print schedule.json's totals as JSON.")
@force_option
@domain_errors
def schedule(plan_dir: str, weeks: int | None, start: object, out_dir: str | None,
             scenario: str | None, workers: int | None, seed: int | None, quiet: bool,
             as_json: bool, force: bool) -> None:
    """Lay out each rep's visits of the call plan over working days with daily routes from
    home, the calls in the hours left; write schedule.csv, one .ics calendar per rep, a
    Salesforce Event import file, the day loads, what does not fit, and the travel model
    checked against the routes.

    Example: territory-opt schedule out/demo --weeks 13 --start 2026-01-05
    """
    began = time.perf_counter()

    def progress(rep: RepSchedule, done: int, total: int) -> None:
        if quiet or as_json:
            return
        say(f"[{time.perf_counter() - began:6.1f}s] {done}/{total} {rep.rep_id} ({rep.role}): "
            f"{rep.visits_scheduled}/{rep.visits_due} visits, "
            f"{rep.remote_scheduled}/{rep.remote_due} calls", err=True)

    day = start.date() if hasattr(start, "date") else None  # type: ignore[union-attr]
    outcome = run_schedule(plan_dir, out_dir, scenario=scenario, force=force,
                           params=ScheduleParams(weeks=weeks, start=day, workers=workers,
                                                 seed=seed), progress=progress)
    s = outcome.summary
    if as_json:
        click.echo(json.dumps({k: s[k] for k in ("calendar", "totals", "overloads",
                                                  "calibration", "seconds", "reproducible")}
                              | {"out": str(outcome.out)}, indent=2))
        return
    if quiet:
        return
    for line in summary_lines(s):
        say(line)
    for note in outcome.notes:
        say(note)
    say(f"wrote {outcome.out}/")


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The terminal summary of ``schedule.json``: what fits, the travel check, the weeks
    over."""
    cal, t, c = s["calendar"], s["totals"], s["calibration"]
    lines = [f"{cal['weeks']} weeks from {cal['start']} ({cal['open_days']} working days), "
             f"{len(s['reps'])} reps: "
             f"{t['visits_scheduled']:,} of {t['visits_due']:,} visits and "
             f"{t['remote_scheduled']:,} of {t['remote_due']:,} calls scheduled; "
             f"{t['drive_hours']:,.0f} h driving, {s['seconds']:.0f} s"]
    if c.get("visits_per_trip"):
        lines.append(f"travel model: the routes drive {c['routed_hours']:,.0f} h where SPEC §5 "
                     f"gives {c['modelled_hours']:,.0f} h at visits_per_trip "
                     f"{c['scenario_visits_per_trip']:g}; they agree at visits_per_trip "
                     f"{c['visits_per_trip']:.2f} (calibration.csv per rep)")
    over = s["overloads"]
    if over:
        lines.append(f"does not fit ({t['visits_not_fitting']:,} visits, "
                     f"{t['remote_not_fitting']:,} calls; overloads.csv, not_fitting.csv):")
        for row in over[:12]:
            week = f"week {row['week']}" if row["week"] else "no working day can hold them"
            lines.append(f"  {row['rep_id']} {week}: {row['visits_not_fitting']} visits, "
                         f"{row['remote_not_fitting']} calls, {row['hours_over']:.1f} h over")
        if len(over) > 12:
            lines.append(f"  … {len(over) - 12} more in overloads.csv")
    return lines
