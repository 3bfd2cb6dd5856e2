"""The full territory model of a scenario (SPEC §5, every allowed account-rep pair, no
pruning) as a HiGHS LP or MIP through ``highspy``, written from the SPEC and independent of the
engine: used by benchmarks/alignments.py to classify instances (is the LP relaxation
feasible?) and to try a generic MIP solver on them.

Variables: x per allowed pair (an account that must stay with its owner has only that pair),
W_r per rep (its workload, upper bound the capacity), T_g per role (the role total). Rows:
one rep per account; W_r = Σ workload x; T_g = Σ W_r; n_g W_r ≤ (1 + tol) T_g and
n_g W_r ≥ (1 − tol) T_g; pairs kept with the owner ≥ owned − max moves. Only
``balance.measure: workload`` (the family's) is modelled.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from territory_opt.domain.geo import haversine_km


@dataclass(frozen=True)
class Pairs:
    """Allowed (account, rep) pairs with their SPEC §5 figures."""

    item: np.ndarray
    rep: np.ndarray
    travel: np.ndarray
    km: np.ndarray
    load: np.ndarray
    keeps_owner: np.ndarray  # the pair is (owned account, its same-role owner)
    owned: int
    max_moves: int


def model_pairs(data: Any) -> Pairs:
    acc, reps, sc = data.accounts, data.reps, data.scenario
    if sc.balance.measure != "workload":
        raise ValueError("only balance.measure: workload is modelled")
    per_km = 2.0 * sc.capacity.circuity / sc.capacity.speed_kmh / sc.capacity.visits_per_trip
    rep_pos = {r: i for i, r in enumerate(reps["rep_id"].astype(str))}
    owner = np.array([rep_pos.get(str(o), -1) for o in acc["owner_id"].fillna("")])
    role_a, role_r = acc["role"].to_numpy(), reps["role"].to_numpy()
    owner = np.where((owner >= 0) & (role_r[np.maximum(owner, 0)] == role_a), owner, -1)
    keep = acc["tier"].isin(list(sc.disruption.keep_owner_tiers)).to_numpy()
    fixed = (owner >= 0) & (keep | acc["locked"].to_numpy(bool))
    lat, lon = acc["lat"].to_numpy(float), acc["lon"].to_numpy(float)
    parts: list[tuple[np.ndarray, ...]] = []
    for role in np.unique(role_a):
        a = np.flatnonzero(role_a == role)
        r = np.flatnonzero(role_r == role)
        ok = ~fixed[a][:, None] | (r[None, :] == owner[a][:, None])
        ii, jj = np.nonzero(ok)
        items, rr = a[ii], r[jj]
        d = haversine_km(lat[items], lon[items], reps["lat"].to_numpy(float)[rr],
                         reps["lon"].to_numpy(float)[rr])
        parts.append((items, rr, acc["visits"].to_numpy(float)[items] * d * per_km, d))
    item = np.concatenate([p[0] for p in parts])
    rep = np.concatenate([p[1] for p in parts])
    travel = np.concatenate([p[2] for p in parts])
    owned = int((owner >= 0).sum())
    return Pairs(item, rep, travel, np.concatenate([p[3] for p in parts]),
                 acc["touch_hours"].to_numpy(float)[item] + travel,
                 owner[item] == rep, owned,
                 math.floor(sc.disruption.max_moved_share * owned + 1e-9))


def build_lp(data: Any, integer: bool = False) -> tuple[Any, Pairs]:
    """The full model as a highspy HighsLp (x first, then W per rep, T per role)."""
    import highspy

    p = model_pairs(data)
    sc, reps = data.scenario, data.reps
    n, m = len(p.item), len(reps)
    roles, role_of = np.unique(reps["role"].to_numpy(), return_inverse=True)
    size = np.bincount(role_of)[role_of].astype(float)
    n_acc, g = len(data.accounts), len(roles)
    w = sc.objective
    moved = ~p.keeps_owner & np.isin(p.item, np.flatnonzero(_owned_mask(p, n_acc)))
    cost = np.concatenate([w.travel * p.travel + w.moves * moved, np.zeros(m + g)])
    x_cols, w_cols, t_cols = np.arange(n), n + np.arange(m), n + m + np.arange(g)
    tol = sc.balance.tolerance
    rows = [  # (row indices, columns, values) blocks; row offsets below
        (p.item, x_cols, np.ones(n)),                                  # one rep per account
        (n_acc + p.rep, x_cols, p.load), (n_acc + np.arange(m), w_cols, -np.ones(m)),
        (n_acc + m + role_of, w_cols, np.ones(m)), (n_acc + m + np.arange(g), t_cols,
                                                    -np.ones(g)),
        (n_acc + m + g + np.arange(m), w_cols, size),                   # n W − (1+tol) T ≤ 0
        (n_acc + m + g + np.arange(m), t_cols[role_of], -(1 + tol) * np.ones(m)),
        (n_acc + 2 * m + g + np.arange(m), w_cols, size),               # n W − (1−tol) T ≥ 0
        (n_acc + 2 * m + g + np.arange(m), t_cols[role_of], -(1 - tol) * np.ones(m)),
    ]
    n_rows = n_acc + 3 * m + g + 1
    keep_cols = np.flatnonzero(p.keeps_owner)
    rows.append((np.full(len(keep_cols), n_rows - 1), keep_cols, np.ones(len(keep_cols))))
    r = np.concatenate([b[0] for b in rows])
    c = np.concatenate([b[1] for b in rows])
    v = np.concatenate([b[2] for b in rows])
    a = sp.csc_matrix((v, (r, c)), shape=(n_rows, n + m + g))
    inf = highspy.kHighsInf
    row_lo = np.concatenate([np.ones(n_acc), np.zeros(m + g), np.full(m, -inf), np.zeros(m),
                             [p.owned - p.max_moves]])
    row_hi = np.concatenate([np.ones(n_acc), np.zeros(m + g), np.zeros(m), np.full(m, inf),
                             [inf]])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + m + g, n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n + m + g)
    lp.col_upper_ = np.concatenate([np.ones(n), reps["capacity_hours"].to_numpy(float),
                                    np.full(g, inf)])
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = a.indptr, a.indices
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n + m + g, n_rows
    if integer:
        lp.integrality_ = ([highspy.HighsVarType.kInteger] * n
                           + [highspy.HighsVarType.kContinuous] * (m + g))
    return lp, p


def solve_model(data: Any, time_limit: float, integer: bool = False,
                threads: int = 2) -> dict[str, Any]:
    """Solve the LP relaxation (or the MIP) of the full model; status 'feasible' (LP optimal /
    MIP with a plan), 'infeasible' (proven), or HiGHS's status otherwise."""
    import highspy

    t0 = time.monotonic()
    lp, p = build_lp(data, integer)
    n, n_acc, reps = len(p.item), len(data.accounts), data.reps
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", threads)
    if not integer:
        h.setOptionValue("solver", "ipm")
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    out: dict[str, Any] = {"status": h.modelStatusToString(status), "pairs": n,
                           "seconds": time.monotonic() - t0}
    if status == highspy.HighsModelStatus.kInfeasible:
        out["result"] = "infeasible"
    elif has_plan and (integer or status == highspy.HighsModelStatus.kOptimal):
        out["result"] = "feasible"
        out["objective"] = float(info.objective_function_value)
    else:
        out["result"] = "unknown"
    if integer:
        out["bound"] = float(info.mip_dual_bound)
        if has_plan:
            x = np.asarray(h.getSolution().col_value[:n])
            chosen = x > 0.5
            plan = np.empty(n_acc, dtype=object)
            plan[p.item[chosen]] = reps["rep_id"].to_numpy(object)[p.rep[chosen]]
            out["plan"] = [str(s) for s in plan]
    return out


