"""Coverage-maximising planning for options with too few reps (`territory-opt compare`).

When a role's reps cannot carry all of its accounts, the plan is not declared infeasible:
some accounts are left uncovered and the rest are planned with the real solver. This is a
**greedy coverage heuristic** built around an LP, not an exact optimum:

1. Per rep, the hours it can plan: its ``capacity_hours`` and, when balance is on workload,
   at most ``(1 + tol) / (1 - tol) × smallest capacity`` of the role (every rep must reach
   ``(1 - tol) × mean``, so the mean is at most ``smallest capacity / (1 - tol)``, which also
   caps the role's total), each less a *margin* for what the LP ignores (balance from below,
   the move limit, whole accounts).
2. Per role, a coverage LP: every account is covered at most once (locked and keep-owner
   accounts only by their owner), each rep's touch + SPEC §5 travel within its plannable
   hours, maximising the value covered — lexicographic in tier (one A account is worth more
   than every B and C account, one B more than every C; locked and keep-owner accounts most),
   then potential. So tier C goes uncovered first and, within a tier, the accounts with the
   least potential per hour they need.
3. Greedy rounding: the accounts the LP covers at all, in order of the share it covers, then
   value (kept accounts first), each to the rep that the LP gave most of it, else its other
   allowed reps (nearest first), where it still fits the plannable hours without the margin
   (the LP kept the margin free for the accounts it split); the rest are left uncovered.
4. The covered accounts are solved with :func:`territory_opt.planning.solve.solve` (tiers stay those
   of the full account table). When no plan is found the margin grows (``MARGINS``) and
   steps 2–4 repeat; after the last margin the option is reported without a plan.

Every input account is in :attr:`CoverageResult.accounts` exactly once, with status
``assigned``, ``uncovered`` (and why) or ``unplanned`` (no plan was found at all); the hours
of an uncovered account are its touch hours plus travel from the nearest rep of its role.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory_opt.domain.checker import Metrics, recompute
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES
from territory_opt.planning.problem import fixed_accounts, owner_index
from territory_opt.planning.result import Plan, SolveParams, SolveResult
from territory_opt.planning.solve import solve

#: share of each rep's plannable hours kept free in each attempt, in order
MARGINS: tuple[float, ...] = (0.03, 0.08, 0.15, 0.25)
#: an account the LP covers less than this is left uncovered without a try
SHARE_EPS = 1e-6
#: the coverage LP may give an account to one of its this many nearest reps (or its owner)
NEAREST_REPS = 10
ACCOUNT_COLUMNS = ["account_id", "role", "tier", "potential", "status", "rep_id",
                   "previous_rep_id", "moved", "touch_hours", "travel_hours", "workload_hours",
                   "reason"]


@dataclass(frozen=True)
class Attempt:
    """One solve of the heuristic: its margin, accounts left uncovered and solver status."""

    margin: float
    uncovered: int
    status: str
    seconds: float


@dataclass(frozen=True)
class CoverageResult:
    """The plan of the covered accounts (``result``, on ``covered``) and every account's fate.

    ``result.plan`` is None when no attempt found a plan; ``accounts`` then has every account
    ``unplanned`` and ``result.reasons`` says why.
    """

    result: SolveResult
    covered: PlanningData
    accounts: pd.DataFrame
    attempts: tuple[Attempt, ...]

    @property
    def uncovered(self) -> pd.DataFrame:
        return self.accounts[self.accounts["status"] == "uncovered"]


def needed_hours(data: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """Per account: touch hours and travel from the nearest rep of its role (NaN: no rep)."""
    travel = np.full(len(data.accounts), np.nan)
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        if len(a_idx) and len(r_idx):
            travel[a_idx] = data.travel_hours(a_idx, r_idx).min(axis=1)
    return data.accounts["touch_hours"].to_numpy(float), travel


def plannable_hours(data: PlanningData, role: str) -> tuple[np.ndarray, float]:
    """Hours each rep of ``role`` can plan and the role's total (step 2)."""
    caps = data.reps["capacity_hours"].to_numpy(float)[data.role_reps(role)]
    if len(caps) == 0:
        return caps, 0.0
    bal = data.scenario.balance
    if bal.measure != "workload":
        return caps, float(caps.sum())
    # every rep reaches (1 - tol) x mean, so the mean is at most min(cap) / (1 - tol)
    mean_max = float(caps.min()) / (1 - bal.tolerance)
    return np.minimum(caps, (1 + bal.tolerance) * mean_max), min(float(caps.sum()),
                                                                 len(caps) * mean_max)


