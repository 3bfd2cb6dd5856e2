"""The deterministic work budget of a PVRP solve: iterations, not seconds.

A budget is given in *work seconds*, turned into iteration counts by rates measured on the
development machine (PyVRP 0.14.1, one core, CPU time):

- PyVRP's iterated local search does about ``1900 × (slots / 50) ** -0.54`` iterations a
  second on a horizon model of ``slots`` visits and up to 6 days (1,872 at 51 slots, 1,053
  at 153, 492 at 457, 408 at 864, on Cordeau's p01, p05, p13, pr10), and ``(days / 6) **
  -0.7`` times that with more days: each day is a vehicle type with its own routing profile
  (a rep's 65-day quarter: 126 to 364 a second, against 978 to 1,663 without the factor);
- an iteration of the combination tabu search takes about ``0.9 ms + 0.07 ms × days + 45 ns
  × visits × customers`` (it prices every insertion of every customer into every day: 1.2 ms
  on p14, 2.0 ms on p05, 12 ms on pr10, 4 to 5.4 ms on a rep's 65 days).

The same budget, seed and data give the same solution on any machine; the wall clock only
stops a run that overruns its time limit (then the solve says so).
"""

from __future__ import annotations

from dataclasses import dataclass

#: ILS iterations per work second on a model of 50 slots, the fall-off with size and with
#: days beyond ILS_DAYS
ILS_RATE_AT_50, ILS_RATE_EXPONENT = 1900.0, -0.54
ILS_DAYS, ILS_DAYS_EXPONENT = 6, -0.7
#: seconds of one tabu iteration: a constant, per day, per (visit, customer)
TABU_SECONDS, TABU_SECONDS_PER_DAY, TABU_SECONDS_PER_VISIT_CUSTOMER = 0.9e-3, 0.7e-4, 4.5e-8
#: the share of the work for the start (relaxation, projection) and its first polish
START_SHARE, POLISH_SHARE = 0.15, 0.10


def ils_iterations(work_seconds: float, slots: int, days: int) -> int:
    """ILS iterations worth ``work_seconds`` on a horizon model of ``slots`` visits over
    ``days`` days."""
    rate = ILS_RATE_AT_50 * (max(slots, 1) / 50.0) ** ILS_RATE_EXPONENT
    rate *= min(1.0, (days / ILS_DAYS) ** ILS_DAYS_EXPONENT)
    return max(0, round(work_seconds * rate))


def tabu_iterations(work_seconds: float, days: int, visits: int, customers: int) -> int:
    """Tabu iterations worth ``work_seconds`` on ``days`` days with ``visits`` visits of
    ``customers`` customers in all."""
    step = (TABU_SECONDS + TABU_SECONDS_PER_DAY * days
            + TABU_SECONDS_PER_VISIT_CUSTOMER * visits * customers)
    return max(0, round(work_seconds / step))


@dataclass(frozen=True)
class PvrpParams:
    """How long and how to search.

    Attributes
    ----------
    work
        The deterministic budget in work seconds (see the module docstring); about the
        seconds a solve takes on one idle core of the development machine.
    time_limit
        Wall-clock seconds after which the search stops whatever its budget (the safety
        net of a loaded machine).
    seed
        Seeds PyVRP and the combination search.
    verbose
        Print the phases.
    """

    work: float = 30.0
    time_limit: float = 60.0
    seed: int = 0
    verbose: bool = False
