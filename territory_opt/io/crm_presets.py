"""CRM presets (``data.preset``): the standard export headers of Salesforce, HubSpot and
Microsoft Dynamics 365 for accounts (companies), users (reps) and opportunities (deals), and
the CRMs' value spellings mapped to ours.

Headers are matched ignoring case, surrounding spaces and repeated spaces, so Data Loader's
upper-case headers (``BILLINGPOSTALCODE``) match too. Each of our columns lists the spellings
it accepts, best first: our own column name, the API name (Data Loader, Data Export, Bulk API,
HubSpot's internal names, Dataverse logical names), then the label an export from the CRM's
screens writes (a Salesforce report, HubSpot's export, Dynamics' Export to Excel, whose hidden
first column ``(Do Not Modify) Account`` holds the record's id).

Choices made here (docs/formats.md, "CRM exports"):

* **potential**: no CRM has one; the account's annual revenue (the company's size:
  ``AnnualRevenue``, HubSpot ``Annual Revenue``, Dynamics ``revenue``) is read as ``potential``
  unless the file has a ``potential`` column (or Salesforce ``Potential__c``).
* **stage**: Salesforce ``Type``, HubSpot ``Lifecycle Stage`` and Dynamics ``Relationship Type``
  (``customertypecode``, its labels or its numbers) map to our stages: prospects and early
  funnel stages to ``prospect`` or ``lead``, HubSpot's opportunity to ``opportunity``, and every
  relationship that exists already (customers, partners, resellers, other) to ``customer``,
  the stage an empty cell takes. A value that already is one of our stages is kept. Any other
  value is an error naming it; ``data.<table>.values.stage`` overrides or extends the map.
* **role**: CRMs have no hunter/closer/farmer; a ``role`` column (or Salesforce
  ``Sales_Role__c``), else the user's title, maps common sales titles (account manager ->
  farmer, account executive -> closer, business or sales development rep -> hunter).
* **owners** may be ids, emails or names (HubSpot's ``Company owner``, a Salesforce report's
  ``Account Owner``, Dynamics' ``Owner``); they are resolved against the reps table
  (:mod:`territory_opt.io.crm_tables`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from territory_opt.domain.scenario import PRESETS, ROLES, STAGES


@dataclass(frozen=True)
class TablePreset:
    """One table of a CRM: per column of ours the headers that hold it (best first) and the
    CRM's value spellings (lower case) per column of ours."""

    columns: dict[str, tuple[str, ...]]
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)


