"""PlanningData: the frozen input of a plan — scenario, checked tables and derived workloads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import ROLES, Scenario
from territory_opt.domain.tiers import assign_tiers
from territory_opt.domain.workload import touch_and_visits, travel_hours
from territory_opt.engine.arrays import FloatArray


@dataclass(frozen=True)
class PlanningData:
    """Everything a plan is computed from. Treat the tables as read-only; use ``replace``.

    ``accounts`` holds the checked input columns plus ``tier``, ``role``, ``touch_hours`` and
    ``visits`` (yearly face-to-face visits, the touches that travel). ``reps`` holds the
    checked rep columns. ``sources`` maps 'scenario', 'accounts', 'reps' to file paths.
    """

    scenario: Scenario
    accounts: pd.DataFrame
    reps: pd.DataFrame
    sources: dict[str, Path] = field(default_factory=dict)

    def replace(self, **changes: Any) -> PlanningData:
        """A copy with some fields changed (the original is untouched)."""
        return dataclasses.replace(self, **changes)

    def role_accounts(self, role: str) -> np.ndarray:
        """Positional indices of the accounts routed to ``role``."""
        return np.flatnonzero(self.accounts["role"].to_numpy() == role)

    def role_reps(self, role: str) -> np.ndarray:
        """Positional indices of the reps of ``role``."""
        return np.flatnonzero(self.reps["role"].to_numpy() == role)

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
    return PlanningData(scenario=scenario, accounts=accounts, reps=reps, sources=sources or {})
