"""`territory-opt schedule`: read a plan folder and its scenario, schedule every rep, write the
schedule folder (default ``PLAN_DIR/schedule/``) and redraw the plan's report with a page per
rep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from territory_opt.domain.errors import InputError
from territory_opt.io.calibration_file import calibration_path
from territory_opt.io.load import file_sha256
from territory_opt.io.out_folder import prepare_output_dir, prepare_output_file
from territory_opt.io.plan_folder import (
    ASSIGNMENTS_FILE,
    PLAN_FILE,
    REPS_FILE,
    PlanFolder,
    read_plan_folder,
)
from territory_opt.io.scenario_file import load_scenario
from territory_opt.io.schedule_folder import SCHEDULE_DIR
from territory_opt.output.report import is_report, write_report
from territory_opt.output.schedule_folder import write_schedule
from territory_opt.schedule import RepSchedule, ScheduleParams, ScheduleResult, make_schedule


@dataclass(frozen=True)
class ScheduleOutcome:
    """What ``schedule`` did: the schedule, ``schedule.json``'s content, the folder written
    and notes for the terminal (e.g. the report redrawn, or why not)."""

    result: ScheduleResult
    summary: dict[str, Any]
    out: Path
    notes: tuple[str, ...] = field(default_factory=tuple)


def plan_scenario(plan: PlanFolder, given: str | Path | None) -> tuple[Path, list[str]]:
    """The scenario of a plan: ``given``, else the one its ``plan.json`` names; and a note
    when that file changed since the plan was written."""
    inputs = (plan.plan.get("manifest") or {}).get("inputs") or {}
    named = inputs.get("scenario") if isinstance(inputs, dict) else None
    if given is not None:
        path = Path(given)
    elif isinstance(named, dict) and named.get("path"):
        path = Path(str(named["path"]))
    else:
        raise InputError("the plan folder does not name its scenario; give it with --scenario",
                         file=str(plan.path / PLAN_FILE))
    if not path.is_file():
        raise InputError("the plan's scenario file is not there (plan.json names it relative "
                         "to where `run` ran); give it with --scenario", file=str(path))
    notes = []
    if isinstance(named, dict) and named.get("sha256") and given is None \
            and named["sha256"] != file_sha256(path):
        notes.append(f"{path} changed since the plan was written: its current call patterns "
                     "and schedule settings are used")
    return path, notes


def run_schedule(plan_dir: str | Path, out_dir: str | Path | None = None, *,
                 scenario: str | Path | None = None, params: ScheduleParams | None = None,
                 force: bool = False,
                 progress: Callable[[RepSchedule, int, int], None] | None = None
                 ) -> ScheduleOutcome:
    """Schedule the plan in ``plan_dir`` and write the schedule folder (checked before any
    work; default ``PLAN_DIR/schedule/``); then redraw ``PLAN_DIR/report.html`` with the
    schedule pages when the schedule went to its default place."""
    plan = read_plan_folder(plan_dir)
    scenario_path, notes = plan_scenario(plan, scenario)
    sc = load_scenario(scenario_path)
    default = Path(plan_dir) / SCHEDULE_DIR
    target = Path(out_dir) if out_dir is not None else default
    inputs = [(f"plan {plan.path}", plan.path / name)
              for name in (ASSIGNMENTS_FILE, REPS_FILE, PLAN_FILE)]
    inputs.append(("scenario", scenario_path))
    if sc.schedule.calibration is not None:
        inputs.append(("calibration", calibration_path(sc.schedule.calibration)))
    checked = prepare_output_dir(target, inputs, kind="schedule", force=force)
    result = make_schedule(plan, sc, params, progress)
    summary = write_schedule(result, plan, checked)
    if checked.path == default.resolve():
        notes.append(_redraw_report(plan_dir))
    return ScheduleOutcome(result, summary, target, tuple(notes))


def _redraw_report(plan_dir: str | Path) -> str:
    """Redraw the plan's report.html (now with the schedule pages); a note of what happened."""
    report = Path(plan_dir) / "report.html"
    try:
        checked = prepare_output_file(report, [], recognise=is_report)
        write_report([read_plan_folder(plan_dir)], checked)
    except InputError as err:
        return f"report not redrawn: {err}"
    return f"redrew {report} with a schedule page per rep"
