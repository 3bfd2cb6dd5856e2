"""The activity and deal tables of ``measure`` (SPEC §3) and the measurement period.

A missing column, an unreadable or an empty file stops the run (InputError naming the file and
the column). A bad *row* (unknown account or rep, a date that does not parse or lies outside the
period, negative minutes, an unknown stage…) is collected with its spreadsheet row number
(header = row 1) and left out; with ``strict`` the first bad row stops the run instead. Nothing
is dropped silently: each :class:`CheckedTable` keeps how many rows were read and why each
excluded row was excluded.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import CHANNELS, TableSource
from territory_opt.io.column_mapping import read_mapped
from territory_opt.io.crm_ids import IdIndex
from territory_opt.io.inputs import _Table
from territory_opt.io.numbers import parse_numbers

ACTIVITY_COLUMNS = ("activity_id", "account_id", "rep_id", "date", "type", "minutes")
DEAL_COLUMNS = ("deal_id", "account_id", "rep_id", "created", "closed", "outcome", "amount",
                "stage_reached")
#: the order of deal stages; ``stage_reached`` names the furthest one a deal got to. A lost
#: deal's ``stage_reached`` is the stage it was lost in; only a won deal reaches ``won``.
DEAL_STAGES = ("lead", "opportunity", "proposal", "negotiation", "won")
OUTCOMES = ("won", "lost", "open")
ISSUE_COLUMNS = ("table", "file", "row", "column", "reason", "value")
DAYS_PER_YEAR = 365  # proration: per_year × days / 365


# --------------------------------------------------------------------------- the period

@dataclass(frozen=True)
class Period:
    """A span of whole days, ``start`` and ``end`` both included."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1

    @property
    def year_fraction(self) -> float:
        """days / 365: the share of a year's call plan and capacity that falls in the period."""
        return self.days / DAYS_PER_YEAR

    def contains(self, dates: pd.Series) -> pd.Series:
        return (dates >= self.start) & (dates <= self.end)


def parse_period(text: str) -> Period:
    """``2026`` (a year), ``2026-Q3`` (a quarter) or ``2026-07`` (a month)."""
    s = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})", s):
        start = pd.Timestamp(int(m[1]), 1, 1)
        return Period(start, pd.Timestamp(int(m[1]), 12, 31), s)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", s):
        start = pd.Timestamp(int(m[1]), 3 * int(m[2]) - 2, 1)
        return Period(start, start + pd.offsets.QuarterEnd(0), s)
    if (m := re.fullmatch(r"(\d{4})-(\d{2})", s)) and 1 <= int(m[2]) <= 12:
        start = pd.Timestamp(int(m[1]), int(m[2]), 1)
        return Period(start, start + pd.offsets.MonthEnd(0), s)
    raise InputError(f"period '{text}' is not understood; use 2026, 2026-Q3 or 2026-07",
                     column="--period")


def span_period(dates: pd.Series) -> Period:
    """The days from the first to the last date."""
    start, end = dates.min().normalize(), dates.max().normalize()
    return Period(start, end, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}")


# --------------------------------------------------------------------------- checked tables

@dataclass(frozen=True)
class CheckedTable:
    """The usable rows of one input table and the rows left out.

    ``rows`` holds the typed columns plus ``row`` (spreadsheet row number) and the extra
    columns of the file; ``issues`` has one line per excluded row (ISSUE_COLUMNS).
    """

    name: str
    file: str
    rows: pd.DataFrame
    issues: pd.DataFrame
    read: int

    @property
    def used(self) -> int:
        return len(self.rows)

    @property
    def excluded(self) -> int:
        return len(self.issues)


