"""The Lagrangian dual by entropic smoothing, for relaxations too large for the simplex method
in the time available.

The side rows (capacity, minimum load, balance, moves) are relaxed with multipliers; for fixed
multipliers every item takes its pair of least reduced cost, so the dual function is a sum of
per-item minima. Replacing each minimum by its soft version -τ·log Σ exp(-r/τ) makes the
function smooth (and at most τ·log(pairs) per item below the exact one), so L-BFGS-B can climb
it; τ shrinks stage by stage, each stage starting where the last ended. Any multipliers give a
valid bound through the exact dual function (engine.lp), so the smoothing only steers the
search. The soft assignment (each pair's weight in its item's soft minimum) is the fractional
plan that engine.rounding rounds, like an LP solution. Balance multipliers are kept per unit of
the measure (the row n·B_j − (1 ± t)·T is divided by n), so every variable is a price per hour
and L-BFGS sees a problem of one scale.

On the generated Georgia alignment (18,000 accounts, 95 reps, 4,160 item classes, 132,684 class
pairs) 626 evaluations in 12 s reached a bound 0.5% below the LP optimum, which HiGHS's dual
simplex took 88 s to solve (scratch timing, loaded machine).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import minimize

from territory_opt.engine.arrays import FloatArray
from territory_opt.engine.lp import Multipliers, group_sizes, lagrangian
from territory_opt.engine.problem import AssignmentProblem
from territory_opt.engine.relaxation import Margins

#: τ of each stage, as shares of the median positive pair cost, and each stage's share of the
#: evaluations
TAU_STAGES = (0.03, 0.01, 0.003, 0.001)
STAGE_SHARES = (0.4, 0.3, 0.2, 0.1)
#: evaluations of a re-solve after new margins (the last stage only)
RESOLVE_EVALUATIONS = 40
#: seconds one evaluation takes per pair (about 150 ns here: 19 ms for 132,684 pairs on a
#: loaded machine, scratch timing), to turn a share of the time limit into evaluations: the
#: budget is counted in evaluations, not seconds, so a seed gives the same plan on a busy
#: machine
SECONDS_PER_PAIR_EVALUATION = 1.5e-7


class _Stop(Exception):
    """Raised from inside the optimiser when the deadline passes."""


class SmoothedDual:
    """The smoothed dual of ``problem`` whose items have multiplicity ``size``."""

    def __init__(self, problem: AssignmentProblem, size: FloatArray | None = None) -> None:
        p = self.problem = problem
        self.size = np.ones(p.n_items) if size is None else np.asarray(size, dtype=float)
        self.cap_idx = np.flatnonzero(np.isfinite(p.capacity))
        self.min_idx = np.flatnonzero(p.min_load > 0)
        self.bal_idx = np.flatnonzero(p.group >= 0)
        self.groups = [np.flatnonzero(p.group == g) for g in np.unique(p.group[p.group >= 0])]
        self.n = np.maximum(group_sizes(p), 1.0)
        stay = p.owner_pair
        self.stay = stay[stay >= 0]
        self.owned = float(self.size[p.owner >= 0].sum())
        self.has_moves = p.max_moves is not None and self.owned > 0
        self.n_vars = (len(self.cap_idx) + len(self.min_idx) + 2 * len(self.bal_idx)
                       + int(self.has_moves))
        positive = p.cost[p.cost > 0]
        self.scale = float(np.median(positive)) if len(positive) else 1.0
        self.margins = Margins.zero(p.n_agents)
        self.v = np.zeros(self.n_vars)
        self.weights = self.size[p.item].astype(float) / np.diff(p.item_ptr)[p.item]
        self.evaluations = 0
        self.status = "unsolved"

    # ------------------------------------------------------------------ multipliers

    def multipliers(self, v: FloatArray | None = None) -> Multipliers:
        """The multipliers of the variables ``v`` (default: the current ones)."""
        v = self.v if v is None else v
        m = self.problem.n_agents
        out = [np.zeros(m) for _ in range(4)]
        k = 0
        for arr, idx, per_unit in ((out[0], self.cap_idx, 1.0), (out[1], self.min_idx, 1.0),
                                   (out[2], self.bal_idx, self.n[self.bal_idx]),
                                   (out[3], self.bal_idx, self.n[self.bal_idx])):
            arr[idx] = v[k:k + len(idx)] / per_unit
            k += len(idx)
        moves = float(v[k]) if self.has_moves else 0.0
        return Multipliers(out[0], out[1], out[2], out[3], moves)

    def _beta(self, up: FloatArray, low: FloatArray) -> FloatArray:
        t = self.problem.tolerance
        beta = np.zeros(self.problem.n_agents)
        for g in self.groups:
            beta[g] = (self.n[g] * (up[g] - low[g]) + (1 - t) * low[g].sum()
                       - (1 + t) * up[g].sum())
        return beta

    # ------------------------------------------------------------------ the smoothed function

    def _value_grad(self, v: FloatArray, tau: float) -> tuple[float, FloatArray]:
        """The smoothed dual function at ``v`` and its gradient (margins included)."""
        self.evaluations += 1
        p, mg = self.problem, self.margins
        mu = self.multipliers(v)
        lam = mu.capacity - mu.min_load
        r = p.cost + lam[p.agent] * p.load + self._beta(mu.balance_up, mu.balance_low)[
            p.agent] * p.balance
        if self.has_moves:
            r = r.copy()
            r[self.stay] -= mu.moves
        starts = p.item_ptr[:-1]
        rmin = np.minimum.reduceat(r, starts)
        z = np.exp(-(r - rmin[p.item]) / tau)
        s = np.add.reduceat(z, starts)
        w = z / s[p.item] * self.size[p.item]
        self.weights = w
        cap = p.capacity[self.cap_idx] - mg.capacity[self.cap_idx]
        low_limit = p.min_load[self.min_idx] + mg.min_load[self.min_idx]
        value = float(((rmin - tau * np.log(s)) * self.size).sum())
        value -= float(mu.capacity[self.cap_idx] @ cap)
        value += float(mu.min_load[self.min_idx] @ low_limit)
        load = np.bincount(p.agent, weights=w * p.load, minlength=p.n_agents)
        bal = np.bincount(p.agent, weights=w * p.balance, minlength=p.n_agents)
        g_up, g_low = np.zeros(p.n_agents), np.zeros(p.n_agents)
        t = p.tolerance
        for g in self.groups:
            total = bal[g].sum()
            g_up[g] = bal[g] - (1 + t) * total / self.n[g] + mg.balance_up[g]
            g_low[g] = (1 - t) * total / self.n[g] - bal[g] + mg.balance_low[g]
        # the margins enter the balance rows as constants: n·B − (1 + t)·T + n·margin <= 0
        value += float((mu.balance_up * self.n * mg.balance_up).sum()
                       + (mu.balance_low * self.n * mg.balance_low).sum())
        grads = [load[self.cap_idx] - cap, low_limit - load[self.min_idx],
                 g_up[self.bal_idx], g_low[self.bal_idx]]
        if self.has_moves:
            assert p.max_moves is not None
            need = self.owned - p.max_moves + mg.moves
            value += mu.moves * need
            grads.append(np.array([need - w[self.stay].sum()]))
        return value + p.constant, np.concatenate(grads)

    # ------------------------------------------------------------------ solving

    @staticmethod
    def evaluations_for(seconds: float, pairs: int) -> int:
        """The evaluations worth ``seconds`` on a problem of ``pairs`` pairs."""
        return max(20, int(seconds / (SECONDS_PER_PAIR_EVALUATION * max(1, pairs))))

    def solve(self, deadline: float, evaluations: int,
              stages: tuple[float, ...] = TAU_STAGES,
              shares: tuple[float, ...] = STAGE_SHARES) -> str:
        """Climb the smoothed function stage by stage, each stage its share of
        ``evaluations``: 'optimal' when every stage ran, 'time' when the clock (the safety
        net) ended it first."""

        def check(_: FloatArray) -> None:
            if time.monotonic() > deadline:
                raise _Stop

        bounds = [(0.0, None)] * self.n_vars
        for tau_share, share in zip(stages, shares, strict=True):
            tau = tau_share * self.scale
            try:
                res = minimize(lambda x, tau=tau: _negate(self._value_grad(x, tau)), self.v,
                               jac=True, method="L-BFGS-B", bounds=bounds, callback=check,
                               options={"maxfun": max(2, int(share * evaluations)),
                                        "maxiter": evaluations, "maxcor": 20, "gtol": 1e-9,
                                        "ftol": 1e-12})
                self.v = np.maximum(0.0, res.x)
            except _Stop:  # the weights are those of the last point evaluated
                self.status = "time"
                return self.status
        self._value_grad(self.v, stages[-1] * self.scale)  # the weights of the final point
        self.status = "optimal"
        return self.status

    def bound(self) -> float:
        """The exact dual function at the current multipliers (left-out pairs priced)."""
        return lagrangian(self.problem, self.multipliers(), cost_weight=1.0)[0]

    def x(self) -> FloatArray:
        """The soft assignment: units per pair (each item's units spread by the weights)."""
        return self.weights

    def set_margins(self, margins: Margins) -> None:
        self.margins = margins

    def resolve(self, deadline: float) -> str:
        """Re-solve after new margins: the last stage only, from the current multipliers."""
        return self.solve(deadline, RESOLVE_EVALUATIONS, TAU_STAGES[-1:], (1.0,))

    def start_from(self, mult: Multipliers) -> None:
        """Start from given multipliers (e.g. an unfinished LP's duals)."""
        parts = [mult.capacity[self.cap_idx], mult.min_load[self.min_idx],
                 mult.balance_up[self.bal_idx] * self.n[self.bal_idx],
                 mult.balance_low[self.bal_idx] * self.n[self.bal_idx]]
        if self.has_moves:
            parts.append(np.array([mult.moves]))
        self.v = np.maximum(0.0, np.concatenate(parts))


def _negate(pair: tuple[float, FloatArray]) -> tuple[float, FloatArray]:
    return -pair[0], -pair[1]
