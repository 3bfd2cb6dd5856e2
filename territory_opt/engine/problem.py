"""The engine's problem: items (accounts) to agents (reps) over candidate pairs.

Constraints: every item takes exactly one of its pairs; each agent's load lies in
[min_load, capacity]; within a balance group of n agents every agent's balance measure B_j
satisfies n·B_j within (1 ± tolerance)·Σ_group B (i.e. within ±tolerance of the group mean);
at most ``max_moves`` items that have an owner end up with another agent. The objective is the
sum of the chosen pairs' costs plus a constant (costs of moves are folded into the pair costs by
the adapter).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt

from territory_opt.engine.arrays import FloatArray, IntArray

#: relative slack allowed when checking float constraints (float summation noise only)
FEAS_EPS = 1e-9


class OutsidePairs(Protocol):
    """Pairs left out of a problem to keep it small. The Lagrangian bound asks for them, so a
    bound stays valid for the problem with every pair. Left-out pairs are never an owner's."""

    def min_reduced(self, load_price: FloatArray, bal_price: FloatArray,
                    cost_weight: float = 1.0) -> FloatArray:
        """Per item the least reduced cost cost_weight·cost + load_price[j]·load +
        bal_price[j]·balance over its left-out pairs (or over all its pairs; inf when it has
        none left out). ``cost_weight`` 0 prices the feasibility problem (no objective)."""
        ...


@dataclass(frozen=True)
class AssignmentProblem:
    """Arrays describing one problem. Pairs are sorted by item.

    Attributes
    ----------
    item, agent : the item and agent of each candidate pair
    cost : objective cost of each pair
    load : load each pair puts on its agent's capacity
    balance : balance measure of each pair (often equal to load)
    capacity, min_load : per agent limits on the summed load
    group : per agent balance group (-1: not balanced); tolerance applies to every group
    owner : per item the current agent (-1: none); an item whose final agent differs is a move
    max_moves : limit on moves (None: no limit)
    constant : added to the objective (e.g. cost of items outside the problem)
    outside : pairs left out of the problem (None: every pair is in it)
    """

    n_items: int
    n_agents: int
    item: IntArray
    agent: IntArray
    cost: FloatArray
    load: FloatArray
    balance: FloatArray
    capacity: FloatArray
    min_load: FloatArray
    group: IntArray
    tolerance: float
    owner: IntArray
    max_moves: int | None = None
    constant: float = 0.0
    outside: OutsidePairs | None = None

    def __post_init__(self) -> None:
        n_pairs = len(self.item)
        for name in ("agent", "cost", "load", "balance"):
            if len(getattr(self, name)) != n_pairs:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, not {n_pairs}")
        if n_pairs and np.any(np.diff(self.item) < 0):
            raise ValueError("pairs must be sorted by item")
        counts = np.bincount(self.item, minlength=self.n_items)
        if np.any(counts == 0):
            raise ValueError(f"item {int(np.argmin(counts))} has no candidate agent")

    @property
    def complete(self) -> bool:
        """True when every pair of the problem as specified is in the arrays."""
        return self.outside is None

    @cached_property
    def item_ptr(self) -> IntArray:
        """CSR offsets: the pairs of item i are item_ptr[i]:item_ptr[i+1]."""
        return np.concatenate([[0], np.cumsum(np.bincount(self.item, minlength=self.n_items))])

    @cached_property
    def owner_pair(self) -> IntArray:
        """Per item the pair index of its owner (-1 when the owner is not a candidate)."""
        out = np.full(self.n_items, -1, dtype=np.int64)
        hit = self.agent == self.owner[self.item]
        out[self.item[hit]] = np.flatnonzero(hit)
        return out

    def pairs_of(self, items: IntArray) -> IntArray:
        """The candidate pairs of ``items``, item by item."""
        ptr = self.item_ptr
        counts = np.diff(ptr)[items]
        return np.repeat(ptr[items], counts) + (
            np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))

    def agent_rows(self, agents: IntArray) -> tuple[IntArray, IntArray]:
        """The pairs of ``agents`` (in pair order) and for each its agent's position in
        ``agents``: the rows of a per-agent constraint over the pairs."""
        pos = np.full(self.n_agents, -1, dtype=np.int64)
        pos[agents] = np.arange(len(agents))
        pairs = np.flatnonzero(pos[self.agent] >= 0)
        return pos[self.agent[pairs]], pairs

    def group_bands(self, per_agent: npt.NDArray[np.floating] | npt.NDArray[np.integer],
                    half_width: float) -> tuple[FloatArray, FloatArray]:
        """Per agent limits c·(1 ± half_width) around the mean c of ``per_agent`` over its
        balance group (0 and inf for agents outside every group)."""
        lower = np.zeros(self.n_agents)
        upper = np.full(self.n_agents, np.inf)
        for g in np.unique(self.group[self.group >= 0]):
            members = self.group == g
            centre = per_agent[members].mean()
            lower[members] = centre * (1 - half_width)
            upper[members] = centre * (1 + half_width)
        return lower, upper

    @classmethod
    def dense(cls, cost: npt.ArrayLike, load: npt.ArrayLike, capacity: npt.ArrayLike,
              **kwargs: object) -> AssignmentProblem:
        """A problem where every item may go to every agent; cost and load are agents × items
        matrices as in the OR-Library GAP files."""
        c = np.asarray(cost, dtype=float)
        w = np.asarray(load, dtype=float)
        m, n = c.shape
        item = np.repeat(np.arange(n), m)
        agent = np.tile(np.arange(m), n)
        defaults: dict[str, object] = dict(
            balance=w.T.ravel().copy(), min_load=np.zeros(m), group=np.full(m, -1),
            tolerance=1.0, owner=np.full(n, -1),
        )
        defaults.update(kwargs)
        return cls(n_items=n, n_agents=m, item=item, agent=agent, cost=c.T.ravel(),
                   load=w.T.ravel(), capacity=np.asarray(capacity, dtype=float),
                   **defaults)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Evaluation:
    """Float evaluation of an assignment (one pair index per item)."""

    objective: float
    loads: FloatArray
    balance: FloatArray
    moves: int
    over_capacity: FloatArray
    under_min: FloatArray
    balance_excess: FloatArray
    moves_excess: int

    @property
    def feasible(self) -> bool:
        return (not self.over_capacity.any() and not self.under_min.any()
                and not self.balance_excess.any() and self.moves_excess == 0)

    @property
    def violation(self) -> float:
        """Every limit's excess summed (0 when feasible)."""
        return float(self.over_capacity.sum() + self.under_min.sum()
                     + self.balance_excess.sum() + self.moves_excess)


