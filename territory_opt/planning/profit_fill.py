"""Frequencies for fixed reps, fast: a price of an hour per rep, and a common target mean.

With every account's rep fixed, the profit problem splits by rep but for the balance band,
which ties a role's reps to their mean. This heuristic picks a target mean ``M`` for each
balance group and gives every rep of it the window ``[(1 − t)·M, min((1 + t)·M, capacity)]``
with ``t = tolerance / (2 + tolerance)`` (less a margin): whatever the loads inside their
windows, their actual mean lies within ``1 ± t`` of ``M``, so every rep is within ±tolerance of
it (the same band as the engine's min-cost-flow start). Wider windows (WIDE_WINDOWS of the
tolerance) are tried first and kept when every rep is then within the band of the actual
mean — usually, since most reps sit at the same edge. Inside its window a rep takes, for
each of its accounts, the option of least ``cost + λ × load``, with its price of an hour ``λ``
found by bisection: 0 when the unpriced choice already lies in the window. ``M`` is chosen
from a grid as the one with the least total cost. Without balance on workload, a rep's window
is ``[0, capacity]``.

It is a Lagrangian heuristic, not an optimum: its plan is checked by the engine's evaluation,
and profit_solve keeps it only when it is within every limit and better than the others.
"""

from __future__ import annotations

import numpy as np

from territory_opt.engine import AssignmentProblem, evaluate
from territory_opt.engine.arrays import IntArray

#: target means tried per balance group (the window grid)
MEAN_STEPS = 48
#: bisection steps of a rep's price of an hour
PRICE_STEPS = 40
#: share of the band t kept free (float noise, the bisection's last step)
BAND_MARGIN = 0.97
#: wider windows tried first, as shares of the tolerance: kept when every rep of the group
#: then lies within the band of the actual mean (checked), else the next narrower one
WIDE_WINDOWS = (0.97, 0.8, 0.6)


class _Rep:
    """One rep's accounts as options: per item a row of costs and loads (NaN-padded)."""

    def __init__(self, problem: AssignmentProblem, pairs: IntArray) -> None:
        pairs = np.asarray(pairs, dtype=np.int64)
        items = problem.item[pairs]
        order = np.lexsort((pairs, items))
        pairs, items = pairs[order], items[order]
        first = np.concatenate([[True], items[1:] != items[:-1]])[:len(items)]
        row = np.cumsum(first) - 1
        col = np.arange(len(pairs)) - np.flatnonzero(first)[row]
        shape = (int(row.max()) + 1 if len(row) else 0, int(col.max()) + 1 if len(col) else 0)
        self.pairs = np.full(shape, -1, dtype=np.int64)
        self.cost = np.full(shape, np.inf)
        self.load = np.zeros(shape)
        self.pairs[row, col] = pairs
        self.cost[row, col] = problem.cost[pairs]
        self.load[row, col] = problem.load[pairs]
        self.items = items[first]
        self.cost = self.cost.reshape(shape)
        finite = np.isfinite(self.cost)
        spread = np.abs(np.where(finite, self.cost, 0.0)).max() if finite.any() else 1.0
        step = np.diff(np.sort(np.unique(self.load))) if self.load.size else np.array([])
        self.price_cap = 2.0 * spread / max(float(step[step > 0].min()) if (step > 0).any()
                                            else 1.0, 1e-9) + 1.0

    def choose(self, price: float) -> IntArray:
        """Per item the column of least cost + price × load (ties: the lighter)."""
        score = self.cost + price * self.load
        score = score + 1e-12 * self.load * np.sign(price or 1.0)
        return np.asarray(np.argmin(score, axis=1))

    def load_at(self, cols: IntArray) -> float:
        return float(self.load[np.arange(len(cols)), cols].sum())

    def cost_at(self, cols: IntArray) -> float:
        return float(self.cost[np.arange(len(cols)), cols].sum())

    def fit(self, low: float, high: float) -> IntArray | None:
        """Options with the load inside [low, high] at the least cost a price can give, or
        None when no price gets there."""
        if len(self.items) == 0:
            return np.zeros(0, dtype=np.int64) if low <= 0 <= high else None
        free = self.choose(0.0)
        load = self.load_at(free)
        if low <= load <= high:
            return free
        # load falls as the price rises: find the price where it enters the window
        lo, hi = (0.0, self.price_cap) if load > high else (-self.price_cap, 0.0)
        best = None
        for _ in range(PRICE_STEPS):
            mid = (lo + hi) / 2
            cols = self.choose(mid)
            value = self.load_at(cols)
            if low <= value <= high:
                best = cols
                if load > high:
                    hi = mid  # a lower price that still fits costs less
                else:
                    lo = mid
            elif value > high:
                lo = mid
            else:
                hi = mid
        if best is None:
            for price in (lo, hi):
                cols = self.choose(price)
                if low <= self.load_at(cols) <= high:
                    return cols
        return best