class _RowChecks:
    """The first problem of each row of a table, in the order the checks run."""

    def __init__(self, table: _Table, name: str) -> None:
        self.table, self.name = table, name
        n = len(table.df)
        self.reason = np.full(n, "", dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.value = np.full(n, "", dtype=object)

    def flag(self, mask: pd.Series | np.ndarray, column: str, reason: str) -> None:
        new = np.asarray(mask, dtype=bool) & (self.reason == "")
        self.reason[new] = reason
        self.column[new] = column
        self.value[new] = self.table.text(column).to_numpy()[new]

    @property
    def ok(self) -> np.ndarray:
        return np.asarray(self.reason == "", dtype=bool)

    def finish(self, strict: bool) -> pd.DataFrame:
        bad = np.flatnonzero(~self.ok)
        if strict and len(bad):
            i = int(bad[0])
            more = f" ({len(bad) - 1} more bad rows)" if len(bad) > 1 else ""
            self.table.fail(f"{self.reason[i]} (value '{self.value[i]}'){more}; "
                            "fix the row or run without --strict to leave bad rows out",
                            i, str(self.column[i]))
        return pd.DataFrame({
            "table": self.name, "file": self.table.file,
            "row": pd.array([self.table.row(int(i)) for i in bad], dtype="int64"),
            "column": self.column[bad], "reason": self.reason[bad], "value": self.value[bad],
        }, columns=list(ISSUE_COLUMNS))


def _open(path: str | Path | TableSource, name: str, columns: tuple[str, ...],
          preset: str | None = None, decimal: str = ".") -> tuple[_Table, _RowChecks]:
    mapped = read_mapped(path, name, preset, decimal)  # data.<name>: {path, columns, values}
    t = _Table(mapped.df, mapped.file, columns, decimal, mapped.rows, mapped.headers)
    t.require(*columns)
    return t, _RowChecks(t, name)


def _ids(t: _Table, checks: _RowChecks, column: str) -> pd.Series:
    ids = t.ids(column)
    checks.flag(ids == "", column, f"{column} is empty")
    checks.flag(ids.duplicated() & (ids != ""), column, f"duplicate {column}")
    return ids


def _references(t: _Table, checks: _RowChecks, account_ids: Collection[str],
                rep_ids: Collection[str]) -> tuple[pd.Series, pd.Series]:
    account, rep = t.ids("account_id"), t.ids("rep_id")
    # a Salesforce id in its other form (15 or 18 characters) names the same record
    accounts, reps = IdIndex(account_ids), IdIndex(rep_ids)
    account = account.map(lambda v: accounts.find(v) or v).astype(object)
    rep = rep.map(lambda v: reps.find(v) or v).astype(object)
    checks.flag(~account.isin(list(account_ids)), "account_id",
                "account_id is not in the accounts table")
    checks.flag(~rep.isin(list(rep_ids)), "rep_id", "rep_id is not in the reps table")
    return account, rep


def _dates(t: _Table, column: str) -> pd.Series:
    """Days as timestamps (a time of day is dropped); NaT where the cell is empty or not an
    ISO date (YYYY-MM-DD, optionally followed by a time)."""
    text = t.text(column)
    iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[ T].*)?")
    return pd.to_datetime(text.str.slice(0, 10).where(iso), format="%Y-%m-%d", errors="coerce")


def _numbers(t: _Table, column: str) -> pd.Series:
    """Numbers by the scenario's decimal rule; NaN where a cell is empty or not a number."""
    values, _ = parse_numbers(t.df[column], t.decimal)
    return values


def _extras(t: _Table, known: tuple[str, ...]) -> pd.DataFrame:
    return t.df[[c for c in t.df.columns if c not in set(known)]]


