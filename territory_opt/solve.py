"""solve(data, params) -> SolveResult: the one entry point every front end calls.

This is the geographic adapter in front of the engine: it turns accounts and reps into
candidate (account, rep) pairs with SPEC §5 workloads, folds the cost of a move into the pair
costs (objective = travel weight × travel hours + moves weight × moved accounts), and maps the
engine's answer back to a Plan.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from territory_opt.candidates import (
    MAX_PAIRS,
    NEAREST,
    Allowed,
    AllPairs,
    role_blocks,
    role_pairs,
)
from territory_opt.data import PlanningData
from territory_opt.engine import AssignmentProblem, EngineParams, solve_assignment
from territory_opt.engine.scaling import ScalingError
from territory_opt.engine.search import Progress
from territory_opt.errors import InputError
from territory_opt.scenario import ROLES


@dataclass(frozen=True)
class SolveParams:
    """Overrides of the scenario's solver settings (None: take the scenario's)."""

    time_limit: float | None = None
    seed: int | None = None
    workers: int | None = None
    progress: Callable[[Progress], None] | None = None
    #: runs the candidate and bound account blocks, e.g. a Dask client's get_executor()
    executor: Executor | None = None


@dataclass(frozen=True)
class Plan:
    """An assignment: the rep of every account, in the accounts table's order."""

    rep_id: tuple[str, ...]


@dataclass(frozen=True)
class SolveResult:
    """A plan with its quality: status is 'optimal', 'feasible', 'infeasible' (proven) or
    'unknown' (no plan found in the time limit; ``reasons`` says what was checked)."""

    status: str
    plan: Plan | None
    objective: float
    bound: float
    gap: float
    solve_seconds: float
    metrics: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    stats: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TerritoryProblem:
    """The engine problem built from planning data, with the maps back to ids."""

    problem: AssignmentProblem
    travel: np.ndarray  # travel hours per pair
    previously_owned: int


def owner_index(data: PlanningData) -> np.ndarray:
    """Per account the positional index of its owner when the owner has the account's role
    (-1 otherwise: no owner, or a hand-over)."""
    rep_pos = {r: i for i, r in enumerate(data.reps["rep_id"])}
    owners = data.accounts["owner_id"].map(lambda o: rep_pos.get(o, -1)).to_numpy(np.int64)
    rep_roles = data.reps["role"].to_numpy()
    same = (owners >= 0) & (rep_roles[np.maximum(owners, 0)] == data.accounts["role"].to_numpy())
    return np.where(same, owners, -1)


def fixed_accounts(data: PlanningData, owner: np.ndarray) -> np.ndarray:
    """Accounts that must stay with their owner: locked, or a keep-owner tier."""
    acc = data.accounts
    keep = acc["tier"].isin(list(data.scenario.disruption.keep_owner_tiers)).to_numpy()
    return (owner >= 0) & (acc["locked"].to_numpy(bool) | keep)


