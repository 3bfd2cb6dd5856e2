"""`territory-opt init ACCOUNTS REPS`: start a scenario from the CRM export a user has.

Reads the two files, tells which CRM wrote them (or takes ``--preset``), finds our columns
among their headers and lists the stage and role spellings they hold with what they map to,
previews the tiers and the workload against capacity, and writes a commented scenario.yaml
that is checked by the same code as ``validate`` before it is written, so it validates as
written. A person then edits call patterns and limits.

One number is fitted to the data: ``capacity.visits_per_trip``. With the SPEC default of one
visit a trip a field team whose calls and least travel exceed 90% of its capacity cannot be
planned at all, so init takes the smallest of 1..5 visits a trip at which every role fits
within 90% and no rep's locked and keep-owner accounts exceed its capacity, and says so in the
file (a comment on the key) and on screen. An existing file is not replaced unless ``force``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES, STAGES, Scenario, parse_scenario
from territory_opt.io.column_mapping import cell_text, value_map
from territory_opt.io.crm_presets import detect_preset, header_key, match_columns, table_preset
from territory_opt.io.load import load_scenario_data
from territory_opt.io.tables import read_table
from territory_opt.output.scenario_text import TableText, render_scenario
from territory_opt.output.summaries import workload_preview
from territory_opt.planning.proofs import proofs

#: visits a trip init may choose, and the share of capacity the least workload may take
VISITS_PER_TRIP = (1, 2, 3, 4, 5)
FIT_SHARE = 0.9
#: a column with more distinct values than this gets no value list (the preset's map only)
MAX_LISTED_VALUES = 40


@dataclass(frozen=True)
class InitResult:
    """What init found and wrote: the file, the preset (None: our own layout), per table our
    column -> the file's header, the preview per role, notes, and the text written."""

    path: Path
    preset: str | None
    columns: dict[str, dict[str, str]]
    preview: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    text: str = ""


