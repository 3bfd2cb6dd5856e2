"""Moves "give customer c combination x", priced exactly on the current routes (removals plus
cheapest insertions, with penalties ``alpha`` and ``beta`` per unit of excess load and time),
as in Cordeau, Gendreau & Laporte (1997). Customers with a single allowed combination never
move; a single-visit customer's combinations are its days."""

from __future__ import annotations

import numpy as np

from territory_opt.routing.day_routes import DayState
from territory_opt.routing.instance import (
    BoolArray,
    Combo,
    DayRoutes,
    FloatArray,
    PvrpInstance,
    combos_of,
)


def dedupe(routes: tuple[tuple[int, ...], ...] | list[list[int]]) -> list[list[int]]:
    """The routes of one day with a repeated visit to a customer dropped (the first kept)."""
    seen: set[int] = set()
    out = []
    for r in routes:
        kept = []
        for c in r:
            if c not in seen:
                seen.add(c)
                kept.append(c)
        out.append(kept)
    return out


class ComboSearch:
    """The day states of a solution and the price of every combination move."""

    def __init__(self, inst: PvrpInstance, routes: DayRoutes, alpha: float, beta: float):
        self.inst, self.alpha, self.beta = inst, alpha, beta
        t, n = inst.num_days, inst.num_customers
        self.days = [DayState(inst, d, dedupe(routes[d])) for d in range(t)]
        self.combo: list[Combo] = combos_of(n, self.routes())
        pc: list[int] = []
        px: list[Combo] = []
        for i in range(n):
            if len(inst.combos[i]) > 1:
                for x in inst.combos[i]:
                    pc.append(i)
                    px.append(x)
        self.pair_c = np.array(pc, dtype=np.int64)
        self.pair_x = px
        self.pair_index = {(c, x): p for p, (c, x) in enumerate(zip(pc, px, strict=True))}
        self.pair_days: BoolArray = np.zeros((len(pc), t), dtype=bool)
        for p, x in enumerate(px):
            self.pair_days[p, list(x)] = True
        self.cur_days: BoolArray = np.zeros((n, t), dtype=bool)
        self.cur_pair = np.full(n, -1, dtype=np.int64)
        for i in range(n):
            self._set_current(i, self.combo[i])
        self.dirty: set[int] = set()

    def _set_current(self, c: int, combo: Combo) -> None:
        self.combo[c] = combo
        self.cur_days[c] = False
        self.cur_days[c, list(combo)] = True
        self.cur_pair[c] = self.pair_index.get((c, combo), -1)

    def routes(self) -> DayRoutes:
        return tuple(tuple(tuple(r) for r in st.routes if r) for st in self.days)

    def cost(self) -> float:
        return float(sum(st.length.sum() for st in self.days))

    def excess(self) -> tuple[float, float]:
        ex = [st.excess() for st in self.days]
        return sum(e[0] for e in ex), sum(e[1] for e in ex)

    def penalised_cost(self) -> float:
        load, dur = self.excess()
        return self.cost() + self.alpha * load + self.beta * dur

    def deltas(self) -> FloatArray:
        """The priced change of every (customer, combination) pair; a customer's current
        combination gets ``inf``."""
        tables = [st.prices(self.alpha, self.beta) for st in self.days]
        ins = np.stack([tb[0] for tb in tables])  # (t, n)
        gain = np.stack([tb[2] for tb in tables])
        cur = self.cur_days[self.pair_c]
        add, drop = self.pair_days & ~cur, cur & ~self.pair_days
        delta = (np.where(add, ins[:, self.pair_c].T, 0.0).sum(axis=1)
                 - np.where(drop, gain[:, self.pair_c].T, 0.0).sum(axis=1))
        current = self.cur_pair[self.cur_pair >= 0]
        delta[current] = np.inf
        return np.asarray(delta, dtype=float)

    def apply(self, c: int, new: Combo) -> None:
        """Give ``c`` the combination ``new`` (cheapest insertions)."""
        old = set(self.combo[c])
        for d in sorted(old - set(new)):
            self.days[d].remove(c)
        for d in sorted(set(new) - old):
            self.days[d].insert(c, self.alpha, self.beta)
        self.dirty.update(old ^ set(new))
        self._set_current(c, tuple(new))

    def project(self, rng: np.random.Generator) -> None:
        """Give every customer visited on days no combination allows its cheapest allowed
        combination."""
        for c in rng.permutation(self.inst.num_customers).tolist():
            if self.combo[c] in self.inst.combos[c]:
                continue
            mine = np.flatnonzero(self.pair_c == c)
            if not len(mine):
                self.apply(c, self.inst.combos[c][0])
                continue
            delta = self.deltas()[mine]
            self.apply(c, self.pair_x[int(mine[int(np.argmin(delta))])])

    def descend(self, max_moves: int = 10**6) -> int:
        """Apply the best improving move until none is left; the moves made."""
        for moves in range(max_moves):
            if not len(self.pair_c):
                return moves
            delta = self.deltas()
            if delta.min() >= -1e-6:
                return moves
            p = int(np.argmin(delta))
            self.apply(int(self.pair_c[p]), self.pair_x[p])
        return max_moves
