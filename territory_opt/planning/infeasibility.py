"""Why no plan exists: which limits conflict and by how much (relax and measure).

Each limit is relaxed in turn and the problem re-solved. Thresholds come from the LP relaxation
(a necessary condition) and are then checked with the real engine, so every "relaxing X is
feasible" sentence is backed by a plan that was actually found.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.engine import AssignmentProblem, EngineParams, solve_assignment
from territory_opt.engine.lp import solve_lp
from territory_opt.planning.families import FamilyConflict, family_groups
from territory_opt.planning.problem import build_problem, fixed_accounts, owner_index

#: above this many candidate pairs the relaxation LPs would cost more than the run itself
MAX_ANALYSED_PAIRS = 2_000_000


def capacity_shortfalls(data: PlanningData) -> list[str]:
    """Roles whose calls plus the least possible travel exceed the role's total capacity."""
    out = []
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        if len(a_idx) == 0 or len(r_idx) == 0:
            continue
        touch = float(data.accounts["touch_hours"].to_numpy()[a_idx].sum())
        travel = float(data.travel_hours(a_idx, r_idx).min(axis=1).sum())
        caps = data.reps["capacity_hours"].to_numpy()[r_idx]
        if touch + travel > caps.sum():
            out.append(
                f"{role}s need at least {touch + travel:,.0f} h ({touch:,.0f} h of calls and at "
                f"least {travel:,.0f} h of travel), but have {len(r_idx)} reps with "
                f"{caps.sum():,.0f} h in all; short by {touch + travel - caps.sum():,.0f} h "
                f"(about {np.ceil((touch + travel - caps.sum()) / caps.mean()):.0f} more reps)")
    return out


def fixed_overloads(data: PlanningData) -> list[str]:
    """Reps whose locked and keep-owner accounts (and, with ``families: together``, the
    families of those accounts) alone exceed their capacity."""
    owner = owner_index(data)
    fixed = fixed_accounts(data, owner)
    if not fixed.any():
        return []
    if data.scenario.families == "together":
        owner, fixed = owner.copy(), fixed.copy()
        for g in family_groups(data):
            bound = np.unique(owner[g[fixed[g]]])
            if len(bound) == 1:  # two owners: a conflict, explained apart
                owner[g], fixed[g] = bound[0], True
    idx = np.flatnonzero(fixed)
    reps = data.reps
    out = []
    for r in np.unique(owner[idx]):
        mine = idx[owner[idx] == r]
        load = float(data.accounts["touch_hours"].to_numpy()[mine].sum()
                     + data.travel_hours(mine, np.array([r])).sum())
        cap = float(reps["capacity_hours"].iloc[r])
        if load > cap:
            with_families = (" (with their families)"
                             if data.scenario.families == "together" else "")
            out.append(f"rep {reps['rep_id'].iloc[r]} must keep locked/keep-owner accounts"
                       f"{with_families} worth {load:,.0f} h, above its capacity of "
                       f"{cap:,.0f} h")
    return out


def _feasible(problem: AssignmentProblem, seconds: float) -> bool:
    res = solve_assignment(problem, EngineParams(time_limit=seconds, workers=1))
    return res.chosen is not None


def _lp_feasible(problem: AssignmentProblem) -> bool:
    return solve_lp(problem, time_limit=30).status == "optimal"


def _min_moves(problem: AssignmentProblem) -> int | None:
    """The fewest moves any plan within the other limits needs (LP bound, rounded up)."""
    moved = (problem.owner[problem.item] >= 0) & (problem.agent != problem.owner[problem.item])
    lp = solve_lp(dataclasses.replace(problem, cost=moved.astype(float), max_moves=None,
                                      constant=0.0))
    return None if lp.status != "optimal" else int(np.ceil(lp.objective - 1e-6))


def _min_tolerance(data: PlanningData, low: float) -> float | None:
    """Smallest balance tolerance (to 0.5%) at which the LP relaxation is feasible."""
    hi = 10.0
    if not _lp_feasible(build_problem(data, tolerance=hi).problem):
        return None
    lo = low
    while hi - lo > 0.001:
        mid = _per_mille((lo + hi) / 2)
        if mid >= hi:
            break
        if _lp_feasible(build_problem(data, tolerance=mid).problem):
            hi = mid
        else:
            lo = mid
    return hi


def _per_mille(value: float) -> float:
    """Round up to a multiple of 0.1%."""
    return math.ceil(value * 1000 - 1e-9) / 1000


def explain(data: PlanningData, *, proven: bool, time_limit: float = 30.0) -> list[str]:
    """Sentences naming the conflicting limits; the first says whether infeasibility is proven."""
    sc = data.scenario
    head = ("No plan satisfies every limit (proven by the solver)." if proven else
            "No plan satisfying every limit was found within the time limit.")
    try:
        tp = build_problem(data)
    except FamilyConflict as err:
        return ["No plan satisfies every limit (proven: a family cannot be kept together).",
                *err.reasons]
    reasons = [head] + capacity_shortfalls(data) + fixed_overloads(data)
    if len(reasons) > 1:
        return reasons
    each = max(2.0, time_limit / 4)
    if len(tp.problem.item) > MAX_ANALYSED_PAIRS:
        reasons.append(f"The relax-and-measure analysis is not run above {MAX_ANALYSED_PAIRS:,} "
                       f"account-rep pairs (this problem has {len(tp.problem.item):,}); try a "
                       "longer --time-limit, or relax max_moved_share, balance.tolerance or "
                       "keep_owner_tiers.")
        return reasons
    relaxations: list[str] = []
    need = _min_moves(tp.problem)
    if need is not None and need > (tp.problem.max_moves or 0) and tp.previously_owned:
        trial = min(1.0, _per_mille(need / tp.previously_owned))
        ok = _feasible(build_problem(data, max_moved_share=trial).problem, each)
        relaxations.append(f"max moved {trial:.1%} (at least {need} moves are needed)"
                           + ("" if ok else ", not yet confirmed by a plan"))
    tol = _min_tolerance(data, sc.balance.tolerance)
    if tol is not None and tol > sc.balance.tolerance:
        ok = _feasible(build_problem(data, tolerance=tol).problem, each)
        relaxations.append(f"balance ±{tol:.1%}" + ("" if ok else
                                                   ", not yet confirmed by a plan"))
    if sc.disruption.keep_owner_tiers:
        if _feasible(build_problem(data, keep_owner=False).problem, each):
            relaxations.append("keep-owner off")
    limits = ([f"keep-owner {'/'.join(sc.disruption.keep_owner_tiers)}"]
              if sc.disruption.keep_owner_tiers else [])
    limits += [f"max moved {sc.disruption.max_moved_share:.0%}",
               f"balance ±{sc.balance.tolerance:.0%}", "capacity"]
    if relaxations:
        reasons.append(f"{' + '.join(limits)} cannot all hold; relaxing any one of them is "
                       f"feasible: {', or '.join(relaxations)}.")
    else:
        reasons.append(f"{' + '.join(limits)} cannot all hold, and relaxing one of them alone "
                       "did not give a plan in the time available.")
    return reasons
