"""Generate the Ohio demo scenario: scenarios/demo/{accounts,reps}.csv and scenarios/demo.yaml.

The data are fictional but built on real ZIP centroids from the offline ``zipcodes`` package.
Everything is drawn from one seeded numpy generator and written with fixed decimals, so two
runs produce byte-identical files. Run from anywhere::

    python scenarios/make_demo.py

The script also prints a workload check (SPEC §5 arithmetic): per role the touch hours, the
travel hours when every account goes to its nearest rep of its role and under the current
(deliberately unbalanced) alignment, and per rep the current and the fixed (kept-A + locked)
workload, so one can see the demo is both out of balance and fixable.
"""

from __future__ import annotations

import csv
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import zipcodes

FloatArray = npt.NDArray[np.float64]

SEED = 20240611
N_ACCOUNTS = 3000
STATE = "OH"
HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "demo"
YAML_PATH = HERE / "demo.yaml"

EARTH_RADIUS_KM = 6371.0088
SPEED_KMH = 60.0
CIRCUITY = 1.3
VISITS_PER_TRIP = 3.0
HOURS_PER_YEAR = 1500.0
TOLERANCE = 0.10

METROS: dict[str, tuple[float, float]] = {
    "Columbus": (39.9612, -82.9988),
    "Cleveland": (41.4993, -81.6944),
    "Cincinnati": (39.1031, -84.5120),
    "Toledo": (41.6528, -83.5379),
    "Akron": (41.0814, -81.5190),
    "Dayton": (39.7589, -84.1916),
}

# stage -> (share of accounts, median potential in $, lognormal sigma)
STAGES: dict[str, tuple[float, float, float]] = {
    "customer": (0.55, 36_000.0, 0.65),
    "prospect": (0.20, 75_000.0, 0.65),
    "lead": (0.15, 65_000.0, 0.65),
    "opportunity": (0.10, 130_000.0, 0.65),
}
POTENTIAL_MIN, POTENTIAL_MAX = 1_000.0, 2_000_000.0
ROUTING = {"prospect": "hunter", "lead": "hunter", "opportunity": "closer", "customer": "farmer"}
# who still owns an account after a hand-over that has not happened yet
HANDOVER = {"prospect": "farmer", "lead": "farmer", "opportunity": "hunter", "customer": "closer"}
ROLES = ("farmer", "hunter", "closer")

# (channel, per_year, minutes) per role and tier: the SPEC defaults
PATTERNS: dict[str, dict[str, tuple[str, float, float]]] = {
    "farmer": {"A": ("visit", 24, 60), "B": ("visit", 12, 45), "C": ("phone", 12, 15)},
    "hunter": {"A": ("visit", 7, 45), "B": ("phone", 7, 20), "C": ("email", 7, 5)},
    "closer": {"A": ("visit", 6, 90), "B": ("visit", 4, 60), "C": ("video", 4, 45)},
}


@dataclass(frozen=True)
class RepSpec:
    """One rep of the fixed team: who, where, and how the current alignment favours them."""

    first: str
    last: str
    role: str
    postal_code: str
    cell: str
    manager_id: str
    capacity_hours: float
    target_load: float  # current workload / role mean that the skewed alignment aims at


TEAM: tuple[RepSpec, ...] = (
    RepSpec("Megan", "Kowalski", "hunter", "44114", "Pod-1", "M1", 1500, 1.30),
    RepSpec("Darnell", "Price", "closer", "44113", "Pod-1", "M1", 1500, 1.00),
    RepSpec("Laura", "Brennan", "farmer", "44143", "Pod-1", "M1", 1500, 1.50),
    RepSpec("Victor", "Novak", "farmer", "44145", "Pod-1", "M1", 1500, 1.00),
    RepSpec("Priya", "Raman", "farmer", "44136", "Pod-1", "M1", 1500, 1.00),
    RepSpec("Tom", "Hollister", "hunter", "43215", "Pod-2", "M2", 1500, 0.75),
    RepSpec("Angela", "Ruiz", "closer", "43017", "Pod-2", "M2", 1500, 1.25),
    RepSpec("Kevin", "Obi", "farmer", "43085", "Pod-2", "M2", 1500, 1.55),
    RepSpec("Rachel", "Stein", "farmer", "43123", "Pod-2", "M2", 1500, 1.00),
    RepSpec("Marcus", "Bell", "farmer", "43068", "Pod-2", "M2", 1200, 1.00),
    RepSpec("Jenna", "Walsh", "hunter", "45202", "Pod-3", "M3", 1500, 1.00),
    RepSpec("Omar", "Haddad", "closer", "45402", "Pod-3", "M3", 1500, 0.80),
    RepSpec("Sarah", "Lindqvist", "farmer", "45238", "Pod-3", "M3", 1500, 1.00),
    RepSpec("Brian", "Mercer", "farmer", "45069", "Pod-3", "M3", 1500, 0.60),
    RepSpec("Denise", "Carter", "farmer", "45459", "Pod-3", "M3", 1500, 1.00),
    RepSpec("Luis", "Ortega", "hunter", "43604", "Pod-4", "M2", 1500, 0.95),
    RepSpec("Hannah", "Yoder", "closer", "44308", "Pod-4", "M2", 1500, 0.95),
    RepSpec("Greg", "Dombrowski", "farmer", "44313", "Pod-4", "M1", 1500, 1.00),
    RepSpec("Tanya", "Fischer", "farmer", "44718", "Pod-4", "M1", 1200, 0.60),
    RepSpec("Eric", "Lindsey", "farmer", "43615", "Pod-4", "M3", 1500, 1.00),
)
ROLE_COST = {"farmer": 120_000.0, "hunter": 140_000.0, "closer": 150_000.0}

