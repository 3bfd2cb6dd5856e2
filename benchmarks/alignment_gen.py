"""Organically grown sales alignments on real US ZIP geography, for benchmarks/alignments.py.

Deterministic from (states, size, seed, call pattern, tolerance). Unlike ``territory_gen.py``
(reps in equal-workload regions, a start near balance) this builds the alignments users have:

- **Accounts** on active STANDARD ZIP centroids of the states (placeholder coordinates dropped),
  drawn with a density weight (the number of ZIPs within 15 km, a population proxy) and
  jittered, so metro clusters and sparse areas appear by themselves. Stages 55% customer, 20%
  prospect, 10% lead, 15% opportunity; potential log-normal.
- **Reps** where the accounts are: each role's homes are sampled from its accounts' ZIPs,
  weighted by touch hours and damped within ``SPACING_KM`` of a rep already placed; the last
  ~5% (at least one from 4 reps) are seeded k-means++ style (weight × distance²) and land far
  out. Roles split farmer 60% / hunter 20% / closer 20%.
- **Current owner** grown by proximity: the nearest rep of the role, then 25% of the accounts
  drifted to another of the 3 nearest (reps with a larger appetite take more), 5% unowned, 1%
  of the owned locked. Where a rep's locked and keep-owner accounts alone would exceed
  ``FIXED_SHARE`` of its capacity or of the band above the role mean, its farthest such
  accounts are (historically) with the nearest rep that has room, so that instances are not
  infeasible by accident.
- **Capacity** per role = (touch hours + travel to the nearest rep) / reps / u, u drawn in
  0.75–0.9, unless the instance fixes the hours.

Deliberately infeasible variants: ``keep`` (one farmer keeps A accounts worth 115% of its
capacity) and ``cap`` (the hunters' touch hours plus nearest-rep travel exceed their capacity
by 8%). Only top-level ``territory_opt`` names are used (``derive`` for tiers and touch hours,
``recompute`` for the start's deviation); travel is SPEC §5 arithmetic written out here.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from alignment_family import (
    CAPACITY_DEFAULTS,
    REGIONS,
    ROLES,
    Spec,
    scenario_dict,
)
from scipy.spatial import cKDTree
from territory_gen import zip_table as territory_zip_table

from territory_opt import derive, parse_scenario, recompute
from territory_opt.domain.geo import haversine_km, unit_xyz

#: bump when the generator changes: cached instances of another version are rebuilt
GEN_VERSION = 1
STAGE_SHARE = {"customer": 0.55, "prospect": 0.20, "lead": 0.10, "opportunity": 0.15}
REP_COST = {"farmer": 150_000.0, "hunter": 140_000.0, "closer": 160_000.0}
SPACING_KM = 15.0
DRIFT, UNOWNED, LOCKED = 0.25, 0.05, 0.01
#: a drifted account went to a rep at most 2 × the nearest rep's distance + 50 km away
DRIFT_REACH = (2.0, 50.0)
#: spread of the reps' appetite for drifted accounts (log-normal sigma)
APPETITE_SIGMA = 1.5
#: locked + keep-owner work of a rep stays below this share of min(capacity, upper band)
FIXED_SHARE = 0.85


# --------------------------------------------------------------------------- geometry


def travel_per_km(cap: dict[str, float]) -> float:
    """SPEC §5: hours of travel per yearly visit per great-circle km."""
    return 2.0 * cap["circuity"] / cap["speed_kmh"] / cap["visits_per_trip"]


@lru_cache(maxsize=8)
def zip_table(states: tuple[str, ...]) -> pd.DataFrame:
    """Active STANDARD ZIPs of ``states`` with valid coordinates and a density weight (ZIPs of
    any type within 15 km): the territory generator's table."""
    std, near = territory_zip_table(states)
    return std.assign(weight=near)


# --------------------------------------------------------------------------- tables


def make_accounts(spec: Spec, rng: np.random.Generator) -> pd.DataFrame:
    zips = zip_table(REGIONS[spec.region])
    n = spec.size
    w = zips["weight"].to_numpy() * rng.lognormal(0.0, 0.5, len(zips))
    pick = rng.choice(len(zips), size=n, p=w / w.sum())
    stages = np.array(list(STAGE_SHARE))
    stage = stages[rng.choice(len(stages), size=n, p=list(STAGE_SHARE.values()))]
    potential = np.round(rng.lognormal(np.log(40_000), 1.4, n), 2)
    revenue = np.where(stage == "customer", np.round(potential * rng.uniform(0.2, 0.8, n), 2),
                       0.0)
    return pd.DataFrame({
        "account_id": [f"A{i:06d}" for i in range(1, n + 1)],
        "name": [f"Account {i}" for i in range(1, n + 1)],
        "lat": np.round(zips["lat"].to_numpy()[pick] + rng.normal(0.0, 0.02, n), 6),
        "lon": np.round(zips["lon"].to_numpy()[pick] + rng.normal(0.0, 0.025, n), 6),
        "potential": potential, "revenue": revenue, "stage": stage, "owner_id": "",
        "locked": False, "unit_id": zips["zip"].to_numpy()[pick],
        "_zlat": zips["lat"].to_numpy()[pick], "_zlon": zips["lon"].to_numpy()[pick],
    })


