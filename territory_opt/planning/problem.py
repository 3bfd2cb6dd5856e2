"""The engine problem of a territory plan: candidate (account, rep) pairs with SPEC §5
workloads, the cost of a move folded into each pair's cost (objective = travel weight ×
travel hours + moves weight × moved accounts), and which accounts must stay with their
owner."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from territory_opt.domain.keep_owner import keep_owner_mask
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.engine import AssignmentProblem
from territory_opt.planning.candidates import (
    MAX_PAIRS,
    NEAREST,
    Allowed,
    AllPairs,
    kept_pairs,
)
from territory_opt.planning.families import Families, PairTerms, family_problem


@dataclass(frozen=True)
class TerritoryProblem:
    """The engine problem built from planning data, with the maps back to ids."""

    problem: AssignmentProblem
    travel: np.ndarray  # travel hours per pair
    previously_owned: int
    #: families: together: an item is a family's accounts of one role (planning/families.py)
    families: Families | None = None

    def account_agents(self, chosen: np.ndarray) -> np.ndarray:
        """Per account the rep position of the engine's plan ``chosen`` (a pair per item)."""
        agents = self.problem.agent[chosen]
        return agents if self.families is None else self.families.account_agents(agents)


def owner_index(data: PlanningData) -> np.ndarray:
    """Per account the positional index of its owner when the owner has the account's role
    (-1 otherwise: no owner, or a hand-over)."""
    rep_pos = {r: i for i, r in enumerate(data.reps["rep_id"])}
    owners = data.accounts["owner_id"].map(lambda o: rep_pos.get(o, -1)).to_numpy(np.int64)
    rep_roles = data.reps["role"].to_numpy()
    same = (owners >= 0) & (rep_roles[np.maximum(owners, 0)] == data.accounts["role"].to_numpy())
    return np.where(same, owners, -1)


def fixed_accounts(data: PlanningData, owner: np.ndarray) -> np.ndarray:
    """Accounts that must stay with their owner: locked, a keep-owner tier, or an open deal
    (domain/keep_owner.py)."""
    return (owner >= 0) & keep_owner_mask(data.scenario, data.accounts)


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
        (owner >= 0) & keep_owner_mask(sc, acc, tiers=False))
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
    kept, pruned = kept_pairs(data, roles, allowed, moved_cost, bal0, nearest, executor)
    items, agents, travel = kept.items, kept.agents, kept.travel
    touch = touch_all[items]
    load = touch + travel
    moved = (owner[items] >= 0) & (agents != owner[items])
    cost = sc.objective.travel * travel + sc.objective.moves * moved
    balance = bal0[items] + bal1 * travel
    role_group = {r: k for k, r in enumerate(ROLES)}
    previously_owned = int((owner >= 0).sum())
    outside = None
    if pruned:
        outside = AllPairs(pruned, len(acc), sc.objective.travel, bal1, executor)
    problem = AssignmentProblem(
        n_items=len(acc), n_agents=len(reps), item=items.astype(np.int64),
        agent=agents.astype(np.int64), cost=cost, load=load, balance=balance,
        capacity=reps["capacity_hours"].to_numpy(float), min_load=np.zeros(len(reps)),
        group=np.asarray(reps["role"].map(role_group), dtype=np.int64),
        tolerance=sc.balance.tolerance if tolerance is None else tolerance,
        owner=owner, max_moves=sc.disruption.move_limit(previously_owned, max_moved_share),
        outside=outside,
    )
    tp = TerritoryProblem(problem, travel, previously_owned)
    if sc.families == "together":
        terms = PairTerms(touch_all, acc["visits"].to_numpy(float), bal0, bal1,
                          sc.objective.travel, sc.objective.moves)
        tp = keep_families_together(data, tp, allowed, terms, nearest)
    return tp


def keep_families_together(data: PlanningData, tp: TerritoryProblem, allowed: Allowed,
                           terms: PairTerms, nearest: int | None) -> TerritoryProblem:
    """``families: together``: each family's accounts of one role become one engine item
    (planning/families.py); raises FamilyConflict when a family's accounts have no rep in
    common."""
    problem, travel, families = family_problem(data, tp.problem, tp.travel, allowed, terms,
                                               nearest)
    return TerritoryProblem(problem, travel, tp.previously_owned, families)
