"""Numbers of a scenario file: YAML reads yes/no/true as booleans, which pydantic would take as
1 and 0, so a boolean where a number belongs is refused (``time_limit_s: true`` is not 1 s).
Shared by the scenario's sections (scenario.py, response_section.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator


def not_a_bool(value: Any) -> Any:
    """The value, or a ValueError when it is a boolean."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is a yes/no value, not a number")
    return value


Number = Annotated[float, BeforeValidator(not_a_bool)]
Whole = Annotated[int, BeforeValidator(not_a_bool)]
