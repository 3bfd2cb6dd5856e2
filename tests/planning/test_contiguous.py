"""Contiguous territories through ``territory_opt.planning.solve.solve`` with
``contiguity: true`` (the adapter ``planning.contiguous``). Every solved plan passes the shared
checker, and each rep's units are contiguous by ``is_contiguous``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from territory_opt.districting.problem import is_contiguous
from territory_opt.domain.checker import check_plan
from territory_opt.domain.geo import distance_matrix_km
from territory_opt.domain.planning_data import PlanningData
from territory_opt.io.load import load_planning_data
from territory_opt.planning.contiguous import role_problem
from territory_opt.planning.result import SolveParams, SolveResult, SolverSettings
from territory_opt.planning.solve import solve
from territory_opt.planning.unit_graph import unit_graph
from tests.helpers import contiguous_balanced_plans, grid_case, simple_scenario, write_squares


def solved(write_case: Callable[..., Path], accounts: pd.DataFrame, reps: pd.DataFrame,
           scenario: dict[str, Any]) -> tuple[PlanningData, SolveResult]:
    data = load_planning_data(write_case(accounts, reps, scenario))
    res = solve(data, SolveParams(time_limit=10))
    if res.plan is not None:
        assert check_plan(data, res.plan.rep_id) == []
        assert res.bound <= res.objective + 1e-6
        graph = unit_graph(data).graph
        units = data.accounts["unit_id"].tolist()
        for rep in set(res.plan.rep_id):
            assert is_contiguous(graph, {u for u, r in zip(units, res.plan.rep_id,
                                                           strict=True) if r == rep})
    return data, res


def test_solve_with_contiguity_is_optimal_on_a_tiny_grid(write_case: Callable[..., Path]
                                                         ) -> None:
    """The grid accounts (3, 1, 1 per row), balanced on account count at ±10%: every rep gets
    5 accounts. The exact model finds the optimum (its proof is not taken as exact, since the
    workloads were rounded); brute force over all 3^9 unit plans on the same graph agrees on
    the objective (travel hours)."""
    counts = {(r, c): 3 if c == 0 else 1 for r in range(3) for c in range(3)}
    accounts, reps = grid_case(counts)
    sc = simple_scenario(balance={"measure": "accounts", "tolerance": 0.1}, contiguity=True)
    data, res = solved(write_case, accounts, reps, sc)
    assert res.territories is not None and res.status in ("optimal", "feasible")
    assert sorted(pd.Series(res.plan.rep_id).value_counts().tolist()) == [5, 5, 5]
    ug = unit_graph(data)
    lat, lon = ug.units["lat"].to_numpy(), ug.units["lon"].to_numpy()
    rp = role_problem(data, ug, "farmer", distance_matrix_km(lat, lon, lat, lon))
    assert not isinstance(rp, str) and rp.problem.cost is not None
    best = min(float(rp.problem.cost[np.arange(9), list(lab)].sum())
               for lab in contiguous_balanced_plans(rp.problem))
    assert res.objective == pytest.approx(best, rel=1e-9)
    assert res.territories is not None and len(res.territories["features"]) == 3


def test_island_unit_is_attached_and_reported(write_case: Callable[..., Path],
                                              tmp_path: Path) -> None:
    """Four squares in a row (A–D) and an island E off D's end. E is attached to D (the
    nearest unit), the fix is in the result, and territories.geojson has one polygon per rep."""
    write_squares(tmp_path / "units.geojson", {"A": (0, 0), "B": (1, 0), "C": (2, 0),
                                               "D": (3, 0), "E": (6, 0)})
    units = ["A", "A", "B", "C", "D", "D", "E"]
    lons = {"A": 0.5, "B": 1.5, "C": 2.5, "D": 3.5, "E": 6.5}
    accounts = pd.DataFrame({"account_id": [f"a{i}" for i in range(7)], "lat": 0.5,
                             "lon": [lons[u] for u in units], "potential": 100.0,
                             "stage": "customer", "unit_id": units})
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "lat": 0.5,
                         "lon": [0.5, 6.5]})
    sc = simple_scenario(contiguity=True, balance={"measure": "accounts", "tolerance": 0.5})
    sc["data"]["units"] = "units.geojson"
    data, res = solved(write_case, accounts, reps, sc)
    assert res.territories is not None and res.plan is not None
    assert res.contiguity["fixes"] == [
        "island unit E attached to the nearest unit D (333.6 km)"]
    assert res.territories is not None
    shapes = {f["properties"]["rep_id"]: f for f in res.territories["features"]}
    assert set(shapes) == {"R1", "R2"}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in shapes.values())
    from territory_opt.output.plan_writer import manifest, write_plan

    out = tmp_path / "plan"
    write_plan(data, res, out, manifest(data, SolverSettings(time_limit=10, seed=0, workers=1)))
    written = json.loads((out / "territories.geojson").read_text())
    assert len(written["features"]) == 2
    assert json.loads((out / "plan.json").read_text())["contiguity"]["fixes"]


def test_locked_accounts_of_two_reps_in_one_unit_is_infeasible(
        write_case: Callable[..., Path]) -> None:
    counts = {(r, c): 1 for r in range(3) for c in range(3)}
    accounts, reps = grid_case(counts)
    accounts.loc[0, "owner_id"], accounts.loc[0, "locked"] = "R1", True
    extra = accounts.iloc[[0]].assign(account_id="x", owner_id="R2")
    accounts = pd.concat([accounts, extra], ignore_index=True)
    sc = simple_scenario(contiguity=True)
    _, res = solved(write_case, accounts, reps, sc)
    assert res.status == "infeasible" and res.plan is None
    assert "holds locked or keep-owner accounts of R1 and R2" in res.reasons[0]


def test_no_plan_found_is_unknown_not_infeasible(write_case: Callable[..., Path]) -> None:
    """Nine units of one account, two reps, balance on account count at ±5%: the band
    [4.275, 4.725] holds no whole number, so no plan exists, but nothing proves it (the
    relaxations split units, the grid has no pocket): the status is 'unknown'."""
    accounts, reps = grid_case({(r, c): 1 for r in range(3) for c in range(3)})
    sc = simple_scenario(contiguity=True, balance={"measure": "accounts", "tolerance": 0.05})
    _, res = solved(write_case, accounts, reps.iloc[:2], sc)
    assert res.status == "unknown" and res.plan is None and res.reasons


def test_every_role_without_a_plan_is_named(write_case: Callable[..., Path]) -> None:
    """The case above twice over: nine units of one customer each for two farmers and nine
    of one prospect each for two hunters, ±5% on account count. Neither role has a plan, and
    the message names both, not only the first."""
    farmers, reps = grid_case({(r, c): 1 for r in range(3) for c in range(3)})
    hunters = farmers.assign(account_id="p" + farmers["account_id"], stage="prospect")
    reps = pd.concat([reps.iloc[:2], reps.iloc[:2].assign(rep_id=["H1", "H2"], role="hunter")])
    sc = simple_scenario(contiguity=True, balance={"measure": "accounts", "tolerance": 0.05})
    _, res = solved(write_case, pd.concat([farmers, hunters]), reps, sc)
    assert res.status == "unknown" and res.plan is None
    assert sorted(r.split(":")[0] for r in res.reasons) == ["farmer", "hunter"]


def test_missing_unit_id_is_an_input_error(write_case: Callable[..., Path]) -> None:
    from territory_opt.domain.errors import InputError

    accounts, reps = grid_case({(0, 0): 2, (0, 1): 1, (0, 2): 1})
    accounts.loc[1, "unit_id"] = ""
    data = load_planning_data(write_case(accounts, reps, simple_scenario(contiguity=True)))
    with pytest.raises(InputError, match="unit_id"):
        solve(data)


def test_a_role_without_a_plan_searches_again_with_the_time_left(
        write_case: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The first search of the farmers 'finds nothing' (the real result with its plan
    dropped); the run does not stop there: the farmers search again with a new seed and the
    time left, until their first plan; then a third search goes on from that plan."""
    import dataclasses

    import territory_opt.planning.contiguous as contiguous

    real, calls = contiguous.solve_districting, []

    def first_fails(problem: Any, **kw: Any) -> Any:
        calls.append(kw)
        res = real(problem, **kw)
        if len(calls) == 1:
            return dataclasses.replace(res, status="unknown", labels=None,
                                       best_labels=res.labels, violation=1.0)
        return res

    monkeypatch.setattr(contiguous, "solve_districting", first_fails)
    counts = {(r, c): 3 if c == 0 else 1 for r in range(3) for c in range(3)}
    accounts, reps = grid_case(counts)
    sc = simple_scenario(balance={"measure": "accounts", "tolerance": 0.1}, contiguity=True)
    _, res = solved(write_case, accounts, reps, sc)
    assert res.plan is not None and len(calls) == 3
    assert [c["seed"] for c in calls] == [0, 1, 2]
    assert [c["first_plan"] for c in calls] == [True, True, False]
    assert calls[1]["time_limit"] > 5  # most of the 10 s limit was left for the retry
    assert calls[2]["start"] is not None


