"""Capacitated p-median / facility location on arrays, solved with CP-SAT.

Choose ``p`` facilities to open among the candidates (facilities marked ``fixed_open`` are open
anyway, e.g. today's reps), assign every client to one open facility, and keep each open
facility's load within its capacity (and above its minimum load, if any); minimise the total
assignment cost plus, when these limits are soft, ``overload_penalty`` per unit of load above a
capacity or below a minimum. Like the rest of :mod:`territory_opt.engine` this knows nothing
about geography: :mod:`territory_opt.headcount.placement` builds the arrays from accounts and
reps, ``benchmarks/cpmp.py`` from the OR-Library and Lorena–Senne files. Two solvers: CP-SAT
(:func:`solve_pmedian`, single-source assignment) and a HiGHS MIP (:func:`solve_pmedian_mip`,
single-source or splittable; placement uses the splittable one).


CP-SAT's integer scaling: data that is integral is used as is, so the model is
exact (the OR-Library instances); other data keeps ``SIGNIFICANT_DIGITS`` significant digits of
its largest value, costs rounded down, loads up and capacities down, so a plan of the integer
model keeps the capacities in floats. ``bound`` is CP-SAT's proven bound, reported only when
the scaling was exact (NaN otherwise).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from territory_opt.engine.arrays import BoolArray, FloatArray, IntArray

#: significant digits kept when data is not integral
SIGNIFICANT_DIGITS = 6
#: CP-SAT deterministic time per second of the time limit (the wall limit is a safety net)
DET_PER_SECOND = 1.0



@dataclass(frozen=True)
class PMedianProblem:
    """``cost`` and ``load`` are clients × facilities; ``capacity``, ``fixed_open`` and
    ``min_load`` (load an open facility should reach; None: 0) are per facility.
    ``overload_penalty`` None makes capacities and minimum loads hard; else every unit of
    load above a capacity or below a minimum costs that much. ``nearest`` limits each client
    to its ``nearest`` cheapest facilities (None: every facility)."""

    cost: FloatArray
    load: FloatArray
    capacity: FloatArray
    fixed_open: BoolArray
    p: int
    overload_penalty: float | None = None
    nearest: int | None = None
    min_load: FloatArray | None = None


@dataclass(frozen=True)
class PMedianResult:
    """``status``: optimal, feasible, infeasible or unknown. ``assign``: facility per client
    (empty without a plan). ``objective``: cost plus penalties, in float data. ``overload``:
    load above each capacity."""

    status: str
    is_open: BoolArray
    assign: IntArray
    objective: float
    bound: float
    overload: FloatArray
    seconds: float


def _scale(*arrays: FloatArray) -> tuple[float, bool]:
    """(factor, exact): 1 for integral data, else a power of ten keeping the precision."""
    values = np.concatenate([np.abs(a[np.isfinite(a)]).ravel() for a in arrays])
    top = float(values.max()) if len(values) else 1.0
    if np.all(np.abs(values - np.round(values)) < 1e-9) and top < 1e9:
        return 1.0, True
    digits = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(max(top, 1e-12)))
    return 10.0 ** digits, False


def _allowed(problem: PMedianProblem) -> BoolArray:
    n, m = problem.cost.shape
    if problem.nearest is None or problem.nearest >= m:
        return np.ones((n, m), dtype=bool)
    order = np.argsort(problem.cost, axis=1, kind="stable")[:, :problem.nearest]
    allowed = np.zeros((n, m), dtype=bool)
    np.put_along_axis(allowed, order, True, axis=1)
    return allowed


class _Rows:
    """Sparse constraint rows ``lo <= A x <= hi`` built block by block."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def entries(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        """Coefficients of the block being added (rows counted from its first row)."""
        self.r.append(self.n + np.asarray(rows))
        self.c.append(np.asarray(cols))
        self.v.append(np.asarray(vals, dtype=float))

    def close(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """End the block: its row bounds."""
        self.lo.append(np.asarray(lo, dtype=float))
        self.hi.append(np.asarray(hi, dtype=float))
        self.n += len(lo)

    def constraint(self, n_cols: int) -> Any:
        from scipy.optimize import LinearConstraint
        from scipy.sparse import coo_matrix

        a = coo_matrix((np.concatenate(self.v), (np.concatenate(self.r),
                                                 np.concatenate(self.c))),
                       shape=(self.n, n_cols)).tocsr()
        return LinearConstraint(a, np.concatenate(self.lo), np.concatenate(self.hi))


def solve_pmedian_mip(problem: PMedianProblem, *, time_limit: float = 10.0,
                      splittable: bool = False) -> PMedianResult:
    """Solve ``problem`` as a MIP with HiGHS (SciPy). ``splittable``: a client's load may be
    shared among facilities (continuous assignment — right for clients that aggregate many
    accounts, and much faster); ``assign`` then names the facility with the largest share.
    The strong formulation (assignment <= open, per pair). HiGHS is deterministic unless the
    time limit stops it."""
    from scipy.optimize import Bounds, milp

    t0 = time.monotonic()
    n, m = problem.cost.shape
    cand = np.flatnonzero(~problem.fixed_open)
    if problem.p > len(cand):
        raise ValueError(f"cannot open {problem.p} of {len(cand)} candidate facilities")
    low = np.zeros(m) if problem.min_load is None else problem.min_load
    j, f = np.nonzero(_allowed(problem))
    nx, ny = len(j), len(cand)
    ns = 2 * m if problem.overload_penalty is not None else 0
    col_y = np.full(m, -1)
    col_y[cand] = nx + np.arange(ny)
    is_c = col_y >= 0
    k = np.arange(nx)
    rows = _Rows()
    rows.entries(j, k, np.ones(nx))  # every client served once
    rows.close(np.ones(n), np.ones(n))
    to_c = np.flatnonzero(is_c[f])  # x <= y
    rows.entries(np.arange(len(to_c)), to_c, np.ones(len(to_c)))
    rows.entries(np.arange(len(to_c)), col_y[f[to_c]], -np.ones(len(to_c)))
    rows.close(np.full(len(to_c), -np.inf), np.zeros(len(to_c)))
    w = problem.load[j, f]
    for sign, limit, first_slack in ((1.0, problem.capacity, 0), (-1.0, low, m)):
        # sign × (load − limit × open) − slack <= 0; a fixed facility's limit is a constant
        rows.entries(f, k, sign * w)
        rows.entries(np.flatnonzero(is_c), col_y[is_c], -sign * limit[is_c])
        if ns:
            rows.entries(np.arange(m), nx + ny + first_slack + np.arange(m), -np.ones(m))
        rows.close(np.full(m, -np.inf), np.where(is_c, 0.0, sign * limit))
    rows.entries(np.zeros(ny, dtype=int), nx + np.arange(ny), np.ones(ny))  # p facilities
    rows.close(np.array([problem.p]), np.array([problem.p]))
    c = np.concatenate([problem.cost[j, f], np.zeros(ny),
                        np.full(ns, problem.overload_penalty or 0.0)])
    integrality = np.concatenate([np.full(nx, 0 if splittable else 1), np.ones(ny),
                                  np.zeros(ns)])
    upper = np.concatenate([np.ones(nx + ny), np.full(ns, np.inf)])
    res = milp(c, constraints=rows.constraint(nx + ny + ns), integrality=integrality,
               bounds=Bounds(np.zeros(nx + ny + ns), upper),
               options={"time_limit": time_limit, "disp": False})
    if res.x is None:
        status = "infeasible" if res.status == 2 else "unknown"
        return PMedianResult(status, np.zeros(m, dtype=bool), np.zeros(0, dtype=np.int64),
                             math.inf, math.nan, np.zeros(m), time.monotonic() - t0)
    is_open = problem.fixed_open.copy()
    is_open[cand] = res.x[nx:nx + ny] > 0.5
    share = np.zeros((n, m))
    share[j, f] = res.x[:nx]
    loads = (share * problem.load).sum(axis=0)
    return PMedianResult("optimal" if res.status == 0 else "feasible", is_open,
                         share.argmax(axis=1).astype(np.int64), float(res.fun),
                         float(getattr(res, "mip_dual_bound", math.nan)),
                         np.maximum(0.0, loads - problem.capacity), time.monotonic() - t0)


def solve_pmedian(problem: PMedianProblem, *, time_limit: float = 10.0, seed: int = 0,
                  workers: int = 1) -> PMedianResult:
    """Solve ``problem`` with CP-SAT, budgeted in deterministic time (reproducible for the same
    seed and workers)."""
    n, m = problem.cost.shape
    candidates = np.flatnonzero(~problem.fixed_open)
    if problem.p > len(candidates):
        raise ValueError(f"cannot open {problem.p} of {len(candidates)} candidate facilities")
    low = np.zeros(m) if problem.min_load is None else problem.min_load
    factor, exact = _scale(problem.cost, problem.load, problem.capacity, low)
    cost = np.floor(problem.cost * factor + 1e-9).astype(np.int64)
    load = np.ceil(problem.load * factor - 1e-9).astype(np.int64)
    cap = np.floor(problem.capacity * factor + 1e-9).astype(np.int64)
    low_int = np.ceil(low * factor - 1e-9).astype(np.int64)
    allowed = _allowed(problem)
    model = cp_model.CpModel()
    y = {int(f): model.new_bool_var(f"y{f}") for f in candidates}
    model.add(sum(y.values()) == problem.p)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for j in range(n):
        row = [int(f) for f in np.flatnonzero(allowed[j])]
        for f in row:
            x[j, f] = model.new_bool_var(f"x{j}_{f}")
            if f in y:
                model.add_implication(x[j, f], y[f])
        model.add_exactly_one(x[j, f] for f in row)
    penalty = problem.overload_penalty
    slack: list[cp_model.IntVar] = []
    for f in range(m):
        terms = [(x[j, f], int(load[j, f])) for j in range(n) if (j, f) in x]
        top = int(sum(w for _, w in terms))
        total = sum(v * w for v, w in terms)
        opened = y[f] if f in y else 1
        if penalty is None:
            model.add(total <= int(cap[f]) * opened)
            model.add(total >= int(low_int[f]) * opened)
            continue
        over = model.new_int_var(0, top, f"over{f}")
        under = model.new_int_var(0, int(low_int[f]), f"under{f}")
        model.add(total <= int(cap[f]) * opened + over)
        model.add(total + under >= int(low_int[f]) * opened)
        slack += [over, under]
    pen_int = 0 if penalty is None else max(1, round(penalty))
    model.minimize(sum(int(cost[j, f]) * v for (j, f), v in x.items())
                   + pen_int * sum(slack))
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.max_deterministic_time = DET_PER_SECOND * time_limit
    solver.parameters.max_time_in_seconds = 10 * time_limit  # safety net only
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stops the run, not just this solve
    code = solver.solve(model)
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
              cp_model.INFEASIBLE: "infeasible"}.get(code, "unknown")
    if status not in ("optimal", "feasible"):
        return PMedianResult(status, np.zeros(m, dtype=bool), np.zeros(0, dtype=np.int64),
                             math.inf, math.nan, np.zeros(m), solver.wall_time)
    assign = np.full(n, -1, dtype=np.int64)
    for (j, f), v in x.items():
        if solver.boolean_value(v):
            assign[j] = f
    is_open = problem.fixed_open.copy()
    for f, v in y.items():
        is_open[f] = solver.boolean_value(v)
    loads = np.bincount(assign, weights=problem.load[np.arange(n), assign], minlength=m)
    overload = np.maximum(0.0, loads - problem.capacity)
    underload = np.where(is_open, np.maximum(0.0, low - loads), 0.0)
    objective = float(problem.cost[np.arange(n), assign].sum())
    if penalty is not None:
        objective += pen_int * float(overload.sum() + underload.sum())
    bound = solver.best_objective_bound / factor if exact else math.nan
    return PMedianResult(status, is_open, assign, objective, bound, overload, solver.wall_time)
