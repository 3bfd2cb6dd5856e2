"""Territory instance generator for benchmarks/territory.py: deterministic from a seed, on
real US ZIP geography (offline ``zipcodes`` data).

Generator: accounts are drawn over the active STANDARD ZIP codes of a few adjacent states (of
the 48 contiguous states and DC for a million accounts), weighted by local ZIP density (the
number of ZIPs within 15 km, a population proxy: the ``zipcodes`` data has no population) and
jittered around the ZIP centroid. Stages 55%
customer, 20% prospect, 10% lead, 15% opportunity; potential is log-normal. Reps split farmer
60% / hunter 20% / closer 20%. Each role's accounts are cut into regions of equal workload by
recursive coordinate bisection (deterministic, spread like a balanced k-means); a rep lives in
the ZIP of its region that minimises visit-weighted distance. Capacity is set so that touch
hours plus travel to the nearest rep of the role are 78% of the role's capacity. Nothing
builds an account × rep matrix: nearest reps come from a k-d tree, so a million accounts
by 2,000 reps generate in about a minute.

The current owner comes from a balanced plan (the regions, then diffusion to ±5% workload
over each account's 10 nearest reps),
perturbed: 12% of the B/C accounts that have a "grower" rep (a random quarter of the reps, at
least one) among their 4 nearest moved to it, 8% of the accounts are unowned, 1% of the owned
are locked. The balanced plan is checked with check_plan, so every instance is known to be
feasible, and its objective (``witness``) is an upper bound on the optimum.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from territory_opt.domain.checker import check_plan, plan_objective, recompute
from territory_opt.domain.geo import EARTH_RADIUS_KM, distance_matrix_km, nearest, unit_xyz
from territory_opt.domain.planning_data import PlanningData, derive
from territory_opt.domain.scenario import ROLES, parse_scenario
from territory_opt.domain.workload import pair_travel_hours

REPS_PER_SIZE = {1000: 6, 10_000: 60, 100_000: 400, 1_000_000: 2000}
#: the 48 contiguous states and DC
CONTIGUOUS = tuple(
    "AL AZ AR CA CO CT DE DC FL GA ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split())
STATES_PER_SIZE = {1000: ("OH",), 10_000: ("OH", "IN"),
                   100_000: ("OH", "IN", "MI", "PA", "KY"), 1_000_000: CONTIGUOUS}
ROLE_SHARE = {"farmer": 0.6, "hunter": 0.2, "closer": 0.2}
STAGE_SHARE = {"customer": 0.55, "prospect": 0.20, "lead": 0.10, "opportunity": 0.15}
REP_COST = {"farmer": 150_000.0, "hunter": 140_000.0, "closer": 160_000.0}
#: share of capacity used by touch hours plus nearest-rep travel
UTILISATION = 0.78
SCENARIO: dict[str, Any] = {
    "data": {"accounts": "accounts.pkl", "reps": "reps.pkl"},
    "capacity": {"visits_per_trip": 3},
    "balance": {"measure": "workload", "tolerance": 0.10},
    "disruption": {"max_moved_share": 0.15, "keep_owner_tiers": ["A"]},
}



def zip_table(states: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """Active STANDARD ZIPs of ``states`` with lat/lon, and a density weight per ZIP (the
    number of ZIPs of any type within 15 km)."""
    import zipcodes

    rows = [z for z in zipcodes.list_all() if z["state"] in states and z["active"]]
    allz = pd.DataFrame({"zip": [z["zip_code"] for z in rows],
                         "type": [z["zip_code_type"] for z in rows],
                         "lat": pd.to_numeric([z["lat"] for z in rows], errors="coerce"),
                         "lon": pd.to_numeric([z["long"] for z in rows], errors="coerce")})
    # a few records carry (0, 0) or other placeholder coordinates: keep the contiguous US box
    allz = allz[allz["lat"].between(24.0, 50.0) & allz["lon"].between(-125.0, -66.0)]
    allz = allz.sort_values("zip").reset_index(drop=True)
    std = allz[allz["type"] == "STANDARD"].reset_index(drop=True)
    tree = cKDTree(unit_xyz(allz["lat"].to_numpy(float), allz["lon"].to_numpy(float)))
    chord = 2.0 * math.sin(15.0 / (2.0 * EARTH_RADIUS_KM))  # 15 km along the surface
    near = np.array([len(n) for n in tree.query_ball_point(
        unit_xyz(std["lat"].to_numpy(float), std["lon"].to_numpy(float)), chord)], dtype=float)
    return std, near


def split_counts(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder rounding of ``total`` by ``shares`` (every key gets at least 1)."""
    raw = {k: total * s for k, s in shares.items()}
    out = {k: max(1, math.floor(v)) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - math.floor(raw[k]), reverse=True):
        if sum(out.values()) >= total:
            break
        out[k] += 1
    return out


