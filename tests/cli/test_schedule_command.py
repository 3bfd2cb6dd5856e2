"""`territory-opt schedule` on the hand case (tests/helpers.py: 1 rep, 6 accounts, 2 weeks):
the files people use parse with the libraries they will be read with (icalendar, csv), every
visit due is scheduled or listed, every day keeps its hours, and nothing fitting exits 3."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import icalendar
from click.testing import CliRunner

from territory_opt.cli.main import main
from tests.helpers import write_schedule_case


def run_schedule(tmp_path: Path, *args: str, **case: object):  # type: ignore[no-untyped-def]
    folder = write_schedule_case(tmp_path, **case)  # type: ignore[arg-type]
    result = CliRunner().invoke(main, ["schedule", str(folder), *args])
    return folder, result


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_schedule_writes_the_files_people_use(tmp_path: Path) -> None:
    folder, result = run_schedule(tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    out = folder / "schedule"
    rows = read_csv(out / "schedule.csv")
    visits = [r for r in rows if r["channel"] == "visit"]
    # 3 weekly A visits × 2 weeks + E2 once = 7 scheduled; FAR listed (8 due)
    assert len(visits) == 7
    [far] = read_csv(out / "not_fitting.csv")
    assert far["account_id"] == "FAR"
    summary = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    t = summary["totals"]
    assert t["visits_scheduled"] + t["visits_not_fitting"] == t["visits_due"] == 8
    # every day within its 8 hours from 08:00
    for day in read_csv(out / "days.csv"):
        assert float(day["work_hours"]) <= float(day["limit_hours"]) + 1e-9
        assert float(day["over_hours"]) == 0
        assert day["end"] <= "16:00"


def test_the_calendar_parses_with_icalendar(tmp_path: Path) -> None:
    folder, result = run_schedule(tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    [ics] = sorted((folder / "schedule" / "calendars").glob("*.ics"))
    assert ics.name == "R1.ics"
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 7 + 1  # 7 visits and W2's call
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts[0].date() >= dt.date(2026, 1, 5)
    assert starts[-1].date() <= dt.date(2026, 1, 16)
    for e in events:
        assert e.decoded("DTEND") > e.decoded("DTSTART")
        assert str(e.get("UID"))


def test_the_event_file_parses_with_csv(tmp_path: Path) -> None:
    folder, result = run_schedule(tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    rows = read_csv(folder / "schedule" / "salesforce_event.csv")
    assert list(rows[0]) == ["OwnerId", "WhatId", "Subject", "StartDateTime", "EndDateTime"]
    assert len(rows) == 8
    assert {r["OwnerId"] for r in rows} == {"005000000000001"}  # the rep's crm_user_id
    for r in rows:
        start = dt.datetime.fromisoformat(r["StartDateTime"])
        assert dt.datetime.fromisoformat(r["EndDateTime"]) > start


def test_json_summary_and_calibration(tmp_path: Path) -> None:
    _, result = run_schedule(tmp_path, "--json")
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert s["calendar"]["weeks"] == 2
    assert s["calibration"]["visits_per_trip"] > 1  # routes chain visits


def test_nothing_fits_exits_3(tmp_path: Path) -> None:
    """Only FAR (389 km from home) has visits: none fits an 8-hour day."""
    _, result = run_schedule(tmp_path, "--quiet", accounts=[("FAR", "B", 0.0, 3.5)])
    assert result.exit_code == 3, result.output
    assert "fits a working day" in result.output
