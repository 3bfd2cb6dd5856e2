"""Cheap proofs that no plan exists, checked before any search, at every size.

Each check is a necessary condition that every feasible plan meets, computed from the inputs
with the SPEC §5 arithmetic over every rep of a role (nothing pruned, nothing rounded), so a
failed check is a proof for the problem as specified. Per role, with n reps, tolerance t and
T the role's total of the balance measure:

* the role's least possible workload (every account at its nearest rep) fits in the reps'
  summed capacity;
* a rep's locked and keep-owner accounts (with their families) fit in its capacity and below
  the top of its band, (1 + t)·T_max/n, T_max the largest total the role can have (for
  workload the smaller of the summed capacities and every account at its farthest rep; the
  other measures are the same in every plan);
* a rep's capacity reaches the bottom of its band, (1 − t)·T_min/n;
* the move limit covers the moves that are forced: a rep whose own accounts exceed what it may
  keep must give some away, and each one it gives away is a move; the fewest are found by
  giving away its largest accounts first.

Every statement names the reps and the limits, by how much, and what would make room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.planning.families import family_groups
from territory_opt.planning.problem import fixed_accounts, owner_index

#: accounts priced against every rep of their role at once, in chunks of this many pairs
CHUNK_PAIRS = 4_000_000
#: reps named in one sentence at the most
NAMED = 5


@dataclass(frozen=True)
class _Role:
    """One role: positions of its accounts and reps, and per account its least and largest
    workload over the role's reps (its owner's when it must stay), its workload and balance
    measure with its same-role owner, whether it must stay, and that owner (-1: none)."""

    name: str
    accounts: IntArray
    reps: IntArray
    near: FloatArray
    far: FloatArray
    own: FloatArray
    measure: FloatArray
    fixed: np.ndarray
    owner: IntArray


def _owners(data: PlanningData) -> tuple[IntArray, np.ndarray]:
    """Same-role owners and the accounts that must stay (families follow their fixed
    members when those agree)."""
    owner = owner_index(data)
    fixed = fixed_accounts(data, owner)
    if data.scenario.families == "together":
        owner, fixed = owner.copy(), fixed.copy()
        for g in family_groups(data):
            bound = np.unique(owner[g[fixed[g]]])
            if len(bound) == 1:  # two owners: a family conflict, proven where families are
                owner[g], fixed[g] = bound[0], True
    return owner, fixed


def _roles(data: PlanningData) -> list[_Role]:
    acc = data.accounts
    owner, fixed = _owners(data)
    touch = acc["touch_hours"].to_numpy(float)
    measure_of = {"workload": None, "potential": acc["potential"].to_numpy(float),
                  "accounts": np.ones(len(acc))}[data.scenario.balance.measure]
    out = []
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        if len(a_idx) == 0 or len(r_idx) == 0:
            continue
        near, far = np.empty(len(a_idx)), np.empty(len(a_idx))
        step = max(1, CHUNK_PAIRS // len(r_idx))
        for start in range(0, len(a_idx), step):
            travel = data.travel_hours(a_idx[start:start + step], r_idx)
            near[start:start + step] = travel.min(axis=1)
            far[start:start + step] = travel.max(axis=1)
        o = owner[a_idx]
        own = np.full(len(a_idx), np.nan)
        own[o >= 0] = data.pair_travel_hours(a_idx[o >= 0], o[o >= 0])
        own, near, far = own + touch[a_idx], near + touch[a_idx], far + touch[a_idx]
        f = fixed[a_idx]
        near[f], far[f] = own[f], own[f]
        measure = own if measure_of is None else measure_of[a_idx]
        out.append(_Role(role, a_idx, r_idx, near, far, own, measure, f, o))
    return out


def _reps(n: int) -> str:
    return f"{n} rep" if n == 1 else f"{n} reps"


def _names(data: PlanningData, reps: list[int]) -> str:
    ids = data.reps["rep_id"].to_numpy()
    shown = ", ".join(str(ids[r]) for r in reps[:NAMED])
    return shown + (f" and {len(reps) - NAMED} more" if len(reps) > NAMED else "")


def proofs(data: PlanningData) -> list[str]:
    """Sentences proving that no plan exists (empty: none of the cheap checks fails)."""
    sc = data.scenario
    cap_all = data.reps["capacity_hours"].to_numpy(float)
    t, workload = sc.balance.tolerance, sc.balance.measure == "workload"
    out: list[str] = []
    forced_moves = 0
    forced_by: list[tuple[int, int]] = []
    for r in _roles(data):
        n = len(r.reps)
        caps = cap_all[r.reps]
        t_min = float(r.near.sum()) if workload else float(r.measure.sum())
        t_max = min(float(r.far.sum()), float(caps.sum())) if workload else t_min
        if r.near.sum() > caps.sum():
            short = float(r.near.sum() - caps.sum())
            out.append(f"{r.name}s need at least {r.near.sum():,.0f} h (calls and the least "
                       f"travel), but have {n} reps with {caps.sum():,.0f} h in all; short by "
                       f"{short:,.0f} h (about {_reps(math.ceil(short / caps.mean()))} more)")
        top = (1 + t) * t_max / n
        bottom = (1 - t) * t_min / n
        unit = "h" if workload else ("of potential" if sc.balance.measure == "potential"
                                     else "accounts")
        for k, rep in enumerate(r.reps.tolist()):
            mine = r.owner == rep
            held = mine & r.fixed
            load, value = float(r.own[held].sum()), float(r.measure[held].sum())
            if load > caps[k] * (1 + 1e-9):
                out.append(f"rep {_names(data, [rep])} must keep locked and keep-owner "
                           f"accounts worth {load:,.0f} h, above its capacity of "
                           f"{caps[k]:,.0f} h (keep-owner off, or capacity "
                           f"{load:,.0f} h, would make room)")
            elif value > top * (1 + 1e-9):
                need = value * n / t_max - 1 if t_max > 0 else math.inf
                out.append(f"rep {_names(data, [rep])} must keep locked and keep-owner "
                           f"accounts worth {value:,.0f} {unit}, above the top of its balance "
                           f"band ({top:,.0f} {unit}: ±{t:.0%} of the {r.name}s' largest "
                           f"possible mean); keep-owner off, or balance ±{need:.1%}, would "
                           "make room")
            if workload and caps[k] < bottom * (1 - 1e-9):
                need = 1 - caps[k] * n / t_min
                out.append(f"rep {_names(data, [rep])} has {caps[k]:,.0f} h of capacity, below "
                           f"the bottom of its balance band ({bottom:,.0f} h: ±{t:.0%} of the "
                           f"{r.name}s' least possible mean); capacity {bottom:,.0f} h, or "
                           f"balance ±{need:.1%}, would make room")
            keep_at_most = min(caps[k], top) if workload else top
            must_go = _forced(r.own[mine & ~r.fixed], r.measure[mine & ~r.fixed],
                              float(r.own[held].sum()), value, caps[k], keep_at_most,
                              workload)
            if must_go:
                forced_moves += must_go
                forced_by.append((must_go, rep))
    limit_share = sc.disruption.max_moved_share
    owned = int((owner_index(data) >= 0).sum())
    limit = sc.disruption.move_limit(owned)
    if forced_moves > limit and not out:
        worst = [rep for _, rep in sorted(forced_by, reverse=True)]
        need = forced_moves / owned if owned else 1.0
        out.append(f"at least {forced_moves:,} accounts must change owner (reps "
                   f"{_names(data, worst)} hold more of their own accounts than capacity and "
                   f"the balance band let them keep), above the move limit of {limit:,} "
                   f"({limit_share:.0%} of {owned:,}); max_moved_share {need:.1%} would make "
                   "room")
    return out


def _forced(loads: FloatArray, values: FloatArray, fixed_load: float, fixed_value: float,
            cap: float, top: float, workload: bool) -> int:
    """The fewest of a rep's own movable accounts it must give away so that what it keeps
    fits its capacity and the top of its band (its largest accounts first)."""
    if workload:
        return _fewest(loads, fixed_load + float(loads.sum()) - min(cap, top))
    return max(_fewest(loads, fixed_load + float(loads.sum()) - cap),
               _fewest(values, fixed_value + float(values.sum()) - top))


def _fewest(sizes: FloatArray, over: float) -> int:
    """How many of ``sizes`` must go, largest first, for their sum to reach ``over``."""
    if over <= 1e-9 * max(1.0, float(sizes.sum())):
        return 0
    reached = np.cumsum(np.sort(sizes)[::-1]) >= over * (1 - 1e-9)
    return int(np.argmax(reached)) + 1 if reached.any() else len(sizes)
