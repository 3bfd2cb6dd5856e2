"""Integer scaling, the one policy for turning float data into CP-SAT integers.

CP-SAT needs integer coefficients. Every float quantity is multiplied by a power of ten chosen
here and rounded in the direction that keeps the answer honest:

* costs are rounded *down* (``floor``), so a CP-SAT bound divided by the scale is still a lower
  bound on the true float objective;
* loads on an upper limit (capacity) are rounded *up* and the limit *down*; on a lower limit the
  other way, so a plan feasible in integers is feasible in floats;
* relative balance (``n·B_j`` within ``(1 ± tol)·T``) cannot be made one-sided by rounding, so
  the model keeps ``BALANCE_MARGIN`` of the tolerance in reserve when the data is not integral.

Integral data (the GAP benchmarks) gets scale 1 and is exact.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.typing as npt

#: resolution of float data: 1e-4 of the data's unit (0.36 s when the unit is the hour)
DEFAULT_DECIMALS = 4
#: largest magnitude one scaled coefficient or domain bound may have
MAX_VALUE = 2**53
#: tolerance kept in reserve for rounding in relative balance constraints
BALANCE_MARGIN = 1e-4
#: denominator of the rational tolerance used in balance constraints
TOLERANCE_DENOMINATOR = 10_000


class ScalingWarning(UserWarning):
    """The data needed more precision than the scaling policy keeps."""


class ScalingError(ValueError):
    """Scaled values would overflow CP-SAT's 64-bit arithmetic."""


def scale_for(values: npt.ArrayLike, decimals: int = DEFAULT_DECIMALS) -> int:
    """1 when every value is integral, else 10**decimals."""
    v = np.asarray(values, dtype=float)
    if v.size == 0 or np.all(v == np.round(v)):
        return 1
    return int(10**decimals)


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


def tolerance_numerator(tolerance: float, exact: bool) -> int:
    """The balance tolerance as ``k / TOLERANCE_DENOMINATOR``, rounded down, less the margin
    when the data was rounded."""
    tol = tolerance if exact else tolerance - BALANCE_MARGIN
    k = math.floor(tol * TOLERANCE_DENOMINATOR + 1e-9)
    if k < 0:
        warnings.warn("balance tolerance below the rounding margin", ScalingWarning,
                      stacklevel=2)
        k = 0
    return k