def header_key(text: str) -> str:
    """Headers compare ignoring case, surrounding and repeated spaces."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


_YES_NO: dict[str, str | None] = {
    "true": "true", "false": "false", "1": "true", "0": "false", "yes": "true", "no": "false",
    "y": "true", "n": "false", "on": "true", "off": "false"}

#: common sales titles -> role (every CRM; a user's title is free text)
ROLE_TITLES: dict[str, str | None] = {
    **{r: r for r in ROLES},
    "account manager": "farmer", "key account manager": "farmer",
    "customer success manager": "farmer", "territory manager": "farmer",
    "account executive": "closer", "sales executive": "closer", "closer": "closer",
    "business development representative": "hunter", "business development rep": "hunter",
    "sales development representative": "hunter", "sales development rep": "hunter",
    "bdr": "hunter", "sdr": "hunter",
}

# --------------------------------------------------------------------------- Salesforce

#: Account.Type's default picklist (admins may edit it)
SALESFORCE_TYPE: dict[str, str | None] = {
    "prospect": "prospect", "customer - direct": "customer", "customer - channel": "customer",
    "channel partner / reseller": "customer", "installation partner": "customer",
    "technology partner": "customer", "other": "customer",
}

SALESFORCE = {
    "accounts": TablePreset(
        columns={
            "account_id": ("Id", "Account ID", "Account.Id"),
            "name": ("Name", "Account Name"),
            "parent_id": ("ParentId", "Parent Account ID", "Parent Account"),
            "potential": ("Potential__c", "AnnualRevenue", "Annual Revenue"),
            "stage": ("Type", "Account Type"),
            "owner_id": ("OwnerId", "Owner ID", "Account Owner"),
            "postal_code": ("BillingPostalCode", "Billing Zip/Postal Code"),
            "country": ("BillingCountryCode", "BillingCountry", "Billing Country Code",
                        "Billing Country"),
            "lat": ("BillingLatitude", "Billing Latitude"),
            "lon": ("BillingLongitude", "Billing Longitude"),
        },
        values={"stage": SALESFORCE_TYPE},
    ),
    "reps": TablePreset(
        columns={
            "rep_id": ("Id", "User ID"),
            "name": ("Name", "Full Name"),
            "first_name": ("FirstName", "First Name"),
            "last_name": ("LastName", "Last Name"),
            "email": ("Email",),
            "active": ("IsActive", "Active"),
            "manager_id": ("ManagerId", "Manager ID"),
            "role": ("Sales_Role__c", "Title"),
            "capacity_hours": ("Capacity_Hours__c",),
            "postal_code": ("PostalCode", "Zip/Postal Code"),
            "country": ("CountryCode", "Country"),
            "lat": ("Latitude",),
            "lon": ("Longitude",),
        },
        values={"role": ROLE_TITLES, "active": _YES_NO},
    ),
    "deals": TablePreset(
        columns={
            "deal_id": ("Id", "Opportunity ID"),
            "account_id": ("AccountId", "Account ID"),
            "rep_id": ("OwnerId", "Opportunity Owner"),
            "created": ("CreatedDate", "Created Date"),
            "is_closed": ("IsClosed", "Closed"),
            "outcome": ("StageName", "Stage"),
            "amount": ("Amount",),
        },
        values={"is_closed": _YES_NO,
                "outcome": {"closed won": "won", "closed lost": "lost", "*": "open"}},
    ),
}

# --------------------------------------------------------------------------- HubSpot

#: Lifecycle Stage: the default labels and the internal values of an export with VALUES
HUBSPOT_LIFECYCLE: dict[str, str | None] = {
    "subscriber": "prospect", "lead": "lead", "marketing qualified lead": "lead",
    "marketingqualifiedlead": "lead", "sales qualified lead": "lead",
    "salesqualifiedlead": "lead", "opportunity": "opportunity", "customer": "customer",
    "evangelist": "customer", "other": "customer",
}

HUBSPOT = {
    "accounts": TablePreset(
        columns={
            "account_id": ("Record ID", "Company ID", "hs_object_id"),
            "name": ("Company name", "Name"),
            "parent_id": ("Parent Company", "Parent Company ID", "hs_parent_company_id"),
            "potential": ("Annual Revenue", "annualrevenue"),
            "stage": ("Lifecycle Stage", "lifecyclestage"),
            "owner_id": ("HubSpot Owner Email", "owneremail", "Company owner",
                         "hubspot_owner_id"),
            "postal_code": ("Postal Code", "zip"),
            "country": ("Country/Region Code", "hs_country_code", "Country/Region", "country"),
            "lat": ("Latitude", "hs_latitude"),
            "lon": ("Longitude", "hs_longitude"),
        },
        values={"stage": HUBSPOT_LIFECYCLE},
    ),
    "reps": TablePreset(
        columns={
            "rep_id": ("Owner ID", "hubspot_owner_id", "User ID", "Email", "Email address"),
            "name": ("Name", "Full name"),
            "first_name": ("First name", "firstName"),
            "last_name": ("Last name", "lastName"),
            "email": ("Email", "Email address"),
            "role": ("Job title", "Title"),
            "postal_code": ("Postal Code", "zip"),
            "lat": ("Latitude",),
            "lon": ("Longitude",),
        },
        values={"role": ROLE_TITLES},
    ),
    "deals": TablePreset(
        columns={
            "deal_id": ("Record ID", "hs_object_id"),
            "account_id": ("Associated Company IDs", "Associated Company IDs (Primary)",
                           "Associated Company", "associatedcompanyid"),
            "rep_id": ("Deal owner", "hubspot_owner_id"),
            "created": ("Create Date", "createdate"),
            "outcome": ("Deal Stage", "dealstage"),
            "amount": ("Amount", "amount"),
        },
        values={"outcome": {"closed won": "won", "closedwon": "won", "closed lost": "lost",
                            "closedlost": "lost", "*": "open"}},
    ),
}

# --------------------------------------------------------------------------- Dynamics 365

#: customertypecode (Relationship Type): labels and option values
DYNAMICS_RELATIONSHIP: dict[str, str | None] = {
    "customer": "customer", "3": "customer", "prospect": "prospect", "8": "prospect",
    **{label: "customer" for label in ("competitor", "consultant", "investor", "partner",
                                       "influencer", "press", "reseller", "supplier",
                                       "vendor", "other")},
    **{str(code): "customer" for code in (1, 2, 4, 5, 6, 7, 9, 10, 11, 12)},
}

DYNAMICS = {
    "accounts": TablePreset(
        columns={
            "account_id": ("accountid", "(Do Not Modify) Account"),
            "name": ("name", "Account Name"),
            "parent_id": ("parentaccountid", "_parentaccountid_value", "Parent Account"),
            "potential": ("revenue", "Annual Revenue"),
            "stage": ("customertypecode", "Relationship Type"),
            "owner_id": ("ownerid", "_ownerid_value", "Owner"),
            "postal_code": ("address1_postalcode", "Address 1: ZIP/Postal Code",
                            "ZIP/Postal Code", "Address 1: Postal Code"),
            "country": ("address1_country", "Address 1: Country/Region", "Address 1: Country"),
            "lat": ("address1_latitude", "Address 1: Latitude"),
            "lon": ("address1_longitude", "Address 1: Longitude"),
        },
        values={"stage": DYNAMICS_RELATIONSHIP},
    ),
    "reps": TablePreset(
        columns={
            "rep_id": ("systemuserid", "(Do Not Modify) User"),
            "name": ("fullname", "Full Name"),
            "first_name": ("firstname", "First Name"),
            "last_name": ("lastname", "Last Name"),
            "email": ("internalemailaddress", "Primary Email"),
            "disabled": ("isdisabled", "Status"),
            "manager_id": ("parentsystemuserid", "Manager"),
            "role": ("title", "jobtitle", "Job Title", "Title"),
            "postal_code": ("address1_postalcode", "Address 1: ZIP/Postal Code"),
            "country": ("address1_country", "Address 1: Country/Region"),
            "lat": ("address1_latitude", "Address 1: Latitude"),
            "lon": ("address1_longitude", "Address 1: Longitude"),
        },
        values={"role": ROLE_TITLES,
                "disabled": {**_YES_NO, "disabled": "true", "enabled": "false"}},
    ),
    "deals": TablePreset(
        columns={
            "deal_id": ("opportunityid", "(Do Not Modify) Opportunity"),
            "account_id": ("parentaccountid", "_parentaccountid_value", "customerid",
                           "Account", "Potential Customer"),
            "rep_id": ("ownerid", "_ownerid_value", "Owner"),
            "created": ("createdon", "Created On"),
            "closed": ("actualclosedate", "Actual Close Date"),
            "outcome": ("statecode", "Status"),
            "amount": ("estimatedvalue", "Est. Revenue"),
        },
        values={"outcome": {"0": "open", "1": "won", "2": "lost", "open": "open",
                            "won": "won", "lost": "lost"}},
    ),
}

_BY_NAME: dict[str, dict[str, TablePreset]] = {"salesforce": SALESFORCE, "hubspot": HUBSPOT,
                                               "dynamics": DYNAMICS}
assert set(_BY_NAME) == set(PRESETS)

#: headers that only one CRM writes: they tell the layout apart (:func:`detect_preset`)
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "salesforce": ("BillingPostalCode", "BillingCountry", "BillingLatitude", "OwnerId",
                   "ParentId", "AnnualRevenue", "NumberOfEmployees", "IsActive", "ManagerId",
                   "Billing Zip/Postal Code", "Account Owner"),
    "hubspot": ("Record ID", "Company name", "Company owner", "Lifecycle Stage",
                "Country/Region", "Parent Company", "Number of Employees"),
    "dynamics": ("accountid", "address1_postalcode", "ownerid", "parentaccountid",
                 "numberofemployees", "customertypecode", "systemuserid", "fullname",
                 "(Do Not Modify) Account", "(Do Not Modify) User", "Relationship Type",
                 "Address 1: ZIP/Postal Code"),
}

#: every value our columns accept as they are
OWN_VALUES: dict[str, tuple[str, ...]] = {"stage": STAGES, "role": ROLES,
                                           "outcome": ("won", "lost", "open")}


def table_preset(preset: str | None, table: str) -> TablePreset | None:
    """The preset of one table (accounts, reps, deals), or None."""
    return None if preset is None else _BY_NAME[preset].get(table)


def detect_preset(*header_lists: Iterable[str]) -> str | None:
    """The CRM whose export headers the files carry most of (None: our own layout, or no
    CRM matches at least two headers)."""
    have = {header_key(h) for headers in header_lists for h in headers}
    scores = {name: sum(header_key(s) in have for s in sig)
              for name, sig in _SIGNATURES.items()}
    best = max(scores, key=lambda n: scores[n])
    return best if scores[best] >= 2 else None


def match_columns(headers: Iterable[str], preset: TablePreset | None,
                  explicit: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our column -> the file's header: ``explicit`` first, then, for every other column of
    the preset, its own name or else the first of its spellings the file has. Two columns of
    ours may read one header (HubSpot's users export: ``Email`` is a rep's id and email)."""
    by_key = {header_key(h): h for h in headers}
    out: dict[str, str] = dict(explicit or {})
    if preset is None:
        return out
    for column, spellings in preset.columns.items():
        if column in out:
            continue
        for spelling in (column, *spellings):
            header = by_key.get(header_key(spelling))
            if header is not None:
                out[column] = header
                break
    return out
