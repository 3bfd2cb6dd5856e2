"""Contiguous territories (``contiguity: true``): the adapter from accounts, units and reps to
the districting core of :mod:`territory_opt.districting.problem`.

Per role, every unit of the unit graph (all units, so each role's territories cover the whole
map; a unit without accounts of the role weighs nothing) goes to one rep of the role, and with
it all of the unit's accounts of that role. Per rep, in the core's terms:

* weights: the balance measure of the unit's accounts (workload = touch + travel to *this*
  rep, so it depends on the rep) and, when the measure is not workload, the workload too,
  for the capacity limit;
* cost: objective.travel × travel hours + objective.moves × moved accounts (SPEC §4/§5, the
  same objective as the ordinary solver);
* centre: the rep's home unit (the unit whose centroid is nearest to the rep's home; two
  reps of a role never share one), always in the rep's territory;
* fixed units: a unit holding a locked or keep-owner account stays with that owner;
* moves: the scenario's limit (``floor(max_moved_share × owned accounts)``) less what the other
  roles use: their plans' moves, or, for a role still without a plan, its share. The shares
  split the limit by need: the fewest moves the role's whole units need within the band and
  capacity (an LP), and of the rest a part by owned accounts (:func:`move_shares`). A role
  that moves fewer accounts than its share leaves the rest to the roles searched after it,
  and the roles together never pass the scenario's limit (:func:`move_limit`).

Status: 'optimal' when every role's exact model proved its plan optimal, else 'feasible';
without a plan, 'infeasible' when no plan can exist (a unit holds locked accounts of two
reps, a relaxation is infeasible, whole units need more moves than the limit, or a pocket
of the unit graph cannot be balanced, see :mod:`territory_opt.districting.proof`) and
'unknown' when none was found in time.

The bound is valid for the contiguous problem because it is the bound of a relaxation: the
larger of the engine's Lagrangian bound on the problem without contiguity (account level) and
the sum over roles of the same bound on the unit-level problem without contiguity and move
limit (each rep keeping its home unit), or of the CP-SAT bound where the exact model ran and
proved more. Every plan is re-checked by the shared checkers
(:func:`territory_opt.domain.checker.check_plan`,
:func:`territory_opt.districting.problem.is_contiguous`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np

from territory_opt.districting.driver import DistrictingResult, solve_districting
from territory_opt.districting.evaluation import deviations, district_totals
from territory_opt.districting.problem import DistrictingProblem, districting_problem, is_contiguous
from territory_opt.domain.checker import check_plan, plan_objective, recompute
from territory_opt.domain.geo import chord_matrix_km, distance_matrix_km
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.engine import AssignmentProblem
from territory_opt.engine.lp import lagrangian_bound, solve_lp
from territory_opt.engine.progress import Progress, Stats
from territory_opt.engine.search import LP_MAX_PAIRS
from territory_opt.planning.families import FamilyConflict, anchor_units
from territory_opt.planning.problem import build_problem, fixed_accounts, owner_index
from territory_opt.planning.result import Plan, SolveParams, SolveResult, SolverSettings
from territory_opt.planning.unit_graph import UnitGraph, unit_graph

#: a role without a plan searches again while at least this many seconds are left
RETRY_SECONDS = 1.0
#: the relaxations' LPs (bound and proofs) stop after this share of the time left; a national
#: footprint's unit-level LPs take 80 s otherwise
RELAXATION_SHARE = 0.3
#: when reading the graph and the relaxations took more than this share of the time limit,
#: the roles' first round splits the wall time left instead of the whole limit
SLOW_PREPARATION = 0.1


@dataclass(frozen=True)
class RoleProblem:
    """The districting problem of one role and the positions of its reps and accounts."""

    role: str
    problem: DistrictingProblem
    reps: np.ndarray  # positional rep indices, district k = reps[k]
    accounts: np.ndarray  # positional account indices of the role
    unit_of: np.ndarray  # per account of the role: its unit's index


def home_units(rep_lat: np.ndarray, rep_lon: np.ndarray, unit_lat: np.ndarray,
               unit_lon: np.ndarray, taken: dict[int, int]) -> np.ndarray:
    """Per rep the nearest unit that no other rep of the role holds (``taken``: unit -> rep
    position that must have it, e.g. through a locked account)."""
    d = distance_matrix_km(rep_lat, rep_lon, unit_lat, unit_lon)
    out = np.full(len(rep_lat), -1, dtype=np.int64)
    used: set[int] = set()
    for r in np.argsort(d.min(axis=1), kind="stable").tolist():
        for u in np.argsort(d[r], kind="stable").tolist():
            if u not in used and taken.get(u, r) == r:
                out[r] = u
                used.add(u)
                break
    return out


def role_problem(data: PlanningData, ug: UnitGraph, role: str,
                 distance: np.ndarray) -> RoleProblem | str:
    """The role's districting problem, or the reason it cannot exist."""
    sc, acc, reps = data.scenario, data.accounts, data.reps
    a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
    nodes = ug.units["unit_id"].tolist()
    n, p = len(nodes), len(r_idx)
    position = {u: i for i, u in enumerate(nodes)}
    unit_of = np.array([position[u] for u in acc["unit_id"].to_numpy()[a_idx]], dtype=np.int64)
    if sc.families == "together":  # a family's accounts sit in one unit
        unit_of = anchor_units(data, a_idx, unit_of)
    travel = data.travel_hours(a_idx, r_idx)
    owner = owner_index(data)[a_idx]
    fixed_acc = fixed_accounts(data, owner_index(data))[a_idx]

    def per_unit(values: np.ndarray) -> np.ndarray:
        out = np.zeros((n,) + values.shape[1:])
        np.add.at(out, unit_of, values)
        return out

    touch = per_unit(acc["touch_hours"].to_numpy(float)[a_idx])
    workload = touch[:, None] + per_unit(travel)
    moved = (owner[:, None] >= 0) & (owner[:, None] != r_idx[None, :])
    moves = per_unit(moved.astype(float))
    cost = sc.objective.travel * per_unit(travel) + sc.objective.moves * moves
    measure = sc.balance.measure
    capacity = reps["capacity_hours"].to_numpy(float)[r_idx]
    if measure == "workload":
        weights = workload[:, :, None]
        tolerance, upper = [sc.balance.tolerance], capacity[:, None]
    else:
        value = (acc["potential"].to_numpy(float)[a_idx] if measure == "potential"
                 else np.ones(len(a_idx)))
        weights = np.stack([np.repeat(per_unit(value)[:, None], p, axis=1), workload], axis=2)
        tolerance = [sc.balance.tolerance, math.inf]
        upper = np.column_stack([np.full(p, math.inf), capacity])
    rep_pos = {int(r): k for k, r in enumerate(r_idx)}
    fixed: dict[int, int] = {}
    for i in np.flatnonzero(fixed_acc).tolist():
        u, k = int(unit_of[i]), rep_pos[int(owner[i])]
        if fixed.get(u, k) != k:
            ids = reps["rep_id"].to_numpy()
            return (f"{role}: unit {nodes[u]} holds locked or keep-owner accounts of "
                    f"{ids[r_idx[fixed[u]]]} and {ids[r_idx[k]]}, so it cannot go to one rep")
        fixed[u] = k
    homes = home_units(reps["lat"].to_numpy(float)[r_idx], reps["lon"].to_numpy(float)[r_idx],
                       ug.units["lat"].to_numpy(float), ug.units["lon"].to_numpy(float), fixed)
    if (homes < 0).any():
        return f"{role}: more reps than units to place them in"
    owned = int((owner >= 0).sum())
    limit = sc.disruption.move_limit(owned)
    problem = districting_problem(
        ug.graph, weights, p, nodes=nodes, tolerance=tolerance, upper=upper, cost=cost,
        distance=distance, centres=[nodes[h] for h in homes],
        fixed={nodes[u]: k for u, k in fixed.items()}, moves=moves, max_moves=limit)
    return RoleProblem(role, problem, r_idx, a_idx, unit_of)


