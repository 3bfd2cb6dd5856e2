"""The cheap proofs that no plan exists (planning.proofs), on cases small enough to check by
hand. Each account of SIMPLE_PATTERN is 10 visits of an hour a year: 10 h where its rep
lives (no travel)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from territory_opt.io.load import load_planning_data
from territory_opt.planning.infeasibility import PROVEN_FROM_INPUTS
from territory_opt.planning.proofs import proofs
from territory_opt.planning.result import SolveParams
from territory_opt.planning.solve import solve
from tests.helpers import equator_accounts, simple_scenario, two_reps


def test_locked_work_above_capacity_names_the_rep(write_case: Callable[..., Path]) -> None:
    """R1 must keep three locked accounts at its home, 30 h, with 25 h of capacity."""
    accounts = equator_accounts([0, 0, 0, 1], owner_id=["R1", "R1", "R1", "R2"],
                                locked=[True, True, True, False])
    data = load_planning_data(write_case(accounts, two_reps(capacity_hours=[25, 25]),
                                         simple_scenario()))
    said = proofs(data)
    assert len(said) == 1
    assert said[0].startswith("rep R1 must keep locked and keep-owner accounts worth 30 h")
    assert "capacity of 25 h" in said[0]
    res = solve(data, SolveParams(time_limit=5))
    assert res.status == "infeasible" and res.reasons == (PROVEN_FROM_INPUTS, said[0])


def test_a_role_short_of_hours_says_by_how_much(write_case: Callable[..., Path]) -> None:
    """Three accounts at each rep's home, 60 h in all, two reps of 25 h: short by 10 h."""
    accounts = equator_accounts([0, 0, 0, 1, 1, 1])
    data = load_planning_data(write_case(accounts, two_reps(capacity_hours=[25, 25]),
                                         simple_scenario()))
    said = proofs(data)
    assert said and "farmers need at least 60 h" in said[0]
    assert "short by 10 h (about 1 rep more)" in said[0]


def test_moves_forced_above_the_limit(write_case: Callable[..., Path]) -> None:
    """R1 owns four accounts at its home (40 h) but holds 25 h: at least two must move; the
    move limit is 25% of four owned accounts, one."""
    accounts = equator_accounts([0, 0, 0, 0, 1], owner_id=["R1"] * 4 + [""])
    sc = simple_scenario(disruption={"max_moved_share": 0.25})
    data = load_planning_data(write_case(accounts, two_reps(capacity_hours=[25, 25]), sc))
    said = proofs(data)
    assert said and said[0].startswith("at least 2 accounts must change owner")
    assert "move limit of 1" in said[0]


def test_a_feasible_case_has_no_proof(write_case: Callable[..., Path]) -> None:
    """R1's four accounts and an unowned one, all at longitude 0 where both reps live, with a
    move limit of 50% (two moves): R1 keeps two (20 h), R2 takes two and the unowned one
    (30 h); no proof, and the solver finds the plan."""
    accounts = equator_accounts([0, 0, 0, 0, 0], owner_id=["R1"] * 4 + [""])
    reps = two_reps(capacity_hours=[25, 30]).assign(lon=0.0)
    sc = simple_scenario(disruption={"max_moved_share": 0.5})
    data = load_planning_data(write_case(accounts, reps, sc))
    assert proofs(data) == []
    assert solve(data, SolveParams(time_limit=5)).plan is not None


def test_whole_accounts_that_cannot_balance_are_proven_by_the_exact_model(
        write_case: Callable[..., Path]) -> None:
    """Nine accounts, two reps at the same place, balance on account count ±5%: the band
    [4.275, 4.725] holds no whole number. The LP splits an account (4.5 each), so no cheap
    proof and no LP proof; the exact model proves it, and the message says which proof it is
    (not that the LP has no solution)."""
    from territory_opt.planning.infeasibility import PROVEN_BY_MODEL

    sc = simple_scenario(balance={"measure": "accounts", "tolerance": 0.05})
    data = load_planning_data(write_case(equator_accounts([0] * 9),
                                         two_reps().assign(lon=0.0), sc))
    assert proofs(data) == []
    res = solve(data, SolveParams(time_limit=5))
    assert res.status == "infeasible" and res.reasons == (PROVEN_BY_MODEL,)