def make_accounts(size: int, rng: np.random.Generator) -> pd.DataFrame:
    """The accounts table (checked format of territory_opt.io.inputs.load_accounts)."""
    zips, weight = zip_table(STATES_PER_SIZE[size])
    weight = weight * rng.lognormal(0.0, 0.5, len(weight))
    pick = rng.choice(len(zips), size=size, p=weight / weight.sum())
    lat = zips["lat"].to_numpy(float)[pick] + rng.normal(0.0, 0.02, size)
    lon = zips["lon"].to_numpy(float)[pick] + rng.normal(0.0, 0.025, size)
    stages = np.array(list(STAGE_SHARE))
    stage = stages[rng.choice(len(stages), size=size, p=list(STAGE_SHARE.values()))]
    potential = np.round(rng.lognormal(np.log(40_000), 1.0, size), 2)
    revenue = np.where(stage == "customer", np.round(potential * rng.uniform(0.2, 0.8, size), 2),
                       0.0)
    ids = [f"A{i:06d}" for i in range(1, size + 1)]
    return pd.DataFrame({
        "account_id": pd.Series(ids, dtype=object),
        "name": pd.Series([f"Account {i}" for i in range(1, size + 1)], dtype=object),
        "lat": np.round(lat, 6), "lon": np.round(lon, 6),
        "potential": potential, "revenue": revenue,
        "stage": pd.Series(stage, dtype=object),
        "owner_id": pd.Series([""] * size, dtype=object),
        "locked": np.zeros(size, dtype=bool),
        "unit_id": pd.Series(zips["zip"].to_numpy()[pick], dtype=object),
    })