class Relaxation(NamedTuple):
    """What the problems without contiguity tell: the bound on the account-level problem
    (-inf when not solved), per role the bound of the unit-level one and the fewest moves
    whole units within the band and capacity need (0 when not solved), and the reasons no
    plan can exist."""

    account_bound: float
    role_bounds: dict[str, float]
    fewest_moves: dict[str, float]
    reasons: list[str]


def unit_lp(rp: RoleProblem) -> AssignmentProblem:
    """The role's unit-level problem without contiguity and move limit, as an engine problem:
    its LP relaxation lets a unit split among reps in any fractions."""
    pb = rp.problem
    assert pb.cost is not None
    allowed = (pb.fixed[:, None] < 0) | (pb.fixed[:, None] == np.arange(pb.p)[None, :])
    items, agents = np.nonzero(allowed)
    return AssignmentProblem(
        n_items=pb.n, n_agents=pb.p, item=items.astype(np.int64),
        agent=agents.astype(np.int64), cost=pb.cost[items, agents],
        load=pb.weights[items, agents, -1], balance=pb.weights[items, agents, 0],
        capacity=pb.upper[:, -1], min_load=np.zeros(pb.p),
        group=np.zeros(pb.p, dtype=np.int64), tolerance=float(pb.tolerance[0]),
        owner=np.full(pb.n, -1, dtype=np.int64))


