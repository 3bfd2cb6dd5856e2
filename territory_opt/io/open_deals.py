"""Which accounts have an open deal (``disruption.keep_owner_with_open_deals``): read from
``data.deals`` as the CRM exports its opportunities.

A deal is open when ``is_closed`` is no (Salesforce ``IsClosed``), else when ``outcome`` is
``open`` (Salesforce ``StageName`` and HubSpot ``Deal Stage``: every stage but closed won or
lost; Dynamics ``statecode`` 0), else when ``closed`` is empty. Its ``account_id`` may be the
account's id in either Salesforce form or its name; deals of accounts outside the accounts
table are ignored (another territory's). Only the columns named here are read, so the
table needs none of the other columns that ``measure`` checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import TableSource
from territory_opt.io.column_mapping import read_mapped
from territory_opt.io.crm_tables import ReferenceIndex

_TRUE = {"true", "1", "yes", "y", "t", "x"}


def open_deal_accounts(source: Path | TableSource, preset: str | None,
                       accounts: pd.DataFrame, decimal: str = ".") -> np.ndarray:
    """Per account (in table order) whether it has an open deal."""
    mt = read_mapped(source, "deals", preset, decimal)
    if "account_id" not in mt.df.columns:
        raise InputError("the deals table needs an account_id column (the deal's account) to "
                         "keep accounts with open deals; map one with "
                         "data.deals.columns.account_id", file=mt.file, column="account_id")
    if "is_closed" in mt.df.columns:
        is_open = ~mt.text("is_closed").str.lower().isin(_TRUE)
    elif "outcome" in mt.df.columns:
        is_open = mt.text("outcome").str.lower() == "open"
    elif "closed" in mt.df.columns:
        is_open = mt.text("closed") == ""
    else:
        raise InputError("the deals table needs is_closed, outcome or closed to tell open "
                         "deals; map one with data.deals.columns", file=mt.file,
                         column="outcome")
    ids = accounts["account_id"].astype(str).tolist()
    index = ReferenceIndex(ids, names=accounts["name"].astype(str).tolist()
                           if "name" in accounts.columns else ())
    position = {a: i for i, a in enumerate(ids)}
    out = np.zeros(len(ids), dtype=bool)
    for value in pd.unique(mt.text("account_id")[is_open.to_numpy()]):
        hit, _ = index.find(value) if value else (None, [])
        if hit is not None:
            out[position[hit]] = True
    return out