NOUNS = ("Tool", "Machine", "Plastics", "Supply", "Foods", "Logistics", "Metal Works",
         "Medical", "Dental", "Electric", "Paper", "Fabrication", "Printing", "Packaging",
         "Auto Parts", "Builders", "Labs", "Glass", "Rubber", "Farm Supply", "Hardware",
         "Coatings", "Castings", "Software", "Freight", "Bakery", "Brewing", "Clinic")
SUFFIXES = ("Inc.", "LLC", "Co.", "Corp.", "Group", "Ltd.", "Partners", "Company")
SURNAMES = ("Smith", "Miller", "Schmidt", "Kaiser", "Wagner", "Horvath", "Murphy", "Baker",
            "Keller", "Novak", "Yoder", "Sullivan", "Russo", "Adams", "Fischer", "Graham",
            "O'Brien", "O'Malley")
INDUSTRIES = ("Manufacturing", "Healthcare", "Retail", "Logistics", "Construction",
              "Agriculture", "Professional Services", "Food & Beverage", "Education",
              "Automotive")
INDUSTRY_WEIGHTS = (0.24, 0.14, 0.12, 0.09, 0.09, 0.06, 0.10, 0.07, 0.04, 0.05)


# --------------------------------------------------------------------------- geometry

def haversine_km(lat1: npt.ArrayLike, lon1: npt.ArrayLike,
                 lat2: npt.ArrayLike, lon2: npt.ArrayLike) -> FloatArray:
    """Great-circle distance in km (broadcasting), Earth radius 6371.0088 km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def distance_matrix(a_lat: FloatArray, a_lon: FloatArray,
                    b_lat: FloatArray, b_lon: FloatArray) -> FloatArray:
    """len(a) × len(b) matrix of great-circle km."""
    return haversine_km(a_lat[:, None], a_lon[:, None], b_lat[None, :], b_lon[None, :])


# --------------------------------------------------------------------------- zips

def load_zips() -> pd.DataFrame:
    """Active STANDARD Ohio ZIPs with coordinates, sorted by ZIP, with a placement weight."""
    rows = [
        {"zip": z["zip_code"], "lat": float(z["lat"]), "lon": float(z["long"]),
         "city": z["city"], "county": z["county"]}
        for z in zipcodes.filter_by(state=STATE)
        if z["active"] and z["zip_code_type"] == "STANDARD" and z["lat"] and z["long"]
    ]
    zips = pd.DataFrame(rows).sort_values("zip", kind="stable").reset_index(drop=True)
    m_lat = np.array([v[0] for v in METROS.values()])
    m_lon = np.array([v[1] for v in METROS.values()])
    near = distance_matrix(zips["lat"].to_numpy(), zips["lon"].to_numpy(), m_lat, m_lon)
    zips["weight"] = 1.0 + 20.0 * np.exp(-near.min(axis=1) / 30.0)
    return zips


# --------------------------------------------------------------------------- accounts

def company_name(rng: np.random.Generator, city: str) -> str:
    """A plausible company name; some carry commas, quotes, apostrophes or ampersands."""
    u = rng.random()
    noun = NOUNS[rng.integers(len(NOUNS))]
    suffix = SUFFIXES[rng.integers(len(SUFFIXES))]
    surname = SURNAMES[rng.integers(len(SURNAMES))]
    if u < 0.010:
        return f"{surname} & Sons, Inc."
    if u < 0.020:
        return f'{city} "{noun}" Outlet'
    if u < 0.030:
        return f"{surname}, {SURNAMES[rng.integers(len(SURNAMES))]} & Co."
    if u < 0.30:
        return f"{surname} {noun} {suffix}"
    if u < 0.40:
        return f"{city} {noun} & {NOUNS[rng.integers(len(NOUNS))]} {suffix}"
    return f"{city} {noun} {suffix}"


def make_accounts(rng: np.random.Generator, zips: pd.DataFrame) -> pd.DataFrame:
    """3,000 accounts placed on ZIPs by weight, with stage, potential and revenue."""
    p = zips["weight"].to_numpy()
    pick = rng.choice(len(zips), size=N_ACCOUNTS, p=p / p.sum())
    z = zips.iloc[pick].reset_index(drop=True)
    lat = np.round(z["lat"].to_numpy() + rng.uniform(-0.02, 0.02, N_ACCOUNTS), 5)
    lon = np.round(z["lon"].to_numpy() + rng.uniform(-0.02, 0.02, N_ACCOUNTS), 5)

    stage_names = list(STAGES)
    shares = np.array([STAGES[s][0] for s in stage_names])
    stage = np.array(stage_names, dtype=object)[rng.choice(len(stage_names), N_ACCOUNTS,
                                                            p=shares)]
    median = np.array([STAGES[s][1] for s in stage])
    sigma = np.array([STAGES[s][2] for s in stage])
    potential = median * np.exp(sigma * rng.standard_normal(N_ACCOUNTS))
    potential = np.round(np.clip(potential, POTENTIAL_MIN, POTENTIAL_MAX), 2)

    share = rng.uniform(0.15, 0.75, N_ACCOUNTS)
    opp_has_revenue = rng.random(N_ACCOUNTS) < 0.5
    revenue = np.where(stage == "customer", potential * share,
                       np.where((stage == "opportunity") & opp_has_revenue,
                                potential * share * 0.3, 0.0))
    revenue = np.round(revenue, 2)

    names: list[str] = []
    seen: set[str] = set()
    for city in z["city"]:
        name = company_name(rng, city)
        for _ in range(20):
            if name not in seen:
                break
            name = company_name(rng, city)
        while name in seen:
            name = f"{name} II"
        seen.add(name)
        names.append(name)
    industry = np.array(INDUSTRIES, dtype=object)[
        rng.choice(len(INDUSTRIES), N_ACCOUNTS, p=np.array(INDUSTRY_WEIGHTS))]
    strategic = np.zeros(N_ACCOUNTS, dtype=bool)
    strategic[rng.choice(N_ACCOUNTS, size=N_ACCOUNTS // 100, replace=False)] = True

    return pd.DataFrame({
        "account_id": [f"A{i:05d}" for i in range(1, N_ACCOUNTS + 1)],
        "name": names,
        "lat": lat,
        "lon": lon,
        "postal_code": z["zip"].to_numpy(),
        "city": z["city"].to_numpy(),
        "county": z["county"].to_numpy(),
        "potential": potential,
        "revenue": revenue,
        "stage": stage,
        "owner_id": "",
        "locked": False,
        "strategic": strategic,
        "industry": industry,
        "unit_id": z["zip"].to_numpy(),
    })


# --------------------------------------------------------------------------- reps

def crm_user_id(rng: np.random.Generator) -> str:
    """A Salesforce-style 18-character user id: 15-char id plus its case-checksum suffix."""
    alnum = string.ascii_letters + string.digits
    base = "0055g00000" + "".join(alnum[i] for i in rng.integers(len(alnum), size=5))
    suffix_chars = string.ascii_uppercase + "012345"
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(base[chunk * 5:chunk * 5 + 5]) if ch.isupper())
        suffix += suffix_chars[bits]
    return base + suffix


def make_reps(rng: np.random.Generator, zips: pd.DataFrame) -> pd.DataFrame:
    """The fixed 20-rep team (12 farmers, 4 hunters, 4 closers) at real ZIP centroids."""
    by_zip = zips.set_index("zip")
    rows = []
    for i, spec in enumerate(TEAM, start=1):
        z = by_zip.loc[spec.postal_code]
        cost = ROLE_COST[spec.role] * (1 + rng.uniform(-0.06, 0.06))
        cost *= spec.capacity_hours / HOURS_PER_YEAR
        rows.append({
            "rep_id": f"R{i:02d}",
            "name": f"{spec.first} {spec.last}",
            "role": spec.role,
            "lat": round(float(z["lat"]), 5),
            "lon": round(float(z["lon"]), 5),
            "postal_code": spec.postal_code,
            "capacity_hours": spec.capacity_hours,
            "email": f"{spec.first.lower()}.{spec.last.lower()}@example.com",
            "crm_user_id": crm_user_id(rng),
            "manager_id": spec.manager_id,
            "cost": round(cost, -2),
            "cell": spec.cell,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- workload

def pareto_tiers(accounts: pd.DataFrame) -> npt.NDArray[np.str_]:
    """SPEC tiers: A = first 50% of potential (descending, ties by id), B to 80%, C rest;
    strategic forces A."""
    pot = accounts["potential"].to_numpy()
    order = np.lexsort((accounts["account_id"].to_numpy(), -pot))
    ranked = pot[order]
    before = (np.cumsum(ranked) - ranked) / ranked.sum()
    tier_ranked = np.where(before < 0.5, "A", np.where(before < 0.8, "B", "C"))
    tiers = np.empty(len(pot), dtype="<U1")
    tiers[order] = tier_ranked
    tiers[accounts["strategic"].to_numpy()] = "A"
    return tiers


def touch_and_visits(roles: npt.ArrayLike, tiers: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Per account: yearly touch hours and yearly visits of its role/tier call pattern."""
    touch, visits = [], []
    for role, tier in zip(np.asarray(roles), np.asarray(tiers), strict=True):
        channel, per_year, minutes = PATTERNS[str(role)][str(tier)]
        touch.append(per_year * minutes / 60.0)
        visits.append(per_year if channel == "visit" else 0.0)
    return np.array(touch), np.array(visits)


