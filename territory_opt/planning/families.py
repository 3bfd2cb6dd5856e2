"""Account families in the engine problem (``families: together``), without changing the engine.

Per role, the accounts of one family (domain/families.py) become one engine item. Its pair
with rep r carries the sums over its accounts: travel, load (touch + travel), balance measure
and cost (objective.travel × travel + objective.moves × its accounts with another same-role
owner than r). Its candidate reps are those every account may go to (the role's reps, only
the owner for an account that must stay, a pod for a cellular hand-over); above the
candidate-pair limit the ``NEAREST`` reps nearest to the accounts (summed distance) and the
owner. The plan maps back: every account takes its item's rep.

Why the bound stays valid:

* Cost, load and balance of a family item are exact sums, so capacity, balance and objective
  are those of the account-level problem with the family constraint.
* Left-out family pairs are priced, when the engine's bound asks, by the sum over the family's
  accounts of each account's least reduced cost over all its allowed reps
  (:class:`FamilyOutside`): a lower bound of the family's least reduced cost, so the
  Lagrangian bound stays a bound.
* Moves: the engine counts one move per item whose rep is not the item's owner. A family's
  owner is the rep owning most of its accounts of the role, so a family that leaves that rep
  counts 1 in the engine and at least 1 in fact, and staying counts 0 in the engine: the
  engine never counts more moves than the plan makes. The engine's problem is a relaxation
  of the real one, its bound a bound of the real problem. When its plan moves more accounts
  than ``max_moved_share`` allows, :func:`within_move_limit` solves again with the engine's
  move limit lowered by the excess (up to ``TIGHTENINGS`` times) and keeps the first bound.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from territory_opt.domain.errors import InfeasibleError
from territory_opt.domain.families import family_labels, family_roots
from territory_opt.domain.geo import distance_matrix_km
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.workload import travel_hours_per_km
from territory_opt.engine import AssignmentProblem, EngineResult
from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.problem import OutsidePairs
from territory_opt.planning.candidates import Allowed

#: re-solves with a lower engine move limit before giving up (see the module docstring)
TIGHTENINGS = 4
#: relative gap under which a plan found after tightening is reported optimal
OPTIMAL_GAP = 1e-5


class FamilyConflict(InfeasibleError):
    """A family whose accounts have no rep in common that each of them may go to."""


@dataclass(frozen=True)
class Families:
    """How the engine's items map to accounts: per account its item, and per account its
    same-role owner (rep position, -1 none), to count the plan's real moves."""

    item_of_account: IntArray
    owner: IntArray

    def account_agents(self, item_agents: IntArray) -> IntArray:
        """Per account the rep of its item."""
        return np.asarray(item_agents[self.item_of_account], dtype=np.int64)

    def moves(self, item_agents: IntArray) -> int:
        """Accounts whose rep is not their same-role owner."""
        agents = self.account_agents(item_agents)
        return int(np.sum((self.owner >= 0) & (agents != self.owner)))


@dataclass(frozen=True)
class FamilyOutside:
    """Left-out pairs of the family problem (engine.problem.OutsidePairs): an account's item
    as itself, a family's as the sum over its accounts."""

    accounts: OutsidePairs
    item_of_account: IntArray
    n_items: int

    def min_reduced(self, load_price: FloatArray, bal_price: FloatArray,
                    cost_weight: float = 1.0) -> FloatArray:
        per_account = self.accounts.min_reduced(load_price, bal_price, cost_weight)
        return np.bincount(self.item_of_account, weights=per_account,
                           minlength=self.n_items).astype(float)


@dataclass(frozen=True)
class PairTerms:
    """What a pair of the account-level problem is made of, per account: touch hours,
    visits, the balance measure without travel (``bal0``) and the weight of travel in it
    (``bal1``), the objective's weights."""

    touch: FloatArray
    visits: FloatArray
    bal0: FloatArray
    bal1: float
    w_travel: float
    w_moves: float