def test_no_plan_yet_keeps_the_run_going_to_its_time_limit(
        write_case: Callable[..., Path]) -> None:
    """The unbalanceable grid of the test above: no plan exists, nothing proves it, so the
    search goes on until less than RETRY_SECONDS of the 4 s limit is left."""
    from territory_opt.planning.contiguous import RETRY_SECONDS

    accounts, reps = grid_case({(r, c): 1 for r in range(3) for c in range(3)})
    sc = simple_scenario(contiguity=True, balance={"measure": "accounts", "tolerance": 0.05})
    data = load_planning_data(write_case(accounts, reps.iloc[:2], sc))
    res = solve(data, SolveParams(time_limit=4))
    assert res.status == "unknown" and res.plan is None
    assert 4 - RETRY_SECONDS - 0.5 <= res.solve_seconds <= 4 + 1.0


def test_closest_violations_names_the_band_the_capacity_and_the_moves() -> None:
    """A path of 4 units weighing 1, 1, 10, 8 split 0-0-0-1: district totals 12 and 8 around
    the mean 10, so A is 20% above it (band ±10%), 1 h over its capacity of 11, and unit 2,
    owned by B, moved against a limit of 0."""
    import networkx as nx

    from territory_opt.districting.problem import districting_problem
    from territory_opt.planning.contiguous import closest_violations

    pb = districting_problem(nx.path_graph(4), [1.0, 1.0, 10.0, 8.0], 2, tolerance=0.1,
                             upper=[[11.0], [20.0]], moves=[[0, 1], [0, 1], [1, 0], [1, 0]],
                             max_moves=0)
    said = closest_violations(pb, np.array([0, 0, 0, 1]), np.array(["A", "B"]))
    assert said == ("A 20.0% from the role's mean, band ±10%; A 1 h over its capacity of "
                    "11 h; 1 accounts moved against a limit of 0")
    inside = districting_problem(nx.path_graph(4), [1.0, 1.0, 10.0, 8.0], 2, tolerance=0.5)
    assert closest_violations(inside, np.array([0, 0, 0, 1]), np.array(["A", "B"])) == (
        "a rep 20.0% from the role's mean")


