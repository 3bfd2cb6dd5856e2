"""Owner changes of a plan in the CSV layouts that the CRMs' own import tools accept.

Every file is UTF-8 without a byte-order mark, comma separated, one header row, one record a
row, ``\\n`` line endings and minimal quoting (Python's ``csv`` module, ``QUOTE_MINIMAL``).
Cells that a spreadsheet would run as a formula are neutralised by the rule of every CSV the
tool writes (:mod:`territory_opt.io.spreadsheet_cells`). A ``manifest.json`` beside
the files records the row counts, the CRM, the mode and the hash of the plan.

Layouts, checked against the vendors' documentation:

- ``salesforce`` — ``salesforce_account_owner.csv``: ``Id,OwnerId`` for Data Loader (Update,
  Account) or ``sf data update bulk --sobject Account`` (the Id must be the first column).
  https://developer.salesforce.com/docs/platform/salesforce-cli-reference/guide/cli_reference_data_update_bulk.html
  https://developer.salesforce.com/docs/atlas.en-us.api_bulk_v2.meta/api_bulk_v2/datafiles_prepare_csv.htm
  https://developer.salesforce.com/docs/platform/data-loader-impl/guide/loader-params.md
- ``salesforce-territory`` — Enterprise Territory Management: ``Territory2.csv``,
  ``UserTerritory2Association.csv``, ``ObjectTerritory2Association.csv``.
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_territory2.htm
  https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-userterritory2association.html
  https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-objectterritory2association.html
- ``hubspot`` — company import updating existing records by ``Record ID``, owner given by the
  user's email in ``Company owner``.
  https://knowledge.hubspot.com/crm-setup/set-up-your-import-file
  https://knowledge.hubspot.com/import-and-export/understand-the-import-tool
- ``dynamics`` — Dataverse ``account`` rows: ``accountid``, ``ownerid``, ``owneridtype``.
  https://learn.microsoft.com/en-us/power-apps/developer/data-platform/reference/entities/account
  https://learn.microsoft.com/en-us/power-apps/developer/data-platform/reference/entities/owner
- Formula injection: https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.io.atomic import write_atomically
from territory_opt.io.out_folder import OutputTarget, prepare_output_dir
from territory_opt.io.plan_folder import PlanFolder
from territory_opt.io.spreadsheet_cells import neutralise

CRMS = ("salesforce", "salesforce-territory", "hubspot", "dynamics")
MANIFEST_FILE = "manifest.json"

SALESFORCE_OWNER_FILE = "salesforce_account_owner.csv"
TERRITORY_FILE = "Territory2.csv"
USER_TERRITORY_FILE = "UserTerritory2Association.csv"
OBJECT_TERRITORY_FILE = "ObjectTerritory2Association.csv"
HUBSPOT_FILE = "hubspot_company_owner.csv"
DYNAMICS_FILE = "dynamics_account_owner.csv"

DEVELOPER_NAME_MAX = 80  # Territory2.DeveloperName and Name are 80-character strings
REP_ROLE_IN_TERRITORY = "Owner"  # RoleInTerritory2 picklist: Owner, Administrator, Sales Rep

_DEVELOPER_NAME = re.compile(r"[A-Za-z](?:_?[A-Za-z0-9])*")

Rows = list[list[str]]


@dataclass(frozen=True)
class CsvFile:
    """One import file: its name, header and rows (cells already neutralised)."""

    name: str
    header: list[str]
    rows: Rows


def export_crm(plan: PlanFolder, crm: str, out_dir: Path, *, changes_only: bool = True,
               territory_model_id: str = "", territory_type_id: str = "",
               force: bool = False) -> dict[str, Any]:
    """Write the owner changes of ``plan`` for ``crm`` into ``out_dir`` and return the manifest.

    Parameters
    ----------
    plan
        The plan folder to export.
    crm
        One of :data:`CRMS`.
    out_dir
        Folder to create, or to replace if territory_opt wrote it (the output-folder rules of
        :mod:`territory_opt.io.out_folder`; the plan folder is an input). Written atomically:
        the files go to a temporary folder beside it that is then renamed.
    changes_only
        Only accounts whose rep differs from the previous one (default); False for all.
    territory_model_id, territory_type_id
        Salesforce Ids of the Territory2Model (in Planning state) and Territory2Type; required
        for ``salesforce-territory``.
    force
        Replace a non-empty ``out_dir`` that territory_opt did not write.

    Raises
    ------
    InputError
        Unknown CRM, reps without a CRM user id (or, for HubSpot, an email), missing territory
        ids, or a refused ``out_dir``. Nothing is written then.
    """
    if crm not in CRMS:
        raise InputError(f"unknown CRM {crm!r}; choose one of {', '.join(CRMS)}")
    target = prepare_output_dir(out_dir, [("plan", plan.path)], kind="crm", force=force)
    accounts = selected_accounts(plan, changes_only=changes_only)
    if crm == "salesforce":
        files = [salesforce_owner_file(plan, accounts)]
    elif crm == "salesforce-territory":
        files = salesforce_territory_files(plan, accounts, territory_model_id, territory_type_id)
    elif crm == "hubspot":
        files = [hubspot_file(plan, accounts)]
    else:
        files = [dynamics_file(plan, accounts)]
    manifest = {
        "crm": crm,
        "changes_only": changes_only,
        "plan_hash": plan.plan_hash,
        "scenario": plan.plan.get("scenario", ""),
        "files": {f.name: len(f.rows) for f in files},
        "notes": _NOTES[crm],
    }
    _write_atomically(target, files, manifest)
    return manifest


def export_default_crms(plan: PlanFolder, out_dir: Path, *,
                        changes_only: bool = True) -> dict[str, Any]:
    """The exports ``territory-opt run`` can write unasked, into ``out_dir/<crm>``.

    Salesforce account owners, HubSpot and Dynamics; a CRM whose requirements the plan does
    not meet (e.g. reps without an email for HubSpot) is skipped with the reason, so a plan is
    never held back by an export. ``salesforce-territory`` needs Ids and is never written here.
    """
    done: dict[str, Any] = {}
    for crm in ("salesforce", "hubspot", "dynamics"):
        try:
            done[crm] = export_crm(plan, crm, Path(out_dir) / crm, changes_only=changes_only)
        except InputError as err:
            done[crm] = {"skipped": str(err)}
    return done


def selected_accounts(plan: PlanFolder, *, changes_only: bool) -> pd.DataFrame:
    """Assignments to export: every account, or those whose rep changed (moves, hand-overs
    and accounts that had no owner before)."""
    table = plan.assignments
    if changes_only:
        table = table[table["rep_id"] != table["previous_rep_id"]]
    return table


def developer_name(text: str, *, prefix: str = "T_", max_len: int = DEVELOPER_NAME_MAX) -> str:
    """A valid Salesforce DeveloperName made from ``text``.

    Salesforce's rule: only letters, digits and underscores, begins with a letter, no spaces,
    no trailing underscore, no two consecutive underscores; Territory2 allows 80 characters.
    Accents are dropped, other runs of characters become one underscore, and ``prefix`` is put
    in front of a name that does not begin with a letter ("1 Bad__Name!" -> "T_1_Bad_Name").
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    if not name[:1].isalpha():
        name = (prefix + name).strip("_")
    name = re.sub(r"_+", "_", name)[:max_len].rstrip("_")
    return name if is_developer_name(name) else "T"


