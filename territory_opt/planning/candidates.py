"""Candidate (account, rep) pairs of one role, worked out in independent account blocks.

Every allowed pair while the scenario is small. Above ``MAX_PAIRS`` pairs in all, each account
keeps its ``NEAREST`` nearest allowed reps (by distance) and its owner. The pairs left out are
not stored: ``AllPairs`` re-prices every allowed pair block by block when the engine's bound
asks (engine.problem.OutsidePairs), so the bound holds for the full problem and memory stays
proportional to the kept pairs.

A block is a run of one role's accounts with the columns its pairs need, and nothing else, so
it can be sent elsewhere: given an ``executor`` (e.g. a Dask client's ``get_executor()``) the
blocks run there. Their results are put together in block order, so the pairs, the bound and
the plan are the same whichever executor ran them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np

from territory_opt.domain.geo import distance_matrix_km, haversine_km
from territory_opt.domain.geo import nearest as geo_nearest
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.workload import travel_hours_per_km
from territory_opt.engine.arrays import BoolArray, FloatArray, IntArray

#: above this many allowed (account, rep) pairs over all roles, each account keeps its
#: NEAREST reps (and its owner). 6M keeps every pair of the national alignments of
#: benchmarks/alignments.py: on 40,000 accounts × 250 reps (4.4M pairs) the 16 nearest held
#: the LP at 254,850 where every pair gives 193,864, and the bound priced over the left-out
#: pairs fell to the cheapest-pair bound, 90,329
MAX_PAIRS = 6_000_000
#: reps kept per account (besides its owner) when pruning
NEAREST = 16
#: (account, rep) pairs in one block: one task on an executor
BLOCK_PAIRS = 20_000_000
#: travel values computed at once inside a block
CHUNK_PAIRS = 4_000_000

R = TypeVar("R")


@dataclass(frozen=True)
class Allowed:
    """Which (account, rep) pairs a plan may use. An account that must stay with its owner
    (locked, or a keep-owner tier) only its owner's; with ``structure: cellular`` a hand-over
    stays inside the previous owner's pod when that pod has reps of the role.

    Per account: ``owner`` (same-role owner's rep position, -1 none), ``fixed``, ``handover``
    (cellular only: its previous owner had another role) and ``pod`` (that owner's cell);
    per rep its ``cells``."""

    owner: IntArray
    fixed: BoolArray
    handover: BoolArray | None
    pod: np.ndarray | None
    cells: np.ndarray

    def __call__(self, a: IntArray, r: IntArray) -> BoolArray:
        """Boolean matrix len(a) × len(r)."""
        ok = ~self.fixed[a][:, None] | (r[None, :] == self.owner[a][:, None])
        if self.handover is not None and self.pod is not None:
            pod = self.pod[a]
            bound_to_pod = self.handover[a] & np.isin(pod, self.cells[r])
            ok &= ~bound_to_pod[:, None] | (self.cells[r][None, :] == pod[:, None])
        return np.asarray(ok)

    def take(self, a: IntArray) -> Allowed:
        """The rows of accounts ``a`` (positions 0..len(a)-1 in the copy)."""
        return Allowed(self.owner[a], self.fixed[a],
                       None if self.handover is None else self.handover[a],
                       None if self.pod is None else self.pod[a], self.cells)


@dataclass(frozen=True)
class AccountBlock:
    """A run of one role's accounts (``acc``: positions in the accounts table) with their
    columns, and the role's reps with theirs. ``moved_cost`` is the cost of a move (0 without a
    same-role owner); the balance measure of a pair is ``bal0 + bal1·travel``."""

    acc: IntArray
    lat: FloatArray
    lon: FloatArray
    visits: FloatArray
    touch: FloatArray
    moved_cost: FloatArray
    bal0: FloatArray
    allowed: Allowed
    reps: IntArray
    rep_lat: FloatArray
    rep_lon: FloatArray
    per_km: float

    def chunks(self) -> Iterable[IntArray]:
        """Local row positions, a few thousand pairs' worth at a time."""
        step = max(1, CHUNK_PAIRS // max(1, len(self.reps)))
        for start in range(0, len(self.acc), step):
            yield np.arange(start, min(start + step, len(self.acc)))

    def travel(self, rows: IntArray) -> FloatArray:
        """Travel hours (SPEC §5) of rows × reps."""
        d = distance_matrix_km(self.lat[rows], self.lon[rows], self.rep_lat, self.rep_lon)
        return self.visits[rows][:, None] * d * self.per_km


@dataclass(frozen=True)
class RolePairs:
    """Kept pairs: ``items`` (account positions), ``agents`` (rep positions) and their
    ``travel`` hours; ``pruned`` when some allowed pairs were left out."""

    items: IntArray
    agents: IntArray
    travel: FloatArray
    pruned: bool


def run_blocks(fn: Callable[[AccountBlock], R], blocks: Sequence[AccountBlock],
               executor: Executor | None) -> Iterable[R]:
    """``fn`` of every block, in block order: here, or on the executor."""
    return map(fn, blocks) if executor is None else executor.map(fn, blocks)


def role_blocks(data: PlanningData, a_idx: IntArray, r_idx: IntArray, allowed: Allowed,
                moved_cost: FloatArray, bal0: FloatArray) -> list[AccountBlock]:
    """One role's accounts ``a_idx`` and reps ``r_idx`` cut into blocks of about BLOCK_PAIRS
    pairs."""
    a, r = data.accounts, data.reps
    lat, lon, visits, touch = (a[c].to_numpy(float) for c in ("lat", "lon", "visits",
                                                               "touch_hours"))
    r_lat, r_lon = r["lat"].to_numpy(float)[r_idx], r["lon"].to_numpy(float)[r_idx]
    per_km = travel_hours_per_km(data.scenario.capacity)
    step = max(1, BLOCK_PAIRS // max(1, len(r_idx)))
    blocks = []
    for start in range(0, len(a_idx), step):
        acc = a_idx[start:start + step]
        blocks.append(AccountBlock(acc, lat[acc], lon[acc], visits[acc], touch[acc],
                                   moved_cost[acc], bal0[acc], allowed.take(acc), r_idx,
                                   r_lat, r_lon, per_km))
    return blocks


def block_pairs(block: AccountBlock, nearest: int | None) -> RolePairs:
    """The kept pairs of one block: every allowed pair, or (``nearest``) the nearest allowed
    reps and the owner. Nearest by distance, not travel: accounts without visits travel
    nowhere, and ranking them by travel would tie every rep and pile them on the first ones.
    Accounts free to go to any rep of the role (most of them) find theirs with a k-d tree, so
    distances are computed for the kept pairs only."""
    prune = nearest is not None and len(block.reps) > nearest
    items, agents, travel = [], [], []
    pruned = False
    for rows in block.chunks():
        ok = block.allowed(rows, block.reps)
        keep = ok
        if prune and nearest is not None:
            keep = np.zeros_like(ok)
            free = ok.all(axis=1)
            f, rest = np.flatnonzero(free), np.flatnonzero(~free)
            keep[f[:, None], geo_nearest(block.lat[rows[f]], block.lon[rows[f]],
                                         block.rep_lat, block.rep_lon, nearest)] = True
            if len(rest):  # a locked account or a hand-over bound to a pod: a few reps only
                d = distance_matrix_km(block.lat[rows[rest]], block.lon[rows[rest]],
                                       block.rep_lat, block.rep_lon)
                near = np.argpartition(np.where(ok[rest], d, np.inf), nearest - 1, axis=1)
                keep[rest[:, None], near[:, :nearest]] = True
            own = block.allowed.owner[rows]
            has = own >= 0
            keep[np.flatnonzero(has), np.searchsorted(block.reps, own[has])] = True
            keep &= ok
            pruned = pruned or bool((ok & ~keep).any())
        row, col = np.nonzero(keep)
        acc = rows[row]
        d = haversine_km(block.lat[acc], block.lon[acc], block.rep_lat[col], block.rep_lon[col])
        items.append(block.acc[acc])
        agents.append(block.reps[col])
        travel.append(block.visits[acc] * d * block.per_km)
    return RolePairs(np.concatenate(items), np.concatenate(agents), np.concatenate(travel),
                     pruned)


def role_pairs(blocks: Sequence[AccountBlock], nearest: int | None,
               executor: Executor | None = None) -> RolePairs:
    """The kept pairs of one role's blocks."""
    parts = list(run_blocks(partial(block_pairs, nearest=nearest), blocks, executor))
    return RolePairs(np.concatenate([p.items for p in parts]),
                     np.concatenate([p.agents for p in parts]),
                     np.concatenate([p.travel for p in parts]),
                     any(p.pruned for p in parts))


def by_item(parts: Sequence[RolePairs]) -> RolePairs:
    """The roles' kept pairs together, sorted by item (stable: a role's order within an
    item stays)."""
    items = np.concatenate([rp.items for rp in parts])
    order = np.argsort(items, kind="stable")
    return RolePairs(items[order], np.concatenate([rp.agents for rp in parts])[order],
                     np.concatenate([rp.travel for rp in parts])[order],
                     any(rp.pruned for rp in parts))


def kept_pairs(data: PlanningData, roles: Mapping[str, tuple[IntArray, IntArray]],
               allowed: Allowed, moved_cost: FloatArray, bal0: FloatArray,
               nearest: int | None, executor: Executor | None = None
               ) -> tuple[RolePairs, tuple[AccountBlock, ...]]:
    """The kept pairs of every role (``roles``: its accounts and reps), together and sorted by
    item; and the account blocks of the roles whose pairs were pruned, to price the pairs
    left out."""
    blocks = [role_blocks(data, a_idx, r_idx, allowed, moved_cost, bal0)
              for a_idx, r_idx in roles.values()]
    parts = [role_pairs(b, nearest, executor) for b in blocks]
    pruned = tuple(b for bs, rp in zip(blocks, parts, strict=True) if rp.pruned for b in bs)
    return by_item(parts), pruned


def block_min_reduced(block: AccountBlock, w_travel: float, bal1: float,
                      load_price: FloatArray, bal_price: FloatArray,
                      cost_weight: float = 1.0) -> FloatArray:
    """Per account of the block its least reduced cost over every allowed rep (the objective
    weighted by ``cost_weight``)."""
    lp, bp = load_price[block.reps][None, :], bal_price[block.reps][None, :]
    out = np.empty(len(block.acc))
    for rows in block.chunks():
        t = block.travel(rows)
        moved = block.reps[None, :] != block.allowed.owner[rows][:, None]
        reduced = (cost_weight * (w_travel * t + block.moved_cost[rows][:, None] * moved)
                   + lp * (block.touch[rows][:, None] + t)
                   + bp * (block.bal0[rows][:, None] + bal1 * t))
        reduced[~block.allowed(rows, block.reps)] = np.inf
        out[rows] = reduced.min(axis=1)
    return out


@dataclass(frozen=True)
class AllPairs:
    """Every allowed pair of the pruned roles' ``blocks``, priced when the engine's bound asks
    (engine.problem.OutsidePairs); ``w_travel`` weighs travel hours in the objective."""

    blocks: tuple[AccountBlock, ...]
    n_accounts: int
    w_travel: float
    bal1: float
    executor: Executor | None = None

    def min_reduced(self, load_price: FloatArray, bal_price: FloatArray,
                    cost_weight: float = 1.0) -> FloatArray:
        out = np.full(self.n_accounts, np.inf)
        price = partial(block_min_reduced, w_travel=self.w_travel, bal1=self.bal1,
                        load_price=load_price, bal_price=bal_price, cost_weight=cost_weight)
        for block, values in zip(self.blocks, run_blocks(price, self.blocks, self.executor),
                                 strict=True):
            out[block.acc] = values
        return out