def relaxation_bound(data: PlanningData, roles: list[RoleProblem], seconds: float,
                     scenario_moves: int) -> Relaxation:
    """Lower bounds from problems without contiguity: per role on the unit-level problem and
    on the whole account-level one; and the reasons when a relaxation is infeasible, or when
    whole units within the band and capacity (the unit-level LP with the moves as its cost,
    summed over the roles) move more accounts than the scenario's limit, ``scenario_moves``.
    The LPs together stop after ``seconds``: one the clock stops gives no bound and proves
    nothing. The unit-level LPs go first (their proofs are the stronger; on
    tx-20k-visit-t15-s2-contig the account-level LP took the time the farmers' proof needed),
    and the first proof ends the search for more."""
    end = time.monotonic() + seconds

    def left() -> float:
        return max(0.1, end - time.monotonic())

    per_role = {rp.role: -math.inf for rp in roles}
    fewest = {rp.role: 0.0 for rp in roles}
    problems = {rp.role: unit_lp(rp) for rp in roles}
    for rp in roles:
        res = solve_lp(problems[rp.role], time_limit=left())
        if res.status == "infeasible":
            return Relaxation(-math.inf, per_role, fewest, [
                f"{rp.role}: even with whole units but without contiguity (each rep keeping "
                "its home unit) no plan meets the balance and capacity limits (LP "
                "relaxation)"])
        if res.status == "optimal":
            per_role[rp.role] = lagrangian_bound(problems[rp.role], res.multipliers)
    for rp in roles:
        moves = rp.problem.moves
        if moves is not None and moves.any():
            problem = problems[rp.role]
            res = solve_lp(replace(problem, cost=moves[problem.item, problem.agent]),
                           time_limit=left())
            if res.status == "optimal":  # else this role adds nothing to the sum
                fewest[rp.role] = res.objective
    # moves are whole accounts, the LP's optimum is a bound up to HiGHS's tolerance
    total = sum(fewest.values())
    least = math.ceil(total - 1e-6 * max(1.0, total))
    if least > scenario_moves:
        owned = int((owner_index(data) >= 0).sum())
        return Relaxation(-math.inf, per_role, fewest, [
            f"whole units within the balance and capacity limits move at least {least:,} "
            f"accounts (LP relaxation: each rep keeps its home unit, no contiguity), above "
            f"the limit of {scenario_moves:,}: max_moved_share must be at least "
            f"{least / owned:.1%}"])
    account_level = -math.inf
    tp = build_problem(data)
    if len(tp.problem.item) <= LP_MAX_PAIRS:  # else the unit-level bound alone (cheaper)
        lp = solve_lp(tp.problem, time_limit=left())
        if lp.status == "infeasible":
            return Relaxation(-math.inf, per_role, fewest, [
                "even without contiguity no plan meets the limits (the LP relaxation is "
                "infeasible)"])
        if lp.status == "optimal":
            account_level = lagrangian_bound(tp.problem, lp.multipliers)
    return Relaxation(account_level, per_role, fewest, [])


