"""Lagrange multipliers by the volume algorithm (Barahona and Anbil, 2000), for problems too
large for the LP.

The side constraints (capacity, minimum load, balance, moves) are relaxed. Plain subgradient
steps overshoot here (the relaxed minimiser moves every item of an agent at once), so the step
direction is the violation of an exponentially averaged minimiser; the averages are the agents'
loads and measures and the move count, all linear in the assignment. Balance rows are scaled
by 1/n (n: agents in the group) so every row is in load units. Any multipliers >= 0 give a
valid bound; the steps only make it tighter. A fixed number of steps keeps the result
independent of the machine's speed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.lp import Multipliers, group_sizes, lagrangian
from territory_opt.engine.problem import AssignmentProblem, evaluate

#: weight of the newest minimiser in the average
ALPHA = 0.1
#: consecutive steps without a better bound before the step factor shrinks
PATIENCE = 10


@dataclass
class _Rows:
    """Row activities of an assignment (or an average of assignments)."""

    load: FloatArray
    bal: FloatArray
    moves: float

    @classmethod
    def of(cls, p: AssignmentProblem, chosen: IntArray) -> _Rows:
        ev = evaluate(p, chosen)
        return cls(ev.loads, ev.balance, float(ev.moves))

    def mix(self, other: _Rows, alpha: float) -> _Rows:
        return _Rows((1 - alpha) * self.load + alpha * other.load,
                     (1 - alpha) * self.bal + alpha * other.bal,
                     (1 - alpha) * self.moves + alpha * other.moves)


def _violation(p: AssignmentProblem, rows: _Rows,
               groups: list[np.ndarray]) -> tuple[FloatArray, ...]:
    finite = np.isfinite(p.capacity)
    g_cap = np.where(finite, rows.load - np.where(finite, p.capacity, 0.0), 0.0)
    g_min = np.where(p.min_load > 0, p.min_load - rows.load, 0.0)
    g_up, g_low = np.zeros(p.n_agents), np.zeros(p.n_agents)
    for members in groups:
        mean = rows.bal[members].mean()
        g_up[members] = rows.bal[members] - (1 + p.tolerance) * mean
        g_low[members] = (1 - p.tolerance) * mean - rows.bal[members]
    g_moves = np.array([rows.moves - p.max_moves if p.max_moves is not None else 0.0])
    return g_cap, g_min, g_up, g_low, g_moves


def ascend(problem: AssignmentProblem, upper: float, steps: int,
           deadline: float = math.inf) -> tuple[Multipliers, float]:
    """Best multipliers found in ``steps`` volume steps (fewer when the clock passes
    ``deadline``, a time.monotonic() value) and their Lagrangian value over the problem's own
    pairs (pairs left out are not asked for: call lagrangian_bound for a bound on the full
    problem). ``upper`` is an objective to aim at (a plan's cost, or an estimate above the
    optimum)."""
    p = problem
    m = p.n_agents
    sizes = np.maximum(1.0, group_sizes(p))
    groups = [p.group == g for g in np.unique(p.group[p.group >= 0])]

    def multipliers(v: list[FloatArray]) -> Multipliers:
        return Multipliers(v[0], v[1], v[2] / sizes, v[3] / sizes, float(v[4][0]))

    centre = [np.zeros(m), np.zeros(m), np.zeros(m), np.zeros(m), np.zeros(1)]
    best_value, chosen = lagrangian(p, multipliers(centre), outside=False)
    best = multipliers(centre)
    average = _Rows.of(p, chosen)
    factor, idle = 0.1, 0
    for _ in range(steps):
        if time.monotonic() > deadline:
            break
        g = _violation(p, average, groups)
        # a multiplier at zero whose row is slack cannot move: leave it out of the step
        g = tuple(np.where((c > 0) | (d > 0), d, 0.0) for c, d in zip(centre, g, strict=True))
        norm = float(sum(d @ d for d in g))
        if norm <= 1e-12 or factor < 1e-6:
            break
        target = max(upper, best_value + 1e-3 * max(1.0, abs(best_value)))
        step = factor * (target - best_value) / norm
        trial = [np.maximum(0.0, c + step * d) for c, d in zip(centre, g, strict=True)]
        mult = multipliers(trial)
        value, chosen = lagrangian(p, mult, outside=False)
        average = average.mix(_Rows.of(p, chosen), ALPHA)
        if value > best_value:
            centre, best, best_value, idle = trial, mult, value, 0
            factor = min(2.0, factor * 1.1)
        else:
            idle += 1
            if idle >= PATIENCE:
                factor, idle = factor * 0.66, 0
    return best, best_value