def tier_weights(data: PlanningData, idx: np.ndarray) -> np.ndarray:
    """Value of covering each account: lexicographic in tier (one A account outweighs every B
    and C account, one B every C account, locked and keep-owner accounts everything), then
    potential within the tier (share of the largest, in [0, 1])."""
    acc = data.accounts
    pot = acc["potential"].to_numpy(float)[idx]
    q = pot / pot.max() if len(pot) and pot.max() > 0 else np.zeros(len(idx))
    tier = acc["tier"].to_numpy()[idx]
    fixed = fixed_accounts(data, owner_index(data))[idx]
    n_c, n_b, n_a = ((tier == t).sum() for t in "CBA")
    base_c = 1.0
    base_b = 2.0 * n_c + 1
    base_a = (base_b + 1) * n_b + 2.0 * n_c + 1
    base_fixed = (base_a + 1) * n_a + (base_b + 1) * n_b + 2.0 * n_c + 1
    base = np.select([fixed, tier == "A", tier == "B"], [base_fixed, base_a, base_b], base_c)
    return np.asarray(base + q, dtype=float)


def _coverage_lp(data: PlanningData, role: str, margin: float) -> np.ndarray:
    """Which accounts of ``role`` are covered: the coverage LP (step 2), rounded (step 3)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    idx, r_idx = data.role_accounts(role), data.role_reps(role)
    n, m = len(idx), len(r_idx)
    caps, total = plannable_hours(data, role)
    travel = data.travel_hours(idx, r_idx)
    owner = owner_index(data)[idx]
    fixed = fixed_accounts(data, owner_index(data))[idx]
    pos = {int(r): k for k, r in enumerate(r_idx)}
    nearest = np.argsort(travel, axis=1, kind="stable")[:, :NEAREST_REPS]
    allowed = np.zeros((n, m), dtype=bool)
    np.put_along_axis(allowed, nearest, True, axis=1)
    for i in np.flatnonzero(owner >= 0):
        allowed[i, pos[int(owner[i])]] = True
    for i in np.flatnonzero(fixed):  # a kept account may only stay with its owner
        allowed[i] = False
        allowed[i, pos[int(owner[i])]] = True
    a, r = np.nonzero(allowed)
    load = data.accounts["touch_hours"].to_numpy(float)[idx][a] + travel[a, r]
    k = np.arange(len(a))
    rows = vstack([coo_matrix((np.ones(len(a)), (a, k)), shape=(n, len(a))),
                   coo_matrix((load, (r, k)), shape=(m, len(a))),
                   coo_matrix((load, (np.zeros(len(a), dtype=int), k)), shape=(1, len(a)))])
    limits = np.concatenate([np.ones(n), (1 - margin) * caps, [(1 - margin) * total]])
    # maximise covered value; a tiny travel term prefers near reps among equal covers
    value = tier_weights(data, idx)[a]
    cost = -value + 1e-6 * travel[a, r] / max(1.0, float(travel.max(initial=1.0)))
    res = linprog(cost, A_ub=rows.tocsr(), b_ub=limits, bounds=(0, 1), method="highs")
    x = res.x if res.x is not None else np.zeros(len(a))
    full = np.concatenate([caps, [total]])
    return _round_cover(a, r, x, load, full, tier_weights(data, idx), fixed)


def _round_cover(a: np.ndarray, r: np.ndarray, x: np.ndarray, load: np.ndarray,
                 limits: np.ndarray, weight: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Whole accounts from the LP's shares: the accounts the LP covers at all, most covered
    and most valuable first, each to the rep the LP gave most of it (then the nearest) where
    it still fits ``limits`` (each rep's plannable hours, then the role's; the LP kept the
    margin below them); kept accounts always to their owner."""
    n, m = len(weight), len(limits) - 1
    share = np.bincount(a, weights=x, minlength=n)
    by_pair = np.lexsort((load, -x, a))  # per account: largest share first, then least load
    start = np.searchsorted(a[by_pair], np.arange(n + 1))
    used, total = np.zeros(m), 0.0
    covered = np.zeros(n, dtype=bool)
    for i in np.lexsort((-weight, -np.round(share, 6), ~fixed)):
        if share[i] <= SHARE_EPS and not fixed[i]:
            continue
        for k in by_pair[start[i]:start[i + 1]]:
            fits = used[r[k]] + load[k] <= limits[r[k]] and total + load[k] <= limits[m]
            if fits or fixed[i]:
                used[r[k]] += load[k]
                total += load[k]
                covered[i] = True
                break
    return covered


