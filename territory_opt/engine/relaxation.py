"""The LP relaxation held in HiGHS, so that it can be re-solved from its last basis after its
limits are tightened (the rounding loop of engine.rounding) or loosened (the infeasibility
analysis), and the Lagrange multipliers of its rows.

Columns: a variable per pair in [0, size of its item] (items may be classes of
interchangeable items, engine.classes), the measure B_j of each balanced agent and the total
T_g of each balance group. Rows: an item's pairs sum to its size; load within [min_load,
capacity]; B_j and T_g defined by equalities; n·B_j within (1 ± tolerance)·T_g; the owned
items that stay with their owner at least owned − max_moves. Every limit row has an elastic
slack at ``penalty`` per unit, so the LP always has a solution and multipliers: a solution
with slack is the relaxation's closest point, and its slacks say which limits, and by how
much, the relaxation cannot meet. Whether that proves anything is decided by the Lagrangian
bound (engine.lp), not by the slack.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sps

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.highs import silent_highs
from territory_opt.engine.lp import Multipliers, group_sizes
from territory_opt.engine.problem import AssignmentProblem

INF = highspy.kHighsInf
#: slack cost per unit of a limit not met, in multiples of the median positive pair cost
PENALTY_PER_MEDIAN_COST = 1000.0


@dataclass(frozen=True)
class Slack:
    """Per agent how far the relaxation's closest point is above capacity, below the minimum
    load, above or below its balance band (in the balance measure's units), and the moves
    above the limit. All zero when the relaxation is feasible."""

    capacity: FloatArray
    min_load: FloatArray
    balance_up: FloatArray
    balance_low: FloatArray
    moves: float

    @property
    def total(self) -> float:
        return float(self.capacity.sum() + self.min_load.sum() + self.balance_up.sum()
                     + self.balance_low.sum() + self.moves)


@dataclass(frozen=True)
class Margins:
    """How far inside each limit the relaxation is asked to stay (the rounding loop's
    tightening): per agent in load units (capacity, minimum load) and balance units (above and
    below the band), and in moves."""

    capacity: FloatArray
    min_load: FloatArray
    balance_up: FloatArray
    balance_low: FloatArray
    moves: float = 0.0

    @classmethod
    def zero(cls, n_agents: int) -> Margins:
        z = np.zeros(n_agents)
        return cls(z, z, z, z, 0.0)


class _Rows:
    """Rows appended in blocks; each block remembers its row indices."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def add(self, r: np.ndarray, c: np.ndarray, v: npt.ArrayLike, lo: npt.ArrayLike,
            hi: npt.ArrayLike) -> IntArray:
        self.r.append(r + self.n)
        self.c.append(c)
        self.v.append(np.asarray(v, dtype=float))
        self.lo.append(np.asarray(lo, dtype=float))
        self.hi.append(np.asarray(hi, dtype=float))
        out = np.arange(self.n, self.n + len(self.lo[-1]), dtype=np.int64)
        self.n += len(out)
        return out

    def matrix(self, n_cols: int) -> sps.csr_matrix:
        return sps.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r),
                                                        np.concatenate(self.c))),
                              shape=(self.n, n_cols))


