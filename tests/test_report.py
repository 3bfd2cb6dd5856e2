"""HTML report: self-contained, escaped, complete; comparison of plans; move reasons."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from territory_opt.plan_folder import PlanFolder, read_plan_folder
from territory_opt.report import move_reasons, render_report, summary, write_report

EVIL = "<script>alert(1)</script>"
ASSIGNMENT_HEADER = ["account_id", "tier", "role", "rep_id", "previous_rep_id", "moved",
                     "handover", "touch_hours", "travel_hours", "workload_hours", "name", "lat",
                     "lon", "potential", "revenue", "stage", "locked", "unit_id"]
REP_HEADER = ["rep_id", "name", "role", "accounts", "accounts_A", "accounts_B", "accounts_C",
              "potential", "touch_hours", "travel_hours", "workload_hours", "capacity_hours",
              "utilization", "previous_workload_hours", "lat", "lon", "cell", "manager_id",
              "crm_user_id", "cost"]


def write_plan(folder: Path, scenario: str = "tiny", assignments: list[list[str]] | None = None,
               reps: list[list[str]] | None = None) -> Path:
    """A hand-checkable plan: 2 farmers at (40, -83) and (40, -82), 4 accounts.

    - A1 (tier A) stays with R1.
    - A2 moves R1 -> R2. Before, R1 carried 1700 h against a capacity of 1500: "capacity".
    - A3 moves R2 -> R1. R2 was at 400 h before, under capacity and under the band, and A3 at
      (40, -82.9) is nearer to R1's home: "travel".
    - A4, named like a script, had no owner (not a move).
    """
    assignments = assignments or [
        ["A1", "A", "farmer", "R1", "R1", "false", "false", "24", "10", "34", "Acme", "40.0",
         "-83.0", "900", "", "customer", "false", ""],
        ["A2", "B", "farmer", "R2", "R1", "true", "false", "9", "5", "14", "Bolt", "40.1",
         "-82.1", "300", "", "customer", "false", ""],
        ["A3", "C", "farmer", "R1", "R2", "true", "false", "3", "1", "4", "Cogs", "40.0",
         "-82.9", "50", "", "customer", "false", ""],
        ["A4", "C", "farmer", "R2", "", "false", "false", "3", "0", "3", EVIL, "40.2",
         "-82.2", "40", "", "customer", "false", ""],
    ]
    reps = reps or [
        ["R1", "Ann Lee", "farmer", "2", "1", "0", "1", "950", "27", "11", "38", "1500",
         "0.03", "1700", "40.0", "-83.0", "", "M1", "R1", "90000"],
        ["R2", EVIL, "farmer", "2", "0", "1", "1", "340", "12", "5", "17", "1500", "0.01",
         "400", "40.0", "-82.0", "", "M1", "R2", "85000"],
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (("assignments.csv", ASSIGNMENT_HEADER, assignments),
                               ("reps.csv", REP_HEADER, reps)):
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    plan = {"scenario": scenario, "status": "optimal", "objective": 55.0, "bound": 55.0,
            "gap": 0.0, "solve_seconds": 0.2, "balance": {"measure": "workload",
                                                         "tolerance": 0.1},
            "metrics": {"max_deviation": 0.38, "moves": 2, "moved_share": 2 / 3,
                        "handovers": 0, "travel_hours": 16.0, "capacity_violations": 0},
            "manifest": {}}
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return folder


@pytest.fixture
def plan(tmp_path: Path) -> PlanFolder:
    return read_plan_folder(write_plan(tmp_path / "plan"))


def external_refs(text: str) -> list[str]:
    """URLs in src/href/url(...) that point to another host (SVG's xmlns is not a request)."""
    attr = r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)"""
    refs = re.findall(attr, text, flags=re.IGNORECASE)
    refs += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]*)", text, flags=re.IGNORECASE)
    refs += re.findall(r"@import", text)
    return refs


def test_report_is_one_self_contained_file(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    write_report([plan], out)
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temp file left
    text = out.read_text(encoding="utf-8")
    assert external_refs(text) == []
    without_svg_ns = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in without_svg_ns and "https://" not in without_svg_ns
    assert "<script src" not in text and "<link" not in text
    assert "default-src 'none'" in text  # the browser itself refuses any other request


def test_report_escapes_input_text(plan: PlanFolder) -> None:
    text = render_report([plan])
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert text.count("<script>") == 1  # only the page's own sorting script
    assert "</script>" not in text.split("<script>", 1)[0]


def test_report_names_every_rep_and_section(plan: PlanFolder) -> None:
    text = render_report([plan])
    for rep_id in plan.reps["rep_id"]:
        assert f">{rep_id}<" in text
    for heading in ("Headline", "Territories", "Workload per rep against capacity",
                    "Workload before and after", "Tier mix per rep", "Moved accounts", "Reps"):
        assert f"<h2>{heading}</h2>" in text
    assert text.count("<circle") == 4  # one dot per account
    assert text.count('stroke="#111" stroke-width="1.6"') == 2  # two moved accounts ringed
    assert 'class="band"' in text  # the ±tolerance band


def test_move_reasons(plan: PlanFolder) -> None:
    reasons = move_reasons(plan)
    by_account = dict(zip(plan.assignments.loc[reasons.index, "account_id"], reasons,
                          strict=True))
    assert by_account == {"A2": "capacity", "A3": "travel"}


def test_move_reason_balance(tmp_path: Path) -> None:
    """R1 at 1400 h before, the role mean (1400 + 400) / 2 = 900, 1400 > 990: "balance"."""
    folder = write_plan(tmp_path / "plan")
    reps = (folder / "reps.csv").read_text(encoding="utf-8").replace(",1700,", ",1400,")
    (folder / "reps.csv").write_text(reps, encoding="utf-8")
    reasons = move_reasons(read_plan_folder(folder))
    assert reasons.tolist() == ["balance", "travel"]


def test_summary_falls_back_to_tables(tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan")
    (folder / "plan.json").write_text(json.dumps({"status": "feasible"}), encoding="utf-8")
    s = summary(read_plan_folder(folder))
    assert s["moves"] == 2
    assert s["moved_share"] == pytest.approx(2 / 3)  # 3 accounts had an owner
    assert s["travel_hours"] == pytest.approx(16.0)
    assert s["reps_by_role"] == "2 farmers"
    assert s["max_deviation"] == pytest.approx((38 - 27.5) / 27.5)


def test_comparison_page_has_a_column_per_plan(tmp_path: Path) -> None:
    one = read_plan_folder(write_plan(tmp_path / "one", scenario="Today's team"))
    two = read_plan_folder(write_plan(tmp_path / "two", scenario="Plus <2> farmers"))
    out = tmp_path / "compare.html"
    write_report([one, two], out)
    text = out.read_text(encoding="utf-8")
    table = text[text.index('<table class="compare">'):]
    table = table[:table.index("</table>")]
    assert '<th scope="col">Today&#x27;s team</th>' in table
    assert '<th scope="col">Plus &lt;2&gt; farmers</th>' in table
    status_row = re.search(r'<tr><th scope="row">Status</th>(.*?)</tr>', table)
    assert status_row is not None and status_row.group(1).count("<td>") == 2
    assert text.count("<details>") == 2


def test_report_size_for_3000_accounts(tmp_path: Path) -> None:
    rows = [[f"A{i}", "ABC"[i % 3], "farmer", f"R{i % 20}", f"R{(i + (i % 7 == 0)) % 20}",
             str(i % 7 == 0).lower(), "false", "3", "1.5", "4.5", f"Account {i}",
             f"{39 + (i % 97) / 40:.4f}", f"{-84 + (i % 89) / 25:.4f}", "100", "", "customer",
             "false", ""] for i in range(3000)]
    reps = [[f"R{j}", f"Rep {j}", "farmer", "150", "50", "50", "50", "15000", "450", "225",
             "675", "1500", "0.45", "680", f"{39 + j / 10}", f"{-84 + j / 6}", "", "M1",
             f"R{j}", "90000"] for j in range(20)]
    plan = read_plan_folder(write_plan(tmp_path / "big", assignments=rows, reps=reps))
    out = tmp_path / "big.html"
    write_report([plan], out)
    assert out.stat().st_size < 3_000_000


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_report_renders_in_chromium(plan: PlanFolder, tmp_path: Path) -> None:
    """Headless Chromium runs the page's script (tables marked ready, a click sorts)."""
    text = render_report([plan])
    click = ("<script>var th=document.querySelectorAll('table.sortable')[0]"
             ".querySelectorAll('th')[0];th.click();th.click();</script></body>")
    page = tmp_path / "report.html"
    page.write_text(text.replace("</body>", click), encoding="utf-8")
    profile = tempfile.mkdtemp(dir=tmp_path)
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    dom = result.stdout
    assert dom.count('data-sortable="ready"') == 2, result.stderr[-2000:]
    assert "Uncaught" not in result.stderr
    moved = dom[dom.index('<table class="sortable"'):]
    assert 'aria-sort="descending"' in moved[:moved.index("</thead>")]
    first_rows = re.findall(r"<tr><td>(A\d)</td>", moved)
    assert first_rows[:2] == ["A3", "A2"]  # sorted by account, descending


def test_plan_against_actual_section_from_measure_output(tmp_path: Path) -> None:
    """With measure/ coverage tables in the plan folder, the report draws plan against actual
    per tier and per rep; without them, no such section."""
    from territory_opt.plan_folder import read_plan_folder
    from territory_opt.report import render_report

    plan_dir = write_plan(tmp_path / "plan")
    plain = render_report([read_plan_folder(plan_dir)])
    assert "Plan against actual calls" not in plain
    (plan_dir / "measure").mkdir()
    (plan_dir / "measure" / "coverage_tiers.csv").write_text(
        "tier,planned_touches,touches\nA,100,80\nB,50,50\nC,20,35\n")
    (plan_dir / "measure" / "coverage_reps.csv").write_text(
        "rep_id,role,planned_touches,touches_on_own\nR1,farmer,90,70\nR2,farmer,80,95\n")
    html = render_report([read_plan_folder(plan_dir)])
    assert "Plan against actual calls" in html
    assert "80% of 100" in html and "119% of 80" in html  # 80/100 and 95/80 touches
