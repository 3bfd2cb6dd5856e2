"""A fuzzer of hostile and careless inputs (hypothesis): single-cell, header and encoding
corruptions of a small copy of the demo (200 accounts, the 20 reps, 300 activities and deals)
and random scenario mutations, run through `validate` and `run`.

Each run must exit 0, 2 or 3 — never a traceback; on exit 2 or 3 nothing is written (no
folder, no temporary sibling); the inputs are byte-identical afterwards. The quick test tries
a handful of examples; the `slow` one many more.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territory_opt.cli import main
from tests.helpers import REPO, snapshot

N_ACCOUNTS = 200
TABLES = ("accounts", "reps", "activities", "deals")
HOSTILE = ["", " ", "nan", "NaN", "inf", "-inf", "-1", "0", "1e308", "-1e308", "1e16",
           "49553,69", "49.553,69", "1,234.5", "=HYPERLINK(\"http://x.example\",\"y\")",
           "+cmd|' /C calc'!A0", "@SUM(1)", "\x1b]0;pwned\x07", "\x1b[2J", "a\x00b", "A00001",
           "R01", "R99", "Café", "\u202etxt", "9" * 400, '"', "'", "true", "maybe", "x,y",
           "a;b", "line\nbreak", "\r", "\t", "lead", "customer", "hunter", "91", "-181",
           "2026-13-45", "é" * 3, "\ufeff"]
HEADER_NAMES = ["tier", "role", "rep_id", "account_id", "moved", "workload_hours", "",
                "Potential", "lat", "input_tier", "\x1b[31m", "a,b", "accounts", "name"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo: scenario.yaml and its four tables in one folder."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    demo = REPO / "scenarios" / "demo"
    for name, rows in (("accounts", N_ACCOUNTS), ("reps", None), ("activities", 300),
                       ("deals", 300)):
        lines = (demo / f"{name}.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / f"{name}.csv").write_text("".join(lines[:None if rows is None else rows + 1]),
                                            encoding="utf-8")
    sc = yaml.safe_load((REPO / "scenarios" / "demo.yaml").read_text(encoding="utf-8"))
    sc["name"] = "fuzz"
    sc["data"] = {t: f"{t}.csv" for t in TABLES}
    sc["solver"] = {"time_limit_s": 1, "seed": 0, "workers": 1}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- mutations

def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def cell_mutation(draw: st.DrawFn) -> tuple[str, Callable[[Path], None]]:
    table = draw(st.sampled_from(("accounts", "accounts", "reps")))
    value = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)))
    row, col = draw(st.integers(1, 10_000)), draw(st.integers(0, 100))

    def apply(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        r = rows[1 + row % (len(rows) - 1)]
        r[col % len(r)] = value
        write_rows(folder / f"{table}.csv", rows)

    return f"cell {table}[{row}][{col}] = {value!r}", apply


def header_mutation(draw: st.DrawFn) -> tuple[str, Callable[[Path], None]]:
    table = draw(st.sampled_from(("accounts", "reps")))
    kind = draw(st.sampled_from(("rename", "drop", "add")))
    name = draw(st.one_of(st.sampled_from(HEADER_NAMES), st.text(max_size=8)))
    col = draw(st.integers(0, 100))

    def apply(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        i = col % len(rows[0])
        for n, r in enumerate(rows):
            if kind == "rename" and n == 0:
                r[i] = name
            elif kind == "drop":
                del r[i]
            elif kind == "add":
                r.append(name if n == 0 else "x")
        write_rows(folder / f"{table}.csv", rows)

    return f"header {table}: {kind} {col} {name!r}", apply


def encoding_mutation(draw: st.DrawFn) -> tuple[str, Callable[[Path], None]]:
    table = draw(st.sampled_from(TABLES[:2]))
    kind = draw(st.sampled_from(("cp1252", "utf-16", "bom", "bytes", "truncate", "blank",
                                 "crlf")))
    where = draw(st.floats(0, 1))
    junk = draw(st.binary(min_size=1, max_size=4))

    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        raw = path.read_bytes()
        at = int(where * len(raw))
        text = raw.decode("utf-8")
        if kind == "cp1252":
            raw = text.replace("Hardware", "Härdwäre").encode("cp1252")
        elif kind == "utf-16":
            raw = text.encode("utf-16")
        elif kind == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif kind == "bytes":
            raw = raw[:at] + junk + raw[at:]
        elif kind == "truncate":
            raw = raw[:at]
        elif kind == "blank":
            cut = raw.find(b"\n", at) + 1 or len(raw)
            raw = raw[:cut] + b"\n\n" + raw[cut:]
        else:
            raw = raw.replace(b"\n", b"\r\n")
        path.write_bytes(raw)

    return f"encoding {table}: {kind} at {where:.2f} {junk!r}", apply


SCENARIO_PATHS = [
    ("name",), ("solver", "time_limit_s"), ("solver", "seed"), ("solver", "workers"),
    ("balance", "tolerance"), ("balance", "measure"), ("capacity", "hours_per_year"),
    ("capacity", "speed_kmh"), ("capacity", "visits_per_trip"), ("disruption", "max_moved_share"),
    ("disruption", "keep_owner_tiers"), ("segmentation", "by"), ("segmentation", "cutoffs"),
    ("segmentation", "method"), ("segmentation", "overrides"), ("routing", "lead"),
    ("structure",), ("objective", "travel"), ("data", "accounts"), ("data", "decimal"),
    ("call_patterns", "farmer", "A"), ("management", "span_of_control"), ("funnel",),
    ("unknown_key",), ("balance",), ("data",),
]
SCENARIO_VALUES = st.one_of(
    st.booleans(), st.none(), st.integers(-10, 10**12), st.floats(allow_nan=True),
    st.sampled_from([".", "..", "a/b", "../../x", "", "\x1b[31m", "1/3", ",", ";", "accounts.csv",
                     "reps.csv", "/dev/null", "potential", "strategic", "closer", [], {},
                     {"A": 0.9, "B": 0.1}, ["A", "Z"], {"strategic": "A"}, [{"channel": "visit"}]]),
    st.text(max_size=10))


def scenario_mutation(draw: st.DrawFn) -> tuple[str, Callable[[Path], None]]:
    path = draw(st.sampled_from(SCENARIO_PATHS))
    value = draw(SCENARIO_VALUES)
    text_kind = draw(st.sampled_from(("value", "value", "value", "duplicate", "deep", "tab")))

    def apply(folder: Path) -> None:
        file = folder / "scenario.yaml"
        if text_kind == "duplicate":
            file.write_text(file.read_text(encoding="utf-8") + "name: twice\n",
                            encoding="utf-8")
            return
        if text_kind == "deep":
            file.write_text(file.read_text(encoding="utf-8") + "x: " + "[" * 300 + "]" * 300,
                            encoding="utf-8")
            return
        if text_kind == "tab":
            file.write_text("\t" + file.read_text(encoding="utf-8"), encoding="utf-8")
            return
        sc = yaml.safe_load(file.read_text(encoding="utf-8"))
        node: Any = sc
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
        file.write_text(yaml.safe_dump(sc, allow_unicode=False), encoding="utf-8")

    return f"scenario {'.'.join(path)} = {value!r} ({text_kind})", apply


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, Callable[[Path], None], bool]:
    kind = draw(st.sampled_from((cell_mutation, header_mutation, encoding_mutation,
                                 scenario_mutation)))
    label, apply = kind(draw)
    return label, apply, draw(st.booleans())


# --------------------------------------------------------------------------- the property

def check(base: Path, label: str, apply: Callable[[Path], None], also_run: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        root = Path(tmp)
        folder = root / "in"
        shutil.copytree(base, folder)
        apply(folder)
        before = snapshot(folder)
        runner = CliRunner()
        res = runner.invoke(main, ["validate", str(folder / "scenario.yaml")])
        assert res.exit_code in (0, 2), (label, res.output, res.exception)
        assert res.exception is None or isinstance(res.exception, SystemExit), \
            (label, repr(res.exception))
        if also_run:
            outputs = root / "outputs"
            outputs.mkdir()
            out = outputs / "plan"
            res = runner.invoke(main, ["run", str(folder / "scenario.yaml"), "--out", str(out),
                                       "--quiet", "--time-limit", "1"])
            assert res.exit_code in (0, 2, 3), (label, res.output, res.exception)
            assert res.exception is None or isinstance(res.exception, SystemExit), \
                (label, repr(res.exception))
            assert "Traceback" not in res.output, (label, res.output)
            if res.exit_code == 0:
                assert (out / "assignments.csv").is_file(), label
            else:
                assert list(outputs.iterdir()) == [], (label, res.output)
        assert snapshot(folder) == before, f"{label}: an input changed"


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutations())
def test_hostile_inputs_exit_0_2_or_3_and_touch_nothing(
        base: Path, mutation: tuple[str, Callable[[Path], None], bool]) -> None:
    check(base, *mutation)


@pytest.mark.slow
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutations())
def test_hostile_inputs_many(base: Path,
                             mutation: tuple[str, Callable[[Path], None], bool]) -> None:
    check(base, *mutation)