def build_problem(data: PlanningData, *, keep_owner: bool = True,
                  tolerance: float | None = None,
                  max_moved_share: float | None = None,
                  executor: Executor | None = None) -> TerritoryProblem:
    """The engine problem of ``data``; the keyword overrides serve the infeasibility analysis.
    ``executor`` runs the account blocks of the candidate pairs and of the bound
    (candidates.py)."""
    sc = data.scenario
    acc, reps = data.accounts, data.reps
    owner = owner_index(data)
    fixed = fixed_accounts(data, owner) if keep_owner else (
        (owner >= 0) & acc["locked"].to_numpy(bool))
    cells = reps["cell"].to_numpy()
    owner_any = acc["owner_id"].map({r: i for i, r in enumerate(reps["rep_id"])}).fillna(
        -1).to_numpy(np.int64)
    # (account positions, rep positions) of every role that has accounts
    roles = {role: (data.role_accounts(role), data.role_reps(role)) for role in ROLES}
    roles = {role: ar for role, ar in roles.items() if len(ar[0])}
    n_pairs = sum(len(a_idx) * len(r_idx) for a_idx, r_idx in roles.values())
    nearest = NEAREST if n_pairs > MAX_PAIRS else None

    handover = pod = None
    if sc.structure == "cellular":
        # a hand-over stays inside the previous owner's pod when the pod has this role
        handover = (owner_any >= 0) & (owner < 0)
        pod = np.where(owner_any >= 0, cells[np.maximum(owner_any, 0)], "")
    allowed = Allowed(owner, fixed, handover, pod, cells)
    touch_all = acc["touch_hours"].to_numpy(float)
    potential = acc["potential"].to_numpy(float)
    measure = sc.balance.measure
    bal0, bal1 = {"workload": (touch_all, 1.0), "potential": (potential, 0.0),
                  "accounts": (np.ones(len(acc)), 0.0)}[measure]
    moved_cost = sc.objective.moves * (owner >= 0).astype(float)
    blocks = [role_blocks(data, a_idx, r_idx, allowed, moved_cost, bal0)
              for a_idx, r_idx in roles.values()]
    parts = [role_pairs(b, nearest, executor) for b in blocks]
    items = np.concatenate([rp.items for rp in parts])
    order = np.argsort(items, kind="stable")
    items = items[order]
    agents = np.concatenate([rp.agents for rp in parts])[order]
    travel = np.concatenate([rp.travel for rp in parts])[order]
    touch = touch_all[items]
    load = touch + travel
    moved = (owner[items] >= 0) & (agents != owner[items])
    cost = sc.objective.travel * travel + sc.objective.moves * moved
    balance = bal0[items] + bal1 * travel
    role_group = {r: k for k, r in enumerate(ROLES)}
    previously_owned = int((owner >= 0).sum())
    share = sc.disruption.max_moved_share if max_moved_share is None else max_moved_share
    outside = None
    pruned = [b for bs, rp in zip(blocks, parts, strict=True) if rp.pruned for b in bs]
    if pruned:
        outside = AllPairs(tuple(pruned), len(acc), sc.objective.travel, bal1, executor)
    problem = AssignmentProblem(
        n_items=len(acc), n_agents=len(reps), item=items.astype(np.int64),
        agent=agents.astype(np.int64), cost=cost, load=load, balance=balance,
        capacity=reps["capacity_hours"].to_numpy(float), min_load=np.zeros(len(reps)),
        group=np.asarray(reps["role"].map(role_group), dtype=np.int64),
        tolerance=sc.balance.tolerance if tolerance is None else tolerance,
        owner=owner, max_moves=math.floor(share * previously_owned + 1e-9), outside=outside,
    )
    return TerritoryProblem(problem, travel, previously_owned)


def plan_metrics(data: PlanningData, rep_id: list[str] | tuple[str, ...]) -> dict[str, float]:
    """SPEC §6 metrics of a plan, recomputed from the inputs with the SPEC §5 arithmetic."""
    from territory_opt.checker import recompute

    rc = recompute(data, rep_id)
    return rc.metrics


def solve(data: PlanningData, params: SolveParams | None = None) -> SolveResult:
    """Assign every account to a rep of its role under the scenario's limits."""
    if data.scenario.contiguity:
        from territory_opt.contiguity_territory import solve_contiguous

        return solve_contiguous(data, params)
    params = params or SolveParams()
    sc = data.scenario.solver
    t0 = time.monotonic()
    tp = build_problem(data, executor=params.executor)
    engine = EngineParams(
        time_limit=params.time_limit if params.time_limit is not None else sc.time_limit_s,
        seed=params.seed if params.seed is not None else sc.seed,
        workers=params.workers if params.workers is not None else sc.workers,
        progress=params.progress)
    try:
        res = solve_assignment(tp.problem, engine)
    except ScalingError as err:
        raise InputError(f"the scenario's numbers are too large to optimise exactly ({err})",
                         file=str(data.sources.get("scenario", "scenario"))) from None
    seconds = time.monotonic() - t0
    if res.chosen is None:
        from territory_opt.infeasibility import explain

        remaining = max(5.0, engine.time_limit - seconds)
        reasons = explain(data, proven=res.status == "infeasible", time_limit=remaining)
        status = "infeasible" if res.status == "infeasible" else "unknown"
        return SolveResult(status, None, float("nan"), res.bound, float("nan"),
                           time.monotonic() - t0, reasons=tuple(reasons), stats=res.stats)
    reps = data.reps["rep_id"].to_numpy()
    rep_id = tuple(str(r) for r in reps[tp.problem.agent[res.chosen]])
    return SolveResult(res.status, Plan(rep_id), res.objective, res.bound, res.gap, seconds,
                       metrics=plan_metrics(data, rep_id), stats=res.stats)