def region_km2(lat: np.ndarray, lon: np.ndarray) -> float:
    """Area covered by the points: occupied 0.25° × 0.25° cells times their area."""
    cells = np.unique(np.column_stack([np.floor(lat * 4), np.floor(lon * 4)]), axis=0)
    return float(len(cells) * (111.2 / 4) ** 2 * np.cos(np.radians(lat.mean())))


def place_homes(acc: pd.DataFrame, weight: np.ndarray, k: int,
                rng: np.random.Generator) -> np.ndarray:
    """k home bases (lat, lon) at ZIP centroids of the role's accounts: density sampling,
    damped within a spacing of max(SPACING_KM, 0.35 × sqrt(area / k)) of the reps placed, then
    ~5% far out (k-means++ seeding: weight × distance²)."""
    lat, lon = acc["_zlat"].to_numpy(), acc["_zlon"].to_numpy()
    spacing = max(SPACING_KM, 0.35 * math.sqrt(region_km2(lat, lon) / k))
    n_far = 0 if k < 4 else max(1, round(0.05 * k))
    d = np.full(len(acc), np.inf)
    homes = np.zeros((k, 2))
    for j in range(k):
        if j < k - n_far:
            p = weight * np.minimum(1.0, d / spacing) ** 2
        else:
            p = weight * d ** 2
        i = int(rng.choice(len(acc), p=p / p.sum()))
        homes[j] = lat[i], lon[i]
        d = np.minimum(d, haversine_km(lat, lon, lat[i], lon[i]))
    return homes


def placeholder_reps() -> pd.DataFrame:
    """One rep per role so that derive() accepts the accounts before the reps exist."""
    return pd.DataFrame({"rep_id": list(ROLES), "role": list(ROLES), "lat": 40.0,
                         "lon": -90.0, "capacity_hours": 1500.0})


class Role:
    """One role's accounts and reps with the arrays the generator works on."""

    def __init__(self, acc: pd.DataFrame, idx: np.ndarray, homes: np.ndarray) -> None:
        self.idx, self.homes, self.k = idx, homes, len(homes)
        sub = acc.iloc[idx]
        self.lat, self.lon = sub["lat"].to_numpy(float), sub["lon"].to_numpy(float)
        self.touch, self.visits = sub["touch_hours"].to_numpy(), sub["visits"].to_numpy()
        self.tier_a = sub["tier"].to_numpy() == "A"
        tree = cKDTree(unit_xyz(homes[:, 0], homes[:, 1]))
        kk = min(3, self.k)
        _, near = tree.query(unit_xyz(self.lat, self.lon), k=kk)
        self.near = np.asarray(near).reshape(len(idx), kk)
        self.near_km = haversine_km(self.lat[:, None], self.lon[:, None],
                                    homes[self.near, 0], homes[self.near, 1])

    def work(self, rep: np.ndarray | int, members: np.ndarray | None = None) -> np.ndarray:
        """Touch + travel hours of the accounts ``members`` (all) served by ``rep``."""
        m = slice(None) if members is None else members
        h = self.homes[rep]
        d = haversine_km(self.lat[m], self.lon[m], h[..., 0], h[..., 1])
        return self.touch[m] + self.visits[m] * d * travel_per_km(CAPACITY_DEFAULTS)


def grow_owners(role: Role, rng: np.random.Generator) -> np.ndarray:
    """Nearest rep, then DRIFT of the accounts to another of the 3 nearest (by appetite) that
    is a neighbour: within DRIFT_REACH of the nearest rep's distance."""
    owner = role.near[:, 0].copy()
    if role.k == 1:
        return owner
    appetite = rng.lognormal(0.0, APPETITE_SIGMA, role.k)
    drift = np.flatnonzero(rng.random(len(owner)) < DRIFT)
    alt = role.near[drift, 1:]
    reach = DRIFT_REACH[0] * role.near_km[drift, :1] + DRIFT_REACH[1]
    p = appetite[alt] * (role.near_km[drift, 1:] <= reach)
    drift, alt, p = drift[p.sum(axis=1) > 0], alt[p.sum(axis=1) > 0], p[p.sum(axis=1) > 0]
    choice = (rng.random(len(drift))[:, None] * p.sum(axis=1, keepdims=True)
              > np.cumsum(p, axis=1)).sum(axis=1)
    owner[drift] = alt[np.arange(len(drift)), np.minimum(choice, alt.shape[1] - 1)]
    return owner


