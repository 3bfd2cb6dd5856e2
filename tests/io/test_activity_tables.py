"""Activity and deal tables (``io.activity_tables``): periods, and bad rows named by file,
row and column in strict mode."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from territory_opt.domain.errors import InputError
from territory_opt.io.activity_tables import load_activities, parse_period
from tests.helpers import BAD


def test_periods() -> None:
    """Q3 = Jul + Aug + Sep = 31 + 31 + 30 = 92 days; July 31; 2026 has 365."""
    q3 = parse_period("2026-Q3")
    assert (q3.start, q3.end, q3.days) == (pd.Timestamp("2026-07-01"),
                                           pd.Timestamp("2026-09-30"), 92)
    assert parse_period("2026-07").days == 31
    assert parse_period("2026").days == 365 and parse_period("2026").year_fraction == 1.0
    assert parse_period("2026-Q2").days == 91
    with pytest.raises(InputError, match="2026-Q3"):
        parse_period("Q3 2026")


def test_load_activities_strict_names_file_row_column(tmp_path: Path) -> None:
    path = tmp_path / "acts.csv"
    BAD.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_activities(path, {"a1", "a2"}, {"R1"}, strict=True)
    assert (err.value.row, err.value.column) == (3, "account_id")
    assert err.value.file == str(path)
