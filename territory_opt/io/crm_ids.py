"""Identifiers as CRMs write them: Salesforce's 15- and 18-character ids of one record are one
id, and a reference (an owner, a parent, a deal's account) takes the spelling of the table it
points into, so exports write ids in the form the input used.

Salesforce ids are case-sensitive 15-character strings; the API, Data Loader and the weekly
export add a 3-character suffix that encodes which of the 15 characters are upper case, so the
18-character form survives case-insensitive tools. Reports export the 15-character form.
The suffix: split the 15 characters into three chunks of five; in each chunk character k
(k = 0..4) adds 2**k when it is an ASCII capital; the sum (0..31) indexes
``ABCDEFGHIJKLMNOPQRSTUVWXYZ012345``. Example: ``001M000000qfPyS`` -> ``001M000000qfPySIAU``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID15 = re.compile(r"[A-Za-z0-9]{15}")
_ID18 = re.compile(r"[A-Za-z0-9]{18}")


def salesforce_suffix(id15: str) -> str:
    """The 3-character case-checksum suffix of a 15-character Salesforce id."""
    out = ""
    for chunk in range(3):
        part = id15[chunk * 5:chunk * 5 + 5]
        out += SUFFIX_ALPHABET[sum(1 << k for k, ch in enumerate(part) if "A" <= ch <= "Z")]
    return out


def salesforce_id18(value: str) -> str | None:
    """The 18-character form of a Salesforce id (15 characters, or 18 whose suffix matches
    the case of the first 15); None when ``value`` is not shaped like one."""
    if _ID15.fullmatch(value):
        return value + salesforce_suffix(value)
    if _ID18.fullmatch(value) and salesforce_suffix(value[:15]) == value[15:].upper():
        return value[:15] + value[15:].upper()
    return None


def id_key(value: str) -> str:
    """The key two spellings of one id share: the 18-character form of a Salesforce id (the
    suffix compared case-insensitively), else the text itself."""
    return salesforce_id18(value) or value


class IdIndex:
    """Look up ids of one table by their exact text or, for Salesforce ids, by the other form
    (15 or 18 characters) of the same record."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.exact: dict[str, str] = {}
        self.by_key: dict[str, str] = {}
        for i in ids:
            self.exact.setdefault(i, i)
            self.by_key.setdefault(id_key(i), i)

    def find(self, value: str) -> str | None:
        """The table's spelling of ``value``, or None."""
        hit = self.exact.get(value)
        return hit if hit is not None else self.by_key.get(id_key(value))


def duplicate_keys(ids: Iterable[str]) -> tuple[int, int] | None:
    """Positions (first, second) of two ids that are one record (e.g. the 15- and the
    18-character form of a Salesforce id), or None."""
    seen: dict[str, int] = {}
    for pos, i in enumerate(ids):
        if i == "":
            continue
        key = id_key(i)
        if key in seen:
            return seen[key], pos
        seen[key] = pos
    return None