def lp_and_fix(data: Any, time_limit: float, free_shares: tuple[float, ...] = (0.1, 0.3),
               near: int = 6, seed: int = 0, mip_seconds: float = 600.0) -> dict[str, Any]:
    """A constructed plan (a witness, not an optimum): solve the LP relaxation to a vertex
    (interior point + crossover), keep every account the LP assigns whole, and let HiGHS's MIP
    place the rest: the split accounts plus a random ``free_shares`` of the others, each
    among its LP reps and its ``near`` nearest reps. Tries the shares in turn, each MIP for at
    most ``mip_seconds`` (its best plan by then counts)."""
    import highspy

    t0 = time.monotonic()
    lp, p = build_lp(data)
    n, n_acc, reps = len(p.item), len(data.accounts), data.reps
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("solver", "ipm")
    h.passModel(lp)
    h.run()
    out: dict[str, Any] = {"pairs": n, "lp_status": h.modelStatusToString(h.getModelStatus())}
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return {**out, "result": "no LP", "seconds": time.monotonic() - t0}
    x = np.asarray(h.getSolution().col_value[:n])
    out["lp_objective"] = float(h.getInfo().objective_function_value)
    whole = np.zeros(n_acc, dtype=bool)
    whole[p.item[x > 1 - 1e-6]] = True
    out["split_accounts"] = int(n_acc - whole.sum())
    order = np.lexsort((p.km, p.item))
    starts = np.searchsorted(p.item[order], np.arange(n_acc))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[p.item[order]]
    rng = np.random.default_rng(seed)
    for share in free_shares:
        free = ~whole | (rng.random(n_acc) < share)
        keep = np.where(free[p.item], (x > 1e-6) | (rank < near), x > 1 - 1e-6)
        lp.col_upper_ = np.concatenate([keep.astype(float), np.asarray(lp.col_upper_)[n:]])
        lp.integrality_ = ([highspy.HighsVarType.kInteger] * n
                           + [highspy.HighsVarType.kContinuous] * (lp.num_col_ - n))
        left = time_limit - (time.monotonic() - t0)
        if left <= 1:
            break
        m = highspy.Highs()
        m.setOptionValue("output_flag", False)
        m.setOptionValue("time_limit", float(min(left, mip_seconds)))
        m.setOptionValue("mip_rel_gap", 0.01)
        m.passModel(lp)
        m.run()
        out[f"mip_{share}"] = m.modelStatusToString(m.getModelStatus())
        if m.getInfo().primal_solution_status == 2:
            chosen = np.asarray(m.getSolution().col_value[:n]) > 0.5
            plan = np.empty(n_acc, dtype=object)
            plan[p.item[chosen]] = reps["rep_id"].to_numpy(object)[p.rep[chosen]]
            return {**out, "result": "feasible", "free_share": share,
                    "objective": float(m.getInfo().objective_function_value),
                    "plan": [str(r) for r in plan], "seconds": time.monotonic() - t0}
    return {**out, "result": "unknown", "seconds": time.monotonic() - t0}


