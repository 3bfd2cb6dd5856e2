"""`territory-opt size --profit`: per role with a frequency menu, the head count where the
next rep's marginal contribution falls below its cost.

Each head count is a headcount option of `compare` (headcount/options.py: added reps placed
by the p-median model, removed reps those owning the least work, planned for profit with the
option's fixed seed and one worker), so a sweep over the same head counts with the same time
limit and seed solves the same plans and agrees. For a role with ``n`` reps today:

1. solve ``n − 1``, ``n`` and ``n + 1`` reps (the others at today's head count);
2. while the last rep added still returns more than its cost (its marginal contribution ≥ its
   yearly cost, i.e. the contribution after rep cost rose), add one more rep; else, while the
   last rep removed returned less than its cost, remove one more; at most ``MAX_STEPS``
   steps either way;
3. the profit-optimal head count is the one with the highest contribution after rep cost
   among those solved (the first where the next rep does not pay).

The plans' bounds say how sure each step is: the return of the k-th rep is at most (upper
bound at k − objective at k − 1) − its cost and at least (objective at k − upper bound at
k − 1) − its cost, on the profit objective (contribution less the move charge); `size
--profit` prints which steps that proves.

Every money figure is modelled from the curves. A plan's gap bounds how far its contribution
could still rise, so near the turning point the choice is only as sure as the gaps (printed).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.options import OptionResult, OptionTask
from territory_opt.headcount.profit_options import marginal_money
from territory_opt.headcount.runner import run_options
from territory_opt.headcount.sweep_file import HeadcountOption

#: steps beyond today's head count ± 1, either way
MAX_STEPS = 6
COLUMNS = ["role", "reps", "status", "contribution", "cost", "net_contribution",
           "marginal_contribution", "marginal_cost", "marginal_return", "return_at_most",
           "return_at_least", "profit_gap"]


@dataclass(frozen=True)
class ProfitSizing:
    """Per role the head counts solved (``table``) and the profit-optimal one (``best``)."""

    table: pd.DataFrame
    best: dict[str, int]
    today: dict[str, int]
    notes: tuple[str, ...]
    results: tuple[OptionResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"best": self.best, "today": self.today,
                "table": json.loads(self.table.to_json(orient="records", double_precision=10)),
                "notes": list(self.notes)}

    def to_text(self) -> str:
        lines = ["Profit-optimal head count (modelled from the curves)"]
        shown = self.table.copy()
        for col in ("contribution", "cost", "net_contribution", "marginal_contribution",
                    "marginal_cost", "marginal_return", "return_at_most", "return_at_least"):
            shown[col] = shown[col].map(lambda v: "" if not math.isfinite(v) else f"{v:,.0f}")
        shown["profit_gap"] = shown["profit_gap"].map(
            lambda v: "" if not math.isfinite(v) else f"{v:.2%}")
        lines.append(shown.to_string(index=False))
        for role, k in self.best.items():
            lines.append(f"{role}: {k} ({self.today[role]} today) — the next {role} would "
                         "return less than its cost")
            lines += _proofs(self.table[self.table["role"] == role], role)
        lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines)


def _proofs(table: pd.DataFrame, role: str) -> list[str]:
    """What the bounds prove about each step of the head count, whatever the searches
    missed."""
    out = []
    for _, r in table.iterrows():
        most, least = float(r["return_at_most"]), float(r["return_at_least"])
        k = int(r["reps"])
        if math.isfinite(most) and most < 0:
            out.append(f"  proven: {role} {k} cannot pay for itself (return at most "
                       f"{most:,.0f})")
        elif math.isfinite(least) and least > 0:
            out.append(f"  proven: {role} {k} pays for itself (return at least {least:,.0f})")
        elif math.isfinite(most):
            out.append(f"  not proven: {role} {k} returns between {least:,.0f} and "
                       f"{most:,.0f} (the plans' gaps)")
    return out


def _option(data: PlanningData, role: str, k: int, index: int, time_limit: float | None,
            seed: int | None) -> OptionTask:
    name = f"{k} {role}{'s' if k != 1 else ''}"
    return OptionTask(index=index, option=HeadcountOption(name=name, headcount=((role, k),)),
                      data=data, time_limit=time_limit, seed=seed)


def _value(res: OptionResult, key: str) -> float:
    """A number of an option's row (NaN when it has none, e.g. no plan)."""
    value = res.row.get(key)
    return float(value) if isinstance(value, int | float) else math.nan


