"""PlanningData: the frozen input of a plan — scenario, checked tables and derived workloads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.response import ResponseModel, response_model
from territory_opt.domain.scenario import ROLES, Scenario
from territory_opt.domain.tiers import assign_tiers
from territory_opt.domain.workload import (
    pair_travel_hours,
    pattern_calls_per_account,
    touch_and_visits,
    travel_hours,
)
from territory_opt.engine.arrays import FloatArray


@dataclass(frozen=True)
class PlanningData:
    """Everything a plan is computed from. Treat the tables as read-only; use ``replace``.

    ``accounts`` holds the checked input columns plus ``tier``, ``role``, ``touch_hours`` and
    ``visits`` (yearly face-to-face visits, the touches that travel). ``reps`` holds the
    checked rep columns. ``sources`` maps 'scenario', 'accounts', 'reps' to file paths.
    ``response`` holds the sales-response curves of a scenario with a ``response:`` section
    (fitted to its judgment points; :mod:`territory_opt.measure.calibration` replaces them
    with curves fitted from history).
    """

    scenario: Scenario
    accounts: pd.DataFrame
    reps: pd.DataFrame
    sources: dict[str, Path] = field(default_factory=dict)
    response: ResponseModel | None = None

    def replace(self, **changes: Any) -> PlanningData:
        """A copy with some fields changed (the original is untouched)."""
        return dataclasses.replace(self, **changes)

    def role_accounts(self, role: str) -> np.ndarray:
        """Positional indices of the accounts routed to ``role``."""
        return np.flatnonzero(self.accounts["role"].to_numpy() == role)

    def role_reps(self, role: str) -> np.ndarray:
        """Positional indices of the reps of ``role``."""
        return np.flatnonzero(self.reps["role"].to_numpy() == role)

    def pattern_calls(self) -> np.ndarray:
        """Per account the calls a year of its role and tier's call pattern."""
        a = self.accounts
        return pattern_calls_per_account(self.scenario, a["role"].tolist(), a["tier"].tolist())

    def at_calls(self, calls: np.ndarray) -> PlanningData:
        """A copy where every account gets ``calls`` a year with the channel mix of its call
        pattern: touch hours and visits scaled by calls / the pattern's calls (an account
        whose pattern is empty keeps none). The SPEC §5 arithmetic of the copy is the
        workload of a plan with these frequencies."""
        pattern = self.pattern_calls()
        calls = np.asarray(calls, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(pattern > 0, calls / pattern, 0.0)
        acc = self.accounts.copy()
        acc["touch_hours"] = acc["touch_hours"].to_numpy(float) * scale
        acc["visits"] = acc["visits"].to_numpy(float) * scale
        return self.replace(accounts=acc)

    def pair_travel_hours(self, account_idx: np.ndarray, rep_idx: np.ndarray) -> FloatArray:
        """Travel hours of account ``account_idx[i]`` served by rep ``rep_idx[i]`` (pairs,
        not a matrix), SPEC §5."""
        a, r = self.accounts, self.reps
        return pair_travel_hours(a["visits"].to_numpy(float)[account_idx],
                                 a["lat"].to_numpy(float)[account_idx],
                                 a["lon"].to_numpy(float)[account_idx],
                                 r["lat"].to_numpy(float)[rep_idx],
                                 r["lon"].to_numpy(float)[rep_idx], self.scenario.capacity)

    def travel_hours(self, account_idx: np.ndarray, rep_idx: np.ndarray) -> FloatArray:
        """Travel hours matrix (len(account_idx) × len(rep_idx)), SPEC §5."""
        a, r = self.accounts, self.reps
        return travel_hours(a["visits"].to_numpy(float)[account_idx],
                            a["lat"].to_numpy(float)[account_idx],
                            a["lon"].to_numpy(float)[account_idx],
                            r["lat"].to_numpy(float)[rep_idx], r["lon"].to_numpy(float)[rep_idx],
                            self.scenario.capacity)


def derive(scenario: Scenario, accounts: pd.DataFrame, reps: pd.DataFrame,
           sources: dict[str, Path] | None = None, *, reps_file: str = "reps") -> PlanningData:
    """Add tiers, roles and touch hours to checked tables and check role coverage."""
    accounts = accounts.copy()
    accounts.insert(1, "tier", assign_tiers(accounts, scenario.segmentation).to_numpy())
    accounts.insert(2, "role", accounts["stage"].map(scenario.routing).to_numpy())
    touch, visits = touch_and_visits(scenario, accounts["role"].tolist(),
                                     accounts["tier"].tolist())
    accounts["touch_hours"] = touch
    accounts["visits"] = visits
    have = set(reps["role"])
    for role in ROLES:
        need = int((accounts["role"] == role).sum())
        if need and role not in have:
            stages = sorted(s for s, r in scenario.routing.items() if r == role)
            raise InputError(
                f"no rep has role '{role}', but {need} accounts (stage {', '.join(stages)}) "
                f"are routed to {role}s; add a {role} or change `routing`",
                file=reps_file, column="role")
    response = None
    if scenario.response is not None:
        tiers_by_role = {str(role): set(group) for role, group in
                         accounts.groupby("role")["tier"]}
        file = str((sources or {}).get("scenario", "scenario"))
        response = response_model(scenario.response, tiers_by_role, file=file)
    return PlanningData(scenario=scenario, accounts=accounts, reps=reps, sources=sources or {},
                        response=response)
