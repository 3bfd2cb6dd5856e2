"""The engine problem of ``objective: profit``: every account picks one (rep, calls a year)
pair — a multiple-choice assignment inside the same engine as the travel objective.

For an account ``a`` of a role with a frequency menu, a rep ``r`` of its role it may have (the
same candidates as :mod:`territory_opt.planning.problem`) and a frequency ``f`` of the menu,
with ``P`` the calls a year of the account's call pattern and ``k = f / P`` (the pattern's
channel mix at ``f`` calls):

- load = workload = k × touch_hours(a) + k × travel_hours(a, r)   (SPEC §5 at f calls)
- balance = that workload (``balance.measure: workload``), else the account's potential or 1
- expected sales = potential(a) × curve[role, tier](f)
- cost = −margin × expected sales + h × (objective.travel × travel hours
  + objective.moves × [moved])

with ``h`` = ``response.travel_cost_per_hour``. The engine minimises cost, so its lower bound,
negated, is a proven upper bound on the profit objective. Accounts of roles without a menu
keep their call pattern (one option, no modelled sales), and so does an account whose pattern
has no calls. ``fixed_patterns`` gives every account its pattern only: today's call patterns
planned with the same money and limits, to compare against.

The move limit is not given to the engine: it counts an item as staying only when it takes
*the* owner pair, and here an owner has several pairs per account (one per frequency), so
:mod:`territory_opt.planning.profit_solve` enforces the limit itself.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial

import numpy as np

from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.engine import AssignmentProblem
from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.planning.candidates import (
    MAX_PAIRS,
    NEAREST,
    AccountBlock,
    Allowed,
    kept_pairs,
    run_blocks,
)
from territory_opt.planning.problem import fixed_accounts, owner_index


@dataclass(frozen=True)
class AccountOptions:
    """Per account its frequency options in CSR form: the options of account i are
    ``calls[ptr[i]:ptr[i+1]]``, each with its ``scale`` (calls / the pattern's calls) and
    ``value`` (−margin × expected sales, the money side of the cost)."""

    ptr: IntArray
    calls: FloatArray
    scale: FloatArray
    sales: FloatArray
    value: FloatArray

    def count(self) -> IntArray:
        return np.diff(self.ptr)

    def padded(self, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        """scale and value of ``rows`` as rows × (most options) matrices, NaN-padded."""
        n = self.count()[rows]
        width = int(n.max()) if len(n) else 0
        scale = np.full((len(rows), width), np.nan)
        value = np.full((len(rows), width), np.nan)
        for k in range(width):
            has = n > k
            pos = self.ptr[rows[has]] + k
            scale[has, k] = self.scale[pos]
            value[has, k] = self.value[pos]
        return scale, value


def account_options(data: PlanningData, fixed_patterns: bool = False) -> AccountOptions:
    """Every account's frequency options (module docstring)."""
    acc = data.accounts
    model = data.response
    margin = model.margin if model is not None else 0.0
    pattern = data.pattern_calls()
    roles, tiers = acc["role"].to_numpy(), acc["tier"].to_numpy()
    potential = acc["potential"].to_numpy(float)
    counts = np.ones(len(acc), dtype=np.int64)
    menus: list[np.ndarray] = []
    for i in range(len(acc)):
        menu = model.menus.get(roles[i]) if model is not None and not fixed_patterns else None
        if menu is None or pattern[i] <= 0:
            menus.append(np.array([pattern[i]]))
        else:
            menus.append(np.asarray(menu, dtype=float))
        counts[i] = len(menus[-1])
    calls = np.concatenate(menus) if menus else np.zeros(0)
    owner = np.repeat(np.arange(len(acc)), counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pattern[owner] > 0, calls / pattern[owner], 0.0)
    share = np.zeros(len(calls))
    if model is not None:
        for (role, tier), curve in model.curves.items():
            hit = (roles[owner] == role) & (tiers[owner] == tier)
            share[hit] = curve.share(calls[hit])
    sales = potential[owner] * share
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return AccountOptions(ptr, calls, scale, sales, -margin * sales)


@dataclass(frozen=True)
class ProfitProblem:
    """The engine problem with, per pair, its ``travel`` hours, ``calls`` a year and expected
    ``sales``; ``moved`` marks pairs that move an owned account. ``max_moves`` is the
    scenario's move limit (enforced by profit_solve, not in ``problem``); ``hour_cost`` the
    money of one hour of travel."""

    problem: AssignmentProblem
    travel: FloatArray
    calls: FloatArray
    sales: FloatArray
    moved: np.ndarray
    max_moves: int
    previously_owned: int
    hour_cost: float
    margin: float


def build_profit_problem(data: PlanningData, *, fixed_patterns: bool = False,
                         executor: Executor | None = None) -> ProfitProblem:
    """The multiple-choice engine problem of ``data`` (module docstring)."""
    sc = data.scenario
    acc, reps = data.accounts, data.reps
    model = data.response
    hour_cost = model.travel_cost_per_hour if model is not None else 0.0
    margin = model.margin if model is not None else 0.0
    owner = owner_index(data)
    fixed = fixed_accounts(data, owner)
    opts = account_options(data, fixed_patterns)
    roles = {role: (data.role_accounts(role), data.role_reps(role)) for role in ROLES}
    roles = {role: ar for role, ar in roles.items() if len(ar[0])}
    n_options = opts.count()
    n_pairs = sum(int(n_options[a_idx].sum()) * len(r_idx) for a_idx, r_idx in roles.values())
    nearest = NEAREST if n_pairs > MAX_PAIRS else None
    cells = reps["cell"].to_numpy()
    handover = pod = None
    if sc.structure == "cellular":
        owner_any = acc["owner_id"].map({r: i for i, r in enumerate(reps["rep_id"])}).fillna(
            -1).to_numpy(np.int64)
        handover = (owner_any >= 0) & (owner < 0)
        pod = np.where(owner_any >= 0, cells[np.maximum(owner_any, 0)], "")
    allowed = Allowed(owner, fixed, handover, pod, cells)
    touch = acc["touch_hours"].to_numpy(float)
    potential = acc["potential"].to_numpy(float)
    move_money = sc.objective.moves * hour_cost * (owner >= 0).astype(float)
    bal0 = {"workload": touch, "potential": potential,
            "accounts": np.ones(len(acc))}[sc.balance.measure]
    kept, pruned = kept_pairs(data, roles, allowed, move_money, bal0, nearest, executor)
    base_item, base_agent, base_travel = kept.items, kept.agents, kept.travel
    # each (account, rep) pair once per frequency option of the account
    reps_n = n_options[base_item]
    item = np.repeat(base_item, reps_n)
    agent = np.repeat(base_agent, reps_n)
    within = np.arange(len(item)) - np.repeat(np.cumsum(reps_n) - reps_n, reps_n)
    option = opts.ptr[item] + within
    scale = opts.scale[option]
    travel = base_travel[np.repeat(np.arange(len(base_item)), reps_n)] * scale
    load = touch[item] * scale + travel
    balance = load if sc.balance.measure == "workload" else bal0[item]
    moved = (owner[item] >= 0) & (agent != owner[item])
    cost = (opts.value[option] + hour_cost * sc.objective.travel * travel
            + move_money[item] * moved)
    outside = None
    if pruned:
        outside = ProfitPairs(pruned, len(acc), opts, hour_cost * sc.objective.travel,
                              sc.balance.measure == "workload", executor)
    previously_owned = int((owner >= 0).sum())
    role_group = {r: k for k, r in enumerate(ROLES)}
    problem = AssignmentProblem(
        n_items=len(acc), n_agents=len(reps), item=item.astype(np.int64),
        agent=agent.astype(np.int64), cost=cost, load=load, balance=balance,
        capacity=reps["capacity_hours"].to_numpy(float), min_load=np.zeros(len(reps)),
        group=np.asarray(reps["role"].map(role_group), dtype=np.int64),
        tolerance=sc.balance.tolerance, owner=owner, max_moves=None, outside=outside)
    max_moves = sc.disruption.move_limit(previously_owned)
    return ProfitProblem(problem, travel, opts.calls[option], opts.sales[option], moved,
                         max_moves, previously_owned, hour_cost, margin)


def block_min_profit(block: AccountBlock, opts: AccountOptions, w_travel: float,
                     workload: bool, load_price: FloatArray, bal_price: FloatArray,
                     move_price: float = 0.0, cost_weight: float = 1.0) -> FloatArray:
    """Per account of the block its least reduced cost over every allowed (rep, frequency);
    ``cost_weight`` scales the pairs' cost (money, travel, moves and ``move_price``), 0 for
    the feasibility problem."""
    lp, bp = load_price[block.reps][None, :], bal_price[block.reps][None, :]
    out = np.empty(len(block.acc))
    for rows in block.chunks():
        t = block.travel(rows)
        moved = block.reps[None, :] != block.allowed.owner[rows][:, None]
        has_owner = (block.allowed.owner[rows] >= 0)[:, None]
        base = (block.moved_cost[rows][:, None] + move_price * has_owner) * moved
        scale, value = opts.padded(block.acc[rows])
        best = np.full(len(rows), np.inf)
        touch = block.touch[rows][:, None]
        for k in range(scale.shape[1]):
            s = scale[:, k][:, None]
            per_hour = lp * (touch + t) + (bp * (touch + t) if workload else 0.0)
            reduced = (cost_weight * (value[:, k][:, None] + s * w_travel * t + base)
                       + s * per_hour)
            if not workload:
                reduced = reduced + bp * block.bal0[rows][:, None]
            reduced[~block.allowed(rows, block.reps)] = np.inf
            reduced[np.isnan(reduced)] = np.inf
            best = np.minimum(best, reduced.min(axis=1))
        out[rows] = best
    return out


@dataclass(frozen=True)
class ProfitPairs:
    """Every allowed (account, rep, frequency) of the pruned roles' ``blocks``, priced when the
    engine's bound asks (engine.problem.OutsidePairs). ``move_price`` is an extra price per
    move (profit_solve's Lagrangian price of the move limit)."""

    blocks: tuple[AccountBlock, ...]
    n_accounts: int
    options: AccountOptions
    w_travel: float
    workload: bool
    executor: Executor | None = None
    move_price: float = 0.0

    def min_reduced(self, load_price: FloatArray, bal_price: FloatArray,
                    cost_weight: float = 1.0) -> FloatArray:
        out = np.full(self.n_accounts, np.inf)
        price = partial(block_min_profit, opts=self.options, w_travel=self.w_travel,
                        workload=self.workload, load_price=load_price, bal_price=bal_price,
                        move_price=self.move_price, cost_weight=cost_weight)
        for block, values in zip(self.blocks, run_blocks(price, self.blocks, self.executor),
                                 strict=True):
            out[block.acc] = values
        return out