def split_regions(lat: np.ndarray, lon: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    """Recursive coordinate bisection: a region label (0..k-1) per point such that every
    region holds about the same weight; each cut is across the longer side at the weighted
    quantile k_left / k."""
    x = np.column_stack([lat, lon * np.cos(np.radians(lat.mean()))])
    labels = np.zeros(len(lat), dtype=np.int64)

    def cut(idx: np.ndarray, k: int, first: int) -> None:
        if k == 1 or len(idx) == 0:
            labels[idx] = first
            return
        span = x[idx].max(axis=0) - x[idx].min(axis=0)
        axis = int(np.argmax(span))
        order = idx[np.argsort(x[idx, axis], kind="stable")]
        k_left = k // 2
        cum = np.cumsum(weight[order])
        at = int(np.searchsorted(cum, cum[-1] * k_left / k))
        at = min(max(at, 1), len(order) - 1) if len(order) > 1 else len(order)
        cut(order[:at], k_left, first)
        cut(order[at:], k - k_left, first + k_left)

    cut(np.arange(len(lat)), k, 0)
    return labels


def home_base(acc: pd.DataFrame) -> tuple[float, float]:
    """The ZIP (centroid of its accounts) of the region that minimises the visit-weighted
    distance to the region's accounts: where a rep of that region would live."""
    by_zip = acc.groupby("unit_id").agg(lat=("lat", "mean"), lon=("lon", "mean")).sort_index()
    w = acc["visits"].to_numpy(float) + 0.1
    d = distance_matrix_km(by_zip["lat"].to_numpy(float), by_zip["lon"].to_numpy(float),
                           acc["lat"].to_numpy(float), acc["lon"].to_numpy(float))
    best = int(np.argmin(d @ w))
    return float(by_zip["lat"].iloc[best]), float(by_zip["lon"].iloc[best])


def make_reps(data: PlanningData, n_reps: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Reps (capacity set later) and per account the position of its region's rep. Each
    role's accounts are split into regions of equal workload (touch hours, then touch plus
    travel to the previous cut's home bases); each rep lives in its region."""
    acc = data.accounts
    counts = split_counts(n_reps, ROLE_SHARE)
    frames, region_rep = [], np.full(len(acc), -1, dtype=np.int64)
    offset = 0
    for role in ROLES:
        a_idx = data.role_accounts(role)
        sub = acc.iloc[a_idx]
        k = min(counts[role], len(sub))
        lat, lon = sub["lat"].to_numpy(float), sub["lon"].to_numpy(float)
        weight = sub["touch_hours"].to_numpy(float)
        for _ in range(3):  # re-cut with each account's travel to its region's home added
            label = split_regions(lat, lon, weight, k)
            bases = np.array([home_base(sub.iloc[np.flatnonzero(label == j)])
                              for j in range(k)])
            weight = sub["touch_hours"].to_numpy(float) + pair_travel_hours(
                sub["visits"].to_numpy(float), lat, lon, bases[label, 0], bases[label, 1],
                data.scenario.capacity)
        region_rep[a_idx] = offset + label
        ids = [f"{role[0].upper()}{j:03d}" for j in range(1, k + 1)]
        frames.append(pd.DataFrame({
            "rep_id": pd.Series(ids, dtype=object),
            "name": pd.Series([f"{role.title()} {j}" for j in range(1, k + 1)], dtype=object),
            "role": pd.Series([role] * k, dtype=object),
            "lat": bases[:, 0].round(6), "lon": bases[:, 1].round(6),
            "capacity_hours": np.full(k, float(data.scenario.capacity.hours_per_year)),
            "cell": pd.Series([""] * k, dtype=object),
            "manager_id": pd.Series([""] * k, dtype=object),
            "crm_user_id": pd.Series(ids, dtype=object),
            "cost": np.full(k, REP_COST[role]),
        }))
        offset += k
    return pd.concat(frames, ignore_index=True), region_rep


def _placeholder_reps() -> pd.DataFrame:
    """One rep per role, only so that derive() accepts the accounts before reps exist."""
    return pd.DataFrame({
        "rep_id": pd.Series(list(ROLES), dtype=object),
        "name": pd.Series(list(ROLES), dtype=object),
        "role": pd.Series(list(ROLES), dtype=object), "lat": 40.0, "lon": -83.0,
        "capacity_hours": 1500.0, "cell": pd.Series([""] * 3, dtype=object),
        "manager_id": pd.Series([""] * 3, dtype=object),
        "crm_user_id": pd.Series(list(ROLES), dtype=object), "cost": 0.0})


def balanced_plan(near: np.ndarray, near_w: np.ndarray, own: np.ndarray, own_w: np.ndarray,
                  n_rep: int, tol: float = 0.05, rounds: int = 100) -> np.ndarray:
    """A rep per account with every rep's workload within about ``tol`` of the mean, from
    ``own`` (workload ``own_w``), by diffusion over each account's nearest reps ``near``
    (workload ``near_w``): reps above the band hand their cheapest-to-move accounts to a near
    rep, and reps below the band take accounts that have them near, each move narrowing the
    difference between the two reps."""
    own, own_w = own.copy(), own_w.astype(float).copy()
    if n_rep == 1:
        return own
    flat = np.argsort(near.ravel(), kind="stable")  # accounts that have rep j near, ascending
    bounds = np.searchsorted(near.ravel()[flat], np.arange(n_rep + 1))
    k_near = near.shape[1]
    for _ in range(rounds):
        load = np.bincount(own, weights=own_w, minlength=n_rep)
        mean = load.mean()
        if np.abs(load - mean).max() <= tol * mean:
            break
        for j in np.argsort(-load):
            if load[j] <= (1 + tol) * mean:
                break
            members = np.flatnonzero(own == j)
            extra = near_w[members] - own_w[members][:, None]
            extra[near[members] == j] = np.inf
            pick = extra.argmin(axis=1)
            best = extra[np.arange(len(members)), pick]
            for m in np.argsort(best, kind="stable"):
                if load[j] <= mean or not np.isfinite(best[m]):
                    break
                i, k, w_k = members[m], near[members[m], pick[m]], near_w[members[m], pick[m]]
                if load[k] + w_k >= load[j] - own_w[i]:
                    continue  # only moves that narrow the pair's difference
                load[j] -= own_w[i]
                load[k] += w_k
                own[i], own_w[i] = k, w_k
        for j in np.argsort(load):
            if load[j] >= (1 - tol) * mean:
                break
            cell = flat[bounds[j]:bounds[j + 1]]
            takers, col = cell // k_near, cell % k_near
            keep = own[takers] != j
            takers, col = takers[keep], col[keep]
            w_j = near_w[takers, col]
            for m in np.argsort(w_j - own_w[takers], kind="stable"):
                if load[j] >= mean:
                    break
                i, k = takers[m], own[takers[m]]
                if load[k] - own_w[i] <= load[j] + w_j[m]:
                    continue  # only moves that narrow the pair's difference
                load[k] -= own_w[i]
                load[j] += w_j[m]
                own[i], own_w[i] = j, w_j[m]
    return own


def _role_arrays(data: PlanningData, a_idx: np.ndarray) -> tuple[np.ndarray, ...]:
    acc = data.accounts.iloc[a_idx]
    return tuple(acc[c].to_numpy(float) for c in ("visits", "lat", "lon", "touch_hours"))


def _pair_workload(data: PlanningData, a_idx: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """Touch plus travel hours of each account of ``a_idx`` served by the rep at the same
    position of ``reps`` (one rep position per account, or a column of them per account)."""
    visits, lat, lon, touch = _role_arrays(data, a_idx)
    r_lat = data.reps["lat"].to_numpy(float)[reps]
    r_lon = data.reps["lon"].to_numpy(float)[reps]
    shape = reps.shape
    if reps.ndim == 2:
        visits, lat, lon, touch = (np.repeat(x, shape[1]) for x in (visits, lat, lon, touch))
    t = pair_travel_hours(visits, lat, lon, r_lat.ravel(), r_lon.ravel(),
                          data.scenario.capacity)
    return (touch + t).reshape(shape)


def _role_nearest(data: PlanningData, a_idx: np.ndarray, r_idx: np.ndarray,
                  k: int) -> np.ndarray:
    """Rep positions (into data.reps) of the ``k`` reps of ``r_idx`` nearest each account."""
    _, lat, lon, _ = _role_arrays(data, a_idx)
    reps = data.reps.iloc[r_idx]
    return r_idx[nearest(lat, lon, reps["lat"].to_numpy(float), reps["lon"].to_numpy(float),
                         k)]


def plan_reps(data: PlanningData, region_rep: np.ndarray) -> np.ndarray:
    """A balanced plan (rep position per account), starting from the regions and moving
    accounts among their 10 nearest reps."""
    plan = region_rep.copy()
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        if len(a_idx) == 0:
            continue
        near = _role_nearest(data, a_idx, r_idx, 10)
        local = np.searchsorted(r_idx, region_rep[a_idx])
        own = balanced_plan(np.searchsorted(r_idx, near), _pair_workload(data, a_idx, near),
                            local, _pair_workload(data, a_idx, region_rep[a_idx]), len(r_idx))
        plan[a_idx] = r_idx[own]
    return plan


def perturb_owners(data: PlanningData, plan: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Current owner (rep position, -1 none) and locked flag per account: the balanced plan,
    but 12% of the B and C accounts that have a "grower" (a random quarter of the reps) among
    their 4 nearest reps are with that grower, 8% of all accounts are unowned and 1% of the
    owned are locked. The plan itself stays feasible (A and locked
    accounts keep its rep, at most 12% of accounts move back)."""
    owner = plan.copy()
    tier_a = data.accounts["tier"].to_numpy() == "A"
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        if len(a_idx) == 0:
            continue
        near = np.searchsorted(r_idx, _role_nearest(data, a_idx, r_idx, 4))
        # a quarter of the reps grew their books: moved accounts went to a nearby grower
        grower = np.zeros(len(r_idx), dtype=bool)
        grower[rng.choice(len(r_idx), size=max(1, round(0.25 * len(r_idx))), replace=False)] = True
        has = grower[near].any(axis=1)
        pick = near[np.arange(len(a_idx)), np.argmax(grower[near], axis=1)]
        shuffle = (rng.random(len(a_idx)) < 0.12) & ~tier_a[a_idx] & has
        owner[a_idx] = np.where(shuffle, r_idx[pick], owner[a_idx])
    owner[rng.random(len(owner)) < 0.08] = -1
    locked = (owner >= 0) & (owner == plan) & (rng.random(len(owner)) < 0.01)
    return owner, locked


def set_capacity(data: PlanningData) -> pd.DataFrame:
    """Reps with capacity_hours = role workload at the nearest rep / (reps × UTILISATION)."""
    reps = data.reps.copy()
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        total = _pair_workload(data, a_idx, _role_nearest(data, a_idx, r_idx, 1)[:, 0]).sum()
        reps.loc[r_idx, "capacity_hours"] = round(total / (len(r_idx) * UTILISATION), 1)
    return reps


def generate(size: int, seed: int, folder: Path) -> dict[str, float]:
    """Write accounts.pkl, reps.pkl, scenario.json and witness.csv (a feasible plan) of one
    instance into ``folder``; return facts about the instance and its starting plan."""
    rng = np.random.default_rng([seed, size])
    scenario = parse_scenario(SCENARIO, base_dir=folder)
    accounts = make_accounts(size, rng)
    reps, region_rep = make_reps(derive(scenario, accounts, _placeholder_reps()),
                                 REPS_PER_SIZE[size])
    data = derive(scenario, accounts, reps)
    reps = set_capacity(data)
    data = data.replace(reps=reps)
    plan = plan_reps(data, region_rep)
    owner, locked = perturb_owners(data, plan, rng)
    rep_ids = reps["rep_id"].to_numpy(object)
    accounts["owner_id"] = pd.Series(np.where(owner >= 0, rep_ids[np.maximum(owner, 0)], ""),
                                     dtype=object)
    accounts["locked"] = locked
    accounts.to_pickle(folder / "accounts.pkl")
    reps.to_pickle(folder / "reps.pkl")
    (folder / "scenario.json").write_text(json.dumps(SCENARIO))
    data = derive(scenario, accounts, reps)
    # certificate: the balanced plan is feasible for the generated instance
    witness = check_plan(data, list(rep_ids[plan]))
    if witness:
        raise RuntimeError(f"generator: the balanced plan is not feasible: {witness[:3]}")
    # the starting plan: current owner, the balanced plan's rep for the unowned
    rc = recompute(data, list(rep_ids[np.where(owner >= 0, owner, plan)]))
    witness_objective = plan_objective(data, list(rep_ids[plan]))
    pd.DataFrame({"account_id": accounts["account_id"], "rep_id": rep_ids[plan]}).to_csv(
        folder / "witness.csv", index=False)
    return {"start_max_deviation": rc.metrics.max_deviation,
            "witness_objective": witness_objective,
            "start_violations": float(len(rc.violations)),
            "owned_share": float((owner >= 0).mean()),
            "tier_a_share": float((data.accounts["tier"] == "A").mean())}