def family_groups(data: PlanningData) -> list[IntArray]:
    """Per family and role with two or more accounts, their positions (in account order)."""
    labels = family_labels(data.accounts)
    roles = data.accounts["role"].to_numpy()
    groups: dict[tuple[int, str], list[int]] = {}
    for i in np.flatnonzero(labels >= 0).tolist():
        groups.setdefault((int(labels[i]), str(roles[i])), []).append(i)
    return [np.array(g, dtype=np.int64) for g in groups.values() if len(g) > 1]


def family_problem(data: PlanningData, problem: AssignmentProblem, travel: FloatArray,
                   allowed: Allowed, terms: PairTerms,
                   nearest: int | None) -> tuple[AssignmentProblem, FloatArray, Families]:
    """The account-level ``problem`` (pairs sorted by account, ``travel`` per pair) with each
    family's accounts of one role made one item; raises FamilyConflict."""
    groups = family_groups(data)
    owner = allowed.owner
    n = problem.n_items
    item_of_account = np.full(n, -1, dtype=np.int64)
    first = np.zeros(n, dtype=bool)
    for g in groups:
        item_of_account[g] = g[0]
        first[g[0]] = True
    single = item_of_account < 0
    item_of_account[single] = np.flatnonzero(single)
    # renumber items 0..m-1 in account order of their first account
    heads = np.flatnonzero(single | first)
    number = np.full(n, -1, dtype=np.int64)
    number[heads] = np.arange(len(heads))
    item_of_account = number[item_of_account]
    m = len(heads)

    keep = single[problem.item]
    parts = [(item_of_account[problem.item[keep]], problem.agent[keep], problem.cost[keep],
              problem.load[keep], problem.balance[keep], travel[keep])]
    item_owner = np.full(m, -1, dtype=np.int64)
    item_owner[item_of_account[single]] = owner[single]
    conflicts = []
    for g in groups:
        made = _family_pairs(data, g, allowed, terms, nearest)
        if isinstance(made, str):
            conflicts.append(made)
            continue
        reps, pair_travel, cost = made
        load = terms.touch[g].sum() + pair_travel
        balance = terms.bal0[g].sum() + terms.bal1 * pair_travel
        k = item_of_account[g[0]]
        parts.append((np.full(len(reps), k), reps, cost, load, balance, pair_travel))
        item_owner[k] = _family_owner(owner[g], reps)
    if conflicts:
        raise FamilyConflict("families: together cannot hold: " + "; ".join(conflicts),
                             reasons=conflicts)
    item, agent, cost, load, balance, pair_travel = (np.concatenate(c) for c in zip(*parts,
                                                                                   strict=True))
    order = np.argsort(item, kind="stable")
    outside = None if problem.outside is None else FamilyOutside(problem.outside,
                                                                 item_of_account, m)
    merged = dataclasses.replace(
        problem, n_items=m, item=item[order].astype(np.int64),
        agent=agent[order].astype(np.int64), cost=cost[order], load=load[order],
        balance=balance[order], owner=item_owner, outside=outside)
    return merged, pair_travel[order], Families(item_of_account, owner.astype(np.int64))


def _family_owner(owners: IntArray, reps: IntArray) -> int:
    """The rep owning most of the family's accounts (the first of them on a tie), if it is a
    candidate; else none (-1), so the engine counts no move for the family."""
    owned = owners[owners >= 0]
    if len(owned) == 0:
        return -1
    values, counts = np.unique(owned, return_counts=True)
    best = values[counts == counts.max()]
    top = next(int(o) for o in owned if o in best)
    return top if top in set(reps.tolist()) else -1


