"""The plan folder reader (``io.plan_folder``) on the hand-written plan of 4 accounts and 2
reps that the CRM exports read (``helpers.write_crm_plan``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.io.plan_folder import PlanFolder, read_plan_folder
from tests.helpers import PLAN_REP_HEADER, crm_assignments, crm_reps, write_crm_plan


def test_reader_types(crm_plan: PlanFolder) -> None:
    a = crm_plan.assignments
    assert a["moved"].tolist() == [False, True, True, False]
    assert a["previous_rep_id"].tolist() == ["R1", "R1", "R1", ""]
    assert a["postal_code"].tolist()[0] == "04101"  # ids keep leading zeros
    assert a["workload_hours"].sum() == pytest.approx(54.0)
    assert crm_plan.reps["capacity_hours"].tolist() == [1500.0, 1500.0]
    assert crm_plan.name == "tiny"


def test_reader_accepts_pandas_booleans(tmp_path: Path) -> None:
    """`DataFrame.to_csv` writes True/False."""
    rows = crm_assignments()
    for row in rows:
        row[5], row[6] = row[5].capitalize(), row[6].capitalize()
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan", assignments=rows))
    assert plan.assignments["moved"].tolist() == [False, True, True, False]


def test_reader_missing_file(tmp_path: Path) -> None:
    folder = write_crm_plan(tmp_path / "plan")
    (folder / "reps.csv").unlink()
    with pytest.raises(InputError, match="missing") as err:
        read_plan_folder(folder)
    assert err.value.file is not None and err.value.file.endswith("reps.csv")


def test_reader_missing_column(tmp_path: Path) -> None:
    folder = write_crm_plan(tmp_path / "plan", reps=[r[1:] for r in crm_reps()],
                            rep_header=PLAN_REP_HEADER[1:])
    with pytest.raises(InputError) as err:
        read_plan_folder(folder)
    assert err.value.column == "rep_id"


def test_reader_bad_boolean_names_row(tmp_path: Path) -> None:
    rows = crm_assignments()
    rows[2][5] = "maybe"
    with pytest.raises(InputError) as err:
        read_plan_folder(write_crm_plan(tmp_path / "plan", assignments=rows))
    assert (err.value.row, err.value.column) == (4, "moved")


def test_reader_unknown_rep(tmp_path: Path) -> None:
    rows = crm_assignments()
    rows[0][3] = "R9"
    with pytest.raises(InputError, match="R9") as err:
        read_plan_folder(write_crm_plan(tmp_path / "plan", assignments=rows))
    assert (err.value.row, err.value.column) == (2, "rep_id")


def test_reader_bad_json(tmp_path: Path) -> None:
    folder = write_crm_plan(tmp_path / "plan")
    (folder / "plan.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="JSON"):
        read_plan_folder(folder)
