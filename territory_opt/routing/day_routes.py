"""One day's routes with the exact price of every insertion and removal, for the combination
search: vectorised over every (leg, customer) pair of the day.

A price is the travel it adds (or saves) plus ``alpha`` per unit of excess load and ``beta``
per unit of excess time it adds (or removes). Excess time of a route is its end past the
day's limit; with time windows the route's end and lateness are recomputed exactly, while an
insertion is priced by its detour and service (waits not foreseen), which PyVRP's repair of
the day then settles.
"""

from __future__ import annotations

import numpy as np

from territory_opt.routing.check import route_times
from territory_opt.routing.instance import FloatArray, IntArray, PvrpInstance

#: (detour, load increase, time increase) per (leg, customer); the same for a new route;
#: (saved travel, load decrease, time decrease) per customer on the day
_Parts = tuple[FloatArray, ...]


class DayState:
    """The routes of day ``day`` with cached move prices."""

    def __init__(self, inst: PvrpInstance, day: int, routes: list[list[int]]):
        self.inst, self.day = inst, day
        self.routes = [list(r) for r in routes if r]
        self.refresh()

    def refresh(self) -> None:
        """Recompute legs, lengths, loads and times after a change."""
        inst, travel = self.inst, self.inst.travel
        assert inst.demand is not None
        self.routes = [r for r in self.routes if r]
        sizes = np.array([len(r) for r in self.routes], np.int64)
        flat = np.array([c for r in self.routes for c in r], np.int64)
        ridx = np.repeat(np.arange(len(sizes)), sizes + 1)  # one leg per visit + the return
        self.start: IntArray = (np.cumsum(sizes + 1) - (sizes + 1)).astype(np.int64)
        # leg j of route k goes prev[j] -> next[j]; nodes are customer + 1
        nodes_next = np.zeros(len(ridx), np.int64)
        nodes_prev = np.zeros(len(ridx), np.int64)
        is_visit = np.ones(len(ridx), bool)
        is_visit[self.start + sizes] = False  # the returns
        nodes_next[is_visit] = flat + 1
        is_first = np.zeros(len(ridx), bool)
        is_first[self.start] = True
        shifted = np.zeros(len(ridx), np.int64)
        shifted[1:] = nodes_next[:-1]
        nodes_prev[~is_first] = shifted[~is_first]
        self.prev, self.next, self.ridx = nodes_prev, nodes_next, ridx
        self.flat, self.visit_leg = flat, np.flatnonzero(is_visit)
        leg = travel[nodes_prev, nodes_next] if len(ridx) else np.zeros(0)
        nr = len(self.routes)
        self.length: FloatArray = np.bincount(ridx, leg, minlength=nr).astype(float)
        visit_route = np.repeat(np.arange(nr), sizes)
        self.load: FloatArray = np.bincount(visit_route, inst.demand[flat].astype(float),
                                            minlength=nr).astype(float)
        if inst.has_time_windows:  # waits and lateness: route by route
            times = [route_times(inst, tuple(r)) for r in self.routes]
            self.dur: FloatArray = np.array([t.end + t.late for t in times], dtype=float)
        else:
            svc = np.bincount(visit_route, inst.service[flat], minlength=nr).astype(float)
            self.dur = self.length + svc
        pos = np.concatenate([np.arange(k) for k in sizes]) if nr else np.zeros(0, np.int64)
        self.where: dict[int, tuple[int, int]] = dict(
            zip(flat.tolist(), zip(visit_route.tolist(), pos.tolist(), strict=True),
                strict=True))
        self._parts: _Parts | None = None
        self._table: tuple[float, float, tuple[FloatArray, IntArray, FloatArray]] | None = None

    def excess(self) -> tuple[float, float]:
        """Total excess load and excess time of the day's routes."""
        assert self.inst.capacity is not None
        cap, dmax = self.inst.capacity[self.day], self.inst.max_duration[self.day]
        return (float(np.maximum(self.load - cap, 0).sum()),
                float(np.maximum(self.dur - dmax, 0).sum()))

    def _components(self) -> _Parts:
        """The penalty-free parts of the prices, cached until the next change."""
        if self._parts is not None:
            return self._parts
        inst, travel, d = self.inst, self.inst.travel, self.day
        assert inst.demand is not None and inst.capacity is not None
        n = inst.num_customers
        q, s = inst.demand.astype(float), inst.service
        cap, dmax = float(inst.capacity[d]), inst.max_duration[d]
        ex_load = np.maximum(self.load - cap, 0)
        ex_dur = np.maximum(self.dur - dmax, 0)
        if len(self.prev):
            det = (travel[self.prev, 1:] + travel[1:, self.next].T
                   - travel[self.prev, self.next][:, None])  # (legs, n)
            k = self.ridx
            d_load = np.maximum(self.load[k][:, None] + q - cap, 0) - ex_load[k][:, None]
            d_dur = np.maximum(self.dur[k][:, None] + det + s - dmax, 0) - ex_dur[k][:, None]
        else:
            det = d_load = d_dur = np.zeros((0, n))
        new_det = 2 * travel[0, 1:]
        new_load = np.maximum(q - cap, 0)
        new_dur = np.maximum(new_det + s - dmax, 0)
        if len(self.routes) >= inst.num_vehicles:
            new_det = np.full(n, np.inf)
        rem_det, rem_load, rem_dur = np.zeros(n), np.zeros(n), np.zeros(n)
        if len(self.flat):
            c, j = self.flat, self.visit_leg  # leg j enters c, leg j + 1 leaves it
            a, b, k = self.prev[j], self.next[j + 1], self.ridx[j]
            saved = travel[a, c + 1] + travel[c + 1, b] - travel[a, b]
            rem_det[c] = saved
            rem_load[c] = ex_load[k] - np.maximum(self.load[k] - q[c] - cap, 0)
            rem_dur[c] = ex_dur[k] - np.maximum(self.dur[k] - saved - s[c] - dmax, 0)
        self._parts = (det, d_load, d_dur, new_det, new_load, new_dur, rem_det, rem_load,
                       rem_dur)
        return self._parts

    def prices(self, alpha: float, beta: float) -> tuple[FloatArray, IntArray, FloatArray]:
        """Per customer: the priced cheapest insertion, its leg (-1: a new route) and the
        priced removal gain (0 when not on this day)."""
        if self._table is not None and self._table[:2] == (alpha, beta):
            return self._table[2]
        det, d_load, d_dur, new_det, new_load, new_dur, rem_det, rem_load, rem_dur = (
            self._components())
        n = self.inst.num_customers
        new_cost = new_det + alpha * new_load + beta * new_dur
        if len(det):
            total = det + alpha * d_load + beta * d_dur
            leg = total.argmin(axis=0)
            cost = total[leg, np.arange(n)]
            use_new = new_cost < cost
            ins, leg = np.where(use_new, new_cost, cost), np.where(use_new, -1, leg)
        else:
            ins, leg = new_cost, np.full(n, -1)
        ins = np.asarray(ins, dtype=float)
        ins[self.flat] = np.inf  # already visited this day
        gain = rem_det + alpha * rem_load + beta * rem_dur
        table = (ins, np.asarray(leg, dtype=np.int64), gain)
        self._table = (alpha, beta, table)
        return table

    def insert(self, c: int, alpha: float, beta: float) -> None:
        """Insert ``c`` at its cheapest priced position."""
        _, leg, _ = self.prices(alpha, beta)
        j = int(leg[c])
        if j < 0:
            self.routes.append([c])
        else:
            k = int(self.ridx[j])
            self.routes[k].insert(j - int(self.start[k]), c)
        self.refresh()

    def remove(self, c: int) -> None:
        k, p = self.where[c]
        del self.routes[k][p]
        self.refresh()