def travel_factor() -> float:
    """Travel hours per yearly visit per great-circle km (round trip, shared trips)."""
    return 2.0 * CIRCUITY / SPEED_KMH / VISITS_PER_TRIP


def skewed_choice(dist: FloatArray, attract: FloatArray) -> npt.NDArray[np.int64]:
    """Index of the rep minimising distance / attractiveness (+1 km so ties near 0 resolve)."""
    return np.asarray(np.argmin((dist + 1.0) / attract[None, :], axis=1))


def tune_attractiveness(dist: FloatArray, touch: FloatArray, visits: FloatArray,
                        targets: FloatArray, iterations: int = 1000) -> FloatArray:
    """Per-rep attractiveness so that nearest-by-scaled-distance loads approach the targets."""
    attract = np.ones(dist.shape[1])
    best, best_err = attract.copy(), np.inf
    for _ in range(iterations):
        choice = skewed_choice(dist, attract)
        work = touch + visits * dist[np.arange(len(choice)), choice] * travel_factor()
        load = np.bincount(choice, weights=work, minlength=dist.shape[1])
        ratio = load / load.mean()
        err = float(np.abs(ratio - targets).max())
        if err < best_err:
            best, best_err = attract.copy(), err
        attract = attract * (targets / np.maximum(ratio, 0.05)) ** 0.05
        attract = attract / attract.mean()
    return best