def move_shares(roles: list[RoleProblem], fewest: dict[str, float], scenario_moves: int
                ) -> list[RoleProblem]:
    """The roles with the scenario's move limit split by need: each role the fewest moves
    its whole units need (:func:`relaxation_bound`) and of the rest a part in proportion to
    its owned accounts (its first share, ``max_moved_share`` × owned); floored, so the
    shares never sum above the limit."""
    first = sum(rp.problem.max_moves for rp in roles)
    rest = scenario_moves - sum(fewest.values())
    if first <= 0 or rest < 0:
        return roles
    return [replace(rp, problem=replace(rp.problem, max_moves=float(math.floor(
        fewest[rp.role] + rest * rp.problem.max_moves / first + 1e-9)))) for rp in roles]


def solve_contiguous(data: PlanningData, params: SolveParams | None = None) -> SolveResult:
    """Assign every account to a rep of its role so that each rep's units are contiguous."""
    params = params or SolveParams()
    settings = params.settings(data.scenario)
    time_limit = settings.time_limit
    t0 = time.monotonic()
    ug = unit_graph(data)
    lat, lon = ug.units["lat"].to_numpy(float), ug.units["lon"].to_numpy(float)
    distance = chord_matrix_km(lat, lon)
    info = {"units": len(ug.units), "graph": ug.source,
            "fixes": [f.describe() for f in ug.fixes]}
    roles: list[RoleProblem] = []
    reasons: list[str] = []
    for role in ROLES:
        if len(data.role_accounts(role)):
            made = role_problem(data, ug, role, distance)
            if isinstance(made, str):
                reasons.append(made)
            else:
                roles.append(made)
    end = params.deadline if params.deadline is not None else t0 + time_limit
    scenario_moves = data.scenario.disruption.move_limit(int((owner_index(data) >= 0).sum()))
    try:
        relax = relaxation_bound(data, roles, RELAXATION_SHARE * (end - time.monotonic()),
                                 scenario_moves)
    except FamilyConflict as err:
        return _no_plan("infeasible", reasons + list(err.reasons), math.nan, t0, info)
    account_bound, role_bounds = relax.account_bound, relax.role_bounds
    bound = max(account_bound, sum(role_bounds.values()))
    if reasons or relax.reasons:
        return _no_plan("infeasible", reasons + relax.reasons, bound, t0, info)
    roles = move_shares(roles, relax.fewest_moves, scenario_moves)
    rep_id = np.array([""] * len(data.accounts), dtype=object)
    rep_ids = data.reps["rep_id"].to_numpy()
    info["home_units"] = {str(rep_ids[r]): str(rp.problem.nodes[c]) for rp in roles
                          if rp.problem.centres is not None
                          for r, c in zip(rp.reps, rp.problem.centres, strict=True)}
    # each role gets its share of the move limit: a restriction of the problem as specified, so
    # a role's own bound, optimality or infeasibility only carries over when moves are free
    exact_roles = data.scenario.disruption.max_moved_share >= 1.0
    all_optimal = exact_roles
    labels: dict[str, np.ndarray] = {}
    searched = _search_roles(roles, end, settings, params, t0, role_bounds, scenario_moves)
    # every role without a plan is named (a role proven impossible ends the search: the
    # roles after it were not searched)
    failed = [rp for rp in roles
              if rp.role in searched.found and searched.found[rp.role].labels is None]
    if failed:
        proven = any(searched.found[rp.role].status == "infeasible" for rp in failed)
        return _no_plan("infeasible" if proven and exact_roles else "unknown",
                        [f"{rp.role}: {why_no_plan(data, rp, searched)}" for rp in failed],
                        bound, t0, info)
    for rp in roles:
        res = searched.found[rp.role]
        assert res.labels is not None
        all_optimal &= res.status == "optimal"
        if exact_roles:
            role_bounds[rp.role] = max(role_bounds[rp.role], res.bound)
        labels[rp.role] = res.labels
        rep_id[rp.accounts] = rep_ids[rp.reps[res.labels[rp.unit_of]]]
        for k in range(rp.problem.p):
            units = [rp.problem.nodes[u] for u in np.flatnonzero(res.labels == k)]
            if not is_contiguous(ug.graph, units):
                raise AssertionError(f"the territory of {rep_ids[rp.reps[k]]} is not contiguous")
    plan = tuple(str(r) for r in rep_id)
    broken = check_plan(data, plan)
    if broken:
        return _no_plan("unknown", [f"the contiguous plan breaks a rule: {b}" for b in broken],
                        bound, t0, info)
    objective = plan_objective(data, plan)
    bound = max(account_bound, sum(role_bounds.values()))
    status = "optimal" if all_optimal else "feasible"
    gap = max(0.0, (objective - bound) / abs(objective)) if objective else 0.0
    return SolveResult(
        status, Plan(plan), objective, bound, gap, time.monotonic() - t0,
        metrics=recompute(data, plan).metrics, stats=Stats(clock_stopped=searched.clock_stopped),
        territories=territory_features(data, ug, roles, labels), contiguity=info)



