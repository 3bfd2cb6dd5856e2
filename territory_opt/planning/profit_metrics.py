"""What an hour of each rep's time is worth in a profit plan: the shadow price of time.

For a rep with its accounts as planned, every account may move one step along its frequency
menu. Moving account ``a`` from its planned option ``f`` to another option ``g`` changes the
rep's workload by ``load(g) − load(f)`` hours and the money by ``money(g) − money(f)``, where
``money`` = margin × expected sales − travel cost per hour × travel weight × travel hours (the
profit objective without moves, which a frequency change does not make).

- ``hour_value`` = the most any one more hour buys: the largest gain per hour over every step
  *up* (more calls) of the rep's accounts, or 0 when no step up gains. It is the value of
  ``+1 h`` of the rep's capacity with its territory fixed — the continuous knapsack answer,
  so an upper estimate of what a whole step earns.
- ``last_hour_value`` = what the rep's least valuable planned hour earns: the smallest loss
  per hour over every step *down* (empty when every account is at its lowest frequency).

In a plan where capacity binds and frequencies are right, ``last_hour_value`` ≥
``hour_value``: no hour could be moved between the rep's own accounts to earn more. Balance
limits tie reps together (one rep's extra hour moves the role's mean), which this per-rep view
leaves out; docs/concepts.md explains the choice against LP duals and re-solving with +1 h.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory_opt.domain.planning_data import PlanningData
from territory_opt.planning.profit_problem import account_options


def hour_values(data: PlanningData, rep_id: tuple[str, ...],
                calls: tuple[float, ...]) -> pd.DataFrame:
    """Per rep (in the reps table's order) ``hour_value`` and ``last_hour_value``."""
    acc, reps = data.accounts, data.reps
    model = data.response
    n_reps = len(reps)
    out = pd.DataFrame({"rep_id": reps["rep_id"].to_numpy(),
                        "hour_value": np.zeros(n_reps), "last_hour_value": np.nan})
    if model is None or len(acc) == 0:
        return out
    opts = account_options(data)
    rows = np.arange(len(acc))
    scale, value = opts.padded(rows)
    calls_m = np.full(scale.shape, np.nan)
    for k in range(scale.shape[1]):
        has = opts.count() > k
        calls_m[has, k] = opts.calls[opts.ptr[rows[has]] + k]
    pos = {r: i for i, r in enumerate(reps["rep_id"])}
    rep = np.array([pos[r] for r in rep_id])
    travel = data.pair_travel_hours(np.arange(len(acc)), rep)
    touch = acc["touch_hours"].to_numpy(float)
    weight = model.travel_cost_per_hour * data.scenario.objective.travel
    load = scale * (touch + travel)[:, None]
    money = -value - weight * scale * travel[:, None]
    current = np.nanargmin(np.abs(calls_m - np.asarray(calls, dtype=float)[:, None]), axis=1)
    load0 = load[rows, current][:, None]
    money0 = money[rows, current][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(load > load0 + 1e-12, (money - money0) / (load - load0), np.nan)
        loss = np.where(load < load0 - 1e-12, (money0 - money) / (load0 - load), np.nan)
    up = np.nanmax(np.where(np.isnan(gain), -np.inf, gain), axis=1)
    down = np.nanmin(np.where(np.isnan(loss), np.inf, loss), axis=1)
    best_up = np.full(n_reps, -np.inf)
    np.maximum.at(best_up, rep, up)
    least_down = np.full(n_reps, np.inf)
    np.minimum.at(least_down, rep, down)
    out["hour_value"] = np.maximum(best_up, 0.0)
    out["last_hour_value"] = np.where(np.isfinite(least_down), least_down, np.nan)
    return out
