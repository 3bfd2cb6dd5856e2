"""CP-SAT models of the whole problem or of a neighbourhood (the items of a few agents), in the
pandas style of OR-Tools' assignment samples. Data is integer-scaled by engine.scaling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from territory_opt.engine import scaling
from territory_opt.engine.arrays import IntArray
from territory_opt.engine.problem import AssignmentProblem

UNLIMITED = scaling.MAX_VALUE // 4
#: above this many pairs a neighbourhood model is solved without CP-SAT's presolve
PRESOLVE_MAX_PAIRS = 3_000

Expr = cp_model.LinearExpr | int


@dataclass(frozen=True)
class ScaledProblem:
    """Integer data of a problem (see engine.scaling for the rounding directions)."""

    problem: AssignmentProblem
    cost_scale: int
    load_scale: int
    cost: IntArray
    load_hi: IntArray
    load_lo: IntArray
    bal_hi: IntArray
    bal_lo: IntArray
    capacity: IntArray
    min_load: IntArray
    group_size: IntArray
    tol_num: int
    move_weight: int

    @property
    def tol_den(self) -> int:
        return scaling.TOLERANCE_DENOMINATOR

    @property
    def exact_limits(self) -> bool:
        """True when the integer model has the float model's feasible set (no rounding in
        loads, limits or tolerance): only then do CP-SAT's bound and infeasibility proofs
        carry over to the problem as specified."""
        p = self.problem
        finite = np.isfinite(p.capacity)
        return bool(np.array_equal(self.load_hi, self.load_lo)
                    and np.array_equal(self.bal_hi, self.bal_lo)
                    and np.allclose(self.capacity[finite], p.capacity[finite] * self.load_scale)
                    and np.allclose(self.min_load, p.min_load * self.load_scale)
                    and abs(self.tol_num - p.tolerance * self.tol_den) < 1e-9)


def scale_problem(p: AssignmentProblem, *, relaxed: bool = False) -> ScaledProblem:
    """Integer data of ``p``. By default every rounding tightens the limits, so an integer
    plan is feasible as specified (a restriction). With ``relaxed`` every rounding loosens
    them, so the integer model's bound and infeasibility hold for the problem as specified."""
    down, up = (scaling.ceil_scaled, scaling.floor_scaled) if relaxed else (
        scaling.floor_scaled, scaling.ceil_scaled)
    cs = scaling.scale_for(p.cost, scaling.COST_SIGNIFICANT_DIGITS)
    ls = scaling.scale_for(np.concatenate([p.load, p.balance, p.capacity, p.min_load]))
    cap = np.where(np.isfinite(p.capacity), p.capacity, 0.0)
    capacity = np.where(np.isfinite(p.capacity), down(cap, ls), UNLIMITED)
    sizes = np.zeros(p.n_agents, dtype=np.int64)
    if (p.group >= 0).any():
        counts = np.bincount(p.group[p.group >= 0])
        sizes[p.group >= 0] = counts[p.group[p.group >= 0]]
    load_hi = up(p.load, ls)
    return ScaledProblem(
        problem=p, cost_scale=cs, load_scale=ls,
        cost=scaling.floor_scaled(p.cost, cs), load_hi=load_hi,
        load_lo=down(p.load, ls), bal_hi=up(p.balance, ls), bal_lo=down(p.balance, ls),
        capacity=capacity.astype(np.int64), min_load=up(p.min_load, ls),
        group_size=sizes, tol_num=scaling.tolerance_numerator(p.tolerance, round_up=relaxed),
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
        self.bal_hi = np.bincount(agents, weights=sp.bal_hi[self.chosen],
                                  minlength=p.n_agents).astype(np.int64)
        self.bal_lo = np.bincount(agents, weights=sp.bal_lo[self.chosen],
                                  minlength=p.n_agents).astype(np.int64)
        self.moves = int(np.sum((p.owner >= 0) & (agents != p.owner)))

    def balance_excess(self) -> np.ndarray:
        """Per agent how far (in scaled measure units) it lies outside its balance band,
        judged conservatively: own measure rounded against the group total rounded."""
        sp, p = self.sp, self.sp.problem
        out = np.zeros(p.n_agents)
        den, k = sp.tol_den, sp.tol_num
        for g in np.unique(p.group[p.group >= 0]):
            members = p.group == g
            n = int(members.sum())
            t_lo, t_hi = int(self.bal_lo[members].sum()), int(self.bal_hi[members].sum())
            up = np.maximum(0, n * den * self.bal_hi[members] - (den + k) * t_lo)
            low = np.maximum(0, (den - k) * t_hi - n * den * self.bal_lo[members])
            out[members] = (up + low) / (n * den)
        return out

    def cost(self) -> int:
        return int(self.sp.cost[self.chosen].sum())

    def violation(self) -> float:
        """Total violation in scaled load units (moves weighted by a typical item load)."""
        sp, p = self.sp, self.sp.problem
        v = float(np.maximum(0, self.load_hi - sp.capacity).sum())
        v += float(np.maximum(0, sp.min_load - self.load_lo).sum())
        v += float(self.balance_excess().sum())
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
            np.add.at(self.bal_hi, a, sign * sp.bal_hi[pairs])
            np.add.at(self.bal_lo, a, sign * sp.bal_lo[pairs])
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
    size: int = 0  # candidate pairs in the model


def free_items_of(state: AssignmentState, agents: IntArray) -> IntArray:
    """The items held by ``agents`` that have a choice (more than one candidate)."""
    p = state.sp.problem
    in_s = np.zeros(p.n_agents, dtype=bool)
    in_s[agents] = True
    return np.flatnonzero(in_s[p.agent[state.chosen]] & (np.diff(p.item_ptr) > 1))


def solve_neighbourhood(state: AssignmentState, items: IntArray, agents: IntArray, *,
                        repair: bool, det_time: float = 1.0, time_limit: float = 10.0,
                        seed: int = 0, workers: int = 1) -> SubResult:
    """Re-optimise ``items`` over their candidate pairs with ``agents``; all else is fixed.

    ``agents`` must include each item's current agent. With ``repair`` the limits are soft and
    the summed violation comes first, then cost; otherwise the limits are hard and the cost
    is minimised. The current assignment is the hint.
    """
    sp, p = state.sp, state.sp.problem
    in_s = np.zeros(p.n_agents, dtype=bool)
    in_s[agents] = True
    items = np.asarray(items, dtype=np.int64)
    if len(items) == 0:
        return SubResult("optimal", items, None, 0.0, 0.0, 0.0)
    pair_idx = p.pairs_of(items)
    pair_idx = pair_idx[in_s[p.agent[pair_idx]]]
    agents = np.unique(np.concatenate([p.agent[pair_idx], p.agent[state.chosen[items]]]))
    sub = pd.DataFrame({
        "item": p.item[pair_idx], "agent": p.agent[pair_idx], "cost": sp.cost[pair_idx],
        "w_hi": sp.load_hi[pair_idx], "w_lo": sp.load_lo[pair_idx],
        "b_hi": sp.bal_hi[pair_idx], "b_lo": sp.bal_lo[pair_idx],
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
    base_bhi = state.bal_hi - np.bincount(cur_agents, weights=sp.bal_hi[current],
                                          minlength=p.n_agents).astype(np.int64)
    base_blo = state.bal_lo - np.bincount(cur_agents, weights=sp.bal_lo[current],
                                          minlength=p.n_agents).astype(np.int64)
    slacks: list[cp_model.IntVar] = []
    # every variable gets a hint, so that the current plan is CP-SAT's first solution (with an
    # incomplete hint, CP-SAT's hint repair found none on 1,748 interchangeable items in its
    # deterministic second and the neighbourhood ended without a plan)
    hints: list[tuple[cp_model.IntVar, int]] = []

    def limit(expr: cp_model.LinearExprT, ub: int, name: str, hi: int, now: int,
              unit: int = 1) -> None:
        """expr <= ub; in repair mode expr <= ub + unit·slack with 0 <= slack <= hi, the slack
        hinted with what the current plan (where expr is ``now``) needs."""
        if repair:
            s = model.new_int_var(0, max(0, hi), name)
            model.add(expr <= ub + unit * s)
            slacks.append(s)
            hints.append((s, int(min(max(0, hi), max(0, -((ub - now) // unit))))))
        else:
            model.add(expr <= ub)

    def weighted(part: pd.DataFrame | None, column: str, base: int) -> Expr:
        if part is None:
            return base
        return base + cp_model.LinearExpr.weighted_sum(x[part.index].tolist(),
                                                       part[column].tolist())

    by_agent = dict(tuple(sub.groupby("agent")))
    bhi_expr: dict[int, Expr] = {}
    blo_expr: dict[int, Expr] = {}
    for j in agents.tolist():
        part = by_agent.get(j)
        bhi_expr[j] = weighted(part, "b_hi", int(base_bhi[j]))
        blo_expr[j] = weighted(part, "b_lo", int(base_blo[j]))
        if sp.capacity[j] < UNLIMITED:
            limit(weighted(part, "w_hi", int(base_hi[j])), int(sp.capacity[j]), f"cap{j}",
                  int(sp.load_hi[pair_idx].sum()), int(state.load_hi[j]))
        if sp.min_load[j] > 0:
            limit(-weighted(part, "w_lo", int(base_lo[j])), -int(sp.min_load[j]), f"min{j}",
                  int(sp.min_load[j]), -int(state.load_lo[j]))
    den, k = sp.tol_den, sp.tol_num
    for g in np.unique(p.group[agents][p.group[agents] >= 0]):
        g = int(g)
        members = np.flatnonzero(p.group == g)
        n = len(members)
        in_group = sub[p.group[sub["agent"].to_numpy()] == g]
        xs = x[in_group.index].tolist()
        totals = []
        for col, base in (("b_lo", base_blo), ("b_hi", base_bhi)):
            b0 = int(base[members].sum())
            t = model.new_int_var(b0, b0 + int(in_group.groupby("item")[col].max().sum()),
                                  f"T{col}{g}")
            model.add(t == b0 + cp_model.LinearExpr.weighted_sum(xs, in_group[col].tolist()))
            totals.append(t)
        t_lo, t_hi = totals
        now_lo, now_hi = int(state.bal_lo[members].sum()), int(state.bal_hi[members].sum())
        hints += [(t_lo, now_lo), (t_hi, now_hi)]
        big = int(base_bhi[members].sum()) + int(in_group["b_hi"].sum())
        for j in members.tolist():
            b_hi = bhi_expr.get(j, int(state.bal_hi[j]))
            b_lo = blo_expr.get(j, int(state.bal_lo[j]))
            limit(n * den * b_hi - (den + k) * t_lo, 0, f"bu{j}", big,
                  n * den * int(state.bal_hi[j]) - (den + k) * now_lo, n * den)
            limit((den - k) * t_hi - n * den * b_lo, 0, f"bl{j}", big,
                  (den - k) * now_hi - n * den * int(state.bal_lo[j]), n * den)
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
            hints.append((s, max(0, state.moves - p.max_moves)))
        else:
            model.add(moved_expr <= p.max_moves)
    if repair:
        # violation only: a plan with none is optimal at once (the bound is 0)
        model.minimize(sum(slacks))
    else:
        model.minimize(cp_model.LinearExpr.weighted_sum(x.tolist(), sub["cost"].tolist()))
    hint = sub.index.isin(current)
    for var, value in zip(x.tolist(), hint.tolist(), strict=True):
        model.add_hint(var, value)
    for int_var, int_value in hints:
        model.add_hint(int_var, int_value)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    prm.random_seed = seed
    prm.max_deterministic_time = det_time
    prm.max_time_in_seconds = time_limit
    prm.catch_sigint_signal = False  # Ctrl-C stops the run, not just this solve
    if len(sub) > PRESOLVE_MAX_PAIRS:
        # on 9,045 pairs of 1,748 items (many interchangeable) presolve took 10 s of wall
        # time and all of the deterministic second before any search (set-packing inclusions
        # among identical items); without it the hinted plan is the first solution at once
        prm.cp_model_presolve = False
    # several workers interleaved on deterministic time: same seed, same answer
    prm.interleave_search = workers > 1
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"invalid CP-SAT model: {model.validate()}")
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible",
            cp_model.INFEASIBLE: "infeasible"}.get(status, "unknown")
    if name in ("optimal", "feasible"):
        values = solver.boolean_values(x)
        chosen = values[values].index.to_numpy()
        order = np.argsort(p.item[chosen], kind="stable")
        return SubResult(name, items, chosen[order].astype(np.int64), solver.objective_value,
                         solver.best_objective_bound, solver.deterministic_time, len(sub))
    return SubResult(name, items, None, float("inf"), float("-inf"), solver.deterministic_time,
                     len(sub))