class RoleSearch(NamedTuple):
    """Per role its best districting result, the move limit that result was searched with,
    its seconds and searches in all; and whether the clock stopped a search."""

    found: dict[str, DistrictingResult]
    move_limits: dict[str, float]
    seconds: dict[str, float]
    searches: dict[str, int]
    clock_stopped: bool


def moved_accounts(pb: DistrictingProblem, labels: np.ndarray) -> float:
    """The accounts a unit plan moves (0 when the problem has no owners)."""
    return 0.0 if pb.moves is None else float(pb.moves[np.arange(pb.n), labels].sum())


def move_limit(rp: RoleProblem, roles: list[RoleProblem], found: dict[str, DistrictingResult],
               scenario_moves: int) -> float:
    """The moves ``rp`` may use now: the scenario's limit less the moves of the other roles'
    plans and the shares of the other roles without a plan; never less than its own share."""
    others = 0.0
    for o in roles:
        if o is not rp:
            res = found.get(o.role)
            others += (moved_accounts(o.problem, res.labels)
                       if res is not None and res.labels is not None else o.problem.max_moves)
    return max(rp.problem.max_moves, scenario_moves - others)


def _search_roles(roles: list[RoleProblem], end: float, settings: SolverSettings,
                  params: SolveParams, t0: float, role_bounds: dict[str, float],
                  scenario_moves: int) -> RoleSearch:
    """Each role's districting result, the time spent first where a plan is missing.

    Find: each role in turn searches until its first plan, with its share by size (p × n)
    of the time limit less what the roles before it used (in work, not seconds, so a busy
    machine splits it the same way; of the wall time left when the preparation took more
    than SLOW_PREPARATION of the limit). Retry: every role still without a plan searches
    again (a new seed, again until its first plan) with the time that remains, by size,
    until it has a plan or the clock (``end``, the run's deadline) leaves less than
    RETRY_SECONDS; a role proven impossible ends the search. Improve: once every role has a
    plan, each searches on from its plan with its share by size of the time that remains.
    Each search gets the moves the other roles' plans leave (:func:`move_limit`)."""
    time_limit, seed = settings.time_limit, settings.seed
    weight = {rp.role: rp.problem.p * rp.problem.n for rp in roles}
    found: dict[str, DistrictingResult] = {}
    limits = {rp.role: rp.problem.max_moves for rp in roles}
    spent = {rp.role: 0.0 for rp in roles}
    tries = {rp.role: 0 for rp in roles}
    clock_stopped = False

    def attempt(rp: RoleProblem, share: float, round_seed: int) -> float:
        nonlocal clock_stopped
        limit = move_limit(rp, roles, found, scenario_moves)
        old = found.get(rp.role)
        start = None if old is None else old.labels
        res = solve_districting(replace(rp.problem, max_moves=limit),
                                time_limit=max(0.5, share), seed=round_seed,
                                workers=settings.workers,
                                deadline=max(0.5, end - time.monotonic()),
                                start=start, first_plan=start is None)
        clock_stopped |= res.stats.clock_stopped
        spent[rp.role] += res.seconds
        tries[rp.role] += 1
        if old is None or (res.labels is not None and (
                old.labels is None or res.objective <= old.objective)) or (
                old.labels is None and (res.status == "infeasible"
                                        or res.violation < old.violation)):
            found[rp.role], limits[rp.role] = res, limit
        if params.progress is not None:
            params.progress(Progress(time.monotonic() - t0, f"contiguous {rp.role}",
                                     res.objective if res.labels is not None else None,
                                     role_bounds[rp.role], res.violation))
        return share * res.stats.budget_used

    def result() -> RoleSearch:
        return RoleSearch(found, limits, spent, tries, clock_stopped)

    left = float(time_limit)
    if time.monotonic() - t0 > SLOW_PREPARATION * time_limit:
        left = end - time.monotonic()
    for i, rp in enumerate(roles):
        left -= attempt(rp, left * weight[rp.role] / sum(weight[r.role] for r in roles[i:]),
                        seed)
        if found[rp.role].status == "infeasible":
            return result()  # proven: no time helps
    rounds = 0
    while pending := [rp for rp in roles if found[rp.role].labels is None]:
        rounds += 1
        for i, rp in enumerate(pending):
            left = end - time.monotonic()
            if left < RETRY_SECONDS:
                return result()
            attempt(rp, left * weight[rp.role] / sum(weight[r.role] for r in pending[i:]),
                    seed + rounds)
            if found[rp.role].status == "infeasible":
                return result()
    for i, rp in enumerate(roles):
        left = end - time.monotonic()
        if left < RETRY_SECONDS:
            break
        attempt(rp, left * weight[rp.role] / sum(weight[r.role] for r in roles[i:]),
                seed + rounds + 1)
    return result()