def assign_owners(rng: np.random.Generator, accounts: pd.DataFrame, reps: pd.DataFrame,
                  touch: FloatArray, visits: FloatArray) -> None:
    """Current owner_id and locked flag: ~90% same-role owner (skewed nearest), ~4% a rep of
    the hand-over role, ~6% no owner; ~1% of same-role-owned accounts locked."""
    n = len(accounts)
    role = accounts["stage"].map(ROUTING).to_numpy()
    u = rng.random(n)
    owner_role = np.where(u < 0.06, "", np.where(
        u < 0.10, accounts["stage"].map(HANDOVER).to_numpy(), role))
    targets = np.array([spec.target_load for spec in TEAM])
    dist = distance_matrix(accounts["lat"].to_numpy(), accounts["lon"].to_numpy(),
                           reps["lat"].to_numpy(), reps["lon"].to_numpy())
    owner = np.full(n, "", dtype=object)
    for r in ROLES:
        cols = np.flatnonzero(reps["role"].to_numpy() == r)
        mine = np.flatnonzero(owner_role == r)
        attract = tune_attractiveness(dist[np.ix_(mine, cols)], touch[mine], visits[mine],
                                      targets[cols])
        pick = skewed_choice(dist[np.ix_(mine, cols)], attract)
        owner[mine] = reps["rep_id"].to_numpy()[cols][pick]
    accounts["owner_id"] = owner
    lockable = np.flatnonzero((owner_role == role) & (owner_role != ""))
    locked = np.zeros(n, dtype=bool)
    locked[rng.choice(lockable, size=n // 100, replace=False)] = True
    accounts["locked"] = locked


# --------------------------------------------------------------------------- fixability

def greedy_repair(work: FloatArray, start: npt.NDArray[np.int64], movable: npt.NDArray[np.bool_],
                  cap: FloatArray, max_steps: int = 5000) -> npt.NDArray[np.int64]:
    """Rebalance one role by single-account moves: each step makes the move that most reduces
    the squared excess outside [0.9, min(1.1, cap/mean)] × mean. ``work`` is accounts × reps.
    Returns the final rep index per account (a witness that the scenario is fixable)."""
    assign = start.copy()
    rows = np.arange(len(assign))
    mov = np.flatnonzero(movable)

    def penalty(load: FloatArray, lo: float, hi: FloatArray) -> FloatArray:
        return np.asarray(np.maximum(load - hi, 0.0) ** 2 + np.maximum(lo - load, 0.0) ** 2)

    for _ in range(max_steps):
        load = np.bincount(assign, weights=work[rows, assign], minlength=work.shape[1])
        mean = load.mean()
        lo, hi = (1 - TOLERANCE) * mean, np.minimum((1 + TOLERANCE) * mean, cap)
        base = penalty(load, lo, hi)
        if base.sum() == 0.0 or len(mov) == 0:
            break
        cur = assign[mov]
        w_cur = work[mov, cur]
        loss = penalty(load[cur] - w_cur, lo, hi[cur]) - base[cur]
        gain = penalty(load[None, :] + work[mov], lo, hi[None, :]) - base[None, :]
        delta = loss[:, None] + gain
        delta[np.arange(len(mov)), cur] = np.inf
        k = int(np.argmin(delta))
        i, j = divmod(k, work.shape[1])
        if delta[i, j] >= 0.0:
            break
        assign[mov[i]] = j
    return assign


# --------------------------------------------------------------------------- report

def report(accounts: pd.DataFrame, reps: pd.DataFrame, tiers: npt.NDArray[np.str_],
           touch: FloatArray, visits: FloatArray) -> None:
    """Print the per-role and per-rep workload check."""
    role = accounts["stage"].map(ROUTING).to_numpy()
    dist = distance_matrix(accounts["lat"].to_numpy(), accounts["lon"].to_numpy(),
                           reps["lat"].to_numpy(), reps["lon"].to_numpy())
    rep_ids = reps["rep_id"].to_numpy()
    rep_role = reps["role"].to_numpy()
    cap = reps["capacity_hours"].to_numpy(dtype=float)
    owner = accounts["owner_id"].to_numpy()
    owned = owner != ""
    rep_index = {rid: i for i, rid in enumerate(rep_ids)}
    oi = np.array([rep_index.get(o, -1) for o in owner])
    cur_travel = np.where(owned, visits * dist[np.arange(len(oi)), oi] * travel_factor(), 0.0)
    cur_work = np.where(owned, touch + cur_travel, 0.0)
    load = np.bincount(oi[owned], weights=cur_work[owned], minlength=len(reps))
    locked = accounts["locked"].to_numpy(dtype=bool)
    fixed_mask = owned & (((tiers == "A") & (rep_role[oi] == role)) | locked)
    fixed = np.bincount(oi[fixed_mask], weights=cur_work[fixed_mask], minlength=len(reps))

    total_pot = accounts["potential"].sum()
    top = np.sort(accounts["potential"].to_numpy())[::-1]
    k = int(np.searchsorted(np.cumsum(top), 0.5 * total_pot)) + 1
    print(f"accounts {len(accounts)}, tiers A/B/C = "
          f"{(tiers == 'A').sum()}/{(tiers == 'B').sum()}/{(tiers == 'C').sum()}, "
          f"{k / len(accounts):.1%} of accounts hold 50% of potential; "
          f"owned {owned.mean():.1%}, hand-over {(owned & (rep_role[oi] != role)).mean():.1%}, "
          f"locked {int(accounts['locked'].sum())}, strategic {int(accounts['strategic'].sum())}")
    print(f"{'role':8}{'accts':>7}{'A/B/C':>13}{'touch h':>10}{'travel nearest':>16}"
          f"{'travel current':>16}{'nearest total':>15}{'capacity':>10}{'util':>7}")
    for r in ROLES:
        acc = role == r
        cols = np.flatnonzero(rep_role == r)
        near_travel = (visits[acc] * dist[np.ix_(acc, cols)].min(axis=1) * travel_factor()).sum()
        cur = (owned & (rep_role[oi] == r))
        rc = cap[cols].sum()
        tiers_r = "/".join(str(int(((tiers == t) & acc).sum())) for t in "ABC")
        near_total = touch[acc].sum() + near_travel
        print(f"{r:8}{acc.sum():>7}{tiers_r:>13}{touch[acc].sum():>10.0f}{near_travel:>16.0f}"
              f"{cur_travel[cur].sum():>16.0f}{near_total:>15.0f}{rc:>10.0f}"
              f"{near_total / rc:>7.0%}")
    print("(accts, touch, travel nearest: accounts routed to the role; travel current: accounts "
          "owned by reps of the role; util = (touch + travel nearest) / capacity)")
    moved_total = int((owned & (rep_role[oi] != role)).sum())
    repaired = np.zeros(len(reps))
    for r in ROLES:
        cols = np.flatnonzero(rep_role == r)
        acc = np.flatnonzero(role == r)
        work = touch[acc, None] + visits[acc, None] * dist[np.ix_(acc, cols)] * travel_factor()
        col_of = {int(c): k for k, c in enumerate(cols)}
        keep = owned[acc] & (rep_role[oi[acc]] == r)
        start = np.where(keep, [col_of.get(int(o), -1) for o in oi[acc]],
                         np.argmin(work, axis=1))
        final = greedy_repair(work, start, ~fixed_mask[acc], cap[cols])
        moved_total += int((keep & (final != start)).sum())
        repaired[cols] = np.bincount(final, weights=work[np.arange(len(acc)), final],
                                     minlength=len(cols))
    print(f"\nfixability (greedy repair, hand-overs to the nearest rep of the right role): "
          f"{moved_total} of {int(owned.sum())} owned accounts moved "
          f"= {moved_total / owned.sum():.1%} (limit 25%)")
    for r in ROLES:
        cols = np.flatnonzero(rep_role == r)
        ratio = repaired[cols] / repaired[cols].mean()
        print(f"  {r:8} after repair: load/mean {ratio.min():.3f}..{ratio.max():.3f}, "
              f"max load/cap {(repaired[cols] / cap[cols]).max():.0%}")

    print(f"\n{'rep':5}{'role':8}{'cap':>6}{'accts':>7}{'workload':>10}{'/mean':>7}{'/cap':>7}"
          f"{'fixed':>8}{'fix/cap':>9}{'fix/mean':>9}  flags")
    fixed_ok = True
    for r in ROLES:
        cols = np.flatnonzero(rep_role == r)
        mean = load[cols].mean()
        for j in cols:
            flags = []
            if load[j] > cap[j]:
                flags.append("OVER CAPACITY")
            if abs(load[j] / mean - 1) > TOLERANCE:
                flags.append("out of ±10%")
            if fixed[j] > 0.85 * cap[j] or fixed[j] > 1.1 * mean:
                flags.append("FIXED TOO HIGH")
            print(f"{rep_ids[j]:5}{r:8}{cap[j]:>6.0f}{int((oi == j).sum()):>7}{load[j]:>10.0f}"
                  f"{load[j] / mean:>7.2f}{load[j] / cap[j]:>7.0%}{fixed[j]:>8.0f}"
                  f"{fixed[j] / cap[j]:>9.0%}{fixed[j] / mean:>9.2f}  {', '.join(flags)}")
            fixed_ok = fixed_ok and "FIXED TOO HIGH" not in flags
    print("fixed = same-role A accounts (keep_owner_tiers) + locked accounts, at current travel; "
          f"check fixed <= 85% of capacity and <= 1.1 x role mean: {'OK' if fixed_ok else 'FAIL'}")


# --------------------------------------------------------------------------- output

def fmt(value: object, decimals: int | None = None) -> str:
    """Fixed text for a CSV cell: booleans as true/false, floats with fixed decimals."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if decimals is not None:
        return f"{float(value):.{decimals}f}"  # type: ignore[arg-type]
    return str(value)


def write_csv(df: pd.DataFrame, path: Path, decimals: dict[str, int]) -> None:
    """Write with fixed formatting, minimal quoting and LF line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(df.columns)
        for row in df.itertuples(index=False):
            w.writerow([fmt(v, decimals.get(c)) for c, v in zip(df.columns, row, strict=True)])


def check_scenario() -> None:
    """demo.yaml is maintained by hand; its capacity and balance must match this generator."""
    import yaml

    sc = yaml.safe_load(YAML_PATH.read_text(encoding="utf-8"))
    want = {"hours_per_year": HOURS_PER_YEAR, "speed_kmh": SPEED_KMH, "circuity": CIRCUITY,
            "visits_per_trip": VISITS_PER_TRIP}
    if sc["capacity"] != want or sc["balance"]["tolerance"] != TOLERANCE:
        raise SystemExit(f"{YAML_PATH}: capacity/balance differ from the generator's {want}")


README_TEXT = """\
# Demo scenario data (Ohio)

`accounts.csv` (3,000 accounts) and `reps.csv` (20 reps) are generated by
`scenarios/make_demo.py` from the ZIP centroids of the offline `zipcodes` package;
`activities.csv` and `deals.csv` (a year of calls and deals) by
`scenarios/make_activity_demo.py`. `../demo.yaml` is maintained by hand.
The generator is seeded and deterministic: rerunning it reproduces these files byte for byte.
All company and person names, emails and CRM ids are fictional.
"""


# --------------------------------------------------------------------------- Salesforce copy

SF_DIR = HERE / "demo_salesforce"
SF_SEED = 20240612  # its own generator, so the tables of demo/ stay as they are
#: Account.Type per stage: the standard picklist has Prospect and Customer - Direct/Channel;
#: the demo org added Lead and Opportunity (the preset keeps a value that is a stage name)
SF_TYPE = {"prospect": "Prospect", "lead": "Lead", "opportunity": "Opportunity"}
SF_TITLE = {"farmer": "Account Manager", "hunter": "Business Development Representative",
            "closer": "Account Executive"}
SF_STAGE = {"lead": "Prospecting", "opportunity": "Qualification",
            "proposal": "Proposal/Price Quote", "negotiation": "Negotiation/Review"}
SF_MANAGERS = {"M1": ("Joan", "Whitaker"), "M2": ("Paul", "Reyes"), "M3": ("Nina", "Olsen")}
SF_FAMILIES = 40  # parent accounts, each with one or two children of the same owner nearby
SF_FAMILY_KM = 25.0


def salesforce_id(rng: np.random.Generator, prefix: str) -> str:
    """An 18-character Salesforce id: a key prefix (001 Account, 005 User, 006 Opportunity),
    the pod "5g0000", five random letters and digits, and the case-checksum suffix."""
    alnum = string.ascii_letters + string.digits
    base = prefix + "5g0000" + "".join(alnum[i] for i in rng.integers(len(alnum), size=6))
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, ch in enumerate(base[chunk * 5:chunk * 5 + 5]) if ch.isupper())
        suffix += (string.ascii_uppercase + "012345")[bits]
    return base + suffix


def unique_ids(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        i = salesforce_id(rng, prefix)
        if i.lower() not in seen:
            seen.add(i.lower())
            out.append(i)
    return out


def salesforce_families(rng: np.random.Generator, accounts: pd.DataFrame) -> list[int]:
    """Per account the position of its parent (-1 none): SF_FAMILIES parents, customers with
    an owner, each with one or two children that are customers of the same owner within
    SF_FAMILY_KM and in no other family."""
    parent = [-1] * len(accounts)
    owner = accounts["owner_id"].to_numpy()
    customer = (accounts["stage"] == "customer").to_numpy() & (owner != "")
    lat, lon = accounts["lat"].to_numpy(float), accounts["lon"].to_numpy(float)
    used = np.zeros(len(accounts), dtype=bool)
    families = 0
    for p in rng.permutation(np.flatnonzero(customer)).tolist():
        if families == SF_FAMILIES:
            break
        if used[p]:
            continue
        near = haversine_km(lat[p], lon[p], lat, lon) < SF_FAMILY_KM
        pool = np.flatnonzero(near & customer & ~used & (owner == owner[p]))
        pool = pool[pool != p]
        if len(pool) == 0:
            continue
        kids = rng.choice(pool, size=min(len(pool), int(rng.integers(1, 3))), replace=False)
        used[p] = True
        used[kids] = True
        for k in kids.tolist():
            parent[k] = p
        families += 1
    return parent


def write_salesforce_copy(demo_dir: Path = OUT_DIR, out_dir: Path = SF_DIR) -> None:
    """The demo's accounts, reps and deals as Salesforce exports them (Data Loader: API names,
    18-character ids): Account.csv, User.csv and Opportunity.csv in ``out_dir``.

    Read from the files in ``demo_dir`` (deals.csv comes from make_activity_demo.py). Beyond
    the demo tables: ParentId families (customers of one owner within 25 km), three managers
    (Title "Sales Manager", not reps) and one inactive former rep in User.csv, 5% of
    postal codes as ZIP+4 and 10% of accounts not geocoded (empty BillingLatitude/Longitude:
    their ZIP's centroid is used). Current revenue has no standard Salesforce field and is
    left out; AnnualRevenue holds the potential (what the preset reads as potential)."""
    rng = np.random.default_rng(SF_SEED)
    accounts = pd.read_csv(demo_dir / "accounts.csv", dtype=str, keep_default_na=False)
    reps = pd.read_csv(demo_dir / "reps.csv", dtype=str, keep_default_na=False)
    deals = pd.read_csv(demo_dir / "deals.csv", dtype=str, keep_default_na=False)
    n = len(accounts)
    acc_id = dict(zip(accounts["account_id"], unique_ids(rng, "001", n), strict=True))
    user = dict(zip(reps["rep_id"], reps["crm_user_id"], strict=True))
    managers = dict(zip(SF_MANAGERS, unique_ids(rng, "005", len(SF_MANAGERS)), strict=True))
    parent = salesforce_families(rng, accounts.assign(lat=accounts["lat"].astype(float),
                                                      lon=accounts["lon"].astype(float)))
    ids = list(acc_id.values())
    plus4 = rng.random(n) < 0.05
    geocoded = rng.random(n) >= 0.10
    channel = rng.random(n) < 0.2
    employees = np.maximum(1, np.round(accounts["potential"].astype(float).to_numpy()
                                       / rng.uniform(2000, 8000, n))).astype(int)
    zips = [f"{z}-{int(rng.integers(1000, 10000))}" if p else z
            for z, p in zip(accounts["postal_code"], plus4, strict=True)]
    sf_accounts = pd.DataFrame({
        "Id": ids,
        "Name": accounts["name"],
        "ParentId": [ids[p] if p >= 0 else "" for p in parent],
        "Type": [SF_TYPE.get(s, "Customer - Channel" if c else "Customer - Direct")
                 for s, c in zip(accounts["stage"], channel, strict=True)],
        "Industry": accounts["industry"],
        "AnnualRevenue": accounts["potential"].astype(float).round().astype(int),
        "NumberOfEmployees": employees,
        "BillingCity": accounts["city"],
        "BillingState": "OH",
        "BillingPostalCode": zips,
        "BillingCountry": "United States",
        "BillingLatitude": accounts["lat"].where(geocoded, ""),
        "BillingLongitude": accounts["lon"].where(geocoded, ""),
        "OwnerId": accounts["owner_id"].map(lambda r: user.get(r, "")),
        "Strategic__c": accounts["strategic"],
        "Locked__c": accounts["locked"],
    })
    first_last = reps["name"].str.split(" ", n=1)
    sf_users = pd.DataFrame({
        "Id": reps["crm_user_id"],
        "Name": reps["name"],
        "FirstName": first_last.str[0],
        "LastName": first_last.str[1],
        "Email": reps["email"],
        "IsActive": "true",
        "Title": reps["role"].map(SF_TITLE),
        "ManagerId": reps["manager_id"].map(managers),
        "PostalCode": reps["postal_code"],
        "Latitude": reps["lat"],
        "Longitude": reps["lon"],
        "Capacity_Hours__c": reps["capacity_hours"],
    })
    extra = [{"Id": managers[m], "Name": f"{f} {last}", "FirstName": f, "LastName": last,
              "Email": f"{f.lower()}.{last.lower()}@example.com", "IsActive": "true",
              "Title": "Sales Manager", "ManagerId": "", "PostalCode": "43215",
              "Latitude": "", "Longitude": "", "Capacity_Hours__c": ""}
             for m, (f, last) in SF_MANAGERS.items()]
    extra.append({"Id": unique_ids(rng, "005", 1)[0], "Name": "Gary Lutz", "FirstName": "Gary",
                  "LastName": "Lutz", "Email": "gary.lutz@example.com", "IsActive": "false",
                  "Title": "Account Manager", "ManagerId": managers["M1"],
                  "PostalCode": "44114", "Latitude": "", "Longitude": "",
                  "Capacity_Hours__c": "1500"})
    sf_users = pd.concat([sf_users, pd.DataFrame(extra)], ignore_index=True)
    closed = deals["outcome"] != "open"
    expected = (pd.to_datetime(deals["created"]) + pd.Timedelta(days=90)).dt.strftime("%Y-%m-%d")
    sf_opps = pd.DataFrame({
        "Id": unique_ids(rng, "006", len(deals)),
        "Name": deals["deal_id"].map(lambda d: f"Demo deal {d}"),
        "AccountId": deals["account_id"].map(lambda a: acc_id.get(a, "")),
        "OwnerId": deals["rep_id"].map(lambda r: user.get(r, "")),
        "StageName": [("Closed Won" if o == "won" else "Closed Lost") if o != "open"
                      else SF_STAGE.get(st, "Qualification")
                      for o, st in zip(deals["outcome"], deals["stage_reached"], strict=True)],
        "IsClosed": closed.map({True: "true", False: "false"}),
        "IsWon": (deals["outcome"] == "won").map({True: "true", False: "false"}),
        "Amount": deals["amount"],
        "CreatedDate": deals["created"] + "T09:00:00.000Z",
        "CloseDate": deals["closed"].where(closed, expected),
    })
    for df, name in ((sf_accounts, "Account.csv"), (sf_users, "User.csv"),
                     (sf_opps, "Opportunity.csv")):
        write_csv(df, out_dir / name, {})
    (out_dir / "README.md").write_text(SF_README_TEXT, encoding="utf-8")
    families = sum(1 for p in parent if p >= 0)
    print(f"Salesforce copy: {n} accounts ({families} children in ParentId families), "
          f"{len(sf_users)} users, {len(sf_opps)} opportunities written to {out_dir}")


SF_README_TEXT = """\
# Demo scenario data in Salesforce export layout

The tables of `../demo/` as a Salesforce org exports them with Data Loader (API field names
as headers, 18-character ids), written by `scenarios/make_demo.py` (`write_salesforce_copy`)
from `../demo/accounts.csv`, `reps.csv` and `deals.csv`; `../demo_salesforce.yaml` reads them
with `preset: salesforce` and is maintained by hand.

- `Account.csv`: Id, Name, ParentId, Type, Industry, AnnualRevenue (the demo's potential),
  NumberOfEmployees, BillingCity/State/PostalCode/Country, BillingLatitude/Longitude (empty
  for the 10% of accounts not geocoded: their ZIP's centroid is used; 5% of postal codes are
  ZIP+4), OwnerId, and the custom checkboxes Strategic__c and Locked__c. Type holds the
  standard Prospect, Customer - Direct and Customer - Channel, and Lead and Opportunity, which
  this fictional org added to the picklist. ParentId links 40 parent accounts to one or two
  nearby customers of the same owner.
- `User.csv`: Id, Name, FirstName, LastName, Email, IsActive, Title, ManagerId, PostalCode,
  Latitude, Longitude and the custom field Capacity_Hours__c; besides the 20 reps, three sales
  managers (not reps) and one inactive former account manager.
- `Opportunity.csv`: Id, Name, AccountId, OwnerId, StageName, IsClosed, IsWon, Amount,
  CreatedDate, CloseDate (an open deal's expected close date).

The generator is seeded and deterministic. All names, emails and ids are fictional.
"""


def main() -> None:
    """Generate, check and write the demo scenario."""
    rng = np.random.default_rng(SEED)
    zips = load_zips()
    accounts = make_accounts(rng, zips)
    reps = make_reps(rng, zips)
    tiers = pareto_tiers(accounts)
    touch, visits = touch_and_visits(accounts["stage"].map(ROUTING).to_numpy(), tiers)
    assign_owners(rng, accounts, reps, touch, visits)
    report(accounts, reps, tiers, touch, visits)

    write_csv(accounts, OUT_DIR / "accounts.csv",
              {"lat": 5, "lon": 5, "potential": 2, "revenue": 2})
    write_csv(reps, OUT_DIR / "reps.csv",
              {"lat": 5, "lon": 5, "capacity_hours": 0, "cost": 2})
    check_scenario()
    (OUT_DIR / "README.md").write_text(README_TEXT, encoding="utf-8")
    if (OUT_DIR / "deals.csv").is_file():  # written by make_activity_demo.py
        write_salesforce_copy()


if __name__ == "__main__":
    main()
