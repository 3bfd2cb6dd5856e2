"""Candidate (account, rep) pairs of one role.

Every allowed pair while the scenario is small. Above ``MAX_PAIRS`` pairs in all, each account
keeps its ``NEAREST`` nearest allowed reps (by distance) and its owner. The pairs left out are
not stored: ``AllPairs`` recomputes every allowed pair in chunks when the engine's bound asks
(engine.problem.OutsidePairs), so the bound holds for the full problem and memory stays
proportional to the kept pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from territory_opt.data import PlanningData
from territory_opt.engine.problem import FloatArray, IntArray
from territory_opt.geo import distance_matrix_km
from territory_opt.workload import travel_hours_per_km

#: above this many (account, rep) pairs over all roles, keep only the nearest reps
MAX_PAIRS = 2_000_000
#: reps kept per account (besides its owner) when pruning
NEAREST = 16
#: travel values computed at once
CHUNK_PAIRS = 4_000_000

#: allowed(account positions, rep positions) -> boolean matrix accounts × reps
Allowed = Callable[[IntArray, IntArray], np.ndarray]


@dataclass(frozen=True)
class RolePairs:
    """Kept pairs of one role: ``items`` (account positions), ``agents`` (rep positions) and
    their ``travel`` hours; ``pruned`` when some allowed pairs were left out."""

    items: IntArray
    agents: IntArray
    travel: FloatArray
    pruned: bool


@dataclass(frozen=True)
class AllPairs:
    """Every allowed pair of the pruned roles, evaluated in chunks when the engine's bound asks
    (engine.problem.OutsidePairs). ``roles``: (account positions, rep positions) per role;
    ``moved_cost`` per account is the cost of a move (0 without a same-role owner); ``bal0`` /
    ``bal1``: the balance measure is bal0 + bal1·travel."""

    data: PlanningData
    roles: list[tuple[IntArray, IntArray]]
    allowed: Allowed
    owner: IntArray
    moved_cost: FloatArray
    bal0: FloatArray
    bal1: float

    def min_reduced(self, load_price: FloatArray, bal_price: FloatArray) -> FloatArray:
        touch = self.data.accounts["touch_hours"].to_numpy(float)
        w_travel = self.data.scenario.objective.travel
        out = np.full(len(touch), np.inf)
        for a_idx, r_idx in self.roles:
            lp, bp = load_price[r_idx][None, :], bal_price[r_idx][None, :]
            chunk = max(1, CHUNK_PAIRS // max(1, len(r_idx)))
            for start in range(0, len(a_idx), chunk):
                acc = a_idx[start:start + chunk]
                t = self.data.travel_hours(acc, r_idx)
                moved = r_idx[None, :] != self.owner[acc][:, None]
                reduced = (w_travel * t + self.moved_cost[acc][:, None] * moved
                           + lp * (touch[acc][:, None] + t)
                           + bp * (self.bal0[acc][:, None] + self.bal1 * t))
                reduced[~self.allowed(acc, r_idx)] = np.inf
                out[acc] = reduced.min(axis=1)
        return out


def role_pairs(data: PlanningData, a_idx: IntArray, r_idx: IntArray, allowed: Allowed,
               owner: IntArray, nearest: int | None) -> RolePairs:
    """The kept pairs of one role's accounts ``a_idx`` and reps ``r_idx``."""
    n_r = len(r_idx)
    chunk = max(1, CHUNK_PAIRS // max(1, n_r))
    items, agents, travel = [], [], []
    pruned = False
    a, r = data.accounts, data.reps
    lat, lon, visits = (a[c].to_numpy(float) for c in ("lat", "lon", "visits"))
    r_lat, r_lon = r["lat"].to_numpy(float)[r_idx], r["lon"].to_numpy(float)[r_idx]
    per_km = travel_hours_per_km(data.scenario.capacity)
    for start in range(0, len(a_idx), chunk):
        acc = a_idx[start:start + chunk]
        d = distance_matrix_km(lat[acc], lon[acc], r_lat, r_lon)
        t = visits[acc][:, None] * d * per_km
        ok = allowed(acc, r_idx)
        if nearest is None or n_r <= nearest:
            keep = ok
        else:
            # nearest by distance, not travel: accounts without visits travel nowhere, and
            # ranking them by travel would tie every rep and pile them on the first ones
            masked = np.where(ok, d, np.inf)
            near = np.argpartition(masked, nearest - 1, axis=1)[:, :nearest]
            keep = np.zeros_like(ok)
            rows = np.arange(len(acc))[:, None]
            keep[rows, near] = True
            own = owner[acc]
            has = own >= 0
            keep[np.flatnonzero(has), np.searchsorted(r_idx, own[has])] = True
            keep &= ok
            pruned = pruned or bool((ok & ~keep).any())
        row, col = np.nonzero(keep)
        items.append(acc[row])
        agents.append(r_idx[col])
        travel.append(t[row, col])
    return RolePairs(np.concatenate(items), np.concatenate(agents), np.concatenate(travel),
                     pruned)
