"""Sales-response curves (``domain.response``) and the ``response:`` / ``objective: profit``
keys: the ADBUDG arithmetic by hand, fits that recover a known curve, and the checks on
judgment points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import derive
from territory_opt.domain.response import adbudg, fit_judgment, fit_shares, response_model
from territory_opt.domain.response_section import DEFAULT_MENU, JudgmentCurve, ResponseSection
from territory_opt.domain.scenario import parse_scenario

BASE = {"data": {"accounts": "a.csv", "reps": "r.csv"}}
RESPONSE = {"margin": 0.3, "travel_cost_per_hour": 40,
            "curves": {"farmer": {t: {"points": {0: 0.2, 6: 0.3, 12: 0.36},
                                      "saturation": 0.5} for t in "ABC"}}}


def test_adbudg_by_hand() -> None:
    """s0 0.2, smax 0.6, γ 1, δ 12: at 12 calls half the lift, 0.2 + 0.4 × 12/24 = 0.4; at
    36 calls 0.2 + 0.4 × 36/48 = 0.5; with no calls s0."""
    assert adbudg([0, 12, 36], 0.2, 0.6, 1.0, 12.0) == pytest.approx([0.2, 0.4, 0.5])
    # γ = 0.5, δ = 2: at 4 calls 4^0.5 / (2 + 2) = 0.5 of the lift
    assert adbudg([4], 0.1, 0.5, 0.5, 2.0) == pytest.approx([0.3])


def test_judgment_points_on_a_curve_give_that_curve_back() -> None:
    """Points read off a known ADBUDG curve (γ 0.8, δ 8) at 0, 6, 12, 18 calls with the
    saturation: the fit returns the same curve."""
    true = (0.2, 0.6, 0.8, 8.0)
    calls = [0, 6, 12, 18]
    points = dict(zip(calls, adbudg(calls, *true).tolist(), strict=True))
    curve = fit_judgment("farmer", "A", JudgmentCurve(points=points, saturation=0.6))
    assert (curve.s0, curve.smax) == (0.2, 0.6)
    assert curve.gamma == pytest.approx(0.8, abs=1e-4)
    assert curve.delta == pytest.approx(8.0, rel=1e-3)
    assert curve.note == "" and curve.source == "judgment" and curve.label() == "judgment"


def test_saturation_may_be_fitted() -> None:
    """Five points and no saturation: smax is fitted (γ 1, δ 10, smax 0.5)."""
    calls = [0, 5, 10, 20, 40]
    points = dict(zip(calls, adbudg(calls, 0.25, 0.5, 1.0, 10.0).tolist(), strict=True))
    curve = fit_judgment("farmer", "B", JudgmentCurve(points=points))
    assert curve.smax == pytest.approx(0.5, abs=1e-3)
    assert curve.share([10])[0] == pytest.approx(0.375, abs=1e-4)


@pytest.mark.parametrize("points, saturation, words", [
    ({0: 0.3, 6: 0.25, 12: 0.4}, 0.5, "sales fall from 0.3 at 0 calls to 0.25 at 6 calls"),
    ({0: 0.2, 6: 0.3, 12: 0.6}, 0.5, "saturation 0.5 is below the point 0.6"),
    ({0: 0.2, 6: 0.22, 12: 0.4, 18: 0.45}, 0.5, "S-shaped curve: sales gain 0.003333 per call "
     "between 0 and 6 calls but 0.03 between 6 and 12"),
])
def test_bad_points_are_clear_errors(points: dict[float, float], saturation: float,
                                     words: str) -> None:
    with pytest.raises(InputError) as err:
        fit_judgment("farmer", "A", JudgmentCurve(points=points, saturation=saturation),
                     file="s.yaml")
    assert words in str(err.value)
    assert err.value.column == "response.curves.farmer.A" and err.value.file == "s.yaml"


def test_a_fit_stays_concave_and_says_where_it_misses() -> None:
    """Concave points that rise in a straight line to a knee (0.03 per call up to 20 calls,
    then flat): ADBUDG with γ <= 1 cannot bend that sharply, so the fit notes the miss."""
    curve = fit_judgment("farmer", "A", JudgmentCurve(
        points={0: 0.0, 10: 0.3, 20: 0.6, 30: 0.6}, saturation=0.6))
    assert curve.gamma <= 1.0
    assert "misses the point at 10 calls by 0.1" in curve.note


def test_too_few_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least four values"):
        parse_scenario({**BASE, "objective": "profit", "response": {
            **RESPONSE, "curves": {"farmer": {"A": {"points": {0: 0.1, 5: 0.2}}}}}},
            base_dir=tmp_path)


def test_fit_shares_recovers_parameters_from_noisy_data() -> None:
    """400 accounts, calls uniform on 0..30, shares with noise sd 0.02 around s0 0.15,
    smax 0.5, γ 0.9, δ 6: the concave fit is within 0.01 of the curve over 0..30 calls."""
    rng = np.random.default_rng(7)
    c = rng.uniform(0, 30, 400)
    y = adbudg(c, 0.15, 0.5, 0.9, 6.0) + rng.normal(0, 0.02, 400)
    a, b, g, d = fit_shares(c, y, max_gamma=1.0)
    grid = np.linspace(0, 30, 31)
    assert np.abs(adbudg(grid, a, b, g, d) - adbudg(grid, 0.15, 0.5, 0.9, 6.0)).max() < 0.01


# --------------------------------------------------------------------------- scenario keys


def test_objective_profit_is_short_for_kind_profit(tmp_path: Path) -> None:
    sc = parse_scenario({**BASE, "objective": "profit", "response": RESPONSE},
                        base_dir=tmp_path)
    assert sc.objective.kind == "profit" and sc.objective.moves == 10.0
    assert sc.response is not None and sc.response.menu("farmer") == DEFAULT_MENU
    long = parse_scenario({**BASE, "objective": {"kind": "profit", "moves": 2.0},
                           "response": RESPONSE}, base_dir=tmp_path)
    assert long.objective.kind == "profit" and long.objective.moves == 2.0


def test_todays_objective_is_unchanged(tmp_path: Path) -> None:
    sc = parse_scenario({**BASE, "objective": {"travel": 1.0, "moves": 10.0}},
                        base_dir=tmp_path)
    assert (sc.objective.kind, sc.objective.travel, sc.objective.moves) == ("travel", 1.0, 10.0)
    assert sc.response is None
    assert parse_scenario(BASE, base_dir=tmp_path).objective.kind == "travel"


@pytest.mark.parametrize("raw, words", [
    ({"objective": "profit"}, "objective: profit needs a response: section"),
    ({"objective": "money"}, "objective 'money' is not known"),
    ({"objective": "profit", "response": {**RESPONSE, "frequencies": {"farmer": [0, 4, 4]}}},
     "repeats a frequency"),
    ({"objective": "profit", "response": {**RESPONSE, "margin": 0}}, "margin"),
    ({"objective": "profit", "response": {**RESPONSE, "fit": "crystal ball"}}, "fit"),
    ({"objective": "profit", "contiguity": True, "response": RESPONSE}, "contiguous"),
    ({"objective": "profit", "families": "together", "response": RESPONSE}, "families"),
    ({"objective": "profit", "response": {**RESPONSE, "margin": True}}, "yes/no value"),
])
def test_profit_keys_are_checked(tmp_path: Path, raw: dict, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_scenario({**BASE, **raw}, base_dir=tmp_path)


def test_unknown_response_key_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Did you mean 'margin'"):
        parse_scenario({**BASE, "objective": "profit",
                        "response": {**RESPONSE, "margn": 0.3}}, base_dir=tmp_path)


def test_a_tier_without_a_curve_is_an_error_unless_history_fits_it() -> None:
    section = ResponseSection.model_validate(
        {**RESPONSE, "curves": {"farmer": {"A": RESPONSE["curves"]["farmer"]["A"]}}})
    with pytest.raises(InputError, match="no curve: farmers have B accounts"):
        response_model(section, {"farmer": {"A", "B"}})
    history = ResponseSection.model_validate({**section.model_dump(), "fit": "history"})
    model = response_model(history, {"farmer": {"A", "B"}})
    assert model.missing == (("farmer", "B"),) and ("farmer", "A") in model.curves
    assert model.source_text() == "curves: farmer A judgment"


def test_at_calls_scales_touch_and_visits(tmp_path: Path) -> None:
    """A farmer A account (24 visits of 60 minutes): at 12 calls, 12 h of calls and 12
    visits; at its pattern's 24 calls, exactly the pattern."""
    sc = parse_scenario({**BASE, "objective": "profit", "response": RESPONSE},
                        base_dir=tmp_path)
    acc = pd.DataFrame({"account_id": ["a1", "a2"], "potential": [100.0, 1.0],
                        "stage": "customer", "lat": 0.0, "lon": 0.0, "owner_id": "",
                        "locked": False})
    reps = pd.DataFrame({"rep_id": ["R1"], "role": "farmer", "lat": 0.0, "lon": 0.0,
                         "capacity_hours": 100.0, "cell": ""})
    data = derive(sc, acc, reps)
    assert data.pattern_calls().tolist() == [24.0, 12.0]  # a2 is C: 12 phone calls
    at = data.at_calls(np.array([12.0, 12.0]))
    assert at.accounts["touch_hours"].tolist() == [12.0, 3.0]
    assert at.accounts["visits"].tolist() == [12.0, 0.0]
    same = data.at_calls(data.pattern_calls())
    assert same.accounts["touch_hours"].tolist() == data.accounts["touch_hours"].tolist()