def fill_frequencies(problem: AssignmentProblem, reps: IntArray) -> IntArray | None:
    """One pair per item, each with its rep ``reps[item]``, within every limit (checked by
    ``evaluate``), or None."""
    p = problem
    on_rep = np.flatnonzero(p.agent == reps[p.item])
    if len(np.unique(p.item[on_rep])) != p.n_items:
        return None
    by_agent = np.split(on_rep[np.argsort(p.agent[on_rep], kind="stable")],
                        np.cumsum(np.bincount(p.agent[on_rep], minlength=p.n_agents))[:-1])
    agents = [_Rep(p, pairs) for pairs in by_agent]
    chosen = np.full(p.n_items, -1, dtype=np.int64)
    cap = np.where(np.isfinite(p.capacity), p.capacity, np.inf)
    workload = bool(np.allclose(p.load, p.balance))
    t = BAND_MARGIN * p.tolerance / (2.0 + p.tolerance)
    groups = [np.flatnonzero(p.group == g) for g in np.unique(p.group[p.group >= 0])]
    alone = np.flatnonzero(p.group < 0)
    if not workload:  # balance does not depend on the frequencies: capacity only
        alone = np.arange(p.n_agents)
        groups = []
    for j in alone:
        cols = agents[j].fit(p.min_load[j], cap[j])
        if cols is None:
            return None
        _take(chosen, agents[j], cols)
    for members in groups:
        if all(agents[j].cost.shape[1] <= 1 for j in members):
            for j in members:  # no frequency to choose: the loads stand as the reps give them
                _take(chosen, agents[j], agents[j].choose(0.0))
            continue
        best: tuple[float, list[IntArray]] | None = None
        heaviest = max(float(agents[j].load.max(axis=1).sum()) if agents[j].load.size
                       else 0.0 for j in members)
        top = float(min(cap[members].max(), heaviest))
        for mean in np.linspace(0.0, top / (1 - t), MEAN_STEPS + 1)[1:]:
            for half in (*(w * p.tolerance for w in WIDE_WINDOWS), t):
                picks = _group_picks(agents, members, mean, half, cap, p.min_load)
                if picks is None:
                    continue
                loads = np.array([agents[j].load_at(c) for j, c in zip(members, picks,
                                                                         strict=True)])
                actual = loads.mean()
                if half > t and np.any(np.abs(loads - actual) > p.tolerance * actual * (
                        1 - 1e-9)):
                    continue  # a wide window that left a rep outside the band: narrower
                total = sum(agents[j].cost_at(c) for j, c in zip(members, picks, strict=True))
                if best is None or total < best[0]:
                    best = (total, picks)
                break
        if best is None:
            zero = [agents[j].fit(0.0, 0.0) for j in members]
            if any(z is None for z in zero):
                return None
            best = (0.0, [z for z in zero if z is not None])
        for j, cols in zip(members, best[1], strict=True):
            _take(chosen, agents[j], cols)
    if (chosen < 0).any() or not evaluate(p, chosen).feasible:
        return None
    return chosen


def _group_picks(agents: list[_Rep], members: IntArray, mean: float, half: float,
                 cap: np.ndarray, min_load: np.ndarray) -> list[IntArray] | None:
    """Each member's options inside its window (1 ± half)·mean, or None."""
    picks = []
    for j in members:
        cols = agents[j].fit(max(min_load[j], (1 - half) * mean), min(cap[j], (1 + half) * mean))
        if cols is None:
            return None
        picks.append(cols)
    return picks


def _take(chosen: IntArray, rep: _Rep, cols: IntArray) -> None:
    chosen[rep.items] = rep.pairs[np.arange(len(cols)), cols]


def priced_frequencies(problem: AssignmentProblem, calls: np.ndarray,
                       utilization: float) -> np.ndarray:
    """Per item a calls value of its pairs, chosen with one price of an hour per balance group
    so that the group's load, each account from its lightest rep, is about ``utilization``
    of what the group can carry: its capacity, and at most its smallest rep's capacity /
    (1 − tolerance) per rep (balance caps the mean there). A light, profit-aware start: a
    plan at these frequencies leaves room for the balance band and travel."""
    p = problem
    out = np.zeros(p.n_items)
    values = np.unique(calls)
    # per item and calls value: the least cost and the least load over its reps
    cost = np.full((p.n_items, len(values)), np.inf)
    load = np.full((p.n_items, len(values)), np.inf)
    col = np.searchsorted(values, calls)
    np.minimum.at(cost, (p.item, col), p.cost)
    np.minimum.at(load, (p.item, col), p.load)
    group_of_item = np.full(p.n_items, -1, dtype=np.int64)
    np.maximum.at(group_of_item, p.item, p.group[p.agent])
    cap = np.where(np.isfinite(p.capacity), p.capacity, 0.0)
    for g in np.unique(group_of_item):
        items = np.flatnonzero(group_of_item == g)
        members = np.flatnonzero(p.group == g) if g >= 0 else np.unique(
            p.agent[np.isin(p.item, items)])
        room = float(cap[members].sum())
        if g >= 0 and len(members):
            room = min(room, len(members) * float(cap[members].min()) / (1 - p.tolerance))
        room *= utilization
        c, w = cost[items], load[items]
        finite = np.isfinite(c)
        spread = float(np.abs(c[finite]).max()) if finite.any() else 1.0
        positive = w[np.isfinite(w) & (w > 0)]
        top = 2 * spread / (float(positive.min()) if len(positive) else 1.0) + 1.0

        def pick(price: float, c: np.ndarray = c, w: np.ndarray = w) -> np.ndarray:
            score = np.where(np.isfinite(c), c + price * np.where(np.isfinite(w), w, 0.0),
                             np.inf)
            return np.asarray(np.argmin(score, axis=1))

        def total(cols: np.ndarray, w: np.ndarray = w) -> float:
            return float(w[np.arange(len(cols)), cols].sum())

        lo, hi = 0.0, top
        cols = pick(0.0)
        if total(cols) > room:
            for _ in range(PRICE_STEPS):
                mid = (lo + hi) / 2
                if total(pick(mid)) > room:
                    lo = mid
                else:
                    hi = mid
            cols = pick(hi)
        out[items] = values[cols]
    return out
