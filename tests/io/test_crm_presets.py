"""CRM presets (``io.crm_presets``): which CRM wrote a file, and which header is which column."""

from territory_opt.io.crm_presets import (
    DYNAMICS,
    HUBSPOT,
    SALESFORCE,
    detect_preset,
    header_key,
    match_columns,
)


def test_header_keys_ignore_case_and_spaces() -> None:
    assert header_key("  BILLINGPOSTALCODE ") == header_key("BillingPostalCode")
    assert header_key("Company   owner") == "company owner"


def test_the_layout_is_detected_from_the_headers() -> None:
    assert detect_preset(["Id", "Name", "BillingPostalCode", "OwnerId"], ["Id"]) == "salesforce"
    assert detect_preset(["Record ID", "Company name", "Company owner"]) == "hubspot"
    assert detect_preset(["(Do Not Modify) Account", "Account Name", "Owner",
                          "Address 1: ZIP/Postal Code"]) == "dynamics"
    assert detect_preset(["account_id", "potential", "owner_id"], ["rep_id", "role"]) is None


def test_salesforce_api_and_report_headers() -> None:
    api = ["ID", "NAME", "PARENTID", "BILLINGPOSTALCODE", "OWNERID", "ANNUALREVENUE", "TYPE"]
    assert match_columns(api, SALESFORCE["accounts"]) == {
        "account_id": "ID", "name": "NAME", "parent_id": "PARENTID", "potential":
        "ANNUALREVENUE", "stage": "TYPE", "owner_id": "OWNERID", "postal_code":
        "BILLINGPOSTALCODE"}
    report = ["Account Owner", "Account Name", "Type", "Account ID", "Annual Revenue",
              "Billing Zip/Postal Code"]
    assert match_columns(report, SALESFORCE["accounts"])["owner_id"] == "Account Owner"


def test_our_own_names_win_and_one_header_may_feed_two_columns() -> None:
    """A 'potential' column beats AnnualRevenue; HubSpot's users export has only an email,
    which is both the rep's id and email; Dynamics' 'name' stays the name."""
    assert match_columns(["Id", "potential", "AnnualRevenue"],
                         SALESFORCE["accounts"])["potential"] == "potential"
    users = match_columns(["First name", "Last name", "Email"], HUBSPOT["reps"])
    assert users["rep_id"] == "Email" and users["email"] == "Email"
    dyn = match_columns(["accountid", "name", "revenue"], DYNAMICS["accounts"])
    assert dyn == {"account_id": "accountid", "name": "name", "potential": "revenue"}
