"""The ``response:`` section of a scenario: how an account's yearly sales respond to its calls,
what a sale is worth and what an hour of travel costs. ``objective: profit`` reads it.

Curves are written as CALLPLAN asked managers for them (Lodish 1971): for a role and a tier,
the yearly sales of an account as a share of its ``potential`` at a few call frequencies, for
example with no calls, half today's, today's and one and a half times today's, and at
saturation (as many calls as you like). :mod:`territory_opt.domain.response` fits an ADBUDG
curve to these points and checks them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from territory_opt.domain.scenario_base import Number, Strict, Whole

Role = Literal["hunter", "closer", "farmer"]
Tier = Literal["A", "B", "C"]

#: calls a year a rep may choose for an account when ``response.frequencies`` names none
DEFAULT_MENU: tuple[float, ...] = (0, 4, 6, 12, 24, 52)


class JudgmentCurve(Strict):
    """Judgment points of one role and tier: ``points`` maps calls a year to yearly sales as a
    share of the account's potential; ``saturation`` is the share reached with unlimited
    calls (fitted when left out)."""

    points: dict[Number, Number]
    saturation: Number | None = Field(default=None, ge=0, le=1)

    @field_validator("points")
    @classmethod
    def _check_points(cls, v: dict[float, float]) -> dict[float, float]:
        for calls, share in v.items():
            if calls < 0:
                raise ValueError(f"calls a year must be >= 0, got {calls:g}")
            if not 0 <= share <= 1:
                raise ValueError(f"sales at {calls:g} calls must be a share of potential "
                                 f"between 0 and 1, got {share:g}")
        return dict(sorted(v.items()))

    @model_validator(mode="after")
    def _enough(self) -> JudgmentCurve:
        given = len(self.points) + (self.saturation is not None)
        if len(self.points) < 2 or given < 4:
            raise ValueError("a curve needs at least four values: points at two or more "
                             "frequencies and the saturation, or four or more points "
                             "(CALLPLAN asked for 0, half, today, 1.5x today and saturation)")
        return self


class ResponseSection(Strict):
    """Sales-response settings (see the module docstring).

    ``fit``: ``judgment`` uses ``curves``; ``history`` fits the curves from the activities
    and deals tables (``data.activities``, ``data.deals``) and uses ``curves`` where a role
    and tier has fewer than ``min_accounts`` accounts. ``margin``: contribution per unit of
    sales. ``travel_cost_per_hour``: money per hour of travel (car, fuel, time on the road).
    ``frequencies``: per role the calls a year a rep may choose per account (each with the
    channel mix of the account's tier). ``sensitivity``: the curves are also evaluated this
    much lower and higher (0.2: ±20%).
    """

    fit: Literal["judgment", "history"] = "judgment"
    margin: Number = Field(gt=0, le=1)
    travel_cost_per_hour: Number = Field(ge=0)
    frequencies: dict[Role, tuple[Number, ...]] = Field(default_factory=dict)
    curves: dict[Role, dict[Tier, JudgmentCurve]] = Field(default_factory=dict)
    min_accounts: Whole = Field(default=30, ge=5)
    sensitivity: Number = Field(default=0.2, gt=0, lt=1)

    @field_validator("frequencies")
    @classmethod
    def _check_menus(cls, v: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
        out = {}
        for role, menu in v.items():
            if not menu:
                raise ValueError(f"the frequency menu of {role}s is empty")
            if any(f < 0 for f in menu):
                raise ValueError(f"the frequency menu of {role}s has a negative frequency")
            if len(set(menu)) != len(menu):
                raise ValueError(f"the frequency menu of {role}s repeats a frequency")
            out[role] = tuple(sorted(float(f) for f in menu))
        return out

    def roles(self) -> tuple[str, ...]:
        """Roles whose call frequencies the profit objective chooses: those with a menu or
        with curves, in the order hunter, closer, farmer."""
        named = set(self.frequencies) | set(self.curves)
        return tuple(r for r in ("hunter", "closer", "farmer") if r in named)

    def menu(self, role: str) -> tuple[float, ...]:
        """The calls a year a rep may choose for an account of ``role``."""
        return self.frequencies.get(role, DEFAULT_MENU)  # type: ignore[call-overload,no-any-return]
