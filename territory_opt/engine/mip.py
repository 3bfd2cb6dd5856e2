"""Branch and cut (HiGHS) on the integer-scaled model, started from a plan.

On tight generalized assignment problems an LP-based branch and cut, with its cuts and its
LP-guided heuristics, finds the last percent that CP-SAT neighbourhoods miss. The model is the
one CP-SAT solves (engine.cpsat), written as a sparse matrix: a binary per pair, a row per
item, per capacity and per minimum load, and one for the move limit. Problems with balance
limits are not given to it (engine.search.MIP_MAX_PAIRS says why).

HiGHS has no deterministic work limit. With one thread its nodes are deterministic, so the
phase ends on a node limit, and the clock is the safety net (``clock_stopped`` says when the
clock ended it: the plan may then differ from run to run).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sps

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.cpsat import UNLIMITED, ScaledProblem
from territory_opt.engine.highs import silent_highs


@dataclass(frozen=True)
class MipResult:
    """``x``: HiGHS's value of each pair's binary (None when it found no plan); ``nodes``:
    branch-and-bound nodes explored; ``clock_stopped``: the time limit, not the node limit or
    a proof, ended it; ``optimal``: x is proven optimal (for the model it was given)."""

    x: FloatArray | None
    nodes: int
    clock_stopped: bool
    optimal: bool = False


def _rows(sp: ScaledProblem) -> tuple[sps.csr_matrix, np.ndarray, np.ndarray]:
    """The constraint matrix over a binary per pair, with row lower and upper limits."""
    p = sp.problem
    n_pairs = len(p.item)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    row0 = 0

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray, lo: np.ndarray,
            hi: np.ndarray) -> None:
        nonlocal row0
        parts.append((r + row0, c, v.astype(float)))
        lower.append(lo.astype(float))
        upper.append(hi.astype(float))
        row0 += len(lo)

    ones = np.ones(p.n_items)
    add(p.item, np.arange(n_pairs), np.ones(n_pairs), ones, ones)
    for agents, measure, lo, hi in (
            (np.flatnonzero(sp.capacity < UNLIMITED), sp.load_hi, None, sp.capacity),
            (np.flatnonzero(sp.min_load > 0), sp.load_lo, sp.min_load, None)):
        if len(agents):
            r, pairs = p.agent_rows(agents)
            add(r, pairs, measure[pairs],
                np.full(len(agents), -np.inf) if lo is None else lo[agents],
                np.full(len(agents), np.inf) if hi is None else hi[agents])
    if p.max_moves is not None:
        op = p.owner_pair[(p.owner >= 0) & (p.owner_pair >= 0)]
        # owned items that stay with their owner: at least owned - max_moves
        need = int((p.owner >= 0).sum()) - p.max_moves
        add(np.zeros(len(op), dtype=np.int64), op, np.ones(len(op)), np.array([need]),
            np.array([np.inf]))
    a = sps.csr_matrix((np.concatenate([x[2] for x in parts]),
                        (np.concatenate([x[0] for x in parts]),
                         np.concatenate([x[1] for x in parts]))), shape=(row0, n_pairs))
    return a, np.concatenate(lower), np.concatenate(upper)


def solve_mip(sp: ScaledProblem, start: IntArray, *, node_limit: int, time_limit: float,
              seed: int, radius: int | None = None) -> MipResult:
    """Minimise the scaled cost over the scaled limits from ``start`` (a pair per item).
    With ``radius``, at most that many items may leave their start pair (a local-branching
    row, Fischetti and Lodi 2003: Σ x[start] >= items − radius)."""
    p = sp.problem
    if (p.group >= 0).any():
        raise ValueError("solve_mip takes problems without balance limits")
    n = len(p.item)
    a, row_lo, row_hi = _rows(sp)
    h = silent_highs()
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("time_limit", float(max(0.01, time_limit)))
    h.setOptionValue("mip_max_nodes", int(node_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)  # scaled costs are integers
    inf = highspy.kHighsInf
    h.addVars(n, np.zeros(n), np.ones(n))
    cols = np.arange(n, dtype=np.int32)
    h.changeColsCost(n, cols, sp.cost.astype(float))
    h.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
    h.addRows(a.shape[0], np.where(np.isfinite(row_lo), row_lo, -inf),
              np.where(np.isfinite(row_hi), row_hi, inf), a.nnz,
              a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32), a.data)
    if radius is not None:
        h.addRow(float(p.n_items - radius), inf, len(start), np.asarray(start, dtype=np.int32),
                 np.ones(len(start)))
    x0 = np.zeros(n)
    x0[start] = 1.0
    h.setSolution(n, cols, x0)
    if h.run() == highspy.HighsStatus.kError:
        # HiGHS refuses one thread when its global scheduler was started with more (by an
        # earlier default-threads instance in this process): restart the scheduler, retry
        highspy.Highs.resetGlobalScheduler(True)
        h.run()
    info = h.getInfo()
    clock = h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
    nodes = int(info.mip_node_count)
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return MipResult(None, nodes, clock)
    return MipResult(np.asarray(h.getSolution().col_value), nodes, clock,
                     h.getModelStatus() == highspy.HighsModelStatus.kOptimal)
