"""Domain exceptions. The CLI maps each to an exit code (InputError -> 2, InfeasibleError -> 3)."""

from __future__ import annotations


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
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        where = []
        if file is not None:
            where.append(f"file {file}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


class InfeasibleError(TerritoryError):
    """No plan satisfies the scenario's limits; the message says which limits conflict."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(message)