def _owned_mask(p: Pairs, n_acc: int) -> np.ndarray:
    """Accounts that have a same-role owner (the item of any keeps-owner pair)."""
    mask = np.zeros(n_acc, dtype=bool)
    mask[p.item[p.keeps_owner]] = True
    return mask


def main(argv: list[str] | None = None) -> int:
    """Solve one cached family instance's full model with HiGHS (LP, or MIP with --mip); a
    MIP plan is re-checked with check_plan and, with --store, kept as the witness."""
    import argparse
    import json

    import pandas as pd
    from alignment_witness import objective_of, save_witness

    from territory_opt import check_plan, load_planning_data

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("instance", help="name (folder of benchmarks/.cache/alignments) or path")
    ap.add_argument("--mip", action="store_true", help="integer x (HiGHS branch and cut)")
    ap.add_argument("--fix", action="store_true", help="construct a plan: LP, then a MIP "
                    "over the accounts the LP splits and a random share of the others")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--store", action="store_true", help="keep a checked plan as witness")
    args = ap.parse_args(argv)
    folder = Path(args.instance)
    if not folder.is_dir():
        folder = Path(__file__).resolve().parent / ".cache" / "alignments" / args.instance
    data = load_planning_data(folder / "scenario.yaml")
    if args.fix:
        res = lp_and_fix(data, args.time_limit)
        lp = {"Optimal": "feasible", "Infeasible": "infeasible"}.get(res["lp_status"])
        if lp is not None:  # the LP classification benchmarks/alignments.py caches
            (folder / "lp.json").write_text(json.dumps({
                "lp": lp, "lp_objective": res.get("lp_objective"), "lp_pairs": res["pairs"],
                "lp_status": res["lp_status"]}))
    else:
        res = solve_model(data, args.time_limit, integer=args.mip)
    plan = res.pop("plan", None)
    if plan is not None:
        issues = check_plan(data, plan)
        res["check"] = issues[:3] or "ok"
        res["objective_check"] = objective_of(data, plan)
        if args.store and not issues:
            asg = pd.DataFrame({"account_id": data.accounts["account_id"], "rep_id": plan})
            res["witness"] = save_witness(folder.name, asg, res["objective_check"], {
                "bound": res.get("bound", res.get("lp_objective")),
                "status": res.get("status", res["result"]),
                "time_limit": args.time_limit, "wall_seconds": round(res["seconds"], 1),
                "source": "highs lp+fix" if args.fix else "highs mip"})
    print(json.dumps(res, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
