"""Accounts with an open deal stay with their owner (``domain.keep_owner`` with
``disruption.keep_owner_with_open_deals``), the deals read as CRMs export them."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from territory_opt.domain.checker import check_plan
from territory_opt.domain.planning_data import PlanningData
from territory_opt.io.load import load_planning_data
from territory_opt.planning.result import SolveResult
from tests.helpers import equator_accounts, simple_scenario, two_reps

# a1 sits on R1, a2 on R2; a3 at longitude 0.9 is owned by R1 but nearer R2 (0.1° against 0.9°)
LONS = [0.0, 1.0, 0.9]


def case(tmp_path: Path, deals: str, flag: bool = True, name: str = "deals.csv",
         **data: object) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    (tmp_path / name).write_text(deals, encoding="utf-8")
    sc = simple_scenario(disruption={"keep_owner_with_open_deals": flag})
    sc["data"] = {**sc["data"], "deals": name, **data}
    return (equator_accounts(LONS, owner_id=["R1", "R2", "R1"]), two_reps(), sc)


OUR_DEALS = """deal_id,account_id,rep_id,created,closed,outcome,amount,stage_reached
d1,a3,R1,2026-01-05,,open,100,proposal
d2,a2,R2,2026-01-05,2026-02-01,won,100,won
"""
SALESFORCE_OPPS = """Id,AccountId,OwnerId,StageName,IsClosed,CloseDate
006000000000001AAA,a3,R1,Negotiation/Review,false,2026-09-30
006000000000002AAA,a1,R1,Closed Lost,true,2026-02-01
"""
DYNAMICS_OPPS = """opportunityid,parentaccountid,ownerid,statecode
o1,a3,R1,0
o2,a1,R1,2
"""


@pytest.mark.parametrize("deals, name, preset", [
    (OUR_DEALS, "deals.csv", None),
    (SALESFORCE_OPPS, "Opportunity.csv", "salesforce"),
    (DYNAMICS_OPPS, "opportunity.csv", "dynamics")])
def test_an_open_deal_keeps_the_account_with_its_owner(
        solve_case: Callable[..., tuple[PlanningData, SolveResult]], tmp_path: Path,
        deals: str, name: str, preset: str | None) -> None:
    """Without the rule a3 moves to R2 (0.1° of travel instead of 0.9°: 4.45 h against
    40.03 h, moves are free); with it, its open deal keeps it with R1. A closed deal (won,
    lost) keeps nothing."""
    extra = {} if preset is None else {"preset": preset}
    accounts, reps, sc = case(tmp_path, deals, name=name, **extra)
    data, res = solve_case(accounts, reps, sc)
    assert data.accounts["open_deal"].tolist() == [False, False, True]
    assert res.plan is not None and res.plan.rep_id == ("R1", "R2", "R1")
    assert check_plan(data, ("R1", "R2", "R2")) == [
        "1 locked or keep-owner accounts changed owner"]
    accounts, reps, sc = case(tmp_path, deals, flag=False, name=name, **extra)
    data, res = solve_case(accounts, reps, sc)
    assert res.plan is not None and res.plan.rep_id == ("R1", "R2", "R2")


def test_the_deals_table_needs_a_way_to_tell_open_deals(tmp_path: Path,
                                                         write_case: Callable[..., Path]
                                                         ) -> None:
    from territory_opt.domain.errors import InputError

    accounts, reps, sc = case(tmp_path, "deal_id,account_id,amount\nd1,a3,100\n")
    with pytest.raises(InputError, match="needs is_closed, outcome or closed"):
        load_planning_data(write_case(accounts, reps, sc))


def test_open_deals_switched_on_without_reading_them_is_an_error(
        tmp_path: Path, write_case: Callable[..., Path]) -> None:
    """A sweep's scenario_overrides may switch the rule on after the tables were read; the
    open deals were then never read, and the plan would silently ignore them."""
    from territory_opt.domain.errors import InputError
    from territory_opt.domain.keep_owner import keep_owner_mask

    accounts, reps, sc = case(tmp_path, OUR_DEALS, flag=False)
    data = load_planning_data(write_case(accounts, reps, sc))
    on = data.scenario.model_copy(update={"disruption": data.scenario.disruption.model_copy(
        update={"keep_owner_with_open_deals": True})})
    with pytest.raises(InputError, match="the open deals were not read"):
        keep_owner_mask(on, data.accounts)
