"""CRM tables made ready (``io.crm_tables``, through ``load_planning_data``): users who are not
reps, owners by id, email or name, parents, both forms of a Salesforce id, rows abroad."""

from pathlib import Path

import pytest
import yaml

from territory_opt.domain.errors import InputError
from territory_opt.io.load import load_planning_data, load_scenario_data
from territory_opt.io.scenario_file import load_scenario

# Salesforce User export: a manager (not a rep), an inactive former rep, two reps
USERS = """Id,Name,Email,IsActive,Title,PostalCode
005000000000001AAA,Ann Lee,ann@x.com,true,Account Manager,43215
005000000000002AAA,Bob Roe,bob@x.com,true,Account Manager,44114
005000000000003AAA,Max Boss,max@x.com,true,Sales Manager,43215
005000000000004AAA,Old Rep,old@x.com,false,Account Manager,43215
"""
ACCOUNTS = """Id,Name,ParentId,BillingPostalCode,OwnerId,AnnualRevenue,Type
001000000000001AAA,Acme,,43215,005000000000001,100,Customer - Direct
001000000000002AAA,Acme East,Acme,2134,bob@x.com,50,Customer - Channel
001000000000003AAA,Cork,001000000000001,43215-1234,Old Rep,25,
"""


def write(tmp_path: Path, accounts: str = ACCOUNTS, users: str = USERS,
          **scenario: object) -> Path:
    (tmp_path / "Account.csv").write_text(accounts, encoding="utf-8")
    (tmp_path / "User.csv").write_text(users, encoding="utf-8")
    sc = {"data": {"preset": "salesforce", "accounts": "Account.csv",
                   "reps": {"path": "User.csv", "values": {"role": {"Sales Manager": None}}}},
          **scenario}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(sc), encoding="utf-8")
    return path


def test_a_salesforce_export_loads(tmp_path: Path) -> None:
    """Owners by 15-character id, by email and by a left-out user's name (cleared); the
    parent by name and by 15-character id; ZIPs as a number (2134 = 02134) and ZIP+4."""
    path = write(tmp_path)
    data, notes = load_scenario_data(load_scenario(path), path)
    assert data.reps["rep_id"].tolist() == ["005000000000001AAA", "005000000000002AAA"]
    assert notes.left_out_users == ("005000000000003AAA", "005000000000004AAA")
    assert notes.cleared_owners == 1
    acc = data.accounts
    assert acc["owner_id"].tolist() == ["005000000000001AAA", "005000000000002AAA", ""]
    assert acc["parent_id"].tolist() == ["", "001000000000001AAA", "001000000000001AAA"]
    assert acc["stage"].tolist() == ["customer"] * 3
    assert acc["potential"].tolist() == [100.0, 50.0, 25.0]
    assert abs(acc["lat"].iloc[1] - 42.3) < 0.2  # 02134: Allston, Boston
    assert acc["postal_code"].tolist() == ["43215", "2134", "43215-1234"]


def test_an_unknown_owner_names_the_value_and_suggests_a_rep(tmp_path: Path) -> None:
    path = write(tmp_path, ACCOUNTS.replace("bob@x.com", "Bob Roa"))
    with pytest.raises(InputError) as err:
        load_planning_data(path)
    assert "owner 'Bob Roa' is not a rep_id in the reps table, nor a rep's email or name" \
        in str(err.value)
    assert "Did you mean 'Bob Roe'?" in str(err.value)
    assert err.value.row == 3 and err.value.column == "OwnerId"


def test_an_ambiguous_owner_name(tmp_path: Path) -> None:
    users = USERS.replace("Bob Roe", "Ann Lee")
    path = write(tmp_path, ACCOUNTS.replace("bob@x.com", "ann lee"), users)
    with pytest.raises(InputError, match="matches several reps"):
        load_planning_data(path)


def test_both_forms_of_one_id_are_a_duplicate(tmp_path: Path) -> None:
    """001000000000001AAA is the 18-character form of 001000000000001."""
    accounts = ACCOUNTS.replace("001000000000003AAA", "001000000000001")
    with pytest.raises(InputError) as err:
        load_planning_data(write(tmp_path, accounts))
    assert "the same Salesforce record as '001000000000001AAA' in row 2" in str(err.value)
    assert err.value.row == 4


def test_a_left_out_user_keeps_its_spreadsheet_row_in_messages(tmp_path: Path) -> None:
    """Rows 4 and 5 of User.csv are left out; the bad ZIP of row 3 is still row 3."""
    with pytest.raises(InputError) as err:
        load_planning_data(write(tmp_path, users=USERS.replace("44114", "99999")))
    assert err.value.row == 3 and err.value.column == "PostalCode"
    assert "a row outside the US needs lat and lon" in str(err.value)


def test_a_row_abroad_needs_lat_and_lon(tmp_path: Path) -> None:
    accounts = ACCOUNTS.replace("BillingPostalCode,", "BillingPostalCode,BillingCountry,")
    accounts = accounts.replace(",43215,005", ",43215,USA,005").replace(
        ",2134,", ",2134,United States,").replace(",43215-1234,", ",10115,Germany,")
    with pytest.raises(InputError) as err:
        load_planning_data(write(tmp_path, accounts))
    assert "outside the US (country 'Germany'), so it needs lat and lon" in str(err.value)
    assert err.value.row == 4


def test_a_role_nobody_mapped_is_named(tmp_path: Path) -> None:
    (tmp_path / "User.csv").write_text(USERS, encoding="utf-8")
    path = write(tmp_path)
    sc = yaml.safe_load(path.read_text())
    sc["data"]["reps"] = "User.csv"
    path.write_text(yaml.safe_dump(sc))
    with pytest.raises(InputError) as err:
        load_planning_data(path)
    assert "'Sales Manager' is not a known role value; map it under data.reps.values.role" \
        in str(err.value)
    assert err.value.row == 4 and err.value.column == "Title"
