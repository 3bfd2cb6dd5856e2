"""Column mapping (``io.column_mapping``): our columns from the file's headers, values recoded,
unknown headers and values named with a suggestion."""

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import TableSource
from territory_opt.io.column_mapping import read_mapped

ACCOUNTS = """Id,Account Name,Annual Revenue,Type,Industry
001,Acme,100,Customer - Direct,Retail
002,Bolt,50,Prospect,Energy
003,Cork,25,,Energy
"""


def source(tmp_path: Path, text: str = ACCOUNTS, **kwargs: object) -> TableSource:
    path = tmp_path / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    return TableSource(path=path, **kwargs)  # type: ignore[arg-type]


def test_columns_are_renamed_and_the_rest_passes_through(tmp_path: Path) -> None:
    spec = source(tmp_path, columns={"account_id": "id", "potential": "annual  revenue",
                                     "stage": "Type"},
                  values={"stage": {"customer - direct": "customer", "Prospect": "prospect"}})
    mt = read_mapped(spec, "accounts")
    assert list(mt.df.columns) == ["account_id", "potential", "stage", "Account Name",
                                   "Industry"]
    assert mt.text("stage").tolist() == ["customer", "prospect", ""]
    assert mt.headers["potential"] == "Annual Revenue"
    assert mt.rows.tolist() == [2, 3, 4]


def test_an_unknown_header_lists_the_file_headers_with_did_you_mean(tmp_path: Path) -> None:
    spec = source(tmp_path, columns={"account_id": "Id", "potential": "AnualRevenue"})
    with pytest.raises(InputError) as err:
        read_mapped(spec, "accounts")
    msg = str(err.value)
    assert "data.accounts.columns.potential names the column 'AnualRevenue'" in msg
    assert "Did you mean 'Annual Revenue'?" in msg
    assert "The file's columns: Id, Account Name, Annual Revenue, Type, Industry" in msg
    assert err.value.row == 1 and err.value.column == "AnualRevenue"


def test_an_unknown_stage_value_is_named_with_its_row(tmp_path: Path) -> None:
    """Type 'Partner' is known to nobody here; our own stage names (any case) always are."""
    text = ACCOUNTS.replace("Customer - Direct", "Partner")
    spec = source(tmp_path, text=text, columns={"account_id": "Id", "potential": "Annual Revenue",
                                                "stage": "Type"})
    with pytest.raises(InputError) as err:
        read_mapped(spec, "accounts")
    assert "'Partner' is not a known stage value; map it under data.accounts.values.stage" \
        in str(err.value)
    assert err.value.row == 2 and err.value.column == "Type"


def test_a_star_maps_every_other_value_and_tilde_empties(tmp_path: Path) -> None:
    spec = source(tmp_path, columns={"account_id": "Id", "potential": "Annual Revenue",
                                     "stage": "Type"},
                  values={"stage": {"*": "customer", "Prospect": None}})
    assert read_mapped(spec, "accounts").text("stage").tolist() == ["customer", "", ""]


def test_the_preset_fills_the_columns_not_mapped(tmp_path: Path) -> None:
    """Salesforce: Id, Annual Revenue (potential) and Type (stage, its picklist) by the
    preset; the scenario's own value for 'Prospect' wins over the preset's."""
    spec = source(tmp_path, values={"stage": {"PROSPECT": "lead"}})
    mt = read_mapped(spec, "accounts", "salesforce")
    assert mt.headers == {"account_id": "Id", "name": "Account Name",
                          "potential": "Annual Revenue", "stage": "Type"}
    assert mt.text("stage").tolist() == ["customer", "lead", ""]


def test_a_mapped_column_beside_a_column_of_that_name_is_an_error(tmp_path: Path) -> None:
    text = ACCOUNTS.replace("Industry", "potential")
    spec = source(tmp_path, text=text, columns={"account_id": "Id",
                                                "potential": "Annual Revenue"})
    with pytest.raises(InputError, match="also has a column 'potential'"):
        read_mapped(spec, "accounts")


def test_a_required_column_the_preset_cannot_find(tmp_path: Path) -> None:
    text = ACCOUNTS.replace("Annual Revenue", "Size")
    with pytest.raises(InputError) as err:
        read_mapped(source(tmp_path, text=text), "accounts", "salesforce")
    assert ("required column 'potential' is missing: the salesforce preset looks for "
            "potential, Potential__c, AnnualRevenue, Annual Revenue") in str(err.value)


def test_a_misspelt_column_of_ours_is_suggested(tmp_path: Path) -> None:
    spec = source(tmp_path, columns={"acount_id": "Id", "potential": "Annual Revenue"})
    with pytest.raises(InputError, match="data.accounts.columns.acount_id maps 'Id': did you "
                                         "mean 'account_id'"):
        read_mapped(spec, "accounts")
