"""Account families (``families: together``): a parent account and its children, found through
``parent_id``, go to one rep per role.

A family is a connected set of accounts linked by ``parent_id``: a parent, its children, their
children, and siblings whose parent is not in the accounts table (its id still links them).
Only families of two or more accounts in the table count. Within a family, accounts of
different roles may have different reps (a customer parent with a farmer, a prospect child
with a hunter); accounts of one role share one rep.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory_opt.engine.arrays import IntArray


def _text(accounts: pd.DataFrame, column: str) -> list[str]:
    if column not in accounts.columns:
        return [""] * len(accounts)
    return ["" if pd.isna(v) else str(v).strip() for v in accounts[column].tolist()]


def family_roots(accounts: pd.DataFrame) -> list[str]:
    """Per account its family's id: the top account (or the parent outside the table that
    links the family), '' for an account in no family of two or more."""
    ids = _text(accounts, "account_id")
    parents = _text(accounts, "parent_id")
    parent_of = {a: p for a, p in zip(ids, parents, strict=True) if p and p != a}
    root_of: dict[str, str] = {}

    def root(node: str) -> str:
        path, seen = [], set()
        while node in parent_of and node not in root_of and node not in seen:
            seen.add(node)
            path.append(node)
            node = parent_of[node]
        top = root_of.get(node, node)
        if node in seen:  # a cycle: its smallest id stands for it
            top = min(seen)
        for n in path:
            root_of[n] = top
        return top

    roots = [root(a) for a in ids]
    counts: dict[str, int] = {}
    for r in roots:
        counts[r] = counts.get(r, 0) + 1
    return [r if counts[r] > 1 else "" for r in roots]


def family_labels(accounts: pd.DataFrame) -> IntArray:
    """Per account its family's number (0, 1, … in order of first member), -1 for none."""
    roots = family_roots(accounts)
    number: dict[str, int] = {}
    return np.array([-1 if not r else number.setdefault(r, len(number)) for r in roots],
                    dtype=np.int64)


def split_families(accounts: pd.DataFrame, rep_id: list[str]) -> list[str]:
    """One sentence per family whose accounts of one role have more than one rep."""
    roots = family_roots(accounts)
    roles = accounts["role"].astype(str).tolist()
    reps: dict[tuple[str, str], list[str]] = {}
    for root, role, rep in zip(roots, roles, rep_id, strict=True):
        if root:
            reps.setdefault((root, role), []).append(rep)
    out = []
    for (root, role), members in reps.items():
        distinct = sorted(set(members))
        if len(distinct) > 1:
            out.append(f"family {root} is split: its {len(members)} {role} accounts have "
                       f"{len(distinct)} reps ({', '.join(distinct)}), not one")
    return out
