"""Domain exceptions. The CLI maps each to an exit code (InputError -> 2, InfeasibleError -> 3).

Every message is made printable (:func:`printable`): input text such as an id holding an
escape sequence is shown escaped (``\\x1b``), never sent raw to a terminal."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows
# ("Trojan source"); newline and tab stay as they are
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, *, newlines: bool = True) -> str:
    """``text`` with control characters escaped as ``\\xNN`` / ``\\uNNNN``; safe to print.
    With ``newlines=False`` a newline and a tab are escaped too (one-line values)."""
    s = str(text)
    pattern = _UNPRINTABLE if newlines else _ONE_LINE
    return pattern.sub(_escape, s)


_ONE_LINE = re.compile(_UNPRINTABLE.pattern[:-1] + "\t\n]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class TerritoryError(Exception):
    """Base class of every error the tool reports to a user."""


class InputError(TerritoryError):
    """Invalid input table or scenario. Names the file, the 1-based row (header = row 1)
    and the column where it can."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = None if file is None else printable(file, newlines=False)
        self.row = row
        self.column = None if column is None else printable(column, newlines=False)
        self.detail = printable(message)
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if row is not None:
            where.append(f"row {row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + self.detail)


class InfeasibleError(TerritoryError):
    """No plan satisfies the scenario's limits; the message says which limits conflict."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(printable(message))
