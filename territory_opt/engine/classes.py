"""Interchangeable items, gathered into classes for the LP relaxation.

Two items are interchangeable when they have the same owner and the same pairs: the same
agents with the same cost, load and balance measure. In territory scenarios most accounts are
(an account without face-to-face visits costs the same and weighs the same with every rep of
its role, so the C accounts of one owner are all alike). The LP relaxation of a problem equals
the LP of its classes, each class an item of multiplicity ``size`` whose pairs take up to
``size`` units: from any LP solution of the classes, splitting each class's units evenly over
its members gives an LP solution of the items with the same cost and the same rows, and the
other way round by summing. On the generated Texas alignment of 8,000 accounts the classes
are 1,920 and the LP solves in a quarter of the time; on 20,000 accounts (809,160 pairs) the
item LP did not finish in 600 s and the class LP took 11.6 s (scratch timing, loaded machine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.problem import AssignmentProblem

_MIX = np.uint64(0xBF58476D1CE4E5B9)


@dataclass(frozen=True)
class ItemClasses:
    """The classes of a problem's items.

    Attributes
    ----------
    problem
        One item per class, with the pairs of its first member (owner kept).
    of_item
        The class of each item.
    size
        Members per class.
    members
        Items in class order (``members[start[c]:start[c + 1]]`` are class c's, in item order).
    start
        CSR offsets into ``members``.
    pair_of
        Per pair of ``problem``, the same pair of the class's first member in the original
        problem.
    """

    problem: AssignmentProblem
    of_item: IntArray
    size: FloatArray
    members: IntArray
    start: IntArray
    pair_of: IntArray

    @property
    def n(self) -> int:
        return self.problem.n_items


def _bits(values: FloatArray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread 64-bit hash of each value (wraps on overflow)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def item_classes(p: AssignmentProblem) -> ItemClasses:
    """Gather ``p``'s interchangeable items. Items are compared by a hash of their pairs,
    then checked pair by pair against their class's first member (a collision splits off)."""
    ptr = p.item_ptr
    counts = np.diff(ptr)
    order = np.lexsort((p.agent, p.item))  # within an item, pairs by agent
    pos = (np.arange(len(order)) - np.repeat(ptr[:-1], counts)).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = _mix(p.agent[order].astype(np.uint64) + pos * np.uint64(0x9E3779B97F4A7C15))
        for values in (p.cost, p.load, p.balance):
            h = _mix(h ^ _bits(values[order]))
        seg = np.add.reduceat(h, ptr[:-1]) if len(h) else np.zeros(p.n_items, np.uint64)
        key = _mix(seg ^ _mix(p.owner.astype(np.uint64) + np.uint64(1))) ^ counts.astype(
            np.uint64)
    _, first_of_key, of_item = np.unique(key, return_index=True, return_inverse=True)
    of_item = of_item.ravel().astype(np.int64)
    first = first_of_key[of_item]
    # check every member against its class's first member, pair by pair
    same = (counts == counts[first]) & (p.owner == p.owner[first])
    pi = p.item[order]
    mate = order[np.minimum(ptr[first[pi]] + pos.astype(np.int64), max(0, len(order) - 1))]
    equal = ((p.agent[order] == p.agent[mate]) & (p.cost[order] == p.cost[mate])
             & (p.load[order] == p.load[mate]) & (p.balance[order] == p.balance[mate]))
    ok = same & (np.minimum.reduceat(equal, ptr[:-1]) if len(equal) else same)
    # a member that differs from its first member (a hash collision) gets a class of its own
    label = np.where(ok, first, np.arange(p.n_items))
    reps, of_item = np.unique(label, return_inverse=True)
    of_item = of_item.ravel().astype(np.int64)
    size = np.bincount(of_item, minlength=len(reps)).astype(float)
    members = np.argsort(of_item, kind="stable").astype(np.int64)
    start = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    pairs = p.pairs_of(reps.astype(np.int64))
    class_item = np.repeat(np.arange(len(reps)), counts[reps])
    problem = AssignmentProblem(
        n_items=len(reps), n_agents=p.n_agents, item=class_item.astype(np.int64),
        agent=p.agent[pairs], cost=p.cost[pairs], load=p.load[pairs],
        balance=p.balance[pairs], capacity=p.capacity, min_load=p.min_load, group=p.group,
        tolerance=p.tolerance, owner=p.owner[reps], max_moves=p.max_moves,
        constant=p.constant)
    return ItemClasses(problem, of_item, size, members, start, pairs.astype(np.int64))


def spread(classes: ItemClasses, p: AssignmentProblem, units: FloatArray) -> IntArray:
    """A pair per item from whole units per class pair (``units`` per pair of
    ``classes.problem``, summing to each class's size): the members of a class, in item
    order, take its pairs' units in pair order."""
    cp = classes.problem
    counts = np.rint(units).astype(np.int64)
    per_class = np.bincount(cp.item, weights=counts, minlength=cp.n_items)
    if not np.array_equal(per_class, classes.size):
        bad = int(np.flatnonzero(per_class != classes.size)[0])
        raise ValueError(f"class {bad}: {per_class[bad]:g} units for {classes.size[bad]:g} "
                         "members")
    chosen = np.empty(p.n_items, dtype=np.int64)
    chosen[classes.members] = _pair_with_agent(p, classes.members, np.repeat(cp.agent, counts))
    return chosen


def _pair_with_agent(p: AssignmentProblem, items: IntArray, agents: IntArray) -> IntArray:
    """Per item its pair with the given agent."""
    pairs = p.pairs_of(items)
    owner_item = np.repeat(np.arange(len(items)), np.diff(p.item_ptr)[items])
    hit = p.agent[pairs] == agents[owner_item]
    out = np.full(len(items), -1, dtype=np.int64)
    out[owner_item[hit]] = pairs[hit]
    if (out < 0).any():
        raise ValueError("an item has no pair with its agent")
    return out


def item_values(classes: ItemClasses, p: AssignmentProblem, units: FloatArray) -> FloatArray:
    """Per pair of ``p`` its share of its class's units with that agent (units / size; 0 when
    the class has no such pair): the LP solution of the items that splits each class evenly
    over its members."""
    cp = classes.problem
    key = cp.item * p.n_agents + cp.agent
    order = np.argsort(key, kind="stable")
    c = classes.of_item[p.item]
    wanted = c * p.n_agents + p.agent
    pos = np.minimum(np.searchsorted(key[order], wanted), max(0, len(order) - 1))
    at = order[pos]
    found = key[at] == wanted
    return np.where(found, units[at] / classes.size[c], 0.0)