def test_a_role_may_use_the_moves_the_other_roles_leave() -> None:
    """Scenario limit 10 moves; hunters' share 4, farmers' share 6. Without a farmer plan the
    hunters get their share, 4 (10 − the farmers' 6). A farmer plan that moves 2 accounts
    (units 0 and 1, owned by district 1, go to district 0) leaves the hunters 8; the farmers
    themselves get 6 (10 − the hunters' share, as the hunters have no plan)."""
    import networkx as nx

    from territory_opt.districting.driver import DistrictingResult
    from territory_opt.districting.problem import districting_problem
    from territory_opt.planning.contiguous import RoleProblem, move_limit

    moves = [[1, 0], [1, 0], [1, 0], [1, 0]]  # every unit owned by district 1
    roles = [RoleProblem(role, districting_problem(nx.path_graph(4), [1.0] * 4, 2,
                                                   moves=moves, max_moves=share),
                         np.arange(2), np.arange(4), np.arange(4))
             for role, share in (("hunter", 4), ("farmer", 6))]
    hunter, farmer = roles
    assert move_limit(hunter, roles, {}, 10) == 4
    plan = DistrictingResult("feasible", np.array([0, 0, 1, 1]), 0.0, 0.0, 0.0, 1.0)
    assert move_limit(hunter, roles, {"farmer": plan}, 10) == 8
    assert move_limit(farmer, roles, {"farmer": plan}, 10) == 6


def test_whole_units_that_must_move_more_than_the_limit_are_proven_impossible(
        write_case: Callable[..., Path]) -> None:
    """The 3×3 grid, two accounts per unit, one owned by R1 and one by R2, balanced on accounts
    at ±10% (5.4 to 6.6 each). Account by account 6 moves would do (R1 and R2 give 3 each to
    R3), within 50% of 18 = 9. With whole units, a unit moves 1 account to R1 or R2 and 2 to
    R3, and R3 needs at least 2.7 units: 2 × 2.7 + 6.3 = 11.7, so at least 12 move. Proven,
    with the share needed (12 of 18)."""
    accounts, reps = grid_case({(r, c): 2 for r in range(3) for c in range(3)})
    owners = ["R1" if a.endswith("0") else "R2" for a in accounts["account_id"]]
    sc = simple_scenario(contiguity=True, balance={"measure": "accounts", "tolerance": 0.1},
                         disruption={"max_moved_share": 0.5})
    _, res = solved(write_case, accounts.assign(owner_id=owners), reps, sc)
    assert res.status == "infeasible" and res.plan is None
    assert res.reasons == ("whole units within the balance and capacity limits move at least "
                           "12 accounts (LP relaxation: each rep keeps its home unit, no "
                           "contiguity), above the limit of 9: max_moved_share must be at least "
                           "66.7%",)


def test_the_move_limit_is_split_by_need() -> None:
    """Scenario limit 10; first shares 4 (hunters) and 6 (farmers) by owned accounts. Whole
    units need at least 1 hunter move and 7 farmer moves; the 2 left go 40/60: hunters
    1 + 0.8 → 1, farmers 7 + 1.2 → 8 (floored: 9 of 10 in all)."""
    import networkx as nx

    from territory_opt.districting.problem import districting_problem
    from territory_opt.planning.contiguous import RoleProblem, move_shares

    roles = [RoleProblem(role, districting_problem(nx.path_graph(2), [1.0, 1.0], 2,
                                                   max_moves=share),
                         np.arange(2), np.arange(2), np.arange(2))
             for role, share in (("hunter", 4), ("farmer", 6))]
    split = move_shares(roles, {"hunter": 1.0, "farmer": 7.0}, 10)
    assert [rp.problem.max_moves for rp in split] == [1, 8]
    assert move_shares(roles, {"hunter": 5.0, "farmer": 7.0}, 10) == roles  # proven short