def init_scenario(accounts: str | Path, reps: str | Path, *, preset: str | None = None,
                  out: str | Path = "scenario.yaml", force: bool = False) -> InitResult:
    """Write a scenario for ``accounts`` and ``reps``; raises InputError (nothing written)."""
    out = Path(out)
    if out.exists() and not force:
        raise InputError("the file exists; choose another --out or add --force to replace it",
                         file=str(out))
    if out.is_dir():
        raise InputError("is a folder; --out names the scenario file to write", file=str(out))
    raw = {"accounts": read_table(accounts), "reps": read_table(reps)}
    paths = {"accounts": Path(accounts), "reps": Path(reps)}
    preset = preset or detect_preset(raw["accounts"].columns, raw["reps"].columns)
    notes = [f"layout: {preset} export (data.preset: {preset})" if preset else
             "layout: no CRM's export headers found; reading our own column names"]
    tables: dict[str, TableText] = {}
    for name, df in raw.items():
        tables[name] = _table_text(name, df, paths[name], out.parent, preset)
    families = _families(raw["accounts"], tables["accounts"])
    base = parse_scenario({"data": {"accounts": "a", "reps": "r"}}, base_dir=out.parent)
    header = [f"Written by `territory-opt init` from {paths['accounts'].name} and "
              f"{paths['reps'].name}" + (f" ({preset} export layout)." if preset else "."),
              "Every section below is at its default: edit call_patterns and the limits, then",
              f"  territory-opt run {out.name}",
              "Keys: docs/scenario.md; the CRM columns and values: docs/formats.md."]
    name = paths["accounts"].resolve().parent.name or "territories"

    def text_for(visits: float, note: str) -> str:
        sc = base.model_copy(update={"capacity": base.capacity.model_copy(
            update={"visits_per_trip": visits})})
        return render_scenario(sc, name=name, preset=preset, accounts=tables["accounts"],
                               reps=tables["reps"], header=header, capacity_note=note,
                               families=families)

    # paths in the file are relative to its folder, which must exist to read them through it
    made = [p for p in (out.parent, *out.parent.parents) if not p.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = text_for(1, "field visits that share one round trip")
        data, loaded = _load(text, out)
        notes += loaded
        visits, note = fit_visits_per_trip(data)
        if visits != 1:
            text = text_for(visits, note)
            data, _ = _load(text, out)
            notes.append(f"capacity.visits_per_trip: {note}")
        _write(out, text)
    except BaseException:
        for folder in made:  # the folders init made, innermost first: empty again
            folder.rmdir()
        raise
    columns = {n: dict(t.columns) for n, t in tables.items()}
    return InitResult(out, preset, columns, workload_preview(data), notes, text)


def _table_text(name: str, df: pd.DataFrame, path: Path, folder: Path,
                preset: str | None) -> TableText:
    """The table as init writes it: path, the columns found and their value spellings."""
    found = match_columns(df.columns, table_preset(preset, name))
    columns = {ours: header for ours, header in found.items()
               if header_key(ours) != header_key(header)}
    values: dict[str, dict[str, str | None]] = {}
    notes: dict[tuple[str, str], str] = {}
    column = {"accounts": "stage", "reps": "role"}[name]
    header = found.get(column) or next((h for h in df.columns if header_key(h) == column), None)
    if header is not None:
        spellings = value_map(column, None, table_preset(preset, name))
        seen = [v for v in dict.fromkeys(df[header].map(cell_text)) if v]
        if 0 < len(seen) <= MAX_LISTED_VALUES:
            values[column] = {}
            for raw in sorted(seen, key=str.casefold):
                values[column][raw], note = _value(column, raw, spellings)
                if note:
                    notes[(column, raw)] = note
    rel = os.path.relpath(path.resolve(), folder.resolve())
    return TableText(rel, columns, values, notes)


def _value(column: str, raw: str, spellings: dict[str, str | None]) -> tuple[str | None, str]:
    """Our value of a file's value, and a comment when it is a guess."""
    key = header_key(raw)
    if key in spellings:
        return spellings[key], ""
    own = STAGES if column == "stage" else ROLES
    if key in own:
        return key, ""
    if column == "stage":
        return "customer", "not a value the preset knows: customer is a guess, check it"
    return None, "not a sales title the preset knows: left out (or map it to a role)"


def _families(df: pd.DataFrame, table: TableText) -> int:
    """Families of two or more accounts (parent links) in the accounts file."""
    header = table.columns.get("parent_id") or next(
        (h for h in df.columns if header_key(h) == "parent_id"), None)
    if header is None:
        return 0
    parents = [p for p in df[header].map(cell_text) if p]
    return len(set(parents))


def _load(text: str, out: Path) -> tuple[PlanningData, list[str]]:
    """The planning data of the scenario text, checked as ``validate`` checks a file."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:  # a bug of init, not of the user's files
        raise AssertionError(f"init wrote YAML that does not parse: {err}") from None
    scenario: Scenario = parse_scenario(raw, base_dir=out.resolve().parent, file=str(out))
    data, input_notes = load_scenario_data(scenario, out)
    notes = []
    if input_notes.left_out_users:
        notes.append(f"{len(input_notes.left_out_users)} users are not reps (inactive, or a "
                     f"title mapped to ~): {', '.join(input_notes.left_out_users)}")
    if input_notes.cleared_owners:
        notes.append(f"{input_notes.cleared_owners} accounts are owned by users who are not "
                     "reps; they count as unowned")
    return data, notes


def fit_visits_per_trip(data: PlanningData) -> tuple[float, str]:
    """The smallest visits a trip (1..5) at which every role's calls and least travel fit in
    90% of its capacity and no rep's fixed accounts exceed its capacity; the reason."""
    sc = data.scenario
    before = workload_preview(data)
    util0 = before["utilization"].fillna(0).to_numpy()
    worst_role, worst_util = str(before["role"].iloc[int(util0.argmax())]), float(util0.max())
    for visits in VISITS_PER_TRIP:
        trial = data.replace(scenario=sc.model_copy(update={"capacity": sc.capacity.model_copy(
            update={"visits_per_trip": visits})}))
        util = workload_preview(trial)["utilization"].fillna(0)
        if (util <= FIT_SHARE).all() and not proofs(trial):
            if visits == 1:
                return 1, "field visits that share one round trip"
            return visits, (f"init: at 1 visit a trip {worst_role}s would need "
                            f"{worst_util:.0%} of their capacity; at {visits} every role fits "
                            f"in {FIT_SHARE:.0%}: check it")
    return 1, (f"init: even at {VISITS_PER_TRIP[-1]} visits a trip the team is short "
               f"({worst_role}s need {worst_util:.0%} of their capacity at 1): add reps or "
               "lighten call_patterns")


def _write(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` in one rename (no half-written scenario)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