def relieve_fixed(role: Role, owner: np.ndarray, fixed: np.ndarray, limit: np.ndarray) -> int:
    """Hand a rep's farthest fixed accounts to the nearest rep with room until its fixed work
    is under ``limit``; returns how many accounts changed owner."""
    changed = 0
    load = np.bincount(owner[fixed], weights=role.work(owner[fixed], np.flatnonzero(fixed)),
                       minlength=role.k)
    for r in np.argsort(-load):
        mine = np.flatnonzero(fixed & (owner == r))
        w = role.work(r, mine)
        for i in mine[np.argsort(-w)]:
            if load[r] <= limit[r]:
                break
            d = haversine_km(role.lat[i], role.lon[i], role.homes[:, 0], role.homes[:, 1])
            for s in np.argsort(d):
                ws = float(role.work(s, np.array([i]))[0])
                if s != r and load[s] + ws <= limit[s]:
                    load[r] -= float(role.work(r, np.array([i]))[0])
                    load[s] += ws
                    owner[i] = s
                    changed += 1
                    break
    return changed


def overload_keep(role: Role, owner: np.ndarray, owned: np.ndarray, locked: np.ndarray,
                  cap: np.ndarray) -> str:
    """Give the median farmer (by A work) A accounts nearest it until its keep-owner A work is
    115% of its capacity; returns the proof sentence."""
    a_owned = owned & role.tier_a
    fixed_w = np.bincount(owner[a_owned], weights=role.work(owner[a_owned],
                                                            np.flatnonzero(a_owned)),
                          minlength=role.k)
    r = int(np.argsort(fixed_w)[role.k // 2])
    d = haversine_km(role.lat, role.lon, role.homes[r, 0], role.homes[r, 1])
    for i in np.argsort(d):
        if fixed_w[r] > 1.15 * cap[r]:
            break
        if role.tier_a[i] and owner[i] != r:
            owner[i], owned[i], locked[i] = r, True, False
            fixed_w[r] += float(role.work(r, np.array([i]))[0])
    return f"F{r + 1:03d} keeps A accounts worth {fixed_w[r]:,.0f} h > capacity {cap[r]:,.0f} h"


def build_role(spec: Spec, acc: pd.DataFrame, role: str, k: int,
               rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, dict[str, Any]]:
    """Reps of one role, the owner (rep position in the role, -1 none) and locked flag of its
    accounts (``acc.locked`` is set in place), and facts about the role."""
    idx = np.flatnonzero(acc["role"].to_numpy() == role)
    homes = place_homes(acc.iloc[idx], acc["touch_hours"].to_numpy()[idx] + 0.1, k, rng)
    ro = Role(acc, idx, homes)
    owner = grow_owners(ro, rng)
    total = float(ro.work(ro.near[:, 0]).sum())
    u = float(rng.uniform(0.75, 0.9))
    if spec.infeasible == "cap" and role == "hunter":
        u = 1.08
    cap = np.full(k, spec.capacity or round(total / k / u, -1))
    owned = rng.random(len(idx)) >= UNOWNED
    locked = owned & (rng.random(len(idx)) < LOCKED)
    keep = np.isin(acc["tier"].to_numpy()[idx], list(spec.keep_owner_tiers))
    mean = total / k
    band = np.minimum(cap, (1 + spec.tol) * mean)
    relieved = 0
    if spec.fixup:
        relieved = relieve_fixed(ro, owner, owned & (locked | keep), FIXED_SHARE * band)
    reason = ""
    if spec.infeasible == "keep" and role == "farmer":
        reason = overload_keep(ro, owner, owned, locked, cap)
    fixed = owned & (locked | keep)
    fixed_w = np.bincount(owner[fixed], weights=ro.work(owner[fixed], np.flatnonzero(fixed)),
                          minlength=k)
    acc.loc[acc.index[idx], "locked"] = locked
    ids = [f"{role[0].upper()}{j:03d}" for j in range(1, k + 1)]
    reps = pd.DataFrame({"rep_id": ids, "name": [f"{role.title()} {j}" for j in range(1, k + 1)],
                         "role": role, "lat": homes[:, 0].round(6), "lon": homes[:, 1].round(6),
                         "capacity_hours": cap, "cost": REP_COST[role]})
    facts = {"reps": k, "accounts": len(idx), "capacity": float(cap[0]),
             "utilisation": total / float(cap.sum()), "nearest_mean": mean,
             "fixed_max_share": float((fixed_w / band).max()), "relieved": relieved,
             "reason": reason}
    owner_ids = np.where(owned, np.asarray(ids, dtype=object)[owner], "")
    return reps, owner_ids, facts


def generate(spec: Spec, folder: Path) -> dict[str, Any]:
    """Write accounts.csv, reps.csv, scenario.yaml and instance.json of ``spec`` into
    ``folder`` (created); return the facts (also in instance.json)."""
    from territory_opt import load_planning_data

    t0 = time.monotonic()
    rng = spec.rng()
    acc = make_accounts(spec, rng)
    sc = parse_scenario(scenario_dict(spec), base_dir=folder)
    derived = derive(sc, acc, placeholder_reps()).accounts
    for col in ("tier", "role", "touch_hours", "visits"):
        acc[col] = derived[col].to_numpy()
    frames, roles = [], {}
    for role, k in spec.rep_counts().items():
        reps, owner_ids, facts = build_role(spec, acc, role, k, rng)
        acc.loc[acc["role"] == role, "owner_id"] = owner_ids
        frames.append(reps)
        roles[role] = facts
    folder.mkdir(parents=True, exist_ok=True)
    cols = ["account_id", "name", "lat", "lon", "potential", "revenue", "stage", "owner_id",
            "locked", "unit_id"]
    acc[cols].to_csv(folder / "accounts.csv", index=False)
    pd.concat(frames, ignore_index=True).to_csv(folder / "reps.csv", index=False)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario_dict(spec), sort_keys=False))
    data = load_planning_data(folder / "scenario.yaml")
    facts = {"name": spec.name, "version": GEN_VERSION, "spec": asdict(spec),
             "accounts": len(acc), "reps": int(sum(spec.rep_counts().values())),
             **start_facts(data), "roles": roles,
             "infeasible_reason": "; ".join(f["reason"] for f in roles.values() if f["reason"]),
             "generate_seconds": round(time.monotonic() - t0, 2)}
    if spec.infeasible == "cap":
        f = roles["hunter"]
        facts["infeasible_reason"] = (
            f"hunters need ≥ {f['utilisation'] * f['capacity'] * f['reps']:,.0f} h (touch + "
            f"nearest-rep travel) > capacity {f['capacity'] * f['reps']:,.0f} h")
    (folder / "instance.json").write_text(json.dumps(facts, indent=1))
    return facts


