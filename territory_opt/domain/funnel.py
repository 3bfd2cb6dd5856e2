"""Activity-based selling: the reverse funnel and the profit model (SPEC §2).

Reverse funnel: from a target number of deals and the conversion rate of each stage, the
activities needed per stage. Source example: 10 deals a month, 1 in 3 contract meetings
closes, 5 proposals per contract meeting, 10 first contacts per proposal ⇒ 30 meetings,
150 proposals, 1,500 first contacts a month.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class FunnelStage:
    """One activity stage: ``conversion`` is the share of its activities that lead to the next
    stage (or to a deal for the last stage); ``minutes`` is the time one activity takes."""

    name: str
    conversion: float
    minutes: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.conversion <= 1:
            raise ValueError(f"stage {self.name}: conversion must be in (0, 1]")
        if self.minutes < 0:
            raise ValueError(f"stage {self.name}: minutes must be >= 0")


def reverse_funnel(target_deals: float, stages: Sequence[FunnelStage]) -> pd.DataFrame:
    """Activities and hours per stage to reach ``target_deals``.

    ``stages`` run from the first activity (e.g. first contact) to the last (e.g. contract
    meeting). Working backwards, each stage needs the next stage's count divided by its own
    conversion. Returns columns stage, activities, hours, in the order given.
    """
    rows = []
    needed = float(target_deals)
    for stage in reversed(stages):
        needed = needed / stage.conversion
        rows.append({"stage": stage.name, "activities": needed,
                     "hours": needed * stage.minutes / 60.0})
    return pd.DataFrame(rows[::-1])


def profit(leads: float, conversion: float, average_deal: float, purchases: float,
           margin: float) -> float:
    """profit = leads × conversion × average deal × purchases per period × margin."""
    return leads * conversion * average_deal * purchases * margin


def profit_sensitivity(uplift: float = 0.15, factors: int = 5) -> float:
    """Profit multiplier when each of ``factors`` factors rises by ``uplift``:
    1.15 ** 5 ≈ 2.01."""
    return math.prod([1.0 + uplift] * factors)
