"""What every section model of the scenario file shares: strict models (unknown keys refused,
frozen, no inf or nan) and numbers that refuse yes/no values."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _not_a_bool(value: Any) -> Any:
    """YAML reads yes/no/true as booleans, which pydantic would take as 1 and 0."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is a yes/no value, not a number")
    return value


#: numbers of the scenario: a boolean is refused (``time_limit_s: true`` is not 1 s)
Number = Annotated[float, BeforeValidator(_not_a_bool)]
Whole = Annotated[int, BeforeValidator(_not_a_bool)]


class Strict(BaseModel):
    # allow_inf_nan=False: .inf or .nan in the YAML would reach the solver as a cost or a load
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
