"""The accounts and reps tables as CRMs export them, made ready for the checks of
:mod:`territory_opt.io.inputs`: columns mapped (:mod:`territory_opt.io.column_mapping`), users
who are not reps left out, and every reference spelled like the id it points to.

* **Reps**: a user whose ``active`` is no (Dynamics: ``disabled`` is yes), or whose role maps
  to ``~``, is not a rep and is left out (their spreadsheet rows stay in messages). A missing
  ``name`` is made from ``first_name`` and ``last_name``.
* **Owners** (``owner_id``) may be a rep's id (Salesforce's 15- or 18-character form), email
  or name; each becomes that rep's ``rep_id``. An owner who is a left-out user is cleared (the
  account has no current rep). Anything else is an error naming the value.
* **Parents** (``parent_id``) may be an account's id (either Salesforce form) or its name; a
  parent outside the table keeps its text, so its children still form one family.
* **Ids** of one Salesforce record in both forms are a duplicate.
* **Countries**: a row whose ``country`` is not the US needs ``lat`` and ``lon``: postal codes
  are resolved offline for US ZIP codes only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Scenario
from territory_opt.io.column_mapping import MappedTable, read_mapped
from territory_opt.io.crm_ids import IdIndex, id_key
from territory_opt.io.crm_presets import header_key

_TRUE = {"true", "1", "yes", "y", "t", "x"}
_FALSE = {"false", "0", "no", "n", "f", ""}
#: spellings of the United States in a country column
US_NAMES = frozenset({"", "us", "usa", "u.s.", "u.s.a.", "united states",
                      "united states of america", "america", "840"})


@dataclass(frozen=True)
class InputNotes:
    """What preparing the tables left out or cleared, for ``init`` to show."""

    left_out_users: tuple[str, ...] = ()
    cleared_owners: int = 0


class ReferenceIndex:
    """Find a record by its id (either Salesforce form), its email or its name."""

    def __init__(self, ids: Iterable[str], emails: Iterable[str] = (),
                 names: Iterable[str] = ()) -> None:
        self.ids = list(ids)
        self.index = IdIndex(self.ids)
        self.by_email: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        self.written: list[str] = list(self.ids)  # every spelling, for did-you-mean
        for i, email, name in zip(self.ids, _pad(emails, len(self.ids)),
                                  _pad(names, len(self.ids)), strict=True):
            if email:
                self.by_email.setdefault(header_key(email), []).append(i)
                self.written.append(email)
            if name:
                self.by_name.setdefault(header_key(name), []).append(i)
                self.written.append(name)

    def find(self, value: str) -> tuple[str | None, list[str]]:
        """The id ``value`` names, or (None, the ids it could mean when it is ambiguous)."""
        hit = self.index.find(value)
        if hit is not None:
            return hit, []
        key = header_key(value)
        for table in (self.by_email, self.by_name):
            found = table.get(key, [])
            if len(found) == 1:
                return found[0], []
            if found:
                return None, found
        return None, []

    def closest(self, value: str) -> str | None:
        """The id, email or name most like ``value`` (ignoring case), or None."""
        keys = {header_key(w): w for w in self.written}
        close = difflib.get_close_matches(header_key(value), list(keys), n=1, cutoff=0.6)
        return keys[close[0]] if close else None


def _column(df: pd.DataFrame, column: str) -> list[str]:
    if column not in df.columns:
        return [""] * len(df)
    return ["" if pd.isna(v) else str(v).strip() for v in df[column].tolist()]


def _pad(values: Iterable[str], n: int) -> list[str]:
    out = list(values)
    return out if len(out) == n else [""] * n


# --------------------------------------------------------------------------- reps

def _yes(mt: MappedTable, column: str) -> np.ndarray:
    text = mt.text(column).str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise mt.fail(f"'{text.iloc[i]}' is not a yes/no value", i, column)
    return np.asarray(text.isin(_TRUE).to_numpy(), dtype=bool)


def prepare_reps(mt: MappedTable) -> tuple[MappedTable, MappedTable]:
    """The reps, and the users left out (inactive, or a role mapped to ``~``)."""
    if "first_name" in mt.df.columns or "last_name" in mt.df.columns:
        full = (mt.text("first_name") + " " + mt.text("last_name")).str.strip()
        name = mt.text("name") if "name" in mt.df.columns else full.map(lambda _: "")
        mt = mt.with_column("name", name.where(name != "", full))
    out = np.zeros(len(mt.df), dtype=bool) if mt.left_out is None else mt.left_out.copy()
    if "active" in mt.df.columns:
        out |= ~_yes(mt, "active")
    if "disabled" in mt.df.columns:
        out |= _yes(mt, "disabled")
    keep = mt.take(~out)
    df = keep.df.drop(columns=[c for c in ("active", "disabled") if c in keep.df.columns])
    return MappedTable(df, keep.file, keep.rows, keep.headers), mt.take(out)


def _check_same_record(mt: MappedTable, column: str) -> None:
    """Two spellings of one Salesforce record (15 and 18 characters) are a duplicate id."""
    text = mt.text(column)
    length = text.str.len()
    if not ((length == 15).any() and (length == 18).any()):
        return  # both forms of one id need one id of each length
    ids = text.tolist()
    seen: dict[str, int] = {}
    for pos, i in enumerate(ids):
        if not i:
            continue
        key = id_key(i)
        first = seen.setdefault(key, pos)
        if first != pos and ids[first] != i:
            raise mt.fail(f"duplicate id '{i}': the same Salesforce record as '{ids[first]}' "
                          f"in row {int(mt.rows[first])} (15- and 18-character forms of one "
                          "id)", pos, column)


# --------------------------------------------------------------------------- accounts

def resolve_owners(accounts: MappedTable, reps: pd.DataFrame,
                   left_out: MappedTable) -> tuple[MappedTable, int]:
    """``owner_id`` as the reps' ``rep_id``; the number of owners cleared because they are
    users left out of the reps."""
    if "owner_id" not in accounts.df.columns:
        return accounts, 0
    index = ReferenceIndex(*(_column(reps, c) for c in ("rep_id", "email", "name")))
    gone = ReferenceIndex(left_out.text("rep_id"), left_out.text("email"),
                          left_out.text("name"))
    owners = accounts.ids("owner_id")
    known = set(index.ids)
    resolved: dict[str, str] = {}
    for value in pd.unique(owners[(owners != "") & ~owners.isin(known)]):
        hit, ambiguous = index.find(value)
        if hit is None and not ambiguous and gone.find(value)[0] is not None:
            hit = ""
        if hit is None:
            i = int(np.flatnonzero((owners == value).to_numpy())[0])
            if ambiguous:
                raise accounts.fail(f"owner '{value}' matches several reps "
                                    f"({', '.join(ambiguous)}); give the rep's id or email",
                                    i, "owner_id")
            close = index.closest(value)
            hint = f" Did you mean '{close}'?" if close else ""
            raise accounts.fail(f"owner '{value}' is not a rep_id in the reps table, nor a "
                                f"rep's email or name.{hint}", i, "owner_id")
        resolved[value] = hit
    if not resolved:
        return accounts, 0  # every owner is a rep_id as written
    new = owners.map(lambda v: resolved.get(v, v))
    cleared = int(((owners != "") & (new == "")).sum())
    return accounts.with_column("owner_id", new), cleared


def resolve_parents(accounts: MappedTable) -> MappedTable:
    """``parent_id`` as the parent's ``account_id`` when the parent is in the table (by id or
    by a name only one account has); else its text."""
    if "parent_id" not in accounts.df.columns:
        return accounts
    ids = accounts.text("account_id")
    index = ReferenceIndex(ids, names=accounts.text("name"))
    parents = accounts.text("parent_id")
    resolved = {}
    for value in pd.unique(parents[parents != ""]):
        hit, _ = index.find(value)
        resolved[value] = value if hit is None else hit
    new = parents.map(lambda v: resolved.get(v, v))
    return accounts.with_column("parent_id", new.where(new != ids, ""))


def check_countries(mt: MappedTable) -> None:
    """A row outside the US needs lat and lon (US ZIPs only are resolved offline)."""
    if "country" not in mt.df.columns:
        return
    country = mt.text("country")
    abroad = ~country.map(header_key).isin(US_NAMES)
    lat, lon = mt.text("lat"), mt.text("lon")
    missing = abroad & ((lat == "") | (lon == ""))
    if missing.any():
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise mt.fail(f"the row is outside the US (country '{country.iloc[i]}'), so it needs "
                      "lat and lon: postal codes are resolved offline for US ZIP codes only",
                      i, "lat" if lat.iloc[i] == "" else "lon")


# --------------------------------------------------------------------------- both

def read_reps_table(scenario: Scenario) -> tuple[MappedTable, MappedTable]:
    """The mapped reps of ``scenario`` and the users left out."""
    reps, left_out = prepare_reps(read_mapped(scenario.data.reps, "reps", scenario.data.preset,
                                              scenario.data.decimal))
    if len(reps.df) == 0:
        raise InputError("no row of the reps table is an active rep (every user is inactive "
                         "or has a role mapped to ~)", file=reps.file)
    _check_same_record(reps, "rep_id")
    check_countries(reps)
    return reps, left_out


def read_accounts_table(scenario: Scenario, reps: pd.DataFrame,
                        left_out: MappedTable) -> tuple[MappedTable, InputNotes]:
    """The mapped accounts of ``scenario``, owners and parents resolved against the checked
    ``reps`` and the accounts themselves."""
    accounts = read_mapped(scenario.data.accounts, "accounts", scenario.data.preset,
                           scenario.data.decimal)
    _check_same_record(accounts, "account_id")
    check_countries(accounts)
    accounts, cleared = resolve_owners(accounts, reps, left_out)
    accounts = resolve_parents(accounts)
    return accounts, InputNotes(tuple(left_out.text("rep_id")), cleared)
