"""Readers and input checks: each bad input names the file, the spreadsheet row and column."""

from pathlib import Path

import pandas as pd
import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import parse_scenario
from territory_opt.io.inputs import load_accounts, load_reps
from territory_opt.io.load import load_planning_data
from territory_opt.io.tables import read_table

ACCOUNTS = """account_id,name,lat,lon,potential,stage,owner_id
a1,Acme,40.0,-83.0,100,customer,R1
a2,Bolt,40.1,-83.1,50,lead,R2
a3,Cork,40.2,-83.2,25,,
"""
REPS = """rep_id,name,role,lat,lon
R1,Ann,farmer,40.0,-83.0
R2,Bob,hunter,40.1,-83.1
R3,Cid,closer,40.2,-83.2
"""


def write(tmp_path: Path, accounts: str = ACCOUNTS, reps: str = REPS) -> Path:
    (tmp_path / "accounts.csv").write_text(accounts, encoding="utf-8")
    (tmp_path / "reps.csv").write_text(reps, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text("data: {accounts: accounts.csv, reps: reps.csv}\n")
    return path


def test_good_input_loads(tmp_path: Path) -> None:
    data = load_planning_data(write(tmp_path))
    assert list(data.accounts["account_id"]) == ["a1", "a2", "a3"]
    assert list(data.accounts["role"]) == ["farmer", "hunter", "farmer"]  # empty stage = customer
    assert data.reps["capacity_hours"].tolist() == [1500.0] * 3
    assert data.reps["crm_user_id"].tolist() == ["R1", "R2", "R3"]


def replace_cell(text: str, row: int, column: str, value: str) -> str:
    """Set one cell of a CSV text; row counts like a spreadsheet (header = 1)."""
    lines = text.strip().split("\n")
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("table, row, column, value, words", [
    ("accounts", 3, "account_id", "a1", "duplicate id 'a1' (first seen in row 2)"),
    ("accounts", 4, "owner_id", "R9", "owner 'R9' is not a rep_id"),
    ("accounts", 2, "lat", "95", "latitude 95 is out of range"),
    ("accounts", 3, "lon", "-190", "longitude -190 is out of range"),
    ("accounts", 4, "potential", "-5", "must be >= 0"),
    ("accounts", 3, "stage", "won", "unknown stage 'won'"),
    ("accounts", 2, "potential", "lots", "'lots' is not a number"),
    ("accounts", 3, "potential", "", "a value is required"),
    ("accounts", 2, "potential", "nan", "'nan' is not a number"),
    ("accounts", 2, "potential", "inf", "not a finite number"),
    ("reps", 3, "role", "sniper", "unknown role 'sniper'"),
    ("reps", 4, "rep_id", "R1", "duplicate id 'R1'"),
])
def test_bad_cell_names_file_row_and_column(tmp_path: Path, table: str, row: int,
                                            column: str, value: str, words: str) -> None:
    texts = {"accounts": ACCOUNTS, "reps": REPS}
    texts[table] = replace_cell(texts[table], row, column, value)
    with pytest.raises(InputError) as err:
        load_planning_data(write(tmp_path, texts["accounts"], texts["reps"]))
    e = err.value
    assert words in str(e)
    assert e.file is not None and e.file.endswith(f"{table}.csv")
    assert e.row == row and e.column == column


def test_missing_required_column(tmp_path: Path) -> None:
    text = ACCOUNTS.replace("potential", "value")
    with pytest.raises(InputError, match="required column 'potential' is missing") as err:
        load_planning_data(write(tmp_path, accounts=text))
    assert err.value.column == "potential"


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        load_planning_data(write(tmp_path, accounts=""))
    with pytest.raises(InputError, match="no data rows"):
        load_planning_data(write(tmp_path, accounts=ACCOUNTS.split("\n")[0] + "\n"))


def test_duplicate_header_case_insensitive(tmp_path: Path) -> None:
    text = ACCOUNTS.replace("name,", "Potential,", 1)
    with pytest.raises(InputError, match="duplicate column header") as err:
        load_planning_data(write(tmp_path, accounts=text))
    assert err.value.row == 1


def test_postal_code_resolves_offline_and_unknown_code_fails(tmp_path: Path) -> None:
    text = "account_id,postal_code,potential\na1,43215,10\na2,02108,5\n"
    reps = "rep_id,role,postal_code\nR1,farmer,43215\n"
    data = load_planning_data(write(tmp_path, text, reps))
    assert data.accounts["lat"].iloc[0] == pytest.approx(39.9671)
    assert data.accounts["lon"].iloc[1] == pytest.approx(-71.0, abs=0.2)
    with pytest.raises(InputError, match="'99999' is not a known US ZIP") as err:
        load_planning_data(write(tmp_path, text.replace("02108", "99999"), reps))
    assert (err.value.row, err.value.column) == (3, "postal_code")


def test_column_names_are_case_insensitive_and_extras_pass_through(tmp_path: Path) -> None:
    text = "Account_ID,LAT,Lon,POTENTIAL,Industry\na1,40,-83,10,Retail\n"
    data = load_planning_data(write(tmp_path, text, "rep_id,role,lat,lon\nR1,farmer,40,-83\n"))
    assert data.accounts["Industry"].tolist() == ["Retail"]
    assert data.accounts["potential"].tolist() == [10.0]


def test_semicolon_and_latin1_csv(tmp_path: Path) -> None:
    text = "account_id;name;lat;lon;potential\na1;Caf\xe9 M\xfcller;40;-83;10\n"
    (tmp_path / "accounts.csv").write_bytes(text.encode("latin-1"))
    (tmp_path / "reps.csv").write_text("rep_id,role,lat,lon\nR1,farmer,40,-83\n")
    (tmp_path / "s.yaml").write_text("data: {accounts: accounts.csv, reps: reps.csv}\n")
    data = load_planning_data(tmp_path / "s.yaml")
    assert data.accounts["name"].iloc[0] == "Café Müller"


def test_no_rep_for_a_needed_role(tmp_path: Path) -> None:
    reps = "rep_id,name,role,lat,lon\nR1,Ann,farmer,40.0,-83.0\nR2,Bob,hunter,40.1,-83.1\n"
    accounts = ACCOUNTS.replace("a3,Cork,40.2,-83.2,25,,", "a3,Cork,40.2,-83.2,25,opportunity,")
    with pytest.raises(InputError, match="no rep has role 'closer'"):
        load_planning_data(write(tmp_path, accounts, reps))


def test_every_reader_format_gives_the_same_table(tmp_path: Path) -> None:
    import geopandas as gpd

    df = pd.DataFrame({"account_id": ["a1", "a2"], "lat": [40.0, 41.5], "lon": [-83.0, -82.5],
                       "potential": [10.0, 20.5], "stage": ["customer", "lead"]})
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    df.to_excel(tmp_path / "t.xlsx", index=False)
    gdf = gpd.GeoDataFrame(df.drop(columns=["lat", "lon"]),
                           geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    gdf.to_file(tmp_path / "t.geojson", driver="GeoJSON")
    gdf.to_file(tmp_path / "t.gpkg", driver="GPKG")
    sc = parse_scenario({"data": {"accounts": "x", "reps": "y"}}, base_dir=tmp_path)
    reps = load_reps(_reps_csv(tmp_path), sc)
    tables = [load_accounts(tmp_path / f"t.{ext}", sc, reps)[["account_id", "lat", "lon",
                                                              "potential", "stage"]]
              for ext in ("csv", "parquet", "xlsx", "geojson", "gpkg")]
    for t in tables[1:]:
        pd.testing.assert_frame_equal(t, tables[0])


def _reps_csv(tmp_path: Path) -> Path:
    path = tmp_path / "reps.csv"
    path.write_text("rep_id,role,lat,lon\nR1,farmer,40,-83\n")
    return path


def test_unknown_extension(tmp_path: Path) -> None:
    (tmp_path / "t.dbf").write_text("x")
    with pytest.raises(InputError, match="unknown file type"):
        read_table(tmp_path / "t.dbf")


def test_locked_account_needs_an_owner_of_its_role(tmp_path: Path) -> None:
    text = ACCOUNTS.replace("owner_id", "owner_id,locked").replace("R1\n", "R1,\n")
    text = text.replace("R2\n", "R2,\n").replace("25,,\n", "25,,,true\n")
    with pytest.raises(InputError, match="locked but has no owner") as err:
        load_planning_data(write(tmp_path, accounts=text))
    assert (err.value.row, err.value.column) == (4, "locked")
