"""The output-folder contract (``io/out_folder.py``): the tool replaces only what it wrote,
never an input, resolves paths, refuses what it cannot write — all before solving — and
cleans up after a killed run.

Every case runs the real CLI on the six-account case of ``test_bad_inputs`` (a plan in well
under a second). "Before solving" is checked by making ``solve`` fail if it is called.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from territory_opt.cli import main
from territory_opt.io.out_folder import MARKER_FILE, default_plan_dir, slug
from tests.helpers import listing, snapshot
from tests.io.test_bad_inputs import make_case

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")


def run(scenario: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["run", str(scenario), "--quiet", "--time-limit", "5",
                                     *args])


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal must come before the solve."""
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("solve was called before the output folder was checked")

    monkeypatch.setattr("territory_opt.application.run.solve", boom)


def refused(res: Result, words: str) -> None:
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert words in res.output, res.output


def no_temporaries(folder: Path) -> None:
    left = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert left == [], left


# --------------------------------------------------------------------------- what is replaced

def test_a_folder_of_other_files_is_refused_then_replaced_with_force(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    before = snapshot(out)
    refused(run(scenario, "--out", str(out)), "did not write")
    assert snapshot(out) == before
    res = run(scenario, "--out", str(out), "--force")
    assert res.exit_code == 0, res.output
    assert "thesis.docx" not in listing(out) and "plan.json" in listing(out)


def test_the_tools_own_folder_is_replaced_but_not_with_a_file_added(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    out = tmp_path / "plan"
    assert run(scenario, "--out", str(out)).exit_code == 0
    marker = json.loads((out / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["kind"] == "plan" and marker["complete"] is True
    assert "assignments.csv" in marker["entries"]
    assert run(scenario, "--out", str(out)).exit_code == 0  # its own plan: replaced
    (out / "my-notes.txt").write_text("keep me")
    refused(run(scenario, "--out", str(out)), "my-notes.txt")
    assert (out / "my-notes.txt").read_text() == "keep me"
    no_temporaries(tmp_path)


def test_a_measure_folder_inside_a_plan_folder_does_not_block_the_plan(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    out = tmp_path / "plan"
    assert run(scenario, "--out", str(out)).exit_code == 0
    folder = tmp_path / "in"
    res = CliRunner().invoke(main, ["measure", str(scenario), "--activities",
                                    str(folder / "activities.csv"), "--deals",
                                    str(folder / "deals.csv"), "--plan", str(out),
                                    "--out", str(out / "measure")])
    assert res.exit_code == 0, res.output
    assert run(scenario, "--out", str(out)).exit_code == 0


def test_another_kind_of_output_is_not_replaced(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    out = tmp_path / "plan"
    assert run(scenario, "--out", str(out)).exit_code == 0
    folder = tmp_path / "in"
    res = CliRunner().invoke(main, ["measure", str(scenario), "--activities",
                                    str(folder / "activities.csv"), "--out", str(out)])
    refused(res, "holds a plan output")


# --------------------------------------------------------------------------- inputs

@pytest.mark.parametrize("key", ["activities", "deals", "units"])
def test_the_folder_of_any_data_input_is_refused(tmp_path: Path, key: str,
                                                 no_solve: None) -> None:
    """data.activities, data.deals and data.units are not read by `run`, but they are
    inputs of the scenario: their folder is never replaced."""
    scenario = make_case(tmp_path / "in")
    other = tmp_path / "crm-export"
    other.mkdir()
    (other / "input.csv").write_text("precious\n")
    sc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    sc["data"][key] = str(other / "input.csv")
    scenario.write_text(yaml.safe_dump(sc), encoding="utf-8")
    for out, words in ((other, f"the {key} input"), (tmp_path, "input")):
        refused(run(scenario, "--out", str(out), "--force"), words)
    assert (other / "input.csv").read_text() == "precious\n"


def test_measure_and_compare_refuse_their_inputs(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    plan = tmp_path / "plan"
    assert run(scenario, "--out", str(plan)).exit_code == 0
    folder = tmp_path / "in"
    res = CliRunner().invoke(main, ["measure", str(scenario), "--activities",
                                    str(folder / "activities.csv"), "--plan", str(plan),
                                    "--out", str(plan), "--force"])
    refused(res, "the plan input")
    res = CliRunner().invoke(main, ["compare", str(scenario), "--out", str(folder),
                                    "--workers", "1", "--quiet"])
    refused(res, "input")
    assert "deals.csv" in listing(folder)


# --------------------------------------------------------------------------- names and paths

@pytest.mark.parametrize("name, folder", [(".", "plan"), ("..", "plan"), ("a/b", "a-b"),
                                          ("../../etc", "etc"), ("-x-", "x"), ("", "plan")])
def test_scenario_names_that_are_paths_are_slugged(name: str, folder: str) -> None:
    assert slug(name) == folder
    assert default_plan_dir(name) == Path("out") / folder
    assert len(slug("x" * 500)) == 80


def test_a_scenario_named_dot_does_not_replace_out(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = make_case(tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "out" / "other-plan"
    other.mkdir(parents=True)
    (other / "plan.json").write_text("{}")
    for name in (".", ".."):
        sc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
        sc["name"] = name
        scenario.write_text(yaml.safe_dump(sc), encoding="utf-8")
        res = run(scenario)
        assert res.exit_code == 0, res.output
    assert (other / "plan.json").read_text() == "{}"
    assert listing(tmp_path / "out") == ["other-plan", "plan"]


def test_fifo_device_and_file_are_refused_at_once(tmp_path: Path, no_solve: None) -> None:
    scenario = make_case(tmp_path / "in")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(run(scenario, "--out", str(fifo), "--force"), "is a FIFO")
    refused(run(scenario, "--out", "/dev/null", "--force"), "is a device")
    file = tmp_path / "file.txt"
    file.write_text("x")
    refused(run(scenario, "--out", str(file)), "is a file")
    refused(run(scenario, "--out", str(file / "plan")), "under")
    assert file.read_text() == "x" and fifo.exists()


def test_a_fifo_out_does_not_hang_the_real_command(tmp_path: Path) -> None:
    """In a subprocess, so a hang would fail the test rather than block it."""
    scenario = make_case(tmp_path / "in")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-c", "from territory_opt.cli import main; main()",
                           "run", str(scenario), "--out", str(fifo), "--quiet"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "FIFO" in proc.stderr, proc.stderr


def test_a_name_too_long_is_refused_before_solving(tmp_path: Path, no_solve: None) -> None:
    scenario = make_case(tmp_path / "in")
    refused(run(scenario, "--out", str(tmp_path / ("p" * 250))), "too long")


def test_an_unwritable_parent_is_refused_before_solving(
        tmp_path: Path, no_solve: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe folder cannot be made (as on a read-only mount)."""
    scenario = make_case(tmp_path / "in")

    def denied(*args: Any, **kwargs: Any) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("territory_opt.io.out_folder.tempfile.mkdtemp", denied)
    refused(run(scenario, "--out", str(tmp_path / "ro" / "plan")), "cannot write in")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path: Path, no_solve: None) -> None:
    scenario = make_case(tmp_path / "in")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        refused(run(scenario, "--out", str(ro / "plan")), "cannot write in")
    finally:
        ro.chmod(0o755)


# --------------------------------------------------------------------------- symlinks

def test_a_symlinked_out_stays_a_link(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    real = tmp_path / "real" / "plan"
    link = tmp_path / "latest"
    link.symlink_to(real)  # dangling: the first run creates the folder it points at
    for _ in range(2):
        res = run(scenario, "--out", str(link))
        assert res.exit_code == 0, res.output
        assert link.is_symlink() and (real / "plan.json").is_file()
    no_temporaries(tmp_path)
    no_temporaries(real.parent)


def test_a_symlink_loop_is_refused(tmp_path: Path, no_solve: None) -> None:
    scenario = make_case(tmp_path / "in")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    refused(run(scenario, "--out", str(tmp_path / "a")), "loops")


def test_a_symlink_to_an_input_folder_is_refused(tmp_path: Path, no_solve: None) -> None:
    scenario = make_case(tmp_path / "in")
    link = tmp_path / "innocent"
    link.symlink_to(tmp_path / "in")
    refused(run(scenario, "--out", str(link), "--force"), "input")


# --------------------------------------------------------------------------- killed runs

def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_temporaries_of_a_killed_run_are_cleaned_and_an_old_folder_put_back(
        tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    out = tmp_path / "plan"
    assert run(scenario, "--out", str(out)).exit_code == 0
    pid = dead_pid()
    stale = tmp_path / f".plan.tmp-{pid}-abc123"
    stale.mkdir()
    (stale / MARKER_FILE).write_text(json.dumps({"tool": "territory_opt", "kind": "plan",
                                                 "complete": False, "pid": pid}))
    (stale / "assignments.csv").write_text("half")
    foreign = tmp_path / f".plan.tmp-{pid}-notours"  # no marker: not the tool's, kept
    foreign.mkdir()
    os.replace(out, tmp_path / f".plan.old-{pid}")  # killed between the swap's renames
    before = snapshot(tmp_path / f".plan.old-{pid}")
    res = run(scenario, "--out", str(out))
    assert res.exit_code == 0, res.output
    assert not stale.exists() and foreign.exists()
    assert not (tmp_path / f".plan.old-{pid}").exists()
    assert set(snapshot(out)) == set(before)


# --------------------------------------------------------------------------- files

def test_segment_out_replaces_only_its_own_tiers_file(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    tiers = tmp_path / "tiers.csv"
    for _ in range(2):
        res = CliRunner().invoke(main, ["segment", str(scenario), "--out", str(tiers)])
        assert res.exit_code == 0, res.output
    assert tiers.read_text().startswith("account_id,tier,role,potential,touch_hours\n")
    budget = tmp_path / "budget.csv"
    budget.write_text("line,amount\nrent,100\n")
    res = CliRunner().invoke(main, ["segment", str(scenario), "--out", str(budget)])
    refused(res, "not written by territory_opt")
    assert budget.read_text() == "line,amount\nrent,100\n"
    accounts = tmp_path / "in" / "accounts.csv"
    before = accounts.read_bytes()
    res = CliRunner().invoke(main, ["segment", str(scenario), "--out", str(accounts),
                                    "--force"])
    refused(res, "accounts input")
    assert accounts.read_bytes() == before
    res = CliRunner().invoke(main, ["segment", str(scenario), "--out", str(budget), "--force"])
    assert res.exit_code == 0 and budget.read_text().startswith("account_id,tier")


def test_report_out_replaces_only_a_report(tmp_path: Path) -> None:
    scenario = make_case(tmp_path / "in")
    plan = tmp_path / "plan"
    assert run(scenario, "--out", str(plan)).exit_code == 0
    res = CliRunner().invoke(main, ["report", str(plan)])  # its own report.html
    assert res.exit_code == 0, res.output
    page = tmp_path / "index.html"
    page.write_text("<html>my page</html>")
    refused(CliRunner().invoke(main, ["report", str(plan), "--out", str(page)]),
            "not written by territory_opt")
    refused(CliRunner().invoke(main, ["report", str(plan), "--out",
                                      str(plan / "plan.json"), "--force"]), "input")
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    refused(CliRunner().invoke(main, ["report", str(plan), "--out", str(fifo), "--force"]),
            "not a regular file")
    assert page.read_text() == "<html>my page</html>"