def is_developer_name(name: str) -> bool:
    """Whether ``name`` follows Salesforce's DeveloperName rule (see :func:`developer_name`)."""
    return len(name) <= DEVELOPER_NAME_MAX and _DEVELOPER_NAME.fullmatch(name) is not None


def unique_developer_names(texts: Sequence[str]) -> list[str]:
    """One valid, distinct DeveloperName per text (``_2``, ``_3``… on collisions)."""
    used: set[str] = set()
    names = []
    for text in texts:
        base = developer_name(text)
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"_{n}"
            name = base[:DEVELOPER_NAME_MAX - len(suffix)].rstrip("_") + suffix
        used.add(name.lower())
        names.append(name)
    return names


def salesforce_owner_file(plan: PlanFolder, accounts: pd.DataFrame) -> CsvFile:
    """Account owner update: ``Id`` (account id), ``OwnerId`` (the rep's CRM user id)."""
    users = _rep_values(plan, accounts["rep_id"], "crm_user_id", "a CRM user id")
    rows = zip(accounts["account_id"], users, strict=True)
    return _csv(SALESFORCE_OWNER_FILE, ["Id", "OwnerId"], rows)


def hubspot_file(plan: PlanFolder, accounts: pd.DataFrame) -> CsvFile:
    """Company import: ``Record ID`` (the account id) and ``Company owner`` (owner email)."""
    emails = _rep_values(plan, accounts["rep_id"], "email", "an email (HubSpot owners are "
                         "matched by the user's email address)")
    return _csv(HUBSPOT_FILE, ["Record ID", "Company owner"], zip(accounts["account_id"], emails,
                                                                   strict=True))


