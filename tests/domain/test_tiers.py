"""Tier boundaries (``domain.tiers``) for each method, worked by hand."""

import pandas as pd
import pytest

from territory_opt.domain.scenario import Segmentation
from territory_opt.domain.tiers import assign_tiers


def table(potential: list[float], **cols: list) -> pd.DataFrame:
    df = pd.DataFrame({"account_id": [f"a{i}" for i in range(len(potential))],
                       "potential": potential})
    for k, v in cols.items():
        df[k] = v
    return df


def test_pareto_first_half_of_potential_is_a() -> None:
    """Potentials 50, 30, 10, 5, 5 (total 100). Share ranked before each: 0, .5, .8, .9, .95.
    A when below .5 → only the 50 (it alone makes the first half); B when below .8 → the 30;
    the rest C."""
    tiers = assign_tiers(table([5, 30, 50, 5, 10]), Segmentation())
    assert tiers.tolist() == ["C", "B", "A", "C", "C"]


def test_pareto_includes_the_account_that_crosses_the_cutoff() -> None:
    """40, 30, 20, 10: shares before 0, .4, .7, .9 → A, A (0.4 < 0.5), B (.7 < .8), C."""
    tiers = assign_tiers(table([40, 30, 20, 10]), Segmentation())
    assert tiers.tolist() == ["A", "A", "B", "C"]


def test_pareto_zero_potential_is_c() -> None:
    tiers = assign_tiers(table([0, 0, 10]), Segmentation())
    assert tiers.tolist() == ["C", "C", "A"]


def test_quantile_cuts_by_share_of_accounts() -> None:
    """10 accounts, cutoffs A .2, B .5: ranks 0-1 are A, 2-4 B, 5-9 C."""
    seg = Segmentation(method="quantile", cutoffs={"A": 0.2, "B": 0.5})
    tiers = assign_tiers(table(list(range(10, 0, -1))), seg)
    assert tiers.tolist() == ["A"] * 2 + ["B"] * 3 + ["C"] * 5


def test_thresholds_on_values() -> None:
    seg = Segmentation(method="thresholds", cutoffs={"A": 100, "B": 50})
    tiers = assign_tiers(table([100, 99.9, 50, 49]), seg)
    assert tiers.tolist() == ["A", "B", "B", "C"]


def test_weighted_score() -> None:
    """score = 0.7 potential + 0.3 revenue: a0 = 0.7·10 + 0.3·100 = 37, a1 = 0.7·40 = 28;
    thresholds A 30, B 20 → A, B."""
    seg = Segmentation(by={"potential": 0.7, "revenue": 0.3}, method="thresholds",
                       cutoffs={"A": 30, "B": 20})
    tiers = assign_tiers(table([10, 40], revenue=[100, 0]), seg)
    assert tiers.tolist() == ["A", "B"]


def test_boolean_override_forces_a_tier() -> None:
    seg = Segmentation(overrides={"strategic": "A"})
    tiers = assign_tiers(table([50, 30, 20], strategic=[False, False, True]), seg)
    assert tiers.tolist() == ["A", "B", "A"]


def test_ties_are_broken_by_account_id() -> None:
    """Equal potentials 25 × 4 with quantile A .25: the first id in sort order is A."""
    seg = Segmentation(method="quantile", cutoffs={"A": 0.25, "B": 0.5})
    df = table([25, 25, 25, 25])
    df["account_id"] = ["d", "b", "a", "c"]
    assert assign_tiers(df, seg).tolist() == ["C", "B", "A", "C"]


@pytest.mark.parametrize("method", ["pareto", "quantile"])
def test_every_account_gets_one_tier(method: str) -> None:
    seg = Segmentation(method=method)
    tiers = assign_tiers(table([float(i) for i in range(100)]), seg)
    assert len(tiers) == 100 and set(tiers) <= {"A", "B", "C"}
