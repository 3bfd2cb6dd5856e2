"""The money of a profit plan as terminal lines (``territory-opt run``), from plan.json's
``profit`` section. Every figure says it is modelled from the curves and where they come
from."""

from __future__ import annotations

from typing import Any


def profit_lines(status: str, seconds: float, doc: dict[str, Any]) -> str:
    """Status, contribution, bound and gap; today's call patterns; the sensitivity line."""
    plan = doc["plan"]
    lines = [
        f"{status}: modelled contribution {plan['contribution']:,.0f} (sales "
        f"{plan['modelled_sales']:,.0f} x margin {doc['margin']:g} - travel "
        f"{plan['travel_cost']:,.0f}); objective {plan['objective']:,.0f} (moves "
        f"{plan['move_cost']:,.0f}), upper bound {plan['upper_bound']:,.0f}, gap "
        f"{plan['gap']:.2%}, {seconds:.1f} s",
    ]
    base = doc.get("fixed_patterns")
    if base:
        diff = doc["difference"]
        share = diff / abs(base["contribution"]) if base["contribution"] else 0.0
        lines.append(f"today's call patterns, same reps and limits: contribution "
                     f"{base['contribution']:,.0f} ({base['status']}, gap {base['gap']:.2%}); "
                     f"profit-optimal frequencies {diff:+,.0f} ({share:+.1%})")
    sens = "; ".join(
        f"curves {row['curves']}: " + ", ".join(
            f"{'plan' if k == 'plan' else 'today'} {v:,.0f}" for k, v in row.items()
            if k != "curves") for row in doc.get("sensitivity", []))
    if sens:
        lines.append(f"sensitivity (the plans as they are): {sens}")
    lines.append(f"money {doc['label']} ({doc['source']})")
    lines += [f"note: {n}" for n in doc.get("notes", [])]
    return "\n".join(lines)
