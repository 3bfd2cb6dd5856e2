"""The scenario file (SPEC §4): a validated, frozen pydantic model with a default for every key
but ``data``. Unknown keys are errors with a did-you-mean suggestion."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from territory_opt.domain.errors import InputError
from territory_opt.domain.response_section import ResponseSection
from territory_opt.domain.scenario_base import Number, Whole
from territory_opt.domain.scenario_base import Strict as _Strict
from territory_opt.domain.schedule_settings import ScheduleSettings

ROLES: tuple[str, ...] = ("hunter", "closer", "farmer")
TIERS: tuple[str, ...] = ("A", "B", "C")
STAGES: tuple[str, ...] = ("prospect", "lead", "opportunity", "customer")
CHANNELS: tuple[str, ...] = ("visit", "phone", "video", "email")

Role = Literal["hunter", "closer", "farmer"]
Stage = Literal["prospect", "lead", "opportunity", "customer"]
Tier = Literal["A", "B", "C"]
Channel = Literal["visit", "phone", "video", "email"]


_DEFAULT_CUTOFFS: dict[Literal["A", "B"], float] = {"A": 0.5, "B": 0.8}
_DEFAULT_ROUTING: dict[Stage, Role] = {"prospect": "hunter", "lead": "hunter",
                                       "opportunity": "closer", "customer": "farmer"}


class Touch(_Strict):
    """One line of a call pattern: ``per_year`` touches of ``minutes`` each by ``channel``."""

    channel: Channel
    per_year: Number = Field(ge=0)
    minutes: Number = Field(gt=0)


CallPattern = dict[Tier, tuple[Touch, ...]]


#: the CRMs whose standard export layouts ``data.preset`` reads (territory_opt/io/crm_presets.py)
PRESETS: tuple[str, ...] = ("salesforce", "hubspot", "dynamics")
Preset = Literal["salesforce", "hubspot", "dynamics"]
#: the tables of ``data`` that may be given as a mapping with ``columns`` and ``values``
MAPPED_TABLES: tuple[str, ...] = ("accounts", "reps", "activities", "deals")


def _text_keys(value: Any) -> Any:
    """YAML reads keys such as ``1`` or ``3`` as numbers; a file's cells are text."""
    if isinstance(value, dict):
        return {("" if k is None else str(k)): v for k, v in value.items()}
    return value


