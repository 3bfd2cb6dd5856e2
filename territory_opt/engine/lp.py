"""LP relaxation (HiGHS through scipy) and the Lagrangian lower bound.

The LP is solved on the candidate pairs kept for speed. Its duals are then used as Lagrange
multipliers on the *full* problem: for any multipliers >= 0 the Lagrangian value is a lower
bound on every feasible plan, so pruning candidates never makes the reported bound invalid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.problem import AssignmentProblem


@dataclass(frozen=True)
class Multipliers:
    """Lagrange multipliers (all >= 0) of the relaxed side constraints."""

    capacity: FloatArray
    min_load: FloatArray
    balance_up: FloatArray
    balance_low: FloatArray
    moves: float

    @classmethod
    def zero(cls, n_agents: int) -> Multipliers:
        z = np.zeros(n_agents)
        return cls(z, z, z, z, 0.0)


@dataclass(frozen=True)
class LPResult:
    status: str  # "optimal" | "infeasible" | "failed"
    x: FloatArray | None
    objective: float
    multipliers: Multipliers


def group_sizes(problem: AssignmentProblem) -> FloatArray:
    """Per agent the number of agents in its balance group (0 if not balanced)."""
    g = problem.group
    sizes = np.zeros(problem.n_agents)
    if (g >= 0).any():
        counts = np.bincount(g[g >= 0])
        sizes[g >= 0] = counts[g[g >= 0]]
    return sizes


def solve_lp(problem: AssignmentProblem, time_limit: float = 60.0) -> LPResult:
    """Solve the LP relaxation of ``problem`` and return x and the multipliers."""
    p = problem
    n_pairs, m = len(p.item), p.n_agents
    groups = np.unique(p.group[p.group >= 0])
    n_groups = len(groups)
    gindex = {int(g): k for k, g in enumerate(groups)}
    bal_agents = np.flatnonzero(p.group >= 0)
    n_bal = len(bal_agents)
    # variables: x per pair, B_j per balanced agent (its measure), T_g per group (the total);
    # B and T keep every row sparse (a row over all pairs of a role stalls HiGHS)
    b_col0, t_col0 = n_pairs, n_pairs + n_bal
    n_vars = n_pairs + n_bal + n_groups
    pair_ids = np.arange(n_pairs)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    b_ub: list[np.ndarray] = []
    kinds: list[tuple[str, np.ndarray]] = []
    row0 = 0

    def add_rows(r: np.ndarray, c: np.ndarray, v: np.ndarray, rhs: np.ndarray, kind: str,
                 agents: np.ndarray) -> None:
        nonlocal row0
        rows.append((r + row0, c, v))
        b_ub.append(rhs)
        kinds.append((kind, agents))
        row0 += len(rhs)

    cap_agents = np.flatnonzero(np.isfinite(p.capacity))
    if len(cap_agents):
        r, pairs = p.agent_rows(cap_agents)
        add_rows(r, pairs, p.load[pairs], p.capacity[cap_agents], "capacity", cap_agents)
    min_agents = np.flatnonzero(p.min_load > 0)
    if len(min_agents):
        r, pairs = p.agent_rows(min_agents)
        add_rows(r, pairs, -p.load[pairs], -p.min_load[min_agents], "min_load", min_agents)
    sizes = group_sizes(p)
    bal_pos = np.full(m, -1)
    bal_pos[bal_agents] = np.arange(n_bal)
    if n_bal:
        t_col = t_col0 + np.array([gindex[int(g)] for g in p.group[bal_agents]])
        b_col = b_col0 + np.arange(n_bal)
        n_of = sizes[bal_agents]
        for sign, kind, tfac in ((1.0, "balance_up", -(1 + p.tolerance)),
                                 (-1.0, "balance_low", 1 - p.tolerance)):
            r = np.concatenate([np.arange(n_bal), np.arange(n_bal)])
            c = np.concatenate([b_col, t_col])
            v = np.concatenate([sign * n_of, np.full(n_bal, tfac)])
            add_rows(r, c, v, np.zeros(n_bal), kind, bal_agents)
    owner_pair = p.owner_pair
    owned = p.owner >= 0
    if p.max_moves is not None and owned.any():
        op = owner_pair[owned & (owner_pair >= 0)]
        rhs = p.max_moves - int(owned.sum())
        add_rows(np.zeros(len(op), dtype=np.int64), op, -np.ones(len(op)), np.array([rhs]),
                 "moves", np.array([0]))
    a_ub = None
    if rows:
        r = np.concatenate([x[0] for x in rows])
        c = np.concatenate([x[1] for x in rows])
        v = np.concatenate([x[2] for x in rows])
        a_ub = sp.csr_matrix((v, (r, c)), shape=(row0, n_vars))
    eq_r = [p.item]
    eq_c = [pair_ids]
    eq_v = [np.ones(n_pairs)]
    if n_bal:
        # B_j - Σ b x = 0, then T_g - Σ_{j in g} B_j = 0
        in_group = bal_pos[p.agent] >= 0
        row_b = p.n_items + bal_pos[p.agent[in_group]]
        eq_r += [row_b, p.n_items + np.arange(n_bal)]
        eq_c += [pair_ids[in_group], b_col0 + np.arange(n_bal)]
        eq_v += [-p.balance[in_group], np.ones(n_bal)]
        gi = np.array([gindex[int(g)] for g in p.group[bal_agents]])
        row_t = p.n_items + n_bal
        eq_r += [row_t + np.arange(n_groups), row_t + gi]
        eq_c += [t_col0 + np.arange(n_groups), b_col0 + np.arange(n_bal)]
        eq_v += [np.ones(n_groups), -np.ones(n_bal)]
    n_eq = p.n_items + n_bal + n_groups
    a_eq = sp.csr_matrix((np.concatenate(eq_v), (np.concatenate(eq_r), np.concatenate(eq_c))),
                         shape=(n_eq, n_vars))
    b_eq = np.concatenate([np.ones(p.n_items), np.zeros(n_bal + n_groups)])
    c_vec = np.concatenate([p.cost, np.zeros(n_bal + n_groups)])
    bounds = np.column_stack([np.zeros(n_vars),
                              np.concatenate([np.ones(n_pairs), np.full(n_bal + n_groups,
                                                                        np.inf)])])
    res = linprog(c_vec, A_ub=a_ub, b_ub=np.concatenate(b_ub) if b_ub else None, A_eq=a_eq,
                  b_eq=b_eq, bounds=bounds, method="highs",
                  options={"time_limit": float(time_limit), "presolve": True})
    zero = Multipliers.zero(m)
    if res.status == 2:
        return LPResult("infeasible", None, float("inf"), zero)
    if res.status != 0 or res.x is None:
        return LPResult("failed", None, float("nan"), zero)
    mult = {k: np.zeros(m) for k in ("capacity", "min_load", "balance_up", "balance_low")}
    moves = 0.0
    duals = -np.asarray(res.ineqlin.marginals) if rows else np.zeros(0)
    start = 0
    for kind, agents in kinds:
        d = np.maximum(0.0, duals[start:start + len(agents)])
        if kind == "moves":
            moves = float(d[0])
        else:
            mult[kind][agents] = d
        start += len(agents)
    return LPResult("optimal", np.asarray(res.x[:n_pairs]), float(res.fun) + p.constant,
                    Multipliers(moves=moves, **mult))


def lagrangian_bound(problem: AssignmentProblem, mult: Multipliers) -> float:
    """The Lagrangian dual function at ``mult``: a valid lower bound for ``problem``."""
    return lagrangian(problem, mult)[0]


def infeasibility_certificate(problem: AssignmentProblem, mult: Multipliers) -> float:
    """The Lagrangian dual function of the problem without its objective (every cost 0) at
    ``mult``, over every pair (left-out ones included). Every feasible plan costs 0 in that
    problem and the dual function is a lower bound on it, so a value above 0 proves that no
    plan meets the limits."""
    return lagrangian(problem, mult, cost_weight=0.0)[0]


def prices(problem: AssignmentProblem, mult: Multipliers) -> tuple[FloatArray, FloatArray]:
    """Per agent the price of a unit of load and of the balance measure under ``mult``: a
    pair's reduced cost is its cost + load price × load + balance price × balance (less the
    move multiplier on an owner's pair)."""
    p = problem
    lam = np.where(np.isfinite(p.capacity), mult.capacity, 0.0)
    sizes = group_sizes(p)
    up_sum = np.zeros(p.n_agents)
    low_sum = np.zeros(p.n_agents)
    for g in np.unique(p.group[p.group >= 0]):
        members = p.group == g
        up_sum[members] = mult.balance_up[members].sum()
        low_sum[members] = mult.balance_low[members].sum()
    beta = np.where(
        p.group >= 0,
        sizes * (mult.balance_up - mult.balance_low)
        + (1 - p.tolerance) * low_sum - (1 + p.tolerance) * up_sum,
        0.0,
    )
    return lam - mult.min_load, beta


