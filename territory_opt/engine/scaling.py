"""Integer scaling, the one policy for turning float data into CP-SAT integers.

CP-SAT needs integer coefficients. Every float quantity is multiplied by a power of ten chosen
here and rounded in the direction that keeps the answer honest:

* costs are rounded *down* (``floor``), so a CP-SAT bound divided by the scale is still a lower
  bound on the true float objective;
* loads on an upper limit (capacity) are rounded *up* and the limit *down*; on a lower limit the
  other way, so a plan feasible in integers is feasible in floats;
* relative balance (``n·B_j`` within ``(1 ± tol)·T``) compares a rep's rounded-up measure with
  the rounded-down group total (upper side) and the other way round (lower side), and the
  tolerance is rounded down to a multiple of 1/TOLERANCE_DENOMINATOR.

Data with at most ``EXACT_DECIMALS`` decimals (the GAP and Pfizer benchmarks) is scaled exactly.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.typing as npt

#: coarsest resolution of other float data: 0.01 of its unit (36 s when the unit is the hour)
DEFAULT_DECIMALS = 2
#: data with at most this many decimals is scaled without rounding
EXACT_DECIMALS = 4
#: significant digits kept of the median value of other data, within [DEFAULT, MAX] decimals.
#: Each rounding tightens a limit a little (loads up, limits down); with 3 digits the balance
#: bands of a 63-farmer role on 20,000 accounts shrank so much that the LP's rounded plan, on
#: the band's edge and feasible in floats, broke the integer model by 8 units and the repair
#: never fixed it (tx-20k-visit-t15-s2 of benchmarks/alignments.py: no plan in 60 s; with 5
#: digits a plan at 1.89% in 42.5 s; the demo 0.23% against 0.28% in 30 s)
SIGNIFICANT_DIGITS = 5
#: costs only enter the objective, so they keep more digits: rounding then moves the
#: objective by far less than OPTIMALITY_TOLERANCE
COST_SIGNIFICANT_DIGITS = 6
MAX_DECIMALS = 8
#: largest magnitude one scaled coefficient or domain bound may have
MAX_VALUE = 2**53
#: denominator of the rational tolerance used in balance constraints
TOLERANCE_DENOMINATOR = 1000


class ScalingWarning(UserWarning):
    """The data needed more precision than the scaling policy keeps."""


class ScalingError(ValueError):
    """Scaled values would overflow CP-SAT's 64-bit arithmetic."""


def scale_for(values: npt.ArrayLike, significant: int | None = None) -> int:
    """The smallest 10**d (d <= EXACT_DECIMALS) that makes every value integral; otherwise
    enough decimals to keep SIGNIFICANT_DIGITS of the median value (at least
    DEFAULT_DECIMALS), so data in [0, 1] is not rounded as coarsely as hours."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    for d in range(EXACT_DECIMALS + 1):
        scaled = v * 10**d
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return int(10**d)
    nonzero = np.abs(v[v != 0])
    typical = float(np.median(nonzero)) if nonzero.size else 1.0
    digits = SIGNIFICANT_DIGITS if significant is None else significant
    d = digits - math.floor(math.log10(typical))
    return int(10 ** min(MAX_DECIMALS, max(DEFAULT_DECIMALS, d)))


def check_range(total: float, what: str) -> None:
    """Raise ScalingError when a scaled total could overflow."""
    if not math.isfinite(total) or abs(total) > MAX_VALUE:
        raise ScalingError(f"scaled {what} reaches {total:.3g}, above the safe limit {MAX_VALUE}"
                           "; use coarser units")


def floor_scaled(values: npt.ArrayLike, scale: int) -> npt.NDArray[np.int64]:
    v = np.floor(np.asarray(values, dtype=float) * scale + 1e-9)
    check_range(float(np.abs(v).sum()) if v.size else 0.0, "values")
    return v.astype(np.int64)


def ceil_scaled(values: npt.ArrayLike, scale: int) -> npt.NDArray[np.int64]:
    v = np.ceil(np.asarray(values, dtype=float) * scale - 1e-9)
    check_range(float(np.abs(v).sum()) if v.size else 0.0, "values")
    return v.astype(np.int64)


def round_scaled(values: npt.ArrayLike, scale: int) -> npt.NDArray[np.int64]:
    v = np.round(np.asarray(values, dtype=float) * scale)
    check_range(float(np.abs(v).sum()) if v.size else 0.0, "values")
    return v.astype(np.int64)


def tolerance_numerator(tolerance: float, *, round_up: bool = False) -> int:
    """The balance tolerance as ``k / TOLERANCE_DENOMINATOR``, rounded down (or up)."""
    scaled = tolerance * TOLERANCE_DENOMINATOR
    k = math.ceil(scaled - 1e-9) if round_up else math.floor(scaled + 1e-9)
    if not round_up and abs(k - scaled) > 1e-6:
        warnings.warn(f"balance tolerance {tolerance} is used as {k}/{TOLERANCE_DENOMINATOR}",
                      ScalingWarning, stacklevel=2)
    return k