class TableSource(_Strict):
    """A table given with the names of its columns and the spellings of its values, e.g. a
    CRM export: ``columns`` maps our column name to the file's header, ``values`` maps, per
    column of ours, the file's spellings to ours (``~`` = empty; for a rep's ``role``: not a
    rep, the row is left out). A key ``"*"`` in ``values`` stands for every other value."""

    path: Path
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = Field(default_factory=dict)

    @field_validator("values", mode="before")
    @classmethod
    def _text_values(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out = {}
        for col, spellings in v.items():
            spellings = _text_keys(spellings)
            if isinstance(spellings, dict):
                spellings = {k: (None if x is None else
                                 str(x).lower() if isinstance(x, bool) else str(x))
                             for k, x in spellings.items()}
            out[str(col)] = spellings
        return out


class DataPaths(_Strict):
    """The input tables. Each of accounts, reps, activities and deals is a path, or a
    :class:`TableSource` (path, columns, values); ``preset`` names the CRM whose export
    layout the tables follow."""

    accounts: Path | TableSource
    reps: Path | TableSource
    units: Path | None = None
    activities: Path | TableSource | None = None
    deals: Path | TableSource | None = None
    preset: Preset | None = None
    #: the decimal separator of numbers in CSV text: "." (then "," only between groups of
    #: three digits) or "," (then "." only between groups, and the separator must be ";")
    decimal: Literal[".", ","] = "."

    def path(self, table: str) -> Path | None:
        """The file of ``table`` (accounts, reps, activities, deals, units), or None."""
        value = getattr(self, table)
        return value.path if isinstance(value, TableSource) else value

    def source(self, table: str) -> TableSource | None:
        """The table as a :class:`TableSource` (a plain path: no columns or values)."""
        value = getattr(self, table)
        if value is None or isinstance(value, TableSource):
            return value
        return TableSource(path=value)


class Segmentation(_Strict):
    by: str | dict[str, Number] = "potential"
    method: Literal["pareto", "quantile", "thresholds"] = "pareto"
    cutoffs: dict[Literal["A", "B"], Number] = Field(default_factory=lambda: _DEFAULT_CUTOFFS)
    overrides: dict[str, Tier] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_cutoffs(self) -> Segmentation:
        if set(self.cutoffs) != {"A", "B"}:
            raise ValueError("cutoffs needs both A and B, e.g. {A: 0.5, B: 0.8}")
        a, b = self.cutoffs["A"], self.cutoffs["B"]
        if self.method == "thresholds":
            if not a > b:
                raise ValueError(
                    f"thresholds: the A threshold ({a}) must be above the B threshold ({b})"
                )
        else:
            if not 0 < a < b <= 1:
                raise ValueError(f"cutoffs must increase within (0, 1]: A={a}, B={b}")
        if isinstance(self.by, dict) and (not self.by or any(w < 0 for w in self.by.values())):
            raise ValueError("a weighted `by` needs at least one column with a weight >= 0")
        return self


def _default_patterns() -> dict[Role, CallPattern]:
    def t(channel: str, per_year: float, minutes: float) -> tuple[Touch, ...]:
        return (Touch(channel=channel, per_year=per_year, minutes=minutes),)  # type: ignore[arg-type]

    return {
        "farmer": {"A": t("visit", 24, 60), "B": t("visit", 12, 45), "C": t("phone", 12, 15)},
        "hunter": {"A": t("visit", 7, 45), "B": t("phone", 7, 20), "C": t("email", 7, 5)},
        "closer": {"A": t("visit", 6, 90), "B": t("visit", 4, 60), "C": t("video", 4, 45)},
    }


def _default_overlays() -> dict[str, CallPattern]:
    return {"vp": {"A": (Touch(channel="visit", per_year=4, minutes=60),)}}


#: hours in a leap year: no capacity can exceed it (and absurd values would overflow the solver)
MAX_HOURS_PER_YEAR = 8784.0


#: ``capacity.visits_per_trip: calibrated``: the value `territory-opt schedule` measured
CALIBRATED = "calibrated"


class Capacity(_Strict):
    """Hours, speed and the travel model. ``visits_per_trip`` is a number, or ``calibrated``:
    the team's value in the calibration that ``schedule.calibration`` names, put in by
    :func:`territory_opt.io.scenario_file.load_scenario` before any arithmetic."""

    hours_per_year: Number = Field(default=1500, gt=0, le=MAX_HOURS_PER_YEAR)
    speed_kmh: Number = Field(default=60, gt=0)
    circuity: Number = Field(default=1.3, ge=1)
    visits_per_trip: Number | Literal["calibrated"] = Field(default=1)

    @field_validator("visits_per_trip")
    @classmethod
    def _positive(cls, v: float | str) -> float | str:
        if not isinstance(v, str) and not v > 0:
            raise ValueError("must be a number > 0, or calibrated")
        return v

    @property
    def trip_visits(self) -> float:
        """``visits_per_trip`` as a number (``calibrated`` must have been resolved)."""
        if isinstance(self.visits_per_trip, str):
            raise InputError("capacity.visits_per_trip: calibrated was not resolved: load the "
                             "scenario with load_scenario, which reads schedule.calibration")
        return float(self.visits_per_trip)


class Balance(_Strict):
    measure: Literal["workload", "potential", "accounts"] = "workload"
    tolerance: Number = Field(default=0.10, gt=0, lt=1)


class Disruption(_Strict):
    max_moved_share: Number = Field(default=0.15, ge=0, le=1)
    keep_owner_tiers: tuple[Tier, ...] = ("A",)
    #: accounts with an open deal in ``data.deals`` stay with their owner
    keep_owner_with_open_deals: bool = False

    def move_limit(self, owned: int, share: float | None = None) -> int:
        """The most accounts that may change owner (SPEC §5): ``max_moved_share`` (or
        ``share``) of the ``owned`` accounts, floored (a hair of slack for float shares such
        as 0.1 × 30)."""
        return math.floor((self.max_moved_share if share is None else share) * owned + 1e-9)


class Objective(_Strict):
    """What `run` optimises. ``kind: travel`` (the default) minimises ``travel`` × travel
    hours + ``moves`` × moved accounts; ``kind: profit`` maximises the modelled contribution
    of the ``response:`` section (margin × expected sales − travel cost), charging the same
    weights in hours priced at ``response.travel_cost_per_hour``. ``objective: profit`` is
    short for ``objective: {kind: profit}``."""

    kind: Literal["travel", "profit"] = "travel"
    travel: Number = Field(default=1.0, ge=0)
    moves: Number = Field(default=10.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value not in ("travel", "profit"):
                raise ValueError(f"objective '{value}' is not known; use profit, travel or "
                                 "a mapping such as {travel: 1.0, moves: 10.0}")
            return {"kind": value}
        return value


class Management(_Strict):
    """``span_of_control``: reps one manager leads. ``overlay_hours_per_year``: the yearly hours
    one overlay person (e.g. the VP) has for the visits of their call pattern; empty means
    ``capacity.hours_per_year``. Both are used by ``territory-opt size``."""

    span_of_control: Whole = Field(default=7, ge=1)
    overlay_hours_per_year: Number | None = Field(default=None, gt=0)


def _fraction(value: Any) -> Any:
    """Accept a ratio written as a fraction, e.g. ``1/3``, so that 1 in 3 stays exact."""
    if isinstance(value, str) and "/" in value:
        num, _, den = value.partition("/")
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"'{value}' is not a fraction like 1/3") from None
    return value


class FunnelStep(_Strict):
    """One activity stage of the reverse funnel: ``conversion`` is the share of its activities
    that lead to the next stage (the last stage: to a deal), as a number or a fraction such
    as ``1/3``; ``minutes`` is the time one activity takes."""

    name: str
    conversion: Number = Field(gt=0, le=1)
    minutes: Number = Field(default=0.0, ge=0)

    _parse_conversion = field_validator("conversion", mode="before")(_fraction)


def _default_funnel_steps() -> tuple[FunnelStep, ...]:
    return (FunnelStep(name="first_contact", conversion=1 / 10, minutes=15),
            FunnelStep(name="proposal", conversion=1 / 5, minutes=120),
            FunnelStep(name="contract_meeting", conversion=1 / 3, minutes=90))


class Funnel(_Strict):
    """Activity-based sizing (SPEC §2): ``target_deals`` per ``period`` and the stages from the
    first activity to the last, done by reps of ``role``. The defaults are the source example:
    10 deals a month, 1 in 3 contract meetings closes, 5 proposals per contract meeting,
    10 first contacts per proposal."""

    period: Literal["month", "quarter", "year"] = "month"
    target_deals: Number = Field(default=10, gt=0)
    stages: tuple[FunnelStep, ...] = Field(default_factory=_default_funnel_steps)
    role: Role = "hunter"

    @model_validator(mode="after")
    def _unique_stages(self) -> Funnel:
        if not self.stages:
            raise ValueError("the funnel needs at least one stage")
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique: {', '.join(names)}")
        return self


class ProfitModel(_Strict):
    """The profit model (SPEC §2): profit per period = leads × conversion × average_deal ×
    purchases × margin, and the what-if of raising each factor by ``uplift``."""

    leads: Number = Field(ge=0)
    conversion: Number = Field(ge=0, le=1)
    average_deal: Number = Field(ge=0)
    purchases: Number = Field(ge=0)
    margin: Number = Field(ge=0, le=1)
    uplift: Number = Field(default=0.15, gt=-1)

    _parse_fractions = field_validator("conversion", "margin", mode="before")(_fraction)


#: the longest time limit: a week of solving
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0
#: CP-SAT's random_seed is a 32-bit int
MAX_SEED = 2**31 - 1


class Solver(_Strict):
    time_limit_s: Number = Field(default=60, gt=0, le=MAX_TIME_LIMIT_S)
    seed: Whole = Field(default=0, ge=0, le=MAX_SEED)
    workers: Whole = Field(default=2, ge=1, le=1024)


class Scenario(_Strict):
    """A planning scenario. Paths in ``data`` are absolute once loaded."""

    name: str = "scenario"
    data: DataPaths
    segmentation: Segmentation = Field(default_factory=Segmentation)
    routing: dict[Stage, Role] = Field(default_factory=lambda: dict(_DEFAULT_ROUTING))
    structure: Literal["linear", "cellular"] = "linear"
    call_patterns: dict[Role, CallPattern] = Field(default_factory=_default_patterns)
    overlays: dict[str, CallPattern] = Field(default_factory=_default_overlays)
    capacity: Capacity = Field(default_factory=Capacity)
    balance: Balance = Field(default_factory=Balance)
    disruption: Disruption = Field(default_factory=Disruption)
    objective: Objective = Field(default_factory=Objective)
    contiguity: StrictBool = False
    #: ``together``: a parent account and its children (``parent_id``) go to one rep per role
    families: Literal["ignore", "together"] = "ignore"
    management: Management = Field(default_factory=Management)
    solver: Solver = Field(default_factory=Solver)
    #: optional sections read by ``territory-opt size`` only; absent means "not sized"
    funnel: Funnel | None = None
    profit: ProfitModel | None = None
    #: the visit calendars and routes of ``territory-opt schedule``
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    #: sales-response curves, read by ``objective: profit``
    response: ResponseSection | None = None

    @model_validator(mode="after")
    def _calibration_for_calibrated(self) -> Scenario:
        if self.capacity.visits_per_trip == CALIBRATED and self.schedule.calibration is None:
            raise ValueError("capacity.visits_per_trip: calibrated needs schedule.calibration: "
                             "the calibration.json (or the folder) that `territory-opt "
                             "schedule` wrote, e.g. schedule: {calibration: "
                             "../out/demo/schedule}")
        return self

    @model_validator(mode="after")
    def _profit_needs_response(self) -> Scenario:
        if self.objective.kind == "profit" and self.response is None:
            raise ValueError("objective: profit needs a response: section (margin, "
                             "travel_cost_per_hour and the curves)")
        if self.objective.kind == "profit" and self.contiguity:
            raise ValueError("objective: profit does not plan contiguous territories yet; "
                             "set contiguity: false")
        if self.objective.kind == "profit" and self.families == "together":
            raise ValueError("objective: profit does not keep families together yet; set "
                             "families: ignore")
        return self

    @model_validator(mode="after")
    def _deals_for_open_deals(self) -> Scenario:
        if self.disruption.keep_owner_with_open_deals and self.data.deals is None:
            raise ValueError("disruption.keep_owner_with_open_deals needs a deals table: set "
                             "data.deals")
        return self

    @field_validator("routing")
    @classmethod
    def _full_routing(cls, v: dict[Stage, Role]) -> dict[Stage, Role]:
        return {**_DEFAULT_ROUTING, **v}

    @field_validator("call_patterns")
    @classmethod
    def _full_patterns(cls, v: dict[str, CallPattern]) -> dict[str, CallPattern]:
        defaults = _default_patterns()
        return {role: {**defaults[role], **v.get(role, {})} for role in ROLES}  # type: ignore[index]

    def touches(self, role: str, tier: str) -> tuple[Touch, ...]:
        """The call pattern of one role and tier (empty when none is set)."""
        return self.call_patterns.get(role, {}).get(tier, ())  # type: ignore[call-overload,no-any-return]


# --------------------------------------------------------------------------- loading

_MODELS_BY_KEY: dict[str, type[BaseModel]] = {
    "data": DataPaths,
    "segmentation": Segmentation,
    "capacity": Capacity,
    "balance": Balance,
    "disruption": Disruption,
    "objective": Objective,
    "management": Management,
    "solver": Solver,
    "funnel": Funnel,
    "profit": ProfitModel,
    "response": ResponseSection,
    "schedule": ScheduleSettings,
}


#: the keys of ``data`` that name files (relative to the scenario file)
_DATA_FILES = ("accounts", "reps", "units", "activities", "deals")


def _did_you_mean(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else f" Known keys: {', '.join(choices)}."


def _check_unknown_keys(raw: dict[str, Any], file: str) -> None:
    """Reject unknown keys at the top level and in the fixed sections, with a suggestion."""
    top = list(Scenario.model_fields)
    for key in raw:
        if key not in top:
            raise InputError(f"unknown key '{key}'.{_did_you_mean(str(key), top)}", file=file,
                             column=str(key))
    for section, model in _MODELS_BY_KEY.items():
        value = raw.get(section)
        if isinstance(value, dict):
            known = list(model.model_fields)
            for key in value:
                if key not in known:
                    raise InputError(
                        f"unknown key '{section}.{key}'.{_did_you_mean(str(key), known)}",
                        file=file, column=f"{section}.{key}",
                    )
    _check_funnel_stage_keys(raw.get("funnel"), file)
    _check_table_keys(raw.get("data"), file)


def _check_table_keys(data: Any, file: str) -> None:
    """``data.<table>`` given as a mapping: only path, columns and values."""
    known = list(TableSource.model_fields)
    for table in MAPPED_TABLES:
        value = data.get(table) if isinstance(data, dict) else None
        if not isinstance(value, dict):
            continue
        for key in value:
            if key not in known:
                raise InputError(
                    f"unknown key 'data.{table}.{key}'.{_did_you_mean(str(key), known)}",
                    file=file, column=f"data.{table}.{key}")
        if "path" not in value:
            raise InputError(f"data.{table} is a mapping, so it needs 'path' (the file), "
                             "e.g. {path: accounts.csv, columns: {account_id: Id}}", file=file,
                             column=f"data.{table}.path")


def _check_funnel_stage_keys(funnel: Any, file: str) -> None:
    stages = funnel.get("stages") if isinstance(funnel, dict) else None
    known = list(FunnelStep.model_fields)
    for i, stage in enumerate(stages if isinstance(stages, list) else []):
        for key in stage if isinstance(stage, dict) else []:
            if key not in known:
                raise InputError(
                    f"unknown key '{key}' in funnel stage {i + 1}."
                    f"{_did_you_mean(str(key), known)}",
                    file=file, column=f"funnel.stages.{key}",
                )


def _is_type_name(part: str) -> bool:
    """pydantic names the member of a union in an error's location ('str', 'dict[...]')."""
    return part in ("str", "int", "float", "bool") or "[" in part


def _format_validation_error(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"] if not isinstance(x, int)
                       and not _is_type_name(str(x))) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        parts.append(f"key '{loc}': {msg}")
    return "; ".join(parts)


def _resolve_paths(key: str, value: Any, base_dir: Path) -> Any:
    """A data path made absolute against ``base_dir`` (also a mapping's ``path``); other keys
    of ``data`` (preset, decimal) as given."""
    if key not in _DATA_FILES:
        return value
    if isinstance(value, str):
        return str(base_dir / value)
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return {**value, "path": str(base_dir / value["path"])}
    return value


def parse_scenario(raw: Any, *, base_dir: Path, file: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; relative data paths are resolved against ``base_dir``."""
    if not isinstance(raw, dict):
        raise InputError("the scenario must be a YAML mapping of keys to values", file=file)
    if "data" not in raw:
        raise InputError("the required key 'data' (accounts and reps tables) is missing",
                         file=file, column="data")
    _check_unknown_keys(raw, file)
    raw = dict(raw)
    if isinstance(raw.get("data"), dict):
        raw["data"] = {k: _resolve_paths(k, v, base_dir) for k, v in raw["data"].items()}
    schedule = raw.get("schedule")
    if isinstance(schedule, dict) and isinstance(schedule.get("calibration"), str):
        raw["schedule"] = {**schedule, "calibration": str(base_dir / schedule["calibration"])}
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        raise InputError(_format_validation_error(err), file=file) from None
    return scenario
