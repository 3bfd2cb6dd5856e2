"""Account families (``domain.families``): who belongs together, and a split family named."""

import pandas as pd

from territory_opt.domain.families import family_labels, family_roots, split_families


def accounts(parents: dict[str, str], roles: dict[str, str] | None = None) -> pd.DataFrame:
    ids = list(parents)
    return pd.DataFrame({"account_id": ids, "parent_id": [parents[a] for a in ids],
                         "role": [(roles or {}).get(a, "farmer") for a in ids]})


def test_a_tree_siblings_of_an_outside_parent_and_a_cycle() -> None:
    """p <- c1 <- g (grandchild), p <- c2; s1 and s2 share the parent X outside the table;
    x <-> y point at each other; lone has no family."""
    acc = accounts({"p": "", "c1": "p", "g": "c1", "c2": "p", "s1": "X", "s2": "X",
                    "x": "y", "y": "x", "lone": "", "o": "Z"})
    assert family_roots(acc) == ["p", "p", "p", "p", "X", "X", "x", "x", "", ""]
    assert family_labels(acc).tolist() == [0, 0, 0, 0, 1, 1, 2, 2, -1, -1]


def test_a_family_split_within_a_role_is_named_and_roles_may_differ() -> None:
    acc = accounts({"p": "", "c": "p", "h": "p"}, roles={"h": "hunter"})
    assert split_families(acc, ["R1", "R1", "H1"]) == []
    assert split_families(acc, ["R1", "R2", "H1"]) == [
        "family p is split: its 2 farmer accounts have 2 reps (R1, R2), not one"]
