"""Where outputs go: the default plan folder and the folders an output may not replace."""

from __future__ import annotations

import re
from pathlib import Path

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData


def default_plan_dir(scenario_name: str) -> Path:
    """out/<scenario name>/, the name made safe for a folder."""
    return Path("out") / (re.sub(r"[^A-Za-z0-9_.-]+", "-", scenario_name).strip("-") or "plan")


def check_output_dir(data: PlanningData, out_dir: Path) -> None:
    """Refuse an output folder that holds (or is) an input file's folder."""
    target = out_dir.resolve()
    for name, p in data.sources.items():
        src = Path(p).resolve()
        if target == src.parent or target in src.parents:
            raise InputError(f"the output folder {out_dir} holds the {name} input {p}; "
                             "choose another --out", file=str(p))
