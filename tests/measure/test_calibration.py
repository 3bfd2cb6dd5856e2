"""Sales-response curves fitted from history (measure/calibration.py): exact data gives the
curve back, thin data falls back to judgment and says so, and the demo's orders — drawn by
scenarios/make_activity_demo.py from known curves — are recovered within a stated tolerance.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from territory_opt.domain.response import adbudg
from territory_opt.io.load import load_planning_data
from territory_opt.measure.calibration import calibrate, read_history, with_history_curves
from tests.helpers import PROFIT_CURVES, REPO, profit_scenario, two_reps

#: the curve the small case's won revenue lies on exactly: s0 0.2, smax 0.6, γ 0.8, δ 8
TRUE = (0.2, 0.6, 0.8, 8.0)


def history_case(write_case: Callable[..., Path], tmp_path: Path, n: int = 40,
                 curves: dict | None = None, min_accounts: int = 30) -> Path:
    """``n`` farmer accounts of potential 1000 (all tier C: thresholds A 5000, B 2000), account
    k with k calls in 2026 (the first and the last on 1 January and 31 December, so the
    period is the whole year) and won orders worth 1000 × TRUE's share at k calls."""
    acc = pd.DataFrame({"account_id": [f"a{k}" for k in range(n)], "lat": 0.0, "lon": 0.0,
                        "potential": 1000.0, "stage": "customer", "owner_id": "R1"})
    days = pd.date_range("2026-01-01", "2026-12-31", freq="D")
    acts = []
    for k in range(n):
        for j in range(k):
            day = days[0] if j == 0 else days[-1] if j == 1 else days[(7 * j + k) % len(days)]
            acts.append({"account_id": f"a{k}", "rep_id": "R1", "date": f"{day:%Y-%m-%d}",
                         "type": "visit", "minutes": 30})
    acts_df = pd.DataFrame(acts)
    acts_df.insert(0, "activity_id", [f"x{i}" for i in range(len(acts_df))])
    share = adbudg(np.arange(n), *TRUE)
    deals = pd.DataFrame({"deal_id": [f"d{k}" for k in range(n)],
                          "account_id": [f"a{k}" for k in range(n)], "rep_id": "R1",
                          "created": "2026-03-01", "closed": "2026-03-01", "outcome": "won",
                          "amount": np.round(1000 * share, 6), "stage_reached": "won"})
    acts_df.to_csv(tmp_path / "activities.csv", index=False)
    deals.to_csv(tmp_path / "deals.csv", index=False)
    sc = profit_scenario(response={"fit": "history", "curves": curves or {},
                                   "min_accounts": min_accounts},
                         segmentation={"method": "thresholds",
                                       "cutoffs": {"A": 5000, "B": 2000}})
    sc["data"] = {**sc["data"], "activities": "activities.csv", "deals": "deals.csv"}
    return write_case(acc, two_reps(), sc)


def test_exact_history_gives_the_curve_back(write_case: Callable[..., Path],
                                            tmp_path: Path) -> None:
    data = load_planning_data(history_case(write_case, tmp_path))
    history = read_history(data)
    assert history.accounts["calls_per_year"].tolist() == list(range(40))
    assert history.accounts["sales_share"].to_numpy() == pytest.approx(
        adbudg(np.arange(40), *TRUE), abs=1e-6)
    fitted, table = calibrate(data)
    assert fitted.response is not None
    curve = fitted.response.curve("farmer", "C")
    assert curve is not None and curve.source == "fitted" and curve.n == 40
    assert (curve.s0, curve.smax, curve.gamma, curve.delta) == pytest.approx(TRUE, rel=1e-3)
    assert table.to_dict(orient="records") == [
        {"role": "farmer", "tier": "C", "source": "fitted", "n": 40, "reason": ""}]
    # exact data: every bootstrap sample lies on the curve, so the band is a point
    for (lo, hi), calls in zip(curve.band, curve.band_calls, strict=True):
        assert lo == pytest.approx(hi, abs=1e-4)
        assert lo == pytest.approx(adbudg([calls], *TRUE)[0], abs=1e-4)
    assert fitted.response.source_text() == "curves: farmer C fitted, n=40"


def test_thin_history_keeps_the_judgment_points_and_says_so(
        write_case: Callable[..., Path], tmp_path: Path) -> None:
    data = load_planning_data(history_case(write_case, tmp_path, n=12,
                                           curves={"farmer": {"C": PROFIT_CURVES["C"]}}))
    fitted = with_history_curves(data)
    assert fitted.response is not None
    assert fitted.response.curve("farmer", "C").source == "judgment"  # type: ignore[union-attr]
    assert any("farmer C: history too thin (12 accounts (fewer than min_accounts 30)); its "
               "judgment points are used" in n for n in fitted.response.notes)


def test_thin_history_without_judgment_leaves_no_curve(write_case: Callable[..., Path],
                                                       tmp_path: Path) -> None:
    data = load_planning_data(history_case(write_case, tmp_path, n=12))
    fitted, table = calibrate(data)
    assert fitted.response is not None and fitted.response.missing == (("farmer", "C"),)
    assert table["source"].tolist() == ["none"]


# --------------------------------------------------------------------------- the demo


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_activity_demo", REPO / "scenarios" / "make_activity_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: the stated tolerance: within the calls the demo's history covers well (up to 1.5 times a
#: tier's call pattern: A 36, B and C 18 calls a year), a fitted curve is within 0.03 of
#: potential of the curve the orders were drawn from, and that curve lies inside the fit's
#: bootstrap band at every frequency of the menu there
TOLERANCE = 0.03


@pytest.mark.slow
def test_fitting_recovers_the_generators_curves() -> None:
    """The shipped demo history (scenarios/demo/activities.csv, scenarios/demo/orders.csv):
    105, 413 and 1,132 farmer A, B and C accounts."""
    gen = generator()
    data, table = calibrate(load_planning_data(REPO / "scenarios" / "demo_profit_history.yaml"))
    assert table["source"].tolist() == ["fitted"] * 3
    assert table["n"].tolist() == [105, 413, 1132]
    assert data.response is not None
    for tier, pattern in (("A", 24), ("B", 12), ("C", 12)):
        curve = data.response.curve("farmer", tier)
        assert curve is not None and curve.source == "fitted"
        grid = np.linspace(0, 1.5 * pattern, 61)
        worst = np.abs(curve.share(grid) - gen.true_share(tier, grid)).max()
        assert worst <= TOLERANCE, (tier, worst)
        for calls, (lo, hi) in zip(curve.band_calls, curve.band, strict=True):
            if calls <= 1.5 * pattern:
                true = float(gen.true_share(tier, np.array([calls]))[0])
                assert lo - 1e-9 <= true <= hi + 1e-9, (tier, calls, lo, true, hi)


def test_run_fits_the_curves_before_solving(write_case: Callable[..., Path],
                                            tmp_path: Path) -> None:
    """`run` of a fit: history scenario plans with the fitted curve and says so."""
    from territory_opt.application.run import run_plan

    outcome = run_plan(history_case(write_case, tmp_path), out=tmp_path / "plan", time_limit=5)
    profit = outcome.document["profit"]
    assert profit["source"] == "curves: farmer C fitted, n=40"
    curve = profit["curves"][0]
    assert curve["source"] == "fitted" and curve["n"] == 40 and len(curve["band"]) == 4
