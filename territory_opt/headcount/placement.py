"""Where added reps sit and which reps an option removes (`territory-opt compare`).

**Adding k reps of a role** is a capacitated p-median (:mod:`territory_opt.engine.pmedian`, a MIP
solved to optimality by HiGHS, deterministic) on aggregated accounts:

- locked and keep-owner accounts stay with their owners and load them in advance;
- *clients* are clusters of the other (movable) accounts: every distinct location when there
  are at most ``MAX_CLUSTERS``, else k-means clusters of the locations (fixed seed);
- *facilities* are today's reps of the role (always open) and the candidate sites: the sweep's
  ``candidate_sites`` for the role, else per cluster the account location nearest its centre
  (with that account's postal code);
- a cluster may be shared among facilities (it stands for many accounts); serving it costs
  what it costs in the plan's objective: the travel weight × its SPEC §5 travel hours
  (summed over its accounts) + the move weight × its accounts owned by another rep, and
  loads the facility with touch + travel hours (pro rata);
- every open facility should stay within its balance band: at most ``min(capacity_hours,
  (1 + tolerance) × mean)`` and at least ``(1 − tolerance) × mean``, mean = (kept load +
  each cluster's least load) / reps after the option; each hour outside costs
  ``BALANCE_PENALTY``.

So the new reps go where today's reps are overloaded and where the work they must take over
(the balance band's lower end) costs least in travel and moves. The model balances workload
whatever the scenario's balance measure. A new rep copies ``capacity_hours`` and ``cost`` from
the median rep of its role.

**Removing k reps** takes those whose departure disturbs least: reps without locked accounts
first, then the smallest owned workload (touch + travel of the accounts they own today), then
the fewest owned accounts, then ``rep_id`` — deterministic. Their accounts are then unowned
(neither moves nor kept), and ``previous_rep_id`` still names them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.domain.workload import travel_hours
from territory_opt.engine.pmedian import PMedianProblem, solve_pmedian_mip
from territory_opt.headcount.sweep_file import Site
from territory_opt.planning.problem import fixed_accounts, owner_index

#: clients of the placement model at most (aggregated accounts)
MAX_CLUSTERS = 80
#: each cluster may be served by its this many nearest facilities
NEAREST_FACILITIES = 16
#: objective units (hours of travel) one hour of load outside a rep's balance band costs
BALANCE_PENALTY = 20.0
#: safety limit in seconds of one placement MIP (the demo's solve to optimality in ~3 s; a
#: run that stops at this limit may depend on the machine's speed)
PLACEMENT_SECONDS = 60.0
SITE_COLUMNS = ["action", "role", "rep_id", "name", "site", "postal_code", "lat", "lon",
                "capacity_hours", "cost", "owned_accounts", "owned_hours"]


@dataclass(frozen=True)
class Staffing:
    """The reps of an option and the changes from today: ``changes`` has one row per added or
    removed rep (columns ``SITE_COLUMNS``)."""

    reps: pd.DataFrame
    changes: pd.DataFrame
    notes: tuple[str, ...] = ()


def owned_workload(data: PlanningData) -> pd.DataFrame:
    """Per rep: accounts owned today (of the rep's role), their workload and any locked."""
    acc, reps = data.accounts, data.reps
    pos = {r: i for i, r in enumerate(reps["rep_id"])}
    owner = acc["owner_id"].map(lambda o: pos.get(o, -1)).to_numpy(np.int64)
    same = (owner >= 0) & (reps["role"].to_numpy()[np.maximum(owner, 0)]
                           == acc["role"].to_numpy())
    idx = np.flatnonzero(same)
    o = owner[idx]
    d = travel_hours(acc["visits"].to_numpy(float)[idx], acc["lat"].to_numpy(float)[idx],
                     acc["lon"].to_numpy(float)[idx], reps["lat"].to_numpy(float),
                     reps["lon"].to_numpy(float), data.scenario.capacity)
    travel = d[np.arange(len(idx)), o] if len(idx) else np.zeros(0)
    load = acc["touch_hours"].to_numpy(float)[idx] + travel
    n = len(reps)
    return pd.DataFrame({
        "rep_id": reps["rep_id"].to_numpy(),
        "owned_accounts": np.bincount(o, minlength=n),
        "owned_hours": np.bincount(o, weights=load, minlength=n),
        "has_locked": np.bincount(o, weights=acc["locked"].to_numpy(float)[idx],
                                  minlength=n) > 0,
    })


def choose_removals(data: PlanningData, role: str, k: int) -> pd.DataFrame:
    """The ``k`` reps of ``role`` whose removal disturbs least (see the module docstring)."""
    owned = owned_workload(data).iloc[data.role_reps(role)]
    ranked = owned.sort_values(["has_locked", "owned_hours", "owned_accounts", "rep_id"],
                               kind="stable")
    return ranked.head(k)


@dataclass(frozen=True)
class _Clusters:
    label: np.ndarray  # cluster per account of the role
    lat: np.ndarray
    lon: np.ndarray


def _cluster(lat: np.ndarray, lon: np.ndarray, seed: int) -> _Clusters:
    points = np.column_stack([lat, lon])
    uniq, label = np.unique(np.round(points, 5), axis=0, return_inverse=True)
    label = label.ravel()
    if len(uniq) > MAX_CLUSTERS:
        scale = np.cos(np.radians(lat.mean()))
        xy = np.column_stack([lat, lon * scale])
        _, label = kmeans2(xy, MAX_CLUSTERS, minit="++", seed=np.random.default_rng(seed))
        _, label = np.unique(label, return_inverse=True)  # drop empty clusters
    n = int(label.max()) + 1
    counts = np.bincount(label, minlength=n)
    return _Clusters(label, np.bincount(label, weights=lat, minlength=n) / counts,
                     np.bincount(label, weights=lon, minlength=n) / counts)


def _default_sites(data: PlanningData, idx: np.ndarray, cl: _Clusters) -> list[Site]:
    """Per cluster the account location nearest its centre, named by its postal code."""
    acc = data.accounts
    lat, lon = acc["lat"].to_numpy(float)[idx], acc["lon"].to_numpy(float)[idx]
    codes = (acc["postal_code"].astype(str).to_numpy()[idx] if "postal_code" in acc.columns
             else np.array([""] * len(idx)))
    sites: dict[tuple[float, float], Site] = {}
    for c in range(len(cl.lat)):
        mine = np.flatnonzero(cl.label == c)
        d2 = (lat[mine] - cl.lat[c]) ** 2 + (lon[mine] - cl.lon[c]) ** 2
        best = mine[int(np.argmin(d2))]
        key = (round(float(lat[best]), 5), round(float(lon[best]), 5))
        code = str(codes[best])
        sites.setdefault(key, Site(name=code or f"{key[0]:.3f},{key[1]:.3f}", lat=key[0],
                                   lon=key[1], postal_code=code))
    return list(sites.values())


def place_reps(data: PlanningData, role: str, k: int, sites: tuple[Site, ...],
               seed: int = 0, time_limit: float = PLACEMENT_SECONDS) -> list[Site]:
    """Home bases for ``k`` added reps of ``role`` (capacitated p-median; module docstring)."""
    idx = data.role_accounts(role)
    r_idx = data.role_reps(role)
    reps = data.reps.iloc[r_idx]
    acc, sc = data.accounts, data.scenario
    if len(idx) == 0:
        raise ValueError(f"no {role} accounts to place reps for")
    owner_all = owner_index(data)
    kept = fixed_accounts(data, owner_all)[idx]
    fac_of_rep = {int(r): f for f, r in enumerate(r_idx)}
    owner = np.array([fac_of_rep.get(int(o), -1) for o in owner_all[idx]], dtype=np.int64)
    lat, lon = acc["lat"].to_numpy(float)[idx], acc["lon"].to_numpy(float)[idx]
    touch = acc["touch_hours"].to_numpy(float)[idx]
    visits = acc["visits"].to_numpy(float)[idx]
    # kept accounts load their owner; the movable ones are the model's clients
    kept_load = np.zeros(len(reps))
    if kept.any():
        own_travel = travel_hours(visits[kept], lat[kept], lon[kept],
                                  reps["lat"].to_numpy(float), reps["lon"].to_numpy(float),
                                  sc.capacity)[np.arange(int(kept.sum())), owner[kept]]
        np.add.at(kept_load, owner[kept], touch[kept] + own_travel)
    mov = np.flatnonzero(~kept)
    if len(mov) == 0:
        raise ValueError(f"every {role} account stays with its owner; nothing to place by")
    cl = _cluster(lat[mov], lon[mov], seed)
    own = [s for s in sites if not s.roles or role in s.roles]
    cand = own if own else _default_sites(data, idx[mov], cl)
    if len(cand) < k:
        raise ValueError(f"{k} {role}s to place but only {len(cand)} candidate sites")
    f_lat = np.concatenate([reps["lat"].to_numpy(float), [s.lat for s in cand]])
    f_lon = np.concatenate([reps["lon"].to_numpy(float), [s.lon for s in cand]])
    per_acc = travel_hours(visits[mov], lat[mov], lon[mov], f_lat, f_lon, sc.capacity)
    n_cl, n_fac = len(cl.lat), len(f_lat)
    travel = np.zeros((n_cl, n_fac))
    np.add.at(travel, cl.label, per_acc)
    load = np.bincount(cl.label, weights=touch[mov], minlength=n_cl)[:, None] + travel
    # moving an owned account costs the objective's move weight, as in the plan
    owned = np.zeros((n_cl, n_fac))
    has_owner = owner[mov] >= 0
    np.add.at(owned, (cl.label[has_owner], owner[mov][has_owner]), 1.0)
    moves = owned.sum(axis=1, keepdims=True) - owned
    cost = sc.objective.travel * travel + sc.objective.moves * moves
    caps = reps["capacity_hours"].to_numpy(float)
    median_cap = float(np.median(caps)) if len(caps) else sc.capacity.hours_per_year
    mean = (kept_load.sum() + load.min(axis=1).sum()) / (len(reps) + k)
    tol = sc.balance.tolerance
    base = np.concatenate([kept_load, np.zeros(len(cand))])
    capacity = np.minimum(np.concatenate([caps, np.full(len(cand), median_cap)]),
                          (1 + tol) * mean)
    problem = PMedianProblem(
        cost=cost, load=load, capacity=np.maximum(capacity - base, 0.0),
        min_load=np.maximum((1 - tol) * mean - base, 0.0),
        fixed_open=np.concatenate([np.ones(len(reps), bool), np.zeros(len(cand), bool)]),
        p=k, overload_penalty=BALANCE_PENALTY, nearest=NEAREST_FACILITIES)
    res = solve_pmedian_mip(problem, time_limit=time_limit, splittable=True)
    if res.status not in ("optimal", "feasible"):  # no plan in time: the farthest sites
        order = np.argsort(-travel[:, len(reps):].min(axis=0), kind="stable")[:k]
        return [cand[int(i)] for i in sorted(order)]
    return [cand[int(i)] for i in np.flatnonzero(res.is_open[len(reps):])]


def _new_rep(base: pd.DataFrame, role: str, site: Site, rep_id: str, number: int,
             all_reps: pd.DataFrame) -> dict[str, object]:
    mine = base[base["role"] == role]
    row: dict[str, object] = {c: _blank(base[c]) for c in base.columns}
    cap = float(mine["capacity_hours"].median()) if len(mine) else float("nan")
    cost = float(mine["cost"].median()) if len(mine) else 0.0
    d = (all_reps["lat"] - site.lat) ** 2 + (all_reps["lon"] - site.lon) ** 2
    cell = str(all_reps["cell"].iloc[int(np.argmin(d.to_numpy()))]) if len(all_reps) else ""
    row.update({"rep_id": rep_id, "name": f"New {role} {number} ({site.name})", "role": role,
                "lat": site.lat, "lon": site.lon, "capacity_hours": cap, "cost": cost,
                "cell": cell, "crm_user_id": rep_id})
    if "postal_code" in base.columns:
        row["postal_code"] = site.postal_code
    return row


def staff_option(data: PlanningData, wanted: dict[str, int], sites: tuple[Site, ...] = (),
                 seed: int = 0, time_limit: float = PLACEMENT_SECONDS) -> Staffing:
    """The reps of an option with ``wanted`` reps per role (roles not named keep theirs)."""
    reps = data.reps
    changes: list[dict[str, object]] = []
    drop: list[str] = []
    added: list[dict[str, object]] = []
    notes: list[str] = []
    taken = set(reps["rep_id"])
    for role in ROLES:
        have = len(data.role_reps(role))
        want = wanted.get(role, have)
        if want < have:
            for _, r in choose_removals(data, role, have - want).iterrows():
                rep = reps[reps["rep_id"] == r["rep_id"]].iloc[0]
                drop.append(str(r["rep_id"]))
                changes.append({"action": "removed", "role": role, "rep_id": r["rep_id"],
                                "name": rep["name"], "site": "",
                                "postal_code": str(rep.get("postal_code", "") or ""),
                                "lat": rep["lat"], "lon": rep["lon"],
                                "capacity_hours": rep["capacity_hours"], "cost": rep["cost"],
                                "owned_accounts": int(r["owned_accounts"]),
                                "owned_hours": round(float(r["owned_hours"]), 1)})
        elif want > have:
            if len(data.role_accounts(role)) == 0:
                notes.append(f"no {role} accounts: the {want - have} added {role}s were not "
                             "placed")
                continue
            for number, site in enumerate(place_reps(data, role, want - have, sites, seed,
                                                     time_limit), start=1):
                rep_id = _fresh_id(f"NEW-{role}-{number}", taken)
                row = _new_rep(reps, role, site, rep_id, number, reps)
                added.append(row)
                changes.append({"action": "added", "role": role, "rep_id": rep_id,
                                "name": row["name"], "site": site.name,
                                "postal_code": site.postal_code, "lat": site.lat,
                                "lon": site.lon, "capacity_hours": row["capacity_hours"],
                                "cost": row["cost"], "owned_accounts": 0, "owned_hours": 0.0})
    out = reps[~reps["rep_id"].isin(drop)]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=reps.columns)], ignore_index=True)
    out = out.astype(reps.dtypes.to_dict()).reset_index(drop=True)
    return Staffing(out, pd.DataFrame(changes, columns=SITE_COLUMNS), tuple(notes))


def _blank(column: pd.Series) -> object:
    """The empty value of a column: False, NaN or ''."""
    if pd.api.types.is_bool_dtype(column):
        return False
    return np.nan if pd.api.types.is_numeric_dtype(column) else ""


def _fresh_id(wanted: str, taken: set[str]) -> str:
    rep_id, n = wanted, 1
    while rep_id in taken:
        n += 1
        rep_id = f"{wanted}-{n}"
    taken.add(rep_id)
    return rep_id