def start_facts(data: Any) -> dict[str, Any]:
    """The current alignment (unowned accounts with their nearest rep): max deviation from the
    role mean, and its violations; via territory_opt.recompute (SPEC §5)."""
    acc, reps = data.accounts, data.reps
    plan = acc["owner_id"].astype(str).to_numpy(object)
    for role in ROLES:
        a = np.flatnonzero((acc["role"] == role).to_numpy() & (plan == ""))
        r = reps[reps["role"] == role]
        if len(a):
            d = haversine_km(acc["lat"].to_numpy()[a][:, None], acc["lon"].to_numpy()[a][:, None],
                             r["lat"].to_numpy()[None, :], r["lon"].to_numpy()[None, :])
            plan[a] = r["rep_id"].to_numpy()[d.argmin(axis=1)]
    rc = recompute(data, list(plan))
    per = rc.reps
    return {"start_dev": rc.metrics.max_deviation,
            "start_over_capacity": int((per["workload_hours"] > per["capacity_hours"]).sum()),
            "tier_a_share": float((acc["tier"] == "A").mean()),
            "owned_share": float((acc["owner_id"].astype(str) != "").mean())}


def ensure(spec: Spec, cache: Path) -> tuple[Path, dict[str, Any]]:
    """The instance folder under ``cache``, generated only when missing or of another
    generator version (written to a temporary folder, then renamed)."""
    import shutil

    folder = cache / spec.name
    meta = folder / "instance.json"
    if meta.is_file():
        facts = json.loads(meta.read_text())
        if facts.get("version") == GEN_VERSION:
            return folder, facts
    tmp = cache / f".{spec.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    facts = generate(spec, tmp)
    # the scenario's paths are relative, so the folder can move
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder, facts
