"""The shared plan checker: recompute a plan from the inputs with the SPEC §5 arithmetic and
list every broken rule. Tests, `run` and the benchmarks all use this one function."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from territory_opt.domain.families import split_families
from territory_opt.domain.keep_owner import keep_owner_mask
from territory_opt.domain.planning_data import PlanningData

#: relative slack for float summation noise in capacity and balance checks
CHECK_EPS = 1e-9


@dataclass(frozen=True)
class Metrics:
    """The headline figures of a plan (SPEC §6): the largest deviation from a role's mean on
    the balance measure, moved accounts and their share of the previously owned ones,
    hand-overs, travel hours, and reps above capacity."""

    max_deviation: float = 0.0
    moves: int = 0
    moved_share: float = 0.0
    handovers: int = 0
    travel_hours: float = 0.0
    capacity_violations: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """The metrics by name, in SPEC order (as written to plan.json)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Recomputed:
    """Per-account and per-rep figures of a plan, and its SPEC §6 metrics."""

    accounts: pd.DataFrame  # account_id, rep_id, previous_rep_id, moved, handover, hours…
    reps: pd.DataFrame  # rep_id, role, accounts, workload_hours, …, balance value
    metrics: Metrics
    violations: list[str] = field(default_factory=list)


def recompute(data: PlanningData, rep_id: Sequence[str]) -> Recomputed:
    """Workloads, moves and every SPEC §5 feasibility rule for the plan ``rep_id``."""
    acc, reps, sc = data.accounts, data.reps, data.scenario
    violations: list[str] = []
    rep_id = [str(r) for r in rep_id]
    if len(rep_id) != len(acc):
        raise ValueError(f"the plan has {len(rep_id)} accounts, the input {len(acc)}")
    rep_pos = {r: i for i, r in enumerate(reps["rep_id"])}
    pos = np.array([rep_pos.get(r, -1) for r in rep_id])
    if (pos < 0).any():
        violations.append(f"{int((pos < 0).sum())} accounts have no known rep")
        pos = np.maximum(pos, 0)
    rep_role = reps["role"].to_numpy()[pos]
    wrong_role = rep_role != acc["role"].to_numpy()
    if wrong_role.any():
        violations.append(f"{int(wrong_role.sum())} accounts are served by a rep of another role")
    travel = data.pair_travel_hours(np.arange(len(acc)), pos)
    touch = acc["touch_hours"].to_numpy(float)
    previous = acc["owner_id"].to_numpy(object)
    prev_pos = np.array([rep_pos.get(o, -1) for o in previous])
    prev_role = np.where(prev_pos >= 0, reps["role"].to_numpy()[np.maximum(prev_pos, 0)], "")
    same_role_owner = (prev_pos >= 0) & (prev_role == acc["role"].to_numpy())
    moved = same_role_owner & (np.asarray(rep_id, dtype=object) != previous)
    handover = (prev_pos >= 0) & ~same_role_owner
    per_account = pd.DataFrame({
        "account_id": acc["account_id"].to_numpy(), "tier": acc["tier"].to_numpy(),
        "role": acc["role"].to_numpy(), "rep_id": rep_id, "previous_rep_id": previous,
        "moved": moved, "handover": handover, "touch_hours": touch, "travel_hours": travel,
        "workload_hours": touch + travel,
    })
    must_stay = same_role_owner & keep_owner_mask(sc, acc)
    if (must_stay & moved).any():
        violations.append(f"{int((must_stay & moved).sum())} locked or keep-owner accounts "
                          "changed owner")
    if sc.families == "together":
        violations.extend(split_families(acc, rep_id))
    measure = {"workload": touch + travel, "potential": acc["potential"].to_numpy(float),
               "accounts": np.ones(len(acc))}[sc.balance.measure]
    n = len(reps)
    load = np.bincount(pos, weights=touch + travel, minlength=n)
    per_rep = pd.DataFrame({
        "rep_id": reps["rep_id"].to_numpy(), "role": reps["role"].to_numpy(),
        "accounts": np.bincount(pos, minlength=n),
        "potential": np.bincount(pos, weights=acc["potential"].to_numpy(float), minlength=n),
        "touch_hours": np.bincount(pos, weights=touch, minlength=n),
        "travel_hours": np.bincount(pos, weights=travel, minlength=n),
        "workload_hours": load,
        "capacity_hours": reps["capacity_hours"].to_numpy(float),
        "balance_value": np.bincount(pos, weights=measure, minlength=n),
    })
    cap = per_rep["capacity_hours"].to_numpy()
    over = load > cap * (1 + CHECK_EPS)
    for i in np.flatnonzero(over):
        violations.append(f"rep {per_rep['rep_id'].iloc[i]} works {load[i]:,.1f} h, above its "
                          f"capacity of {cap[i]:,.1f} h")
    deviation = np.zeros(n)
    for _, members in per_rep.groupby("role").groups.items():
        idx = np.asarray([per_rep.index.get_loc(m) for m in members])
        values = per_rep["balance_value"].to_numpy()[idx]
        mean = values.mean()
        if mean > 0:
            deviation[idx] = np.abs(values - mean) / mean
        bad = deviation[idx] > sc.balance.tolerance + CHECK_EPS
        for i in idx[bad]:
            violations.append(f"rep {per_rep['rep_id'].iloc[i]} is {deviation[i]:.1%} from its "
                              f"role's mean {sc.balance.measure}, beyond ±"
                              f"{sc.balance.tolerance:.0%}")
    per_rep["deviation"] = deviation
    owned = int(same_role_owner.sum())
    moves = int(moved.sum())
    limit = sc.disruption.move_limit(owned)
    if moves > limit:
        violations.append(f"{moves} accounts moved, above the limit of {limit} "
                          f"({sc.disruption.max_moved_share:.0%} of {owned})")
    metrics = Metrics(
        max_deviation=float(deviation.max()) if n else 0.0,
        moves=moves,
        moved_share=moves / owned if owned else 0.0,
        handovers=int(handover.sum()),
        travel_hours=float(travel.sum()),
        capacity_violations=int(over.sum()),
    )
    return Recomputed(per_account, per_rep, metrics, violations)


def check_plan(data: PlanningData, rep_id: Sequence[str]) -> list[str]:
    """Every SPEC §5 rule the plan breaks (empty: feasible)."""
    return recompute(data, rep_id).violations


def plan_objective(data: PlanningData, rep_id: Sequence[str]) -> float:
    """objective.travel × travel hours + objective.moves × moved accounts, from the inputs."""
    rc = recompute(data, rep_id)
    w = data.scenario.objective
    return float(w.travel * rc.accounts["travel_hours"].sum()
                 + w.moves * rc.accounts["moved"].sum())