def reduced_costs(problem: AssignmentProblem, mult: Multipliers,
                  cost_weight: float = 1.0) -> FloatArray:
    """Every pair's reduced cost under ``mult`` (the objective weighted by ``cost_weight``)."""
    p = problem
    load_price, bal_price = prices(p, mult)
    reduced = (cost_weight * p.cost + load_price[p.agent] * p.load
               + bal_price[p.agent] * p.balance)
    if p.max_moves is not None and mult.moves > 0:
        op = p.owner_pair
        reduced[op[op >= 0]] -= mult.moves
    return np.asarray(reduced)


def lagrangian(problem: AssignmentProblem, mult: Multipliers, outside: bool = True,
               cost_weight: float = 1.0) -> tuple[float, IntArray]:
    """The Lagrangian dual function at ``mult`` and, per item, the pair of the problem with
    the lowest reduced cost (the minimiser of the relaxed problem over the kept pairs).
    ``outside=False`` ignores left-out pairs (fast, but then not a bound on the full problem);
    ``cost_weight`` scales the objective (0: the feasibility problem)."""
    p = problem
    lam = np.where(np.isfinite(p.capacity), mult.capacity, 0.0)
    load_price, beta = prices(p, mult)
    reduced = reduced_costs(p, mult, cost_weight)
    owned = p.owner >= 0
    if p.max_moves is not None and mult.moves > 0:
        moves_term = mult.moves * (int(owned.sum()) - p.max_moves)
    else:
        moves_term = 0.0
    starts = p.item_ptr[:-1]
    per_item = np.minimum.reduceat(reduced, starts)
    # first pair of each item that attains the minimum
    at_min = np.flatnonzero(reduced <= per_item[p.item])
    first = np.concatenate([[True], p.item[at_min[1:]] != p.item[at_min[:-1]]])
    argmin = at_min[first].astype(np.int64)
    if p.outside is not None and outside:
        per_item = np.minimum(per_item, p.outside.min_reduced(load_price, beta, cost_weight))
    finite_cap = np.isfinite(p.capacity)
    value = float(per_item.sum() - (lam[finite_cap] * p.capacity[finite_cap]).sum()
                  + (mult.min_load * p.min_load).sum() + moves_term
                  + cost_weight * p.constant)
    return value, argmin


