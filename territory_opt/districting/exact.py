"""Exact contiguous districting with fixed centres (objective 'cost'), by CP-SAT.

Contiguity is a single-commodity flow per district (Shirabe 2005): the centre c_k is the
source; every other unit u of district k absorbs one unit of flow,
``Σ in f_k − Σ out f_k = x[u, k]``, and flow may only use arcs between units of k
(``f_k(u→v) <= (n−1)·x[u, k]`` and ``<= (n−1)·x[v, k]``). A unit of k can only be fed if a
path of k's units leads to it from c_k, so every district is connected.

Numbers follow the engine's scaling policy (:mod:`territory_opt.engine.scaling`): costs are
rounded down, so the CP-SAT bound is a valid bound on the float objective; measures are
rounded up on upper limits and down on lower ones, so an integer-feasible plan is
float-feasible. An integer 'infeasible' therefore proves nothing about the float problem.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from territory_opt.districting.problem import DistrictingProblem
from territory_opt.engine.arrays import IntArray
from territory_opt.engine.scaling import (
    TOLERANCE_DENOMINATOR,
    ScalingError,
    ceil_scaled,
    floor_scaled,
    scale_for,
    tolerance_numerator,
)


@dataclass(frozen=True)
class ExactResult:
    """``status``: 'optimal', 'feasible', 'infeasible' (in scaled integers) or 'unknown'.
    ``resolution``: how far the float optimum may lie above ``bound`` after rounding."""

    status: str
    labels: IntArray | None
    bound: float
    resolution: float
    seconds: float
    det_time: float = 0.0


def solve_exact(problem: DistrictingProblem, *, hint: IntArray | None, det_time: float,
                time_limit: float, seed: int = 0) -> ExactResult:
    """Solve ``problem`` (objective 'cost', fixed centres) with the flow model, within
    ``det_time`` CP-SAT deterministic seconds (``time_limit``: the wall-clock safety net)."""
    t0 = time.monotonic()
    pb = problem
    if pb.objective != "cost" or pb.centres is None or pb.cost is None:
        raise ValueError("the exact model needs the 'cost' objective and fixed centres")
    n, p = pb.n, pb.p
    finite_w = pb.weights[np.isfinite(pb.weights)]
    scale = scale_for(np.concatenate([pb.cost.ravel(), finite_w]))
    try:
        cost = floor_scaled(pb.cost, scale)
        w_up = ceil_scaled(pb.weights, scale)
        w_lo = floor_scaled(pb.weights, scale)
    except ScalingError:
        return ExactResult("unknown", None, -math.inf, 0.0, time.monotonic() - t0)
    allowed = (pb.fixed[:, None] < 0) | (pb.fixed[:, None] == np.arange(p)[None, :])
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for u, k in zip(*np.nonzero(allowed), strict=True):
        x[int(u), int(k)] = model.new_bool_var(f"x{u}_{k}")
    for u in range(n):
        model.add_exactly_one(x[u, k] for k in range(p) if allowed[u, k])
    _add_flows(model, pb, x, allowed)

    def total(coef: np.ndarray, district: int | None, measure: int) -> cp_model.LinearExprT:
        keys = [key for key in x if district is None or key[1] == district]
        return cp_model.LinearExpr.weighted_sum(
            [x[key] for key in keys], [int(coef[key[0], key[1], measure]) for key in keys])

    for mm in range(pb.m):
        if np.isfinite(pb.tolerance[mm]):
            t = tolerance_numerator(float(pb.tolerance[mm]))
            low_total, up_total = total(w_lo, None, mm), total(w_up, None, mm)
            for k in range(p):
                model.add(TOLERANCE_DENOMINATOR * p * total(w_up, k, mm)
                          <= (TOLERANCE_DENOMINATOR + t) * low_total)
                model.add(TOLERANCE_DENOMINATOR * p * total(w_lo, k, mm)
                          >= (TOLERANCE_DENOMINATOR - t) * up_total)
        for k in range(p):
            if np.isfinite(pb.upper[k, mm]):
                model.add(total(w_up, k, mm) <= math.floor(pb.upper[k, mm] * scale + 1e-9))
    if pb.moves is not None and np.isfinite(pb.max_moves):
        keys = list(x)
        model.add(cp_model.LinearExpr.weighted_sum(
            [x[key] for key in keys], [int(round(pb.moves[key])) for key in keys])
            <= math.floor(pb.max_moves + 1e-9))
    keys = list(x)
    model.minimize(cp_model.LinearExpr.weighted_sum([x[key] for key in keys],
                                                    [int(cost[key]) for key in keys]))
    if hint is not None:
        for (u, k), var in x.items():
            model.add_hint(var, int(hint[u]) == k)
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = float(det_time)
    solver.parameters.max_time_in_seconds = float(time_limit)
    # one worker, whatever solver.workers says: OR-Tools 9.15 aborted the whole process ("Check
    # failed: heuristics.fixed_search != nullptr") on this model with two interleaved workers
    # (the contiguous nv-5k-phone-t15-s1 of benchmarks/alignments.py; one worker ran through)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = int(seed)
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stops the run, not just this solve
    code = solver.solve(model)
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
            cp_model.INFEASIBLE: "infeasible"}.get(code, "unknown")
    labels = None
    if name in ("optimal", "feasible"):
        labels = np.full(n, -1, dtype=np.int64)
        for (u, k), var in x.items():
            if solver.boolean_value(var):
                labels[u] = k
    # the limits were rounded on the safe side: CP-SAT's bound (and optimality) hold for the
    # problem as specified only when that rounding changed nothing
    upper = pb.upper[np.isfinite(pb.upper)] * scale
    exact = (np.array_equal(w_up, w_lo) and np.allclose(upper, np.round(upper))
             and all(abs(tolerance_numerator(float(t)) - t * TOLERANCE_DENOMINATOR) < 1e-9
                     for t in pb.tolerance[np.isfinite(pb.tolerance)]))
    bound = -math.inf
    if name in ("optimal", "feasible") and exact:
        bound = solver.best_objective_bound / scale
    if name == "optimal" and not exact:
        name = "feasible"
    return ExactResult(name, labels, float(bound), n / scale, time.monotonic() - t0,
                       solver.deterministic_time)


def _add_flows(model: cp_model.CpModel, pb: DistrictingProblem,
               x: dict[tuple[int, int], cp_model.IntVar], allowed: np.ndarray) -> None:
    """The flow constraints of every district (see the module docstring)."""
    assert pb.centres is not None
    cap = pb.n - 1
    arcs = [(a, b) for a, b in pb.graph.edges] + [(b, a) for a, b in pb.graph.edges]
    for k in range(pb.p):
        centre = int(pb.centres[k])
        inflow: dict[int, list[cp_model.IntVar]] = {}
        outflow: dict[int, list[cp_model.IntVar]] = {}
        for a, b in arcs:
            if b == centre or not (allowed[a, k] and allowed[b, k]):
                continue
            f = model.new_int_var(0, cap, f"f{k}_{a}_{b}")
            model.add(f <= cap * x[a, k])
            model.add(f <= cap * x[b, k])
            outflow.setdefault(a, []).append(f)
            inflow.setdefault(b, []).append(f)
        for u in range(pb.n):
            if u == centre or not allowed[u, k]:
                continue
            model.add(sum(inflow.get(u, [])) - sum(outflow.get(u, [])) == x[u, k])