def choose_uncovered(data: PlanningData, margin: float) -> tuple[np.ndarray, list[str]]:
    """Accounts to leave uncovered (boolean mask) and the reason for each (steps 1-3)."""
    acc = data.accounts
    touch, travel = needed_hours(data)
    need = touch + np.nan_to_num(travel)
    out = np.zeros(len(acc), dtype=bool)
    reasons = [""] * len(acc)
    for role in ROLES:
        idx = data.role_accounts(role)
        if len(idx) == 0:
            continue
        n_reps = len(data.role_reps(role))
        if n_reps == 0:
            out[idx] = True
            for i in idx:
                reasons[i] = f"no {role} in this option"
            continue
        _, total = plannable_hours(data, role)
        short = idx[~_coverage_lp(data, role, margin)]
        out[short] = True
        for i in short:
            reasons[i] = (f"{role}s short: about {need[idx].sum():,.0f} h needed, "
                          f"{(1 - margin) * total:,.0f} h plannable by {n_reps} reps "
                          f"({margin:.0%} margin)")
    return out, reasons


def solve_with_coverage(data: PlanningData, params: SolveParams,
                        margins: tuple[float, ...] = MARGINS) -> CoverageResult:
    """Plan as many accounts as the reps can carry (module docstring); never raises for a
    shortage of reps."""
    attempts: list[Attempt] = []
    result: SolveResult | None = None
    covered = data
    tried: list[np.ndarray] = []
    for margin in margins:
        mask, reasons = choose_uncovered(data, margin)
        if any(np.array_equal(mask, t) for t in tried):
            continue  # the same accounts as an attempt that found no plan
        tried.append(mask)
        keep = np.flatnonzero(~mask)
        covered = data.replace(accounts=data.accounts.iloc[keep].reset_index(drop=True))
        result = _solve(covered, params)
        attempts.append(Attempt(margin, int(mask.sum()), result.status, result.solve_seconds))
        if result.plan is not None:
            return CoverageResult(result, covered, _accounts(data, covered, result, mask,
                                                             reasons), tuple(attempts))
    assert result is not None
    return CoverageResult(result, covered, unplanned_accounts(data, result), tuple(attempts))


def _solve(data: PlanningData, params: SolveParams) -> SolveResult:
    if len(data.accounts) == 0:
        return SolveResult("optimal", Plan(()), 0.0, 0.0, 0.0, 0.0, metrics=Metrics())
    return solve(data, params)


def _accounts(data: PlanningData, covered: PlanningData, result: SolveResult,
              mask: np.ndarray, reasons: list[str]) -> pd.DataFrame:
    """Every account once: the plan's figures for covered ones, estimates for the others."""
    assert result.plan is not None
    acc = data.accounts
    touch, travel = needed_hours(data)
    out = pd.DataFrame({
        "account_id": acc["account_id"].to_numpy(), "role": acc["role"].to_numpy(),
        "tier": acc["tier"].to_numpy(), "potential": acc["potential"].to_numpy(float),
        "status": np.where(mask, "uncovered", "assigned"), "rep_id": "",
        "previous_rep_id": acc["owner_id"].to_numpy(), "moved": False,
        "touch_hours": touch, "travel_hours": travel, "workload_hours": touch + travel,
        "reason": reasons,
    })
    if len(covered.accounts):
        rc = recompute(covered, result.plan.rep_id).accounts
        keep = np.flatnonzero(~mask)
        for col in ("rep_id", "moved", "travel_hours", "workload_hours"):
            out.loc[keep, col] = rc[col].to_numpy()
    return out[ACCOUNT_COLUMNS]


def unplanned_accounts(data: PlanningData, result: SolveResult) -> pd.DataFrame:
    acc = data.accounts
    touch, travel = needed_hours(data)
    why = "; ".join(result.reasons) or f"no plan found (status {result.status})"
    return pd.DataFrame({
        "account_id": acc["account_id"].to_numpy(), "role": acc["role"].to_numpy(),
        "tier": acc["tier"].to_numpy(), "potential": acc["potential"].to_numpy(float),
        "status": "unplanned", "rep_id": "", "previous_rep_id": acc["owner_id"].to_numpy(),
        "moved": False, "touch_hours": touch, "travel_hours": travel,
        "workload_hours": touch + travel, "reason": why,
    })[ACCOUNT_COLUMNS]
