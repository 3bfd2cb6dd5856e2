"""`territory-opt export` and `report`: work on plan folders already written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from territory_opt.io.out_folder import prepare_output_file
from territory_opt.io.plan_folder import ASSIGNMENTS_FILE, PLAN_FILE, REPS_FILE, read_plan_folder
from territory_opt.output.crm import export_crm
from territory_opt.output.report import is_report, write_report


def export_plan(plan_dir: str | Path, crm: str, out_dir: str | Path | None = None, *,
                all_accounts: bool = False, territory_model_id: str = "",
                territory_type_id: str = "", force: bool = False) -> tuple[dict[str, Any], Path]:
    """Write a plan's owner changes (``all_accounts``: every account) in ``crm``'s import
    layout, by default into ``PLAN_DIR/crm/CRM``; the export's manifest and folder. The folder
    follows the output-folder rules (``force`` replaces a folder territory_opt did not write)."""
    plan = read_plan_folder(plan_dir)
    target = Path(out_dir) if out_dir is not None else Path(plan_dir) / "crm" / crm
    manifest = export_crm(plan, crm, target, changes_only=not all_accounts,
                          territory_model_id=territory_model_id,
                          territory_type_id=territory_type_id, force=force)
    return manifest, target


def report_plans(plan_dirs: list[str | Path], out_file: str | Path | None = None, *,
                 force: bool = False) -> Path:
    """Write the HTML report of one plan (default ``PLAN_DIR/report.html``) or the comparison
    page of several (default ``compare.html``); the file written. An existing file is replaced
    only when it is a report territory_opt wrote (or with ``force``); a plan's own files are
    never replaced."""
    plans = [read_plan_folder(d) for d in plan_dirs]
    if out_file is not None:
        target = Path(out_file)
    else:
        target = Path(plan_dirs[0]) / "report.html" if len(plans) == 1 else Path("compare.html")
    inputs = [(f"plan {p.path}", p.path / name) for p in plans
              for name in (ASSIGNMENTS_FILE, REPS_FILE, PLAN_FILE)]
    checked = prepare_output_file(target, inputs, recognise=is_report, force=force)
    write_report(plans, checked)
    return target