class Relaxation:
    """The LP relaxation of ``problem``, items of multiplicity ``size`` (default 1)."""

    def __init__(self, problem: AssignmentProblem, size: FloatArray | None = None,
                 penalty: float | None = None) -> None:
        p = self.problem = problem
        self.size = np.ones(p.n_items) if size is None else np.asarray(size, dtype=float)
        positive = p.cost[p.cost > 0]
        self.penalty = penalty if penalty is not None else PENALTY_PER_MEDIAN_COST * max(
            1.0, float(np.median(positive)) if len(positive) else 1.0)
        m, n_pairs = p.n_agents, len(p.item)
        self.sizes = group_sizes(p)
        groups = np.unique(p.group[p.group >= 0])
        bal = np.flatnonzero(p.group >= 0)
        b0, t0 = n_pairs, n_pairs + len(bal)
        n_cols = t0 + len(groups)
        rows = _Rows()
        rows.add(p.item, np.arange(n_pairs), np.ones(n_pairs), self.size, self.size)
        self.cap_row = self._agent_rows(rows, np.isfinite(p.capacity), p.load, upper=True)
        self.min_row = self._agent_rows(rows, p.min_load > 0, p.load, upper=False)
        self.up_row = np.full(m, -1, dtype=np.int64)
        self.low_row = np.full(m, -1, dtype=np.int64)
        if len(bal):
            bpos = np.full(m, -1)
            bpos[bal] = np.arange(len(bal))
            pairs = np.flatnonzero(bpos[p.agent] >= 0)
            rows.add(np.concatenate([bpos[p.agent[pairs]], np.arange(len(bal))]),
                     np.concatenate([pairs, b0 + np.arange(len(bal))]),
                     np.concatenate([-p.balance[pairs], np.ones(len(bal))]),
                     np.zeros(len(bal)), np.zeros(len(bal)))
            gi = np.searchsorted(groups, p.group[bal])
            rows.add(np.concatenate([np.arange(len(groups)), gi]),
                     np.concatenate([t0 + np.arange(len(groups)), b0 + np.arange(len(bal))]),
                     np.concatenate([np.ones(len(groups)), -np.ones(len(bal))]),
                     np.zeros(len(groups)), np.zeros(len(groups)))
            r = np.concatenate([np.arange(len(bal))] * 2)
            c = np.concatenate([b0 + np.arange(len(bal)), t0 + gi])
            n_of = self.sizes[bal]
            free = np.full(len(bal), -INF)
            self.up_row[bal] = rows.add(
                r, c, np.concatenate([n_of, np.full(len(bal), -(1 + p.tolerance))]), free,
                np.zeros(len(bal)))
            self.low_row[bal] = rows.add(
                r, c, np.concatenate([-n_of, np.full(len(bal), 1 - p.tolerance)]), free,
                np.zeros(len(bal)))
        self.move_row = -1
        owned = p.owner >= 0
        if p.max_moves is not None and owned.any():
            stay = p.owner_pair[owned & (p.owner_pair >= 0)]
            self.move_row = int(rows.add(np.zeros(len(stay), dtype=np.int64), stay,
                                         np.ones(len(stay)), [self._need_stay()], [INF])[0])
        h = self.h = silent_highs()
        h.setOptionValue("threads", 1)
        h.setOptionValue("solver", "simplex")
        cost = np.concatenate([p.cost, np.zeros(n_cols - n_pairs)])
        upper = np.concatenate([self.size[p.item], np.full(n_cols - n_pairs, INF)])
        h.addVars(n_cols, np.zeros(n_cols), upper)
        h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), cost)
        a = rows.matrix(n_cols)
        self.row_lo, self.row_hi = np.concatenate(rows.lo), np.concatenate(rows.hi)
        h.addRows(rows.n, self.row_lo, self.row_hi, a.nnz, a.indptr[:-1].astype(np.int32),
                  a.indices.astype(np.int32), a.data)
        # elastic slacks: -1 on a row with an upper limit, +1 on a row with a lower limit
        upper_rows = np.concatenate([x[x >= 0] for x in (self.cap_row, self.up_row,
                                                         self.low_row)])
        lower_rows = np.concatenate([self.min_row[self.min_row >= 0],
                                     [self.move_row] if self.move_row >= 0 else []])
        self.slack_rows = np.concatenate([upper_rows, lower_rows]).astype(np.int32)
        k = len(self.slack_rows)
        h.addCols(k, np.full(k, self.penalty), np.zeros(k), np.full(k, INF), k,
                  np.arange(k, dtype=np.int32), self.slack_rows,
                  np.concatenate([-np.ones(len(upper_rows)), np.ones(len(lower_rows))]))
        self.n_pairs, self.slack_col0 = n_pairs, n_cols
        self.status = "unsolved"

    def _agent_rows(self, rows: _Rows, which: np.ndarray, load: FloatArray,
                    upper: bool) -> IntArray:
        p = self.problem
        out = np.full(p.n_agents, -1, dtype=np.int64)
        agents = np.flatnonzero(which)
        if len(agents):
            r, pairs = p.agent_rows(agents)
            free = np.full(len(agents), INF)
            lo, hi = ((-free, p.capacity[agents]) if upper else (p.min_load[agents], free))
            out[agents] = rows.add(r, pairs, load[pairs], lo, hi)
        return out

    def _need_stay(self) -> float:
        p = self.problem
        assert p.max_moves is not None
        return float(self.size[p.owner >= 0].sum()) - p.max_moves

    def solve(self, time_limit: float) -> str:
        """Solve from the last basis: 'optimal', 'time' (the limit ended it) or 'failed'."""
        self.h.setOptionValue("time_limit", float(max(0.01, time_limit)))
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            self.status = "optimal"
        elif status == highspy.HighsModelStatus.kTimeLimit:
            self.status = "time"
        else:
            self.status = "failed"
        return self.status

    def resolve(self, deadline: float) -> str:
        """Re-solve after new margins, from the last basis."""
        return self.solve(deadline - time.monotonic())

    def x(self) -> FloatArray:
        """Units per pair."""
        return np.asarray(self.h.getSolution().col_value[: self.n_pairs])

    def cost(self) -> float:
        """The objective of the solution without the slack penalty."""
        return float(self.problem.cost @ self.x()) + self.problem.constant

    def multipliers(self) -> Multipliers:
        """The rows' duals as Lagrange multipliers (each >= 0): valid for any solution state,
        tight when the LP is optimal."""
        d = np.asarray(self.h.getSolution().row_dual)
        m = self.problem.n_agents

        def of(rows: IntArray, sign: float) -> FloatArray:
            out = np.zeros(m)
            on = rows >= 0
            out[on] = np.maximum(0.0, sign * d[rows[on]])
            return out

        moves = max(0.0, float(d[self.move_row])) if self.move_row >= 0 else 0.0
        return Multipliers(of(self.cap_row, -1.0), of(self.min_row, 1.0),
                           of(self.up_row, -1.0), of(self.low_row, -1.0), moves)

    def slack(self) -> Slack:
        """What the solution leaves unmet (zero when the relaxation is feasible)."""
        values = np.asarray(self.h.getSolution().col_value[self.slack_col0:])
        by_row = np.zeros(len(self.row_lo))
        by_row[self.slack_rows] = values[: len(self.slack_rows)]
        m = self.problem.n_agents

        def per_agent(rows: IntArray, scale: FloatArray | float = 1.0) -> FloatArray:
            out = np.zeros(m)
            on = rows >= 0
            out[on] = by_row[rows[on]]
            return out / scale

        n = np.maximum(self.sizes, 1.0)
        moves = float(by_row[self.move_row]) if self.move_row >= 0 else 0.0
        return Slack(per_agent(self.cap_row), per_agent(self.min_row),
                     per_agent(self.up_row, n), per_agent(self.low_row, n), moves)

    def feasibility_multipliers(self, time_limit: float) -> Multipliers | None:
        """Multipliers of the problem without its objective: the LP that minimises the unmet
        limits alone (every slack at 1 per unit, every pair at 0), solved from the current
        basis; the objective is restored afterwards. None when that LP was not solved."""
        n = self.n_pairs
        cols = np.arange(n, dtype=np.int32)
        slacks = np.arange(self.slack_col0, self.slack_col0 + len(self.slack_rows),
                           dtype=np.int32)
        self.h.changeColsCost(n, cols, np.zeros(n))
        self.h.changeColsCost(len(slacks), slacks, np.ones(len(slacks)))
        try:
            if self.solve(time_limit) != "optimal":
                return None
            return self.multipliers()
        finally:
            self.h.changeColsCost(n, cols, self.problem.cost.astype(float))
            self.h.changeColsCost(len(slacks), slacks, np.full(len(slacks), self.penalty))

    def set_margins(self, margins: Margins) -> None:
        """Ask the next solve to stay ``margins`` inside every limit."""
        p = self.problem
        rows, lo, hi = [], [], []
        for agents_rows, bound in ((self.cap_row, p.capacity - margins.capacity),
                                   (self.up_row, -self.sizes * margins.balance_up),
                                   (self.low_row, -self.sizes * margins.balance_low)):
            on = np.flatnonzero(agents_rows >= 0)
            rows.append(agents_rows[on])
            lo.append(np.full(len(on), -INF))
            hi.append(bound[on])
        on = np.flatnonzero(self.min_row >= 0)
        rows.append(self.min_row[on])
        lo.append(p.min_load[on] + margins.min_load[on])
        hi.append(np.full(len(on), INF))
        if self.move_row >= 0:
            rows.append(np.array([self.move_row]))
            lo.append(np.array([self._need_stay() + margins.moves]))
            hi.append(np.array([INF]))
        idx = np.concatenate(rows).astype(np.int32)
        self.h.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, not its stubs
            len(idx), idx, np.concatenate(lo), np.concatenate(hi))

    def set_limits(self, *, tolerance: float | None = None,
                   max_moves: float | None = None) -> None:
        """Change the balance tolerance or the move limit (the infeasibility analysis)."""
        p = self.problem
        if tolerance is not None:
            on = np.flatnonzero(self.up_row >= 0)
            cols = self._t_cols(on)
            for j, c in zip(on.tolist(), cols.tolist(), strict=True):
                self.h.changeCoeff(int(self.up_row[j]), c, -(1 + tolerance))
                self.h.changeCoeff(int(self.low_row[j]), c, 1 - tolerance)
        if max_moves is not None and self.move_row >= 0:
            need = float(self.size[p.owner >= 0].sum()) - max_moves
            self.h.changeRowBounds(self.move_row, need, INF)

    def _t_cols(self, agents: IntArray) -> IntArray:
        p = self.problem
        groups = np.unique(p.group[p.group >= 0])
        t0 = self.n_pairs + int((p.group >= 0).sum())
        return (t0 + np.searchsorted(groups, p.group[agents])).astype(np.int64)