def dynamics_file(plan: PlanFolder, accounts: pd.DataFrame) -> CsvFile:
    """Dataverse account update: ``accountid``, ``ownerid`` (systemuserid), ``owneridtype``."""
    users = _rep_values(plan, accounts["rep_id"], "crm_user_id", "a CRM user id")
    rows = ((a, u, "systemuser") for a, u in zip(accounts["account_id"], users, strict=True))
    return _csv(DYNAMICS_FILE, ["accountid", "ownerid", "owneridtype"], rows)


def salesforce_territory_files(plan: PlanFolder, accounts: pd.DataFrame, model_id: str,
                               type_id: str) -> list[CsvFile]:
    """Territory2 (one parent per manager, one territory per rep), the rep of each territory,
    and the accounts of each territory. References to territories hold the DeveloperName;
    the admin swaps them for the Ids Salesforce returns (see the manifest notes)."""
    missing = [opt for opt, value in (("--territory-model-id", model_id),
                                      ("--territory-type-id", type_id)) if not value.strip()]
    if missing:
        raise InputError(f"salesforce-territory needs {' and '.join(missing)} (the Ids of the "
                         "Territory2Model in Planning state and of the Territory2Type)")
    reps = plan.reps.sort_values("rep_id", kind="stable")
    users = _rep_values(plan, reps["rep_id"], "crm_user_id", "a CRM user id")
    managers = _managers(reps)
    labels = [f"Manager {m}" for m in managers] + [_rep_label(r) for _, r in reps.iterrows()]
    names = unique_developer_names(labels)
    parent_of = dict(zip(managers, names[:len(managers)], strict=True))
    rep_names = dict(zip(reps["rep_id"], names[len(managers):], strict=True))

    territories: list[list[str]] = [
        [label[:DEVELOPER_NAME_MAX], name, model_id, type_id, ""]
        for label, name in zip(labels[:len(managers)], names[:len(managers)], strict=True)
    ]
    for label, (_, rep) in zip(labels[len(managers):], reps.iterrows(), strict=True):
        parent = parent_of.get(_manager(rep), "")
        territories.append([label[:DEVELOPER_NAME_MAX], rep_names[rep["rep_id"]], model_id,
                            type_id, parent])
    user_rows = ((u, rep_names[r], REP_ROLE_IN_TERRITORY)
                 for r, u in zip(reps["rep_id"], users, strict=True))
    object_rows = ((a, rep_names[r], "Territory2Manual")
                   for a, r in zip(accounts["account_id"], accounts["rep_id"], strict=True))
    return [
        _csv(TERRITORY_FILE, ["Name", "DeveloperName", "Territory2ModelId", "Territory2TypeId",
                              "ParentTerritory2Id"], territories),
        _csv(USER_TERRITORY_FILE, ["UserId", "Territory2Id", "RoleInTerritory2"], user_rows),
        _csv(OBJECT_TERRITORY_FILE, ["ObjectId", "Territory2Id", "AssociationCause"],
             object_rows),
    ]


