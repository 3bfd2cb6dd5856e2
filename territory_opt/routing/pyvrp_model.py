"""PyVRP models of a PVRP: the whole horizon (one vehicle type and routing profile per day) and
single days.

In the horizon model a PyVRP client is a *slot*: one visit of a customer that may take place
on the days of its mask. The profile of day ``d`` makes every slot not allowed on ``d``
unreachable (its legs at :attr:`Scaled.big`), so PyVRP itself places a slot on one of its days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, Route, Solution, VehicleType

from territory_opt.routing.instance import (
    BoolArray,
    Combo,
    DayRoutes,
    IntArray,
    PvrpInstance,
    RouteT,
)
from territory_opt.routing.scaling import NO_LIMIT, Scaled


@dataclass(frozen=True)
class Slots:
    """Slot ``k`` visits customer ``customer[k]`` on one of the days where ``days[k]`` is
    True; ``index[(i, d)]`` finds the slot of customer ``i`` on day ``d``."""

    customer: IntArray
    days: BoolArray
    index: dict[tuple[int, int], int]


def make_slots(inst: PvrpInstance, combo: list[Combo]) -> Slots:
    """A single-visit customer is one slot on all its allowed days (PyVRP picks the day); a
    multi-visit customer has one slot pinned to each day of its current combination."""
    cust: list[int] = []
    rows: list[BoolArray] = []
    index: dict[tuple[int, int], int] = {}
    for i in range(inst.num_customers):
        if inst.frequency[i] == 1:
            cust.append(i)
            rows.append(inst.allowed_days[i])
            for d in np.flatnonzero(inst.allowed_days[i]).tolist():
                index[(i, d)] = len(cust) - 1
        else:
            for d in combo[i]:
                row = np.zeros(inst.num_days, dtype=bool)
                row[d] = True
                cust.append(i)
                rows.append(row)
                index[(i, d)] = len(cust) - 1
    return _slots(inst, cust, rows, index)


def relaxed_slots(inst: PvrpInstance) -> Slots:
    """The relaxation of the start: visit ``k`` of a multi-visit customer may take the
    ``k``-th day of *any* allowed combination, independently of its other visits; the result
    is then projected onto valid combinations."""
    cust: list[int] = []
    rows: list[BoolArray] = []
    for i in range(inst.num_customers):
        if inst.frequency[i] == 1:
            cust.append(i)
            rows.append(inst.allowed_days[i])
            continue
        for k in range(int(inst.frequency[i])):
            row = np.zeros(inst.num_days, dtype=bool)
            row[[c[k] for c in inst.combos[i]]] = True
            cust.append(i)
            rows.append(row)
    return _slots(inst, cust, rows, {})


def _slots(inst: PvrpInstance, cust: list[int], rows: list[BoolArray],
           index: dict[tuple[int, int], int]) -> Slots:
    days = np.array(rows, dtype=bool).reshape(len(rows), inst.num_days)
    return Slots(np.array(cust, dtype=np.int64), days, index)


def _locations(inst: PvrpInstance, customers: IntArray) -> list[Location]:
    assert inst.xy is not None
    xy = inst.xy[np.concatenate([[0], customers + 1])]
    return [Location(float(x), float(y)) for x, y in xy]


def _clients(inst: PvrpInstance, sc: Scaled, customers: IntArray) -> list[Client]:
    assert inst.demand is not None
    loads = inst.has_capacity
    return [Client(location=k + 1,
                   delivery=[int(inst.demand[c]) * sc.load_scale] if loads else [],
                   service_duration=int(sc.service[c]),
                   tw_early=sc.tw_early[c], tw_late=sc.tw_late[c])
            for k, c in enumerate(customers.tolist())]


def _vehicle_type(inst: PvrpInstance, sc: Scaled, day: int, profile: int) -> VehicleType:
    assert inst.capacity is not None
    capacity = [int(inst.capacity[day]) * sc.load_scale] if inst.has_capacity else []
    shift = sc.shift[day]
    return VehicleType(num_available=inst.num_vehicles, capacity=capacity, profile=profile,
                       tw_late=shift, shift_duration=shift, name=f"day{day}")


def ban(mat: IntArray, banned: BoolArray, big: int) -> IntArray:
    """A copy of ``mat`` with every leg touching a banned location at ``big``."""
    out = mat.copy()
    out[banned, :] = big
    out[:, banned] = big
    np.fill_diagonal(out, 0)
    return out


def horizon_data(inst: PvrpInstance, sc: Scaled, slots: Slots) -> ProblemData:
    """One depot, one client per slot, one vehicle type and profile per day."""
    nodes = np.concatenate([[0], slots.customer + 1])
    base_dist = sc.dist[np.ix_(nodes, nodes)]
    base_dur = sc.dur[np.ix_(nodes, nodes)] if sc.timed else base_dist
    same = nodes[:, None] == nodes[None, :]  # two visits of one customer never back to back
    same[0, 0] = False
    np.fill_diagonal(same, False)
    if same.any():
        base_dist = np.where(same, sc.big, base_dist)
        base_dur = np.where(same, sc.big, base_dur) if sc.timed else base_dist
    dists, durs, vtypes = [], [], []
    for d in range(inst.num_days):
        banned = np.concatenate([[False], ~slots.days[:, d]])
        dists.append(ban(base_dist, banned, sc.big))
        durs.append(ban(base_dur, banned, sc.big) if sc.timed else dists[-1])
        vtypes.append(_vehicle_type(inst, sc, d, profile=d))
    return ProblemData(_locations(inst, slots.customer), _clients(inst, sc, slots.customer),
                       [Depot(location=0, tw_late=NO_LIMIT)], vtypes,
                       dists, durs)  # type: ignore[arg-type]


def day_data(inst: PvrpInstance, sc: Scaled, day: int, customers: list[int]) -> ProblemData:
    """The routing problem of one day over ``customers``."""
    cust = np.asarray(customers, dtype=np.int64)
    nodes = np.concatenate([[0], cust + 1])
    dist = sc.dist[np.ix_(nodes, nodes)]
    dur = sc.dur[np.ix_(nodes, nodes)] if sc.timed else dist
    return ProblemData(_locations(inst, cust), _clients(inst, sc, cust), [Depot(location=0)],
                       [_vehicle_type(inst, sc, day, profile=0)], [dist],  # type: ignore[list-item]
                       [dur])  # type: ignore[list-item]


def to_pyvrp(data: ProblemData, slots: Slots, routes: DayRoutes) -> Solution:
    """A PyVRP solution of the horizon model from customer-level day routes."""
    pv_routes = [Route(data, [slots.index[(c, d)] for c in r], d)
                 for d, day in enumerate(routes) for r in day if r]
    return Solution(data, pv_routes)


def from_pyvrp(inst: PvrpInstance, slots: Slots, sol: Solution) -> DayRoutes:
    """Customer-level day routes of a horizon solution."""
    days: list[list[RouteT]] = [[] for _ in range(inst.num_days)]
    for r in sol.routes():
        visits = tuple(int(slots.customer[a.idx]) for a in r if a.is_client())
        if visits:
            days[r.vehicle_type()].append(visits)
    return tuple(tuple(day) for day in days)
