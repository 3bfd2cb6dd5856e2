"""CP-SAT models of the whole problem or of a neighbourhood (the items of a few agents), in the
pandas style of OR-Tools' assignment samples. Data is integer-scaled by engine.scaling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from territory_opt.engine import scaling
from territory_opt.engine.problem import AssignmentProblem, IntArray

UNLIMITED = scaling.MAX_VALUE // 4


@dataclass(frozen=True)
class ScaledProblem:
    """Integer data of a problem (see engine.scaling for the rounding directions)."""

    problem: AssignmentProblem
    cost_scale: int
    load_scale: int
    cost: IntArray
    load_hi: IntArray
    load_lo: IntArray
    balance: IntArray
    capacity: IntArray
    min_load: IntArray
    group_size: IntArray
    tol_num: int
    move_weight: int

    @property
    def tol_den(self) -> int:
        return scaling.TOLERANCE_DENOMINATOR


def scale_problem(p: AssignmentProblem) -> ScaledProblem:
    cs = scaling.scale_for(p.cost)
    ls = scaling.scale_for(np.concatenate([p.load, p.balance, p.capacity[np.isfinite(
        p.capacity)], p.min_load]))
    cap = np.where(np.isfinite(p.capacity), p.capacity, 0.0)
    capacity = np.where(np.isfinite(p.capacity), scaling.floor_scaled(cap, ls), UNLIMITED)
    sizes = np.zeros(p.n_agents, dtype=np.int64)
    if (p.group >= 0).any():
        counts = np.bincount(p.group[p.group >= 0])
        sizes[p.group >= 0] = counts[p.group[p.group >= 0]]
    load_hi = scaling.ceil_scaled(p.load, ls)
    return ScaledProblem(
        problem=p, cost_scale=cs, load_scale=ls,
        cost=scaling.floor_scaled(p.cost, cs), load_hi=load_hi,
        load_lo=scaling.floor_scaled(p.load, ls), balance=scaling.round_scaled(p.balance, ls),
        capacity=capacity.astype(np.int64), min_load=scaling.ceil_scaled(p.min_load, ls),
        group_size=sizes, tol_num=scaling.tolerance_numerator(p.tolerance, exact=ls == 1),
        move_weight=max(1, int(np.median(load_hi)) if len(load_hi) else 1),
    )


class AssignmentState:
    """The current assignment with the integer sums the neighbourhood models start from."""

    def __init__(self, sp: ScaledProblem, chosen: IntArray) -> None:
        p = sp.problem
        self.sp = sp
        self.chosen = chosen.astype(np.int64).copy()
        agents = p.agent[self.chosen]
        self.load_hi = np.bincount(agents, weights=sp.load_hi[self.chosen],
                                   minlength=p.n_agents).astype(np.int64)
        self.load_lo = np.bincount(agents, weights=sp.load_lo[self.chosen],
                                   minlength=p.n_agents).astype(np.int64)
        self.bal = np.bincount(agents, weights=sp.balance[self.chosen],
                               minlength=p.n_agents).astype(np.int64)
        self.moves = int(np.sum((p.owner >= 0) & (agents != p.owner)))

    def group_total(self, g: int) -> int:
        return int(self.bal[self.sp.problem.group == g].sum())

    def cost(self) -> int:
        return int(self.sp.cost[self.chosen].sum())

    def violation(self) -> float:
        """Total violation in scaled load units (moves weighted by a typical item load)."""
        sp, p = self.sp, self.sp.problem
        v = float(np.maximum(0, self.load_hi - sp.capacity).sum())
        v += float(np.maximum(0, sp.min_load - self.load_lo).sum())
        for g in np.unique(p.group[p.group >= 0]):
            members = p.group == g
            t = self.group_total(int(g))
            n, den, k = int(members.sum()), sp.tol_den, sp.tol_num
            nb = n * den * self.bal[members]
            v += float(np.maximum(0, nb - (den + k) * t).sum() / (n * den))
            v += float(np.maximum(0, (den - k) * t - nb).sum() / (n * den))
        if p.max_moves is not None:
            v += max(0, self.moves - p.max_moves) * sp.move_weight
        return v

    def update(self, items: IntArray, new_pairs: IntArray) -> None:
        sp, p = self.sp, self.sp.problem
        old = self.chosen[items]
        for pairs, sign in ((old, -1), (new_pairs, 1)):
            a = p.agent[pairs]
            np.add.at(self.load_hi, a, sign * sp.load_hi[pairs])
            np.add.at(self.load_lo, a, sign * sp.load_lo[pairs])
            np.add.at(self.bal, a, sign * sp.balance[pairs])
            self.moves += sign * int(np.sum((p.owner[items] >= 0) & (a != p.owner[items])))
        self.chosen[items] = new_pairs


@dataclass
class SubResult:
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown"
    items: IntArray
    pairs: IntArray | None
    objective: float
    bound: float
    deterministic_time: float


def solve_neighbourhood(state: AssignmentState, agents: IntArray, *, repair: bool,
                        free_all: bool = False, det_time: float = 1.0,
                        time_limit: float = 10.0, seed: int = 0, workers: int = 1,
                        log_callback: object | None = None) -> SubResult:
    """Re-optimise the items held by ``agents`` over those agents, everything else fixed.

    With ``repair`` the limits are soft and the summed violation is minimised; otherwise the
    limits are hard and the cost is minimised. The current assignment is the hint.
    """
    sp, p = state.sp, state.sp.problem
    in_s = np.zeros(p.n_agents, dtype=bool)
    in_s[agents] = True
    ptr = p.item_ptr
    n_cand = np.diff(ptr)
    free = in_s[p.agent[state.chosen]] & (free_all | (n_cand > 1))
    items = np.flatnonzero(free)
    if len(items) == 0:
        return SubResult("optimal", items, None, 0.0, 0.0, 0.0)
    counts = n_cand[items]
    pair_idx = np.repeat(ptr[items], counts) + (np.arange(counts.sum())
                                                - np.repeat(np.cumsum(counts) - counts, counts))
    pair_idx = pair_idx[in_s[p.agent[pair_idx]]]
    sub = pd.DataFrame({
        "item": p.item[pair_idx], "agent": p.agent[pair_idx], "cost": sp.cost[pair_idx],
        "w_hi": sp.load_hi[pair_idx], "w_lo": sp.load_lo[pair_idx],
        "bal": sp.balance[pair_idx],
    }, index=pair_idx)
    model = cp_model.CpModel()
    x = model.new_bool_var_series(name="x", index=sub.index)
    for _, pairs in sub.groupby("item"):
        model.add_exactly_one(x[pairs.index])
    current = state.chosen[items]
    cur_agents = p.agent[current]
    base_hi = state.load_hi - np.bincount(cur_agents, weights=sp.load_hi[current],
                                          minlength=p.n_agents).astype(np.int64)
    base_lo = state.load_lo - np.bincount(cur_agents, weights=sp.load_lo[current],
                                          minlength=p.n_agents).astype(np.int64)
    base_bal = state.bal - np.bincount(cur_agents, weights=sp.balance[current],
                                       minlength=p.n_agents).astype(np.int64)
    slacks: list[cp_model.IntVar] = []

    def limit(expr: cp_model.LinearExprT, ub: int, name: str, hi: int) -> None:
        """expr <= ub, soft in repair mode (slack in the same units)."""
        if repair:
            s = model.new_int_var(0, max(0, hi), name)
            model.add(expr <= ub + s)
            slacks.append(s)
        else:
            model.add(expr <= ub)

    by_agent = dict(tuple(sub.groupby("agent")))
    bal_expr: dict[int, cp_model.LinearExprT] = {}
    for j in agents:
        j = int(j)
        part = by_agent.get(j)
        if part is None:
            hi_e: cp_model.LinearExprT = int(base_hi[j])
            lo_e: cp_model.LinearExprT = int(base_lo[j])
            bal_expr[j] = int(base_bal[j])
        else:
            xs = x[part.index]
            hi_e = int(base_hi[j]) + cp_model.LinearExpr.weighted_sum(xs.tolist(),
                                                                      part["w_hi"].tolist())
            lo_e = int(base_lo[j]) + cp_model.LinearExpr.weighted_sum(xs.tolist(),
                                                                      part["w_lo"].tolist())
            bal_expr[j] = int(base_bal[j]) + cp_model.LinearExpr.weighted_sum(
                xs.tolist(), part["bal"].tolist())
        if sp.capacity[j] < UNLIMITED:
            limit(hi_e, int(sp.capacity[j]), f"cap{j}", int(sp.load_hi.sum()))
        if sp.min_load[j] > 0:
            limit(-lo_e, -int(sp.min_load[j]), f"min{j}", int(sp.min_load[j]))
    den, k = sp.tol_den, sp.tol_num
    for g in np.unique(p.group[agents][p.group[agents] >= 0]):
        g = int(g)
        members = np.flatnonzero(p.group == g)
        n = len(members)
        in_group = sub[p.group[sub["agent"].to_numpy()] == g]
        base_t = int(base_bal[members].sum())
        t_max = base_t + int(in_group.groupby("item")["bal"].max().sum())
        t = model.new_int_var(0, max(t_max, 0), f"T{g}")
        model.add(t == base_t + cp_model.LinearExpr.weighted_sum(x[in_group.index].tolist(),
                                                                 in_group["bal"].tolist()))
        for j in members:
            b = bal_expr.get(int(j), int(state.bal[j]))
            hi = n * den * t_max
            limit(n * den * b - (den + k) * t, 0, f"bu{j}", hi)
            limit((den - k) * t - n * den * b, 0, f"bl{j}", hi)
    if p.max_moves is not None:
        owner = p.owner[items]
        op = p.owner_pair[items]
        movable = (owner >= 0) & (op >= 0) & in_s[np.maximum(owner, 0)]
        fixed_moved = int(np.sum(owner >= 0)) - int(movable.sum())
        outside = state.moves - int(np.sum((owner >= 0) & (cur_agents != owner)))
        stay = x[op[movable]].tolist()
        moved_expr = outside + fixed_moved + len(stay) - sum(stay)
        if repair:
            s = model.new_int_var(0, len(items) + state.moves, "moves")
            model.add(moved_expr <= p.max_moves + s)
            slacks.append(s * sp.move_weight)  # type: ignore[arg-type]
        else:
            model.add(moved_expr <= p.max_moves)
    if repair:
        model.minimize(sum(slacks))
    else:
        model.minimize(cp_model.LinearExpr.weighted_sum(x.tolist(), sub["cost"].tolist()))
    hint = sub.index.isin(current)
    for var, value in zip(x.tolist(), hint.tolist(), strict=True):
        model.add_hint(var, value)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    prm.random_seed = seed
    prm.max_deterministic_time = det_time
    prm.max_time_in_seconds = time_limit
    if log_callback is not None:
        prm.log_search_progress = True
        solver.log_callback = log_callback  # type: ignore[assignment]
    status = solver.solve(model)
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
            cp_model.INFEASIBLE: "infeasible"}.get(status, "unknown")
    if name in ("optimal", "feasible"):
        values = solver.boolean_values(x)
        chosen = values[values].index.to_numpy()
        order = np.argsort(p.item[chosen], kind="stable")
        return SubResult(name, items, chosen[order].astype(np.int64), solver.objective_value,
                         solver.best_objective_bound, solver.deterministic_time)
    return SubResult(name, items, None, float("inf"), float("-inf"), solver.deterministic_time)
