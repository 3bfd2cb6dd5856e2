"""A/B/C tiers (SPEC §2): a pure function from an accounts table to a tier per account."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory_opt.domain.scenario import Segmentation


def value_score(accounts: pd.DataFrame, by: str | dict[str, float]) -> pd.Series:
    """The ranking value: one column, or a weighted sum of columns (weights as given, so the
    columns should share a scale, e.g. currency). Column names match case-insensitively."""
    weights = by if isinstance(by, dict) else {by: 1.0}
    lower = {str(c).lower(): c for c in accounts.columns}
    score = pd.Series(0.0, index=accounts.index)
    for col, w in weights.items():
        score = score + w * accounts[lower[col.lower()]].astype(float)
    return score


def assign_tiers(accounts: pd.DataFrame, seg: Segmentation) -> pd.Series:
    """Tier 'A', 'B' or 'C' per account.

    pareto: rank by value (descending, ties by account_id); an account is A when the share of
    total value ranked before it is below ``cutoffs.A``, B when below ``cutoffs.B``. So A holds
    the accounts that make up the first 50% of value, including the one that crosses 50%.
    quantile: the same ranking, cut by share of accounts instead of share of value.
    thresholds: A when value >= cutoffs.A, B when value >= cutoffs.B.
    Overrides then force a tier where their boolean column is true, in the order listed.
    """
    score = value_score(accounts, seg.by)
    cut_a, cut_b = seg.cutoffs["A"], seg.cutoffs["B"]
    if seg.method == "thresholds":
        tiers = np.where(score >= cut_a, "A", np.where(score >= cut_b, "B", "C"))
    else:
        order = np.lexsort((accounts["account_id"].to_numpy(), -score.to_numpy()))
        n = len(order)
        if seg.method == "pareto":
            ranked = score.to_numpy()[order]
            total = ranked.sum()
            before = (np.cumsum(ranked) - ranked) / total if total > 0 else np.ones(n)
        else:
            before = np.arange(n) / max(n, 1)
        ranked_tier = np.where(before < cut_a, "A", np.where(before < cut_b, "B", "C"))
        if seg.method == "pareto":
            ranked_tier = np.where(ranked > 0, ranked_tier, "C")
        tiers = np.empty(n, dtype=object)
        tiers[order] = ranked_tier
    out = pd.Series(tiers, index=accounts.index, dtype=object, name="tier")
    lower = {str(c).lower(): c for c in accounts.columns}
    for col, tier in seg.overrides.items():
        out = out.where(~accounts[lower[col.lower()]].astype(bool), tier)
    return out
