"""Ids are printable text: a control character (C0, DEL, C1) or a bidirectional override in an
id would reach terminals and the CRM unseen, so it is refused wherever ids are read."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from territory_opt.domain.errors import printable

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def first_unprintable(values: pd.Series) -> int | None:
    """The position of the first value holding a control character, or None."""
    bad = values.astype(str).str.contains(CONTROL.pattern, regex=True).to_numpy(dtype=bool)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def unprintable_message(value: object) -> str:
    return (f"'{printable(value, newlines=False)}' holds a control character; ids must be "
            "printable text")