def load_activities(path: str | Path | TableSource, account_ids: Collection[str],
                    rep_ids: Collection[str], period: Period | None = None, *,
                    strict: bool = False, decimal: str = ".") -> tuple[CheckedTable, Period]:
    """Read and check the activities table; without ``period`` it is the span of the dates.

    Returns the checked table and the period measured.
    """
    t, checks = _open(path, "activities", ACTIVITY_COLUMNS, None, decimal)
    ids = _ids(t, checks, "activity_id")
    account, rep = _references(t, checks, account_ids, rep_ids)
    date = _dates(t, "date")
    checks.flag(date.isna(), "date", "date is missing or not a date (use YYYY-MM-DD)")
    kind = t.text("type").str.lower()
    checks.flag(~kind.isin(CHANNELS), "type", f"type is not one of {', '.join(CHANNELS)}")
    minutes = _numbers(t, "minutes")
    checks.flag(minutes.isna(), "minutes", "minutes is missing or not a number")
    checks.flag(minutes < 0, "minutes", "minutes is negative")
    if period is None:
        if not checks.ok.any():
            checks.finish(strict)
            raise InputError("no usable activity rows, so no period can be derived; "
                             "fix the rows or give --period", file=t.file)
        period = span_period(date[checks.ok])
    checks.flag(~period.contains(date), "date", f"date is outside the period {period.label}")
    issues = checks.finish(strict)
    rows = pd.DataFrame({"activity_id": ids, "account_id": account, "rep_id": rep,
                         "date": date, "type": kind, "minutes": minutes,
                         "row": t.rows})
    rows = pd.concat([rows, _extras(t, ACTIVITY_COLUMNS)], axis=1)[checks.ok]
    return CheckedTable("activities", t.file, rows.reset_index(drop=True), issues,
                        len(t.df)), period


def load_deals(path: str | Path | TableSource, account_ids: Collection[str],
               rep_ids: Collection[str], *, strict: bool = False,
               preset: str | None = None, decimal: str = ".") -> CheckedTable:
    """Read and check the deals table (every period; ``measure`` picks the deals it needs);
    ``preset`` reads a CRM's opportunity export (io/crm_presets.py)."""
    t, checks = _open(path, "deals", DEAL_COLUMNS, preset, decimal)
    ids = _ids(t, checks, "deal_id")
    account, rep = _references(t, checks, account_ids, rep_ids)
    created, closed = _dates(t, "created"), _dates(t, "closed")
    checks.flag(created.isna(), "created", "created is missing or not a date (use YYYY-MM-DD)")
    outcome = t.text("outcome").str.lower()
    checks.flag(~outcome.isin(OUTCOMES), "outcome", f"outcome is not one of {', '.join(OUTCOMES)}")
    has_closed = t.text("closed") != ""
    checks.flag(has_closed & closed.isna(), "closed", "closed is not a date (use YYYY-MM-DD)")
    checks.flag((outcome != "open") & ~has_closed, "closed",
                "a won or lost deal needs a closed date")
    checks.flag((outcome == "open") & has_closed, "closed", "an open deal has a closed date")
    checks.flag(closed < created, "closed", "closed is before created")
    amount = _numbers(t, "amount")
    checks.flag(t.text("amount").ne("") & amount.isna(), "amount", "amount is not a number")
    checks.flag(amount < 0, "amount", "amount is negative")
    stage = t.text("stage_reached").str.lower()
    checks.flag(~stage.isin(DEAL_STAGES), "stage_reached",
                f"stage_reached is not one of {', '.join(DEAL_STAGES)}")
    checks.flag((stage == "won") != (outcome == "won"), "stage_reached",
                "stage_reached is 'won' exactly when outcome is 'won'")
    issues = checks.finish(strict)
    rows = pd.DataFrame({
        "deal_id": ids, "account_id": account, "rep_id": rep, "created": created,
        "closed": closed, "outcome": outcome, "amount": amount, "stage_reached": stage,
        "stage_index": stage.map({s: i for i, s in enumerate(DEAL_STAGES)}).fillna(-1).astype(int),
        "row": t.rows})
    rows = pd.concat([rows, _extras(t, DEAL_COLUMNS)], axis=1)[checks.ok]
    return CheckedTable("deals", t.file, rows.reset_index(drop=True), issues, len(t.df))
