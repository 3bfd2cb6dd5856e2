"""The commented scenario.yaml that ``territory-opt init`` writes: the tables as found (preset,
columns, value spellings) and every planning section at its default, with a comment saying
what to edit. The text is YAML that :func:`territory_opt.domain.scenario.parse_scenario`
accepts as written."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from territory_opt.domain.scenario import ROLES, TIERS, Scenario


@dataclass(frozen=True)
class TableText:
    """One input table as init found it: its path (relative to the scenario), our column ->
    the file's header, and per column of ours the file's values -> ours (None: ``~``), with a
    comment per value that needs a look."""

    path: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)


def scalar(value: object) -> str:
    """One YAML scalar, quoted when YAML needs it (``~`` for None)."""
    if value is None:
        return "~"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
    return text.strip().removesuffix("...").strip()


#: the column where comments start
COMMENT_AT = 36


def _c(code: str, comment: str = "") -> str:
    """A line of YAML with its comment aligned."""
    return f"{code:<{COMMENT_AT - 1}} # {comment}" if comment else code


def _table(name: str, table: TableText, what: str) -> list[str]:
    lines = [f"  {name}:", f"    path: {scalar(table.path)}"]
    if table.columns:
        lines.append(_c("    columns:", "our column: the file's header"))
        lines += [f"      {k}: {scalar(v)}" for k, v in table.columns.items()]
    if table.values:
        lines.append(_c("    values:", f"the file's {what} -> ours"))
        for column, spellings in table.values.items():
            lines.append(f"      {column}:")
            for raw, ours in spellings.items():
                lines.append(_c(f"        {scalar(raw)}: {scalar(ours)}",
                                table.notes.get((column, raw), "")))
    return lines


def _touches(scenario: Scenario) -> list[str]:
    lines = []
    for role in ROLES:
        lines.append(f"  {role}:")
        for tier in TIERS:
            items = ", ".join(f"{{channel: {t.channel}, per_year: {t.per_year:g}, minutes: "
                              f"{t.minutes:g}}}" for t in scenario.touches(role, tier))
            lines.append(f"    {tier}: [{items}]")
    return lines


def render_scenario(scenario: Scenario, *, name: str, preset: str | None, accounts: TableText,
                    reps: TableText, header: list[str], capacity_note: str,
                    families: int) -> str:
    """The commented scenario text (``scenario`` gives the planning sections' values)."""
    sc = scenario
    cap, bal, dis, obj, seg = (sc.capacity, sc.balance, sc.disruption, sc.objective,
                               sc.segmentation)
    lines = [f"# {h}" if h else "#" for h in header]
    lines += [f"name: {scalar(name)}", "data:"]
    if preset is not None:
        lines.append(_c(f"  preset: {preset}", "the CRM whose export layout the tables follow"))
    lines += _table("accounts", accounts, "stages")
    lines += _table("reps", reps, "titles or roles (~: not a rep, left out)")
    lines += [
        _c("  # deals: Opportunity.csv", "an opportunity export, for "
           "keep_owner_with_open_deals"),
        _c("segmentation:", "A/B/C tiers"),
        _c(f"  by: {seg.by}", "accounts ranked by potential"),
        _c(f"  method: {seg.method}", "A: the accounts holding the first 50% of potential, "
           "B the next 30%"),
        f"  cutoffs: {{A: {seg.cutoffs['A']:g}, B: {seg.cutoffs['B']:g}}}",
        _c("  overrides: {}", "e.g. {Strategic__c: A}: a yes/no column forces a tier"),
        "routing: {" + ", ".join(f"{k}: {v}" for k, v in sc.routing.items()) + "}",
        _c(f"structure: {sc.structure}", "linear | cellular (pods: a cell column in the reps)"),
        _c("call_patterns:", "touches per year by role and tier: edit these first"),
        *_touches(sc),
        "capacity:",
        _c(f"  hours_per_year: {cap.hours_per_year:g}",
           "a rep's selling hours (a capacity_hours column overrides it)"),
        f"  speed_kmh: {cap.speed_kmh:g}",
        _c(f"  circuity: {cap.circuity:g}", "road km per straight-line km"),
        _c(f"  visits_per_trip: {cap.trip_visits:g}", capacity_note),
        "balance:",
        _c(f"  measure: {bal.measure}", "workload | potential | accounts"),
        _c(f"  tolerance: {bal.tolerance:g}", "every rep within ±10% of the role's mean"),
        "disruption:",
        _c(f"  max_moved_share: {dis.max_moved_share:g}",
           "at most this share of owned accounts changes owner"),
        _c("  keep_owner_tiers: [" + ", ".join(dis.keep_owner_tiers) + "]",
           "these tiers keep their owner"),
        _c("  keep_owner_with_open_deals: false",
           "true (needs data.deals): an open deal keeps its owner"),
        _c(f"objective: {{travel: {obj.travel:g}, moves: {obj.moves:g}}}",
           "hours of travel; hours-equivalent per moved account"),
        _c("families: ignore", "together: a parent and its children (parent_id) go to one "
           "rep per role" + (f"; the accounts have {families} parents" if families else "")),
        f"solver: {{time_limit_s: {sc.solver.time_limit_s:g}, seed: {sc.solver.seed}, "
        f"workers: {sc.solver.workers}}}",
    ]
    return "\n".join(lines) + "\n"