def _rep_label(rep: pd.Series) -> str:
    name = str(rep.get("name", "") or "").strip()
    return name or str(rep["rep_id"])


def _manager(rep: pd.Series) -> str:
    return str(rep.get("manager_id", "") or "").strip()


def _managers(reps: pd.DataFrame) -> list[str]:
    if "manager_id" not in reps.columns:
        return []
    return sorted({m for m in reps["manager_id"].astype(str).str.strip() if m})


def _rep_values(plan: PlanFolder, rep_ids: Iterable[str], column: str, what: str) -> list[str]:
    """``column`` of each rep in ``rep_ids``; stops with the list of reps that lack it."""
    rep_ids = list(rep_ids)
    reps = plan.reps
    file = str(plan.path / "reps.csv")
    if column not in reps.columns:
        raise InputError(f"every exported rep needs {what}; add the column", file=file,
                         column=column)
    values = dict(zip(reps["rep_id"], reps[column].astype(str).str.strip(), strict=True))
    lacking = sorted({r for r in rep_ids if not values.get(r)})
    if lacking:
        raise InputError(f"{len(lacking)} rep(s) without {what}: {', '.join(lacking)}",
                         file=file, column=column)
    return [values[r] for r in rep_ids]


def _csv(name: str, header: list[str], rows: Iterable[Iterable[object]]) -> CsvFile:
    return CsvFile(name, header, [[neutralise(cell) for cell in row] for row in rows])


def render_csv(file: CsvFile) -> str:
    """The file's text: header and rows, minimal quoting, ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(file.header)
    writer.writerows(file.rows)
    return buffer.getvalue()


def _write_atomically(target: OutputTarget, files: list[CsvFile],
                      manifest: dict[str, Any]) -> None:
    """Write the files and the manifest into a temporary folder beside the target, then
    rename it into place (:func:`territory_opt.io.atomic.write_atomically`)."""
    def fill(tmp: Path) -> None:
        for f in files:
            (tmp / f.name).write_text(render_csv(f), encoding="utf-8", newline="")
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n",
                                         encoding="utf-8")

    write_atomically(target, fill)


_COMMON_NOTE = ("Cells that began with =, +, -, @, tab or carriage return (and were not a plain "
                "number) were prefixed with ' (spreadsheet formula injection); such rows will "
                "not match a record.")
_NOTES: dict[str, list[str]] = {
    "salesforce": [
        "Data Loader: Update, object Account, map Id->Id and OwnerId->OwnerId; tick 'Read "
        "all CSVs with UTF-8 encoding'. Or: sf data update bulk --sobject Account "
        f"--file {SALESFORCE_OWNER_FILE}.",
        _COMMON_NOTE,
    ],
    "salesforce-territory": [
        f"1. Insert {TERRITORY_FILE} in two passes: first the rows with an empty "
        "ParentTerritory2Id (manager territories), then query SELECT Id, DeveloperName FROM "
        "Territory2 WHERE Territory2ModelId = '<model id>' and replace each DeveloperName in "
        "the ParentTerritory2Id column by its Id before inserting the other rows.",
        f"2. In {USER_TERRITORY_FILE} and {OBJECT_TERRITORY_FILE} replace the DeveloperNames "
        "in Territory2Id by the Ids from the same query (e.g. VLOOKUP), then insert them.",
        "3. With changes-only files, first delete the accounts' existing "
        "ObjectTerritory2Association rows in this model (query them by ObjectId), or each "
        "moved account ends up in two territories. Use --all when filling a new model.",
        "Managers get a parent territory but no user association: add them by hand.",
        _COMMON_NOTE,
    ],
    "hubspot": [
        f"Import {HUBSPOT_FILE} as companies, 'Update existing records' matched on Record ID; "
        "Company owner holds the user's email address, which must be a HubSpot user.",
        _COMMON_NOTE,
    ],
    "dynamics": [
        "Import into Account (update existing records keyed on accountid); ownerid is the "
        "systemuserid, owneridtype the owner table (systemuser).",
        _COMMON_NOTE,
    ],
}
