"""Which accounts must stay with their owner: locked ones, the tiers of
``disruption.keep_owner_tiers``, and with ``disruption.keep_owner_with_open_deals`` those with
an open deal (the ``open_deal`` column the loader adds from ``data.deals``). Shared by the
problem builder, the contiguity adapter and the plan checker, so they agree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Scenario
from territory_opt.engine.arrays import BoolArray

#: the accounts column that marks an open deal (io/open_deals.py)
OPEN_DEAL = "open_deal"


def keep_owner_mask(scenario: Scenario, accounts: pd.DataFrame, *,
                    tiers: bool = True) -> BoolArray:
    """Per account whether it must keep its owner (``tiers=False``: without the keep-owner
    tiers, the relaxation the infeasibility analysis tries)."""
    keep = accounts["locked"].to_numpy(bool).copy()
    if tiers:
        keep |= accounts["tier"].isin(list(scenario.disruption.keep_owner_tiers)).to_numpy()
    if scenario.disruption.keep_owner_with_open_deals:
        if OPEN_DEAL not in accounts.columns:  # e.g. switched on by a sweep's overrides only
            raise InputError("disruption.keep_owner_with_open_deals is on, but the open deals "
                             "were not read: set it in the scenario file, which reads "
                             "data.deals when it loads", column=OPEN_DEAL)
        keep |= accounts[OPEN_DEAL].to_numpy(bool)
    return np.asarray(keep, dtype=bool)