def _family_pairs(data: PlanningData, g: IntArray, allowed: Allowed, terms: PairTerms,
                  nearest: int | None) -> tuple[IntArray, FloatArray, FloatArray] | str:
    """Candidate reps of the family ``g`` with their travel and cost, or why it has none."""
    role = str(data.accounts["role"].iloc[int(g[0])])
    r_idx = data.role_reps(role)
    ok = allowed(g, r_idx).all(axis=0)
    if not ok.any():
        return conflict_reason(data, g, allowed)
    reps = r_idx[ok]
    acc, rp = data.accounts, data.reps
    d = distance_matrix_km(acc["lat"].to_numpy(float)[g], acc["lon"].to_numpy(float)[g],
                           rp["lat"].to_numpy(float)[reps], rp["lon"].to_numpy(float)[reps])
    if nearest is not None and len(reps) > nearest:
        near = np.argsort(d.sum(axis=0), kind="stable")[:nearest]
        owners = np.flatnonzero(np.isin(reps, allowed.owner[g]))
        pick = np.union1d(near, owners)
        reps, d = reps[pick], d[:, pick]
    per_km = travel_hours_per_km(data.scenario.capacity)
    pair_travel = (terms.visits[g][:, None] * d * per_km).sum(axis=0)
    own = allowed.owner[g]
    moved = ((own[:, None] >= 0) & (own[:, None] != reps[None, :])).sum(axis=0)
    cost = terms.w_travel * pair_travel + terms.w_moves * moved
    return reps.astype(np.int64), pair_travel, cost


def conflict_reason(data: PlanningData, g: IntArray, allowed: Allowed) -> str:
    """Why no rep may take every account of the family ``g``."""
    acc, reps = data.accounts, data.reps
    root = family_roots(acc)[int(g[0])]
    role = str(acc["role"].iloc[int(g[0])])
    ids, rep_ids = acc["account_id"].to_numpy(), reps["rep_id"].to_numpy()
    fixed = g[allowed.fixed[g]]
    bound = {int(allowed.owner[i]): str(ids[i]) for i in fixed.tolist()}
    if len(bound) > 1:
        stays = ", ".join(f"{a} with {rep_ids[r]}" for r, a in sorted(bound.items()))
        return (f"family {root}: its {role} accounts must stay with different reps "
                f"({stays}: locked, a keep-owner tier or an open deal), so they cannot "
                "share one rep")
    return (f"family {root}: no {role} may take all of its {len(g)} {role} accounts (their "
            "locked owners or hand-over pods leave no rep in common)")


def within_move_limit(problem: AssignmentProblem, families: Families, res: EngineResult,
                      solve: Callable[[AssignmentProblem], EngineResult]) -> EngineResult:
    """``res`` when its plan moves at most ``problem.max_moves`` accounts; else the plan of a
    re-solve with a lower engine move limit, with the first (valid) bound; else no plan."""
    limit = problem.max_moves
    if res.chosen is None or limit is None:
        return res
    moves = families.moves(problem.agent[res.chosen])
    engine_limit = limit
    tries = 0
    while moves > limit:
        if tries == TIGHTENINGS or engine_limit == 0:
            return dataclasses.replace(res, status="unknown", chosen=None,
                                       objective=math.nan)
        tries += 1
        engine_limit = max(0, engine_limit - (moves - limit))
        again = solve(dataclasses.replace(problem, max_moves=engine_limit))
        if again.chosen is None:
            return dataclasses.replace(res, status="unknown", chosen=None,
                                       objective=math.nan)
        moves = families.moves(problem.agent[again.chosen])
        gap = dataclasses.replace(again, bound=res.bound).gap
        res = dataclasses.replace(again, bound=res.bound,
                                  status="optimal" if gap <= OPTIMAL_GAP else "feasible",
                                  seconds=res.seconds + again.seconds)
    return res


def anchor_units(data: PlanningData, a_idx: IntArray, unit_of: IntArray) -> IntArray:
    """Contiguous territories: per account of one role (positions ``a_idx``) its unit, with
    each family's accounts moved to one unit (its top account's, else the unit of its account
    with the most call hours), so a whole family goes to the rep of that unit and every
    territory stays a connected set of units. A child far from its parent is then served from
    its parent's territory."""
    out = unit_of.copy()
    where = {int(a): k for k, a in enumerate(a_idx.tolist())}
    ids = data.accounts["account_id"].to_numpy()
    roots = family_roots(data.accounts)
    touch = data.accounts["touch_hours"].to_numpy(float)
    for g in family_groups(data):
        local = [where[int(a)] for a in g if int(a) in where]
        if len(local) < 2:
            continue
        top = [k for k, a in zip(local, g.tolist(), strict=True) if ids[a] == roots[a]]
        anchor = top[0] if top else max(local, key=lambda k: (touch[a_idx[k]], -k))
        out[local] = unit_of[anchor]
    return out
