"""Sales-response curves fitted from history (``response.fit: history``).

For every role with a frequency menu and every tier of it, each account of that role and tier
with a potential above 0 is one observation:

- **calls a year** = its activities in the period (every channel, every rep) / the period's
  share of a year (days / 365); the period is the span of the activities' dates;
- **sales share** = its won deals closed in the period (``amount`` summed) / the period's
  share of a year / its potential.

An ADBUDG curve (:func:`territory_opt.domain.response.fit_shares`, concave: γ ≤ 1) is fitted
to them by least squares. The **confidence band** comes from a bootstrap: the accounts are
resampled with replacement ``BOOTSTRAP`` times (a fixed seed), each sample refitted, and the
5% and 95% quantiles of the fitted share at each frequency of the menu kept. ``n`` is the
number of accounts behind the fit.

Where data is thin — fewer than ``response.min_accounts`` accounts, fewer than
``MIN_CALL_LEVELS`` different call counts, or no won revenue — the judgment points of
``response.curves`` are used instead and the model's notes say so; without judgment points
either, the role and tier stays without a curve and a profit solve stops with an InputError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.response import ResponseCurve, adbudg, fit_shares
from territory_opt.io.activity_tables import load_activities, load_deals

#: bootstrap resamples of a fitted curve
BOOTSTRAP = 100
#: seed of the bootstrap (a fit is the same on every run)
BOOTSTRAP_SEED = 0
#: a history with fewer different call counts in a role and tier cannot place a curve
MIN_CALL_LEVELS = 3
#: quantiles of the band
BAND = (0.05, 0.95)


@dataclass(frozen=True)
class History:
    """Per account ``calls_per_year`` and ``sales_share`` (won revenue a year / potential), with
    its role and tier; the period's label; rows of the tables left out."""

    accounts: pd.DataFrame
    period: str
    excluded: int


def read_history(data: PlanningData, activities: Path | None = None,
                 deals: Path | None = None) -> History:
    """Realised calls and won revenue per account from the activities and deals tables
    (default: the scenario's ``data.activities`` and ``data.deals``)."""
    sc = data.scenario
    file = str(data.sources.get("scenario", "scenario"))
    act_path, deal_path = activities or sc.data.activities, deals or sc.data.deals
    if act_path is None or deal_path is None:
        raise InputError("response.fit: history needs the activities and deals tables "
                         "(data.activities and data.deals)", file=file,
                         column="data.activities" if act_path is None else "data.deals")
    acc = data.accounts
    ids, reps = set(acc["account_id"]), set(data.reps["rep_id"])
    acts, period = load_activities(act_path, ids, reps)
    won = load_deals(deal_path, ids, reps)
    rows = won.rows
    won_rows = rows[(rows["outcome"] == "won") & period.contains(rows["closed"])]
    years = period.year_fraction
    calls = acts.rows.groupby("account_id").size().reindex(acc["account_id"]).fillna(0.0)
    revenue = won_rows.groupby("account_id")["amount"].sum().reindex(acc["account_id"])
    potential = acc["potential"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(potential > 0, revenue.fillna(0.0).to_numpy() / years / potential,
                         np.nan)
    table = pd.DataFrame({"account_id": acc["account_id"].to_numpy(),
                          "role": acc["role"].to_numpy(), "tier": acc["tier"].to_numpy(),
                          "potential": potential,
                          "calls_per_year": calls.to_numpy(float) / years,
                          "sales_share": share})
    return History(table, period.label, acts.excluded + won.excluded)


def fit_history_curve(role: str, tier: str, calls: np.ndarray, shares: np.ndarray,
                      band_calls: tuple[float, ...], note: str = "") -> ResponseCurve:
    """The concave ADBUDG curve through (calls, share) observations, with its bootstrap
    band at ``band_calls``."""
    a, b, g, d = fit_shares(calls, shares, max_gamma=1.0)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = len(calls)
    samples = np.empty((BOOTSTRAP, len(band_calls)))
    for k in range(BOOTSTRAP):
        pick = rng.integers(0, n, n)
        samples[k] = adbudg(band_calls, *fit_shares(calls[pick], shares[pick], max_gamma=1.0,
                                                    start=(a, b, g, d)))
    lo, hi = np.quantile(samples, BAND, axis=0)
    band = tuple((float(x), float(y)) for x, y in zip(lo, hi, strict=True))
    return ResponseCurve(role, tier, a, b, g, d, "fitted", n, tuple(band_calls), band, note)


def calibrate(data: PlanningData, activities: Path | None = None,
              deals: Path | None = None) -> tuple[PlanningData, pd.DataFrame]:
    """``data`` with every role and tier's curve fitted from history where the history is
    thick enough (module docstring), and a table of what was done per role and tier."""
    model = data.response
    if model is None:
        raise InputError("calibration needs a response: section",
                         file=str(data.sources.get("scenario", "scenario")), column="response")
    history = read_history(data, activities, deals)
    h = history.accounts
    minimum = data.scenario.response.min_accounts if data.scenario.response else 30
    fitted: dict[tuple[str, str], ResponseCurve] = {}
    notes: list[str] = []
    rows = []
    for role in model.roles:
        for tier in sorted(set(h.loc[h["role"] == role, "tier"])):
            part = h[(h["role"] == role) & (h["tier"] == tier) & h["sales_share"].notna()]
            calls = part["calls_per_year"].to_numpy(float)
            shares = part["sales_share"].to_numpy(float)
            why = ""
            if len(part) < minimum:
                why = f"{len(part)} accounts (fewer than min_accounts {minimum})"
            elif len(np.unique(np.round(calls, 6))) < MIN_CALL_LEVELS:
                why = "the calls hardly vary"
            elif not (shares > 0).any():
                why = "no won revenue"
            if why:
                judged = model.curve(role, tier)
                what = ("its judgment points are used" if judged is not None else
                        "and it has no judgment points: no curve")
                notes.append(f"{role} {tier}: history too thin ({why}); {what}")
                rows.append({"role": role, "tier": tier, "source": "judgment" if judged
                             else "none", "n": len(part), "reason": why})
                continue
            curve = fit_history_curve(role, tier, calls, shares, model.menus[role],
                                      note=f"fitted from {len(part)} accounts, "
                                           f"{history.period}")
            fitted[(role, tier)] = curve
            rows.append({"role": role, "tier": tier, "source": "fitted", "n": len(part),
                         "reason": ""})
    if history.excluded:
        notes.append(f"{history.excluded} activity or deal rows were left out as unusable "
                     "(territory-opt measure lists them)")
    table = pd.DataFrame(rows, columns=["role", "tier", "source", "n", "reason"])
    return data.replace(response=model.with_curves(fitted, tuple(notes))), table


def with_history_curves(data: PlanningData) -> PlanningData:
    """``data`` itself, or with ``response.fit: history`` its curves fitted from history."""
    if data.response is None or data.response.fit != "history":
        return data
    return calibrate(data)[0]