def evaluate(problem: AssignmentProblem, chosen: IntArray) -> Evaluation:
    """Objective, loads and every constraint violation of ``chosen`` (pair index per item)."""
    p = problem
    if len(chosen) != p.n_items or np.any(p.item[chosen] != np.arange(p.n_items)):
        raise ValueError("chosen must hold one pair of each item, in item order")
    agents = p.agent[chosen]
    loads = np.bincount(agents, weights=p.load[chosen], minlength=p.n_agents).astype(float)
    bal = np.bincount(agents, weights=p.balance[chosen], minlength=p.n_agents).astype(float)
    moves = int(np.sum((p.owner >= 0) & (agents != p.owner)))
    scale = np.maximum(1.0, np.abs(p.capacity))
    over = np.maximum(0.0, loads - p.capacity - FEAS_EPS * scale)
    under = np.maximum(0.0, p.min_load - loads - FEAS_EPS * scale)
    excess = np.zeros(p.n_agents)
    for g in np.unique(p.group[p.group >= 0]):
        members = p.group == g
        mean = bal[members].mean()
        dev = np.abs(bal[members] - mean) - p.tolerance * mean
        excess[members] = np.maximum(0.0, dev - FEAS_EPS * max(1.0, mean))
    limit = p.max_moves if p.max_moves is not None else p.n_items
    return Evaluation(objective=float(p.cost[chosen].sum() + p.constant), loads=loads,
                      balance=bal, moves=moves, over_capacity=over, under_min=under,
                      balance_excess=excess, moves_excess=max(0, moves - limit))
