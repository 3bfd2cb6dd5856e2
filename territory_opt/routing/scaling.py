"""The one integer policy for PyVRP, which works in integers.

Travel costs are multiplied by :data:`SCALE` and rounded to the nearest integer; every time
(leg durations, service, a window's opening) is rounded *up* and every limit (a window's
close, a day's length) *down*, so a route PyVRP deems on time is on time in real arithmetic
too. Costs reported outside are recomputed from the real-valued matrix.
"""

from __future__ import annotations

import math

import numpy as np
from pyvrp.constants import MAX_VALUE

from territory_opt.routing.instance import IntArray, PvrpInstance

SCALE = 10_000
"""Travel and times are multiplied by this before rounding for PyVRP."""
NO_LIMIT = int(np.iinfo(np.int64).max)
"""PyVRP's own value for "no limit" (windows, shift durations)."""
_ROUND = 1e-7  # keeps 12.0 * SCALE from rounding up to 120001 through float noise


def scale_up(x: float) -> int:
    """A time, rounded up; inf stays unlimited."""
    return NO_LIMIT if math.isinf(x) else int(math.ceil(x * SCALE - _ROUND))


def scale_down(x: float) -> int:
    """A limit, rounded down; inf stays unlimited."""
    return NO_LIMIT if math.isinf(x) else int(math.floor(x * SCALE + _ROUND))


class Scaled:
    """The integer data of one instance, derived once.

    Attributes
    ----------
    dist, dur
        (n + 1, n + 1) travel costs (rounded) and leg durations (rounded up).
    service, tw_early, tw_late
        per customer, scaled (windows: opening up, close down).
    shift
        per day, the latest return (rounded down; :data:`NO_LIMIT` for none).
    timed
        Whether any day has a limit or any customer a window (else durations are not used).
    load_scale
        Loads are multiplied by this so that PyVRP's adaptive load penalty (bounded by its
        ``max_penalty``) can outweigh the travel an overload saves: about 100 per scaled unit
        of excess load is then a typical penalty.
    big
        The value of a forbidden leg: above any solution's cost, yet small enough that
        penalties on it do not overflow PyVRP's 64-bit arithmetic (a huge value hung it).
    """

    def __init__(self, inst: PvrpInstance):
        assert inst.demand is not None and inst.tw_early is not None
        assert inst.tw_late is not None
        travel = inst.travel * SCALE
        self.dist: IntArray = np.rint(travel).astype(np.int64)
        self.dur: IntArray = np.ceil(travel - _ROUND).astype(np.int64)
        self.service: IntArray = np.ceil(inst.service * SCALE - _ROUND).astype(np.int64)
        self.tw_early = [scale_up(x) if x > 0 else 0 for x in inst.tw_early]
        self.tw_late = [scale_down(x) for x in inst.tw_late]
        self.shift = [scale_down(d) for d in inst.max_duration]
        self.timed = bool(np.isfinite(inst.max_duration).any()) or inst.has_time_windows
        n = inst.num_customers
        mean_edge = float(self.dist[0, 1:].mean()) if n else 1.0
        mean_dem = max(1.0, float(inst.demand.mean())) if n else 1.0
        self.load_scale = max(1, round(mean_edge / mean_dem / 100))
        trivial = 2 * int((self.dist[0, 1:] * inst.frequency).sum()) + 1
        self.big = int(min(MAX_VALUE, 10 * trivial))