def why_no_plan(data: PlanningData, rp: RoleProblem, searched: RoleSearch) -> str:
    """Why a role has no plan: the search's reason, what its closest plan breaks and, after
    more than one search, their number and seconds."""
    res = searched.found[rp.role]
    why = "; ".join(res.reasons) or "no plan found"
    if res.best_labels is not None:
        names = data.reps["rep_id"].to_numpy()[rp.reps]
        searched_problem = replace(rp.problem, max_moves=searched.move_limits[rp.role])
        why += (f" (the closest plan: "
                f"{closest_violations(searched_problem, res.best_labels, names)})")
    if searched.searches[rp.role] > 1:
        why += (f"; {searched.searches[rp.role]} searches with different seeds took "
                f"{searched.seconds[rp.role]:.0f} s in all")
    return why


def closest_violations(pr: DistrictingProblem, labels: np.ndarray, names: np.ndarray) -> str:
    """The limits a role's closest (contiguous) plan breaks: its rep furthest from the role's
    mean against the band, its rep furthest over capacity, its moves against the role's
    limit; its largest deviation from the mean when none is broken in floats. ``names``: a
    name per district."""
    ids = names
    totals = district_totals(pr, labels)
    dev = deviations(pr, labels)[:, 0]
    k = int(np.argmax(dev))
    parts = []
    if dev[k] > pr.tolerance[0] + 1e-9:
        parts.append(f"{ids[k]} {dev[k]:.1%} from the role's mean, band ±{pr.tolerance[0]:.0%}")
    over = totals - pr.upper
    j, m = np.unravel_index(int(np.argmax(over)), over.shape)
    if over[j, m] > 1e-9:
        parts.append(f"{ids[j]} {over[j, m]:,.0f} h over its capacity of "
                     f"{pr.upper[j, m]:,.0f} h")
    moved = moved_accounts(pr, labels)
    if moved > pr.max_moves + 1e-9:
        parts.append(f"{moved:,.0f} accounts moved against a limit of {pr.max_moves:,.0f}")
    return "; ".join(parts) or f"a rep {dev[k]:.1%} from the role's mean"