def _role_rows(role: str, solved: dict[int, OptionResult]) -> pd.DataFrame:
    rows = []
    for k in sorted(solved):
        res = solved[k]
        rows.append({"role": role, "reps": k, "status": res.row["status"],
                     **{key: _value(res, key) for key in (
                         "contribution", "cost", "net_contribution", "profit_gap",
                         "profit_objective", "upper_bound")}})
    table = marginal_money(pd.DataFrame(rows))
    table["marginal_cost"] = (table["cost"].diff() / table["reps"].diff()).round(2)
    return table[COLUMNS]


def size_for_profit(data: PlanningData, *, time_limit: float | None = None,
                    seed: int | None = None, executor: Executor | None = None,
                    on_done: Callable[[OptionResult], None] | None = None) -> ProfitSizing:
    """The profit-optimal head count of every role with a frequency menu (module
    docstring)."""
    model = data.response
    if data.scenario.objective.kind != "profit" or model is None:
        raise InputError("size --profit needs objective: profit and a response: section",
                         file=str(data.sources.get("scenario", "scenario")), column="objective")
    counts = data.reps["role"].value_counts()
    roles = [r for r in model.roles if len(data.role_accounts(r))]
    tables, best, today, results = [], {}, {}, []
    index = 0

    def solve(role: str, ks: list[int], solved: dict[int, OptionResult]) -> None:
        nonlocal index
        tasks, count = [], {}
        for k in ks:
            if k not in solved and k >= 1:
                tasks.append(_option(data, role, k, index, time_limit, seed))
                count[index] = k
                index += 1
        for res in run_options(tasks, executor, on_done):
            solved[count[res.index]] = res
            results.append(res)

    for role in roles:
        n = int(counts.get(role, 0))
        today[role] = n
        solved: dict[int, OptionResult] = {}
        solve(role, [n - 1, n, n + 1], solved)

        def net(k: int, solved: dict[int, OptionResult] = solved) -> float:
            return _value(solved[k], "net_contribution")

        k = n
        if net(n + 1) > net(n):
            k = n + 1
            for _ in range(MAX_STEPS):
                solve(role, [k + 1], solved)
                if not net(k + 1) > net(k):
                    break
                k += 1
        elif n - 1 in solved and net(n - 1) >= net(n):
            k = n - 1
            for _ in range(MAX_STEPS):
                if k - 1 < 1:
                    break
                solve(role, [k - 1], solved)
                if not net(k - 1) >= net(k):
                    break
                k -= 1
        finite = {j: net(j) for j in solved if math.isfinite(net(j))}
        best[role] = max(finite, key=lambda j: (finite[j], -j)) if finite else n
        tables.append(_role_rows(role, solved))
    notes = (
        "each head count is a compare option (added reps placed by the p-median model, "
        "removed reps those owning the least work), planned for profit; a sweep with the same "
        "time limit and seed solves the same plans when the searches end on their work budget "
        "(a busy machine's clock may end them first: the figures then differ within the gaps)",
        "net_contribution = contribution - the reps' yearly cost; marginal_return = "
        "marginal_contribution - marginal_cost per rep added",
        f"money modelled from the curves ({model.source_text()}); return_at_most and "
        "return_at_least are what the proven bounds allow (on the profit objective): a step "
        "whose range lies on one side of 0 is decided whatever the searches missed",
    )
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)
    return ProfitSizing(table, best, today, notes, tuple(results))
