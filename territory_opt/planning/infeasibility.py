"""Why no plan was written: a proof, or the honest "not found in time", with the figures.

Three sources, in the order a run meets them:

* the cheap proofs of :mod:`~territory_opt.planning.proofs`, checked before any search;
* the engine's proof: the LP relaxation, which every plan satisfies, has no solution, shown
  by a Lagrangian certificate over every pair (engine.construction); the LP's closest point
  then says which limits it cannot meet and by how much;
* no plan found in the time limit and none proven impossible: the closest plan the search
  saw, its worst violations (rep, limit, by how much), and what the LP relaxation says.

A limit is called impossible only with a proof for the problem as specified (unscaled,
unpruned); every other sentence says what was measured and that it is not a proof.
"""

from __future__ import annotations

import numpy as np

from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine import EngineResult, evaluate
from territory_opt.engine.relaxation import Slack
from territory_opt.planning.problem import TerritoryProblem

#: violations named in a message at the most
NAMED = 5
PROVEN_FROM_INPUTS = "No plan satisfies every limit (proven from the inputs):"
PROVEN_BY_LP = ("No plan satisfies every limit (proven: the LP relaxation, which every plan "
                "satisfies, has no solution).")
PROVEN_BY_MODEL = ("No plan satisfies every limit (proven: the exact model, every account "
                   "a whole, has no solution, though the LP relaxation, which may split "
                   "accounts, has one; the limits are too tight for whole accounts).")
NOT_FOUND = ("No plan satisfying every limit was found within the time limit; this is not a "
             "proof that none exists.")


def explain(data: PlanningData, tp: TerritoryProblem, res: EngineResult) -> list[str]:
    """Sentences for an engine result without a plan; the first says whether it is proven."""
    if res.status == "infeasible":
        if res.slack is None or res.slack.total <= 0:  # the exact model proved it
            return [PROVEN_BY_MODEL]
        return [PROVEN_BY_LP, *_slack_sentences(data, tp, res.slack,
                                                "the relaxation's closest point")]
    lines = [NOT_FOUND]
    if res.closest is not None:
        lines += _closest_sentences(data, tp, res.closest)
    if res.slack is not None and res.slack.total > 0:
        lines += _slack_sentences(data, tp, res.slack, "the LP relaxation's closest point")
    elif res.slack is not None:
        lines.append(f"The LP relaxation meets every limit (bound {res.bound:,.1f}), so a plan "
                     "may well exist: a longer --time-limit may find one.")
    return lines


def _rep(data: PlanningData, agent: int | np.integer) -> str:
    return str(data.reps["rep_id"].iloc[int(agent)])


def _closest_sentences(data: PlanningData, tp: TerritoryProblem,
                       chosen: np.ndarray) -> list[str]:
    """The worst violations of the least violating plan found."""
    p = tp.problem
    ev = evaluate(p, chosen)
    parts: list[tuple[float, str]] = []
    for j in np.flatnonzero(ev.over_capacity > 0):
        parts.append((float(ev.over_capacity[j]), f"{_rep(data, j)} {ev.over_capacity[j]:,.1f} h "
                      f"over its capacity of {p.capacity[j]:,.0f} h"))
    for j in np.flatnonzero(ev.balance_excess > 0):
        members = p.group == p.group[j]
        mean = float(ev.balance[members].mean())
        side = "above" if ev.balance[j] > mean else "below"
        parts.append((float(ev.balance_excess[j]),
                      f"{_rep(data, j)} {ev.balance_excess[j]:,.1f} {side} its balance band "
                      f"({abs(ev.balance[j] / mean - 1):.1%} from the mean, ±"
                      f"{p.tolerance:.0%} allowed)"))
    if ev.moves_excess:
        parts.append((float(ev.moves_excess), f"{ev.moves_excess:,} moves above the limit of "
                      f"{p.max_moves:,}"))
    return _worst_first("The closest plan found breaks", parts)


def _slack_sentences(data: PlanningData, tp: TerritoryProblem, slack: Slack,
                     what: str) -> list[str]:
    """What the LP's closest point leaves unmet, and by how much each limit would have to
    give for the relaxation to meet it."""
    p = tp.problem
    parts: list[tuple[float, str]] = []
    for j in np.flatnonzero(slack.capacity > 1e-6):
        parts.append((float(slack.capacity[j]), f"{_rep(data, j)} needs "
                      f"{slack.capacity[j]:,.1f} h more capacity"))
    for arr, side in ((slack.balance_up, "above"), (slack.balance_low, "below")):
        for j in np.flatnonzero(arr > 1e-6):
            parts.append((float(arr[j]), f"{_rep(data, j)} stays {arr[j]:,.1f} {side} its "
                          f"balance band (±{p.tolerance:.0%})"))
    if slack.moves > 1e-6 and p.max_moves is not None and tp.previously_owned:
        need = (p.max_moves + slack.moves) / tp.previously_owned
        parts.append((float(slack.moves), f"{slack.moves:,.0f} more accounts must move than "
                      f"the limit of {p.max_moves:,} (max_moved_share {need:.1%} would make "
                      "room)"))
    return _worst_first(f"In {what}", parts)


def _worst_first(lead: str, parts: list[tuple[float, str]]) -> list[str]:
    """One sentence naming the NAMED largest of ``parts`` (size, text), or none."""
    if not parts:
        return []
    parts = sorted(parts, key=lambda x: -x[0])
    shown = "; ".join(text for _, text in parts[:NAMED])
    more = f" (and {len(parts) - NAMED} more)" if len(parts) > NAMED else ""
    return [f"{lead}: {shown}{more}."]
