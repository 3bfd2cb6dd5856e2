"""The documentation keeps up with the code (as sqlite-utils' ``tests/test_docs.py`` does).

- every command of ``territory-opt`` has a ``## territory-opt <name>`` section in docs/cli.md,
  and every one of its options appears there in backticks (e.g. `` `--time-limit S` ``);
  every option a section's table lists exists;
- every scenario key, found by walking the pydantic ``Scenario`` model, has a row in a table
  of docs/scenario.md, its full dotted path in backticks in the first cell (``<role>``,
  ``<tier>``, ``<stage>``, ``<name>`` stand for the keys of a mapping, ``[]`` for the items
  of a list), and every dotted scenario path written there exists;
- every key of the sweep file has such a row in docs/scenario.md's sweep section;
- every scenario and sweep file shown in a ```yaml block of the docs passes the real checks;
- README.md and docs/*.md point only at files inside the repository, and their relative
  links resolve (anchors included).

Each failure names exactly what is missing and where.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from inspect import isclass
from pathlib import Path

import click
import pytest
import yaml
from pydantic import BaseModel

from territory_opt.cli.main import main
from territory_opt.domain.scenario import ROLES, STAGES, TIERS, Scenario, parse_scenario
from territory_opt.headcount import sweep_file

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CLI_DOC = DOCS / "cli.md"
SCENARIO_DOC = DOCS / "scenario.md"


# --------------------------------------------------------------------------- helpers


def read(path: Path) -> str:
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def without_fences(text: str) -> str:
    """The text with fenced code blocks blanked (line count kept, for line numbers)."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
        else:
            out.append("" if fenced else line)
    return "\n".join(out)


def code_spans(text: str) -> set[str]:
    """The contents of every inline `code` span (fenced blocks excluded), stripped."""
    return {m.group(2).strip() for m in re.finditer(r"(`+)(.+?)\1", without_fences(text))}


def table_keys(text: str) -> set[str]:
    """The `code` of the first cell of every table row: the keys a reference table documents."""
    return set(re.findall(r"^\|\s*`([^`]+)`\s*\|", without_fences(text), re.MULTILINE))