def _no_plan(status: str, reasons: list[str], bound: float, t0: float,
             info: dict[str, Any]) -> SolveResult:
    """'infeasible' when no plan can exist (proven), 'unknown' when none was found."""
    return SolveResult(status, None, math.nan, bound, math.nan, time.monotonic() - t0,
                       reasons=tuple(reasons), contiguity=info)


def unit_cells(lat: np.ndarray, lon: np.ndarray) -> Any:
    """Per unit a polygon when only centroids exist: its Voronoi cell, clipped to the convex
    hull of all centroids widened by 5% of its extent. The cells of two units joined in the
    Gabriel graph share the part of their Voronoi edge at the edge's midpoint, inside the hull,
    so a territory contiguous in that graph dissolves into one polygon (Delaunay edges along
    the hull can lose their shared edge to the clipping), and territories do not overlap
    (convex hulls of non-convex territories would). None when the cells cannot be drawn
    (fewer than three units, or all on a line)."""
    import shapely

    if len(lat) < 3:
        return None
    # the same equirectangular projection as the unit graph (adjacency.point_adjacency),
    # so the cells' neighbours are the graph's; then back to degrees
    squeeze = float(np.cos(np.radians(np.mean(lat))))
    points = shapely.multipoints(np.column_stack([lon * squeeze, lat]))
    hull = shapely.convex_hull(points)
    if hull.geom_type != "Polygon":
        return None
    minx, miny, maxx, maxy = hull.bounds
    area = hull.buffer(0.05 * float(np.hypot(maxx - minx, maxy - miny)))
    try:
        cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=area, ordered=True))
    except Exception:  # GEOS without ordered output, or a degenerate input
        return None
    if len(cells) != len(lat):
        return None
    clipped = shapely.intersection(cells, area)
    return shapely.transform(clipped, lambda xy: xy / np.array([squeeze, 1.0]))


def territory_features(data: PlanningData, ug: UnitGraph, roles: list[RoleProblem],
                       labels: dict[str, np.ndarray]) -> dict[str, Any]:
    """GeoJSON FeatureCollection, one feature per rep: its unit polygons dissolved into one
    shape; without polygons, its units' Voronoi cells (:func:`unit_cells`) dissolved, else
    the convex hull of its units' centroids."""
    import shapely
    from shapely.geometry import mapping

    reps = data.reps
    lat, lon = ug.units["lat"].to_numpy(float), ug.units["lon"].to_numpy(float)
    points = shapely.points(lon, lat)
    if ug.polygons is not None:
        polygons, kind = ug.polygons.geometry.to_numpy(), "unit polygons"
    else:
        polygons, kind = unit_cells(lat, lon), "Voronoi cells of unit centroids"
        kind = kind if polygons is not None else "convex hull of unit centroids"
    unit_ids = ug.units["unit_id"].to_numpy()
    features = []
    for rp in roles:
        lab = labels[rp.role]
        accounts = np.bincount(lab[rp.unit_of], minlength=rp.problem.p)
        for k, r in enumerate(rp.reps.tolist()):
            units = np.flatnonzero(lab == k)
            shape = (shapely.union_all(polygons[units]) if polygons is not None
                     else shapely.convex_hull(shapely.multipoints(points[units])))
            features.append({
                "type": "Feature",
                "geometry": mapping(shape),
                "properties": {"rep_id": str(reps["rep_id"].iloc[r]),
                               "name": str(reps["name"].iloc[r]), "role": rp.role,
                               "units": len(units), "accounts": int(accounts[k]),
                               "shape": kind,
                               "unit_ids": [str(u) for u in unit_ids[units]]},
            })
    return {"type": "FeatureCollection", "features": features}
