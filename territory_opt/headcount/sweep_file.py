"""The sweep file of `territory-opt compare --sweep`: headcount options to solve side by side.

A sweep is a small YAML file; every key is optional except that it must name at least one
option (through ``options`` or ``ranges``)::

    scenario: demo.yaml          # base scenario, relative to this file (the CLI argument wins)
    time_limit_s: 10             # solver seconds per option (default: the scenario's)
    seed: 0                      # solver seed per option (default: the scenario's)
    utilization: 1.0             # share of capacity_hours an option may plan (default 1.0)
    scenario_overrides:          # scenario sections changed for every option (objective,
      objective: {moves: 1.0}    #   disruption, balance, management, solver)
    ranges:                      # one option per headcount, both ends included;
      farmer: [10, 14]           #   [low, high] or [low, high, step]; several roles: every
                                 #   combination, the first role listed varying slowest
    options:                     # and/or options spelled out; a role left out keeps
      - {name: today}            #   today's headcount
      - {name: two more farmers, farmer: 14, hunter: 4}
    candidate_sites:             # where added reps may sit (default: the role's account
      - {postal_code: "43215"}   #   locations, clustered); lat/lon or a US ZIP, optional
      - {name: Akron, lat: 41.08, lon: -81.52, roles: [farmer]}   # name and roles

Options appear in the order of the file (``ranges`` before ``options`` when ``ranges`` comes
first). Every problem is an :class:`~territory_opt.domain.errors.InputError` naming the file, the
line (as the row) and the key.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from territory_opt.domain.errors import InputError
from territory_opt.domain.geo import zip_centroid
from territory_opt.domain.scenario import ROLES, Scenario, parse_scenario
from territory_opt.io.yaml_file import SafeLoader, read_yaml

SWEEP_KEYS = ("scenario", "time_limit_s", "seed", "utilization", "scenario_overrides",
              "ranges", "options", "candidate_sites")
#: scenario sections a sweep may change for all its options (the others change tiers, call
#: hours or the tables, so they belong in a scenario file of their own)
OVERRIDABLE = ("objective", "disruption", "balance", "management", "solver")
OPTION_KEYS = ("name", *ROLES)
SITE_KEYS = ("name", "postal_code", "lat", "lon", "roles")
#: more options than this is almost surely a typo in a range (e.g. [10, 1400])
MAX_OPTIONS = 200


@dataclass(frozen=True)
class Site:
    """A place where an added rep may have their home base. ``roles`` empty: any role."""

    name: str
    lat: float
    lon: float
    postal_code: str = ""
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeadcountOption:
    """One option: reps wanted per role (``headcount``; a role not named keeps today's)."""

    name: str
    headcount: tuple[tuple[str, int], ...] = ()

    def wanted(self) -> dict[str, int]:
        return dict(self.headcount)


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep file."""

    options: tuple[HeadcountOption, ...]
    scenario: Path | None = None
    time_limit_s: float | None = None
    seed: int | None = None
    utilization: float = 1.0
    candidate_sites: tuple[Site, ...] = field(default_factory=tuple)
    #: scenario sections changed for every option, e.g. {"objective": {"moves": 1.0}}
    scenario_overrides: tuple[tuple[str, Any], ...] = ()
    file: str = "<sweep>"
    overrides_line: int | None = None

    def apply(self, scenario: Scenario) -> Scenario:
        """``scenario`` with the sweep's ``scenario_overrides`` (checked like a scenario)."""
        if not self.scenario_overrides:
            return scenario
        raw = scenario.model_dump()
        for section, values in self.scenario_overrides:
            raw[section] = {**(raw.get(section) or {}), **values}
        try:
            return parse_scenario(raw, base_dir=Path("."), file=self.file)
        except InputError as err:
            raise InputError(f"scenario_overrides: {err.detail}", file=self.file,
                             row=self.overrides_line, column=err.column) from None


# ---------------------------------------------------------------- YAML with line numbers


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    lines: dict[Any, int]


class _Seq(list[Any]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    lines: list[int]


class _LineLoader(SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        out = _Map(super().construct_mapping(node, deep=True))
        out.lines = {self.construct_object(k, deep=True): k.start_mark.line + 1  # type: ignore[no-untyped-call]
                     for k, _ in node.value}
        return out

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> list[Any]:
        out = _Seq(super().construct_sequence(node, deep=True))
        out.lines = [item.start_mark.line + 1 for item in node.value]
        return out


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def _line(container: Any, key: Any) -> int | None:
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        return lines.get(key)
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return None


class _Reader:
    """Checks with messages that name the file, the line and the key."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, container: Any = None, key: Any = None,
             column: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=_line(container, key), column=column)

    def keys(self, mapping: Mapping[Any, Any], known: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = f" Did you mean '{close[0]}'?" if close else \
                    f" Known keys: {', '.join(known)}."
                raise self.fail(f"unknown key '{key}'.{hint}", mapping, key, f"{where}{key}")

    def count(self, value: Any, container: Any, key: Any, column: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"'{value}' is not a head count (a whole number >= 0)",
                            container, key, column)
        return value

    def number(self, value: Any, container: Any, key: Any, column: str, *,
               low: float, high: float = math.inf, low_open: bool = False) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and \
            math.isfinite(value) and (value > low if low_open else value >= low) and \
            value <= high
        if not ok:
            rel = ">" if low_open else ">="
            bound = "" if high == math.inf else f" and <= {high:g}"
            raise self.fail(f"'{value}' must be a number {rel} {low:g}{bound}", container,
                            key, column)
        return float(value)


# ---------------------------------------------------------------- parsing


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file; relative paths are resolved against its folder."""
    path = Path(path)
    if not path.is_file():
        raise InputError("sweep file not found", file=str(path))
    raw = read_yaml(path, _LineLoader)
    return parse_sweep(raw, base_dir=path.resolve().parent, file=str(path))


def parse_sweep(raw: Any, *, base_dir: Path, file: str = "<sweep>") -> Sweep:
    """Check a sweep mapping (as read by :func:`load_sweep`, or a plain dict)."""
    rd = _Reader(file)
    if not isinstance(raw, dict):
        raise rd.fail("the sweep must be a YAML mapping, e.g. 'ranges: {farmer: [10, 14]}'")
    rd.keys(raw, SWEEP_KEYS, "")
    options: list[HeadcountOption] = []
    for key in raw:
        if key == "ranges":
            options += _ranges(rd, raw, raw[key])
        elif key == "options":
            options += _options(rd, raw, raw[key])
    if not options:
        raise rd.fail("the sweep names no option; add 'ranges: {farmer: [10, 14]}' or "
                      "'options: [{name: today}]'", column="options")
    if len(options) > MAX_OPTIONS:
        raise rd.fail(f"the sweep has {len(options)} options, more than {MAX_OPTIONS}",
                      raw, "ranges" if "ranges" in raw else "options", "ranges")
    names = [o.name for o in options]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise rd.fail(f"two options are named '{name}'; give each option its own name",
                          raw, "options", "options.name")
    scenario = raw.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        raise rd.fail("'scenario' must be a path to a scenario file", raw, "scenario",
                      "scenario")
    seed = raw.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**31):
        raise rd.fail(f"'{seed}' is not a seed (a whole number from 0 to 2^31 - 1)", raw,
                      "seed", "seed")
    limit = raw.get("time_limit_s")
    return Sweep(
        scenario_overrides=_overrides(rd, raw, raw.get("scenario_overrides")), file=file,
        overrides_line=_line(raw, "scenario_overrides"),
        options=tuple(options),
        scenario=(base_dir / scenario) if scenario else None,
        time_limit_s=None if limit is None else rd.number(limit, raw, "time_limit_s",
                                                          "time_limit_s", low=0, low_open=True),
        seed=seed,
        utilization=rd.number(raw.get("utilization", 1.0), raw, "utilization", "utilization",
                              low=0, high=1, low_open=True),
        candidate_sites=_sites(rd, raw, raw.get("candidate_sites")),
    )


def _overrides(rd: _Reader, raw: Any, value: Any) -> tuple[tuple[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or any(not isinstance(v, dict) for v in value.values()):
        raise rd.fail("'scenario_overrides' must map scenario sections to their keys, e.g. "
                      "{objective: {moves: 1.0}}", raw, "scenario_overrides",
                      "scenario_overrides")
    for key in value:
        if key in Scenario.model_fields and key not in OVERRIDABLE:
            raise rd.fail(f"'{key}' cannot change in a sweep (it changes tiers, call hours or "
                          f"the tables); make a scenario file of its own and compare "
                          f"scenarios", value, key, f"scenario_overrides.{key}")
    rd.keys(value, OVERRIDABLE, "scenario_overrides.")
    return tuple((str(k), dict(v)) for k, v in value.items())


def _ranges(rd: _Reader, raw: Any, ranges: Any) -> list[HeadcountOption]:
    if not isinstance(ranges, dict) or not ranges:
        raise rd.fail("'ranges' must map roles to [low, high], e.g. {farmer: [10, 14]}", raw,
                      "ranges", "ranges")
    rd.keys(ranges, ROLES, "ranges.")
    values: list[list[tuple[str, int]]] = []
    for role, spec in ranges.items():
        col = f"ranges.{role}"
        if not isinstance(spec, list) or len(spec) not in (2, 3):
            raise rd.fail(f"'{spec}' is not a range; write [low, high] or [low, high, step]",
                          ranges, role, col)
        low, high = (rd.count(v, ranges, role, col) for v in spec[:2])
        step = rd.count(spec[2], ranges, role, col) if len(spec) == 3 else 1
        if low > high or step == 0:
            raise rd.fail(f"the range {spec} is empty; low must be <= high and step >= 1",
                          ranges, role, col)
        values.append([(role, n) for n in range(low, high + 1, step)])
    out = []
    for combo in itertools.product(*values):
        name = ", ".join(f"{n} {role}{'s' if n != 1 else ''}" for role, n in combo)
        out.append(HeadcountOption(name=name, headcount=tuple(combo)))
    return out


def _options(rd: _Reader, raw: Any, options: Any) -> list[HeadcountOption]:
    if not isinstance(options, list) or not options:
        raise rd.fail("'options' must be a list such as [{name: today}, {farmer: 14}]", raw,
                      "options", "options")
    out = []
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            raise rd.fail(f"option {i + 1} must be a mapping such as {{name: x, farmer: 14}}",
                          options, i, "options")
        rd.keys(opt, OPTION_KEYS, "options.")
        counts = tuple((role, rd.count(opt[role], opt, role, f"options.{role}"))
                       for role in ROLES if role in opt)
        default = ", ".join(f"{n} {r}s" for r, n in counts) or "today"
        name = opt.get("name", default)
        if not isinstance(name, str | int | float) or not str(name).strip():
            raise rd.fail("an option's name must be a non-empty text", opt, "name",
                          "options.name")
        out.append(HeadcountOption(name=str(name).strip(), headcount=counts))
    return out


def _sites(rd: _Reader, raw: Any, sites: Any) -> tuple[Site, ...]:
    if sites is None:
        return ()
    if not isinstance(sites, list) or not sites:
        raise rd.fail("'candidate_sites' must be a list such as [{postal_code: '43215'}]",
                      raw, "candidate_sites", "candidate_sites")
    out = []
    for i, s in enumerate(sites):
        if not isinstance(s, dict):
            raise rd.fail(f"site {i + 1} must be a mapping with postal_code or lat and lon",
                          sites, i, "candidate_sites")
        rd.keys(s, SITE_KEYS, "candidate_sites.")
        code = "" if s.get("postal_code") is None else str(s["postal_code"]).strip()
        if "lat" in s or "lon" in s:
            lat = rd.number(s.get("lat"), s, "lat", "candidate_sites.lat", low=-90, high=90)
            lon = rd.number(s.get("lon"), s, "lon", "candidate_sites.lon", low=-180, high=180)
        elif code:
            point = zip_centroid(code)
            if point is None:
                raise rd.fail(f"postal code '{code}' is not a known US ZIP code", s,
                              "postal_code", "candidate_sites.postal_code")
            lat, lon = point
        else:
            raise rd.fail(f"site {i + 1} needs a postal_code or lat and lon", sites, i,
                          "candidate_sites")
        roles = s.get("roles", [])
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or any(r not in ROLES for r in roles):
            raise rd.fail(f"'roles' must list roles among {', '.join(ROLES)}", s, "roles",
                          "candidate_sites.roles")
        name = str(s.get("name") or code or f"site {i + 1}")
        out.append(Site(name=name, lat=lat, lon=lon, postal_code=code, roles=tuple(roles)))
    return tuple(out)