def sections(text: str, level: int = 2) -> dict[str, str]:
    """Heading text -> the text up to the next heading of the same or a higher level
    (headings inside fenced code blocks do not count)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#{1,6}) (.+?)\s*$", line)
        if heading and len(heading.group(1)) <= level:
            current = out.setdefault(heading.group(2), []) \
                if len(heading.group(1)) == level else None
        elif current is not None:
            current.append(line)
    return {h: "\n".join(lines) for h, lines in out.items()}


# --------------------------------------------------------------------------- (a) the CLI


def commands() -> dict[str, click.Command]:
    assert isinstance(main, click.Group)
    return dict(sorted(main.commands.items()))


def long_flags(command: click.Command) -> list[str]:
    return [flag for p in command.params if isinstance(p, click.Option)
            for flag in (*p.opts, *p.secondary_opts) if flag.startswith("--")]


def flag_in_backticks(flag: str, text: str) -> bool:
    """`--flag`, `--flag VALUE` or `--flag=VALUE` in backticks (not `--flag-more`)."""
    return re.search(rf"`{re.escape(flag)}(?![\w-])[^`\n]*`", without_fences(text)) is not None


def test_every_command_has_a_section() -> None:
    cli = sections(read(CLI_DOC))
    missing = [name for name in commands() if f"territory-opt {name}" not in cli]
    assert not missing, ("docs/cli.md has no '## territory-opt <command>' section for: "
                         + ", ".join(missing))


def test_every_section_is_a_command() -> None:
    cli = sections(read(CLI_DOC))
    stale = [h for h in cli if h.startswith("territory-opt ")
             and h.removeprefix("territory-opt ") not in commands()]
    assert not stale, f"docs/cli.md documents commands that do not exist: {', '.join(stale)}"


@pytest.mark.parametrize("name", list(commands()))
def test_every_option_is_documented(name: str) -> None:
    section = sections(read(CLI_DOC)).get(f"territory-opt {name}")
    assert section is not None, f"docs/cli.md has no '## territory-opt {name}' section"
    missing = [flag for flag in long_flags(commands()[name])
               if not flag_in_backticks(flag, section)]
    assert not missing, (f"docs/cli.md, section 'territory-opt {name}': option(s) not "
                         f"documented in backticks: {', '.join(missing)}")


@pytest.mark.parametrize("name", list(commands()))
def test_every_documented_option_exists(name: str) -> None:
    section = sections(read(CLI_DOC)).get(f"territory-opt {name}", "")
    real = set(long_flags(commands()[name])) | {"--help"}
    listed = re.findall(r"^\|\s*`(--[\w-]+)", without_fences(section), re.MULTILINE)
    stale = [flag for flag in listed if flag not in real]
    assert not stale, (f"docs/cli.md, section 'territory-opt {name}' lists option(s) the "
                       f"command does not have: {', '.join(stale)}")


def test_group_options_are_documented() -> None:
    text = read(CLI_DOC)
    missing = [flag for flag in long_flags(main) if not flag_in_backticks(flag, text)]
    assert not missing, f"docs/cli.md does not document: {', '.join(missing)}"


# --------------------------------------------------------------------------- (b) scenario keys

_PLACEHOLDERS = {frozenset(ROLES): "<role>", frozenset(TIERS): "<tier>",
                 frozenset(STAGES): "<stage>"}


def _placeholder(key_type: object) -> str:
    if typing.get_origin(key_type) is typing.Literal:
        return _PLACEHOLDERS.get(frozenset(typing.get_args(key_type)), "<name>")
    return "<name>"


def _has_model(tp: object) -> bool:
    if isclass(tp) and issubclass(tp, BaseModel):
        return True
    return any(_has_model(a) for a in typing.get_args(tp))


def _walk_type(tp: object, path: str) -> Iterator[str]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isclass(tp) and issubclass(tp, BaseModel):
        yield from scenario_keys(tp, f"{path}.")
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _walk_type(arg, path)
    elif origin is dict and _has_model(args[1]):
        sub = f"{path}.{_placeholder(args[0])}"
        yield sub
        yield from _walk_type(args[1], sub)
    elif origin in (tuple, list) and args and _has_model(args[0]):
        yield from _walk_type(args[0], f"{path}[]")


def scenario_keys(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[str]:
    """Every key of the scenario file as a dotted path, e.g. ``capacity.visits_per_trip``,
    ``call_patterns.<role>.<tier>[].per_year``, ``funnel.stages[].conversion``."""
    for name, field in model.model_fields.items():
        yield prefix + name
        yield from _walk_type(field.annotation, prefix + name)


def test_scenario_walk_finds_nested_keys() -> None:
    """The walk itself: nested models, mappings by role/tier/name and lists of models."""
    keys = set(scenario_keys())
    for key in ("capacity.visits_per_trip", "solver.time_limit_s", "funnel.stages[].conversion",
                "call_patterns.<role>.<tier>[].per_year", "overlays.<name>.<tier>[].channel",
                "data.accounts", "profit.uplift"):
        assert key in keys


def test_every_scenario_key_is_documented() -> None:
    rows = table_keys(read(SCENARIO_DOC))
    missing = [key for key in dict.fromkeys(scenario_keys()) if key not in rows]
    assert not missing, ("docs/scenario.md has no table row '| `full.dotted.path` | type | "
                         "default | meaning |' for the scenario key(s): " + ", ".join(missing))


def test_every_documented_scenario_key_exists() -> None:
    known = set(scenario_keys())
    top = set(Scenario.model_fields)
    path = re.compile(r"[a-z_]+(?:\.(?:[a-z_]+|<[a-z]+>)(?:\[\])?|\[\])+")
    stale = sorted(s for s in code_spans(read(SCENARIO_DOC))
                   if path.fullmatch(s) and s.split(".")[0].split("[")[0] in top
                   and s not in known)
    assert not stale, ("docs/scenario.md names scenario key(s) the Scenario model does not "
                       "have: " + ", ".join(stale))


# --------------------------------------------------------------------------- (c) sweep keys


def sweep_keys() -> list[str]:
    return [*sweep_file.SWEEP_KEYS,
            *(f"options[].{k}" for k in sweep_file.OPTION_KEYS),
            *(f"candidate_sites[].{k}" for k in sweep_file.SITE_KEYS),
            *(f"scenario_overrides.{k}" for k in sweep_file.OVERRIDABLE)]


def test_every_sweep_key_is_documented() -> None:
    found = [text for heading, text in sections(read(SCENARIO_DOC)).items()
             if "sweep" in heading.lower()]
    assert found, "docs/scenario.md has no '## ...sweep...' section for the sweep file"
    rows = table_keys("\n".join(found))
    missing = [key for key in sweep_keys() if key not in rows]
    assert not missing, ("docs/scenario.md, sweep file section, has no table row '| `key` | "
                         "type | default | meaning |' for the sweep key(s): "
                         + ", ".join(missing))


def yaml_examples() -> list[tuple[str, str]]:
    """(page, text) of every ```yaml block of the docs."""
    return [(str(p.relative_to(ROOT)), block) for p in sorted(DOCS.glob("*.md"))
            for block in re.findall(r"^```yaml\n(.*?)^```", read(p), re.DOTALL | re.MULTILINE)]


@pytest.mark.parametrize("page, block", yaml_examples(),
                         ids=[f"{p}-{i}" for i, (p, _) in enumerate(yaml_examples())])
def test_yaml_examples_are_valid(page: str, block: str) -> None:
    """Every scenario and sweep file shown in the docs passes the real checks."""
    raw = yaml.safe_load(block)
    assert isinstance(raw, dict), f"{page}: a YAML example is not a mapping"
    if "data" in raw:
        parse_scenario(raw, base_dir=ROOT / "scenarios", file=page)
    else:
        assert set(raw) <= set(sweep_file.SWEEP_KEYS), f"{page}: {sorted(raw)}"
        sweep_file.parse_sweep(raw, base_dir=ROOT / "scenarios", file=page)


# --------------------------------------------------------------------------- (d) links


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


#: strings that point outside a clone of the repository
OUTSIDE = ("../", "/work/", "shared/SPEC", "/tmp/", "/home/", "/Users/")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"`([^`]*)`", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for m in re.finditer(r"^#{1,6} (.+?)\s*#*\s*$", without_fences(read(path)), re.MULTILINE):
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_path_outside_the_repository(path: Path) -> None:
    bad = [f"line {i}: {s!r}" for i, line in enumerate(read(path).splitlines(), 1)
           for s in OUTSIDE if s in line]
    assert not bad, f"{path.relative_to(ROOT)} points outside the repository: " + "; ".join(bad)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    text = without_fences(read(path))
    broken = []
    link = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
    for m in link.finditer(text):  # link text may wrap over lines
        target, line = m.group(1), text.count("\n", 0, m.start(1)) + 1
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if ROOT not in (dest, *dest.parents):
            broken.append(f"line {line}: {target} (outside the repository)")
        elif not dest.exists():
            broken.append(f"line {line}: {target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"line {line}: {target} (no heading with this anchor)")
    assert not broken, f"{path.relative_to(ROOT)} has broken links: " + "; ".join(broken)
