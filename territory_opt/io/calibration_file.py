"""Read the calibration a schedule wrote (``calibration.json``), for
``capacity.visits_per_trip: calibrated``.

The file holds, among the routed and modelled hours per rep and role, the team's
``visits_per_trip``: the value at which SPEC §5's travel estimate of the scheduled visits
equals the drive time of their routes (see :mod:`territory_opt.schedule.calibration`)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from territory_opt.domain.errors import InputError

CALIBRATION_FILE = "calibration.json"
#: the largest value taken: beyond it a calibration says more about an empty schedule
MAX_VISITS_PER_TRIP = 100.0


def calibration_path(path: Path) -> Path:
    """``path`` itself, or ``path/calibration.json`` when ``path`` is a folder."""
    return path / CALIBRATION_FILE if path.is_dir() else path


def read_calibrated_visits_per_trip(path: Path) -> float:
    """The team's ``visits_per_trip`` in a calibration file (or a schedule folder).

    Raises
    ------
    InputError
        The file is missing, not a calibration of territory_opt, or holds no usable value.
    """
    file = calibration_path(path)
    if not file.is_file():
        raise InputError("calibration not found: run `territory-opt schedule PLAN_DIR` first "
                         "(it writes calibration.json in the schedule folder), or give "
                         "capacity.visits_per_trip as a number", file=str(file),
                         column="schedule.calibration")
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a calibration file ({exc})", file=str(file)) from None
    value = doc.get("visits_per_trip") if isinstance(doc, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not 0 < value <= MAX_VISITS_PER_TRIP:
        raise InputError("the calibration has no visits_per_trip between 0 and "
                         f"{MAX_VISITS_PER_TRIP:g} (a schedule without routed visits?)",
                         file=str(file), column="visits_per_trip")
    return float(value)
