"""Cordeau's PVRP file format (Cordeau, Gendreau & Laporte 1997), read into a
:class:`~territory_opt.routing.instance.PvrpInstance`.

Line 1 ``type m n t`` (type 1 = PVRP, m vehicles a day, n customers, t days); then per day
``D Q`` (route duration limit, 0 = none; capacity); then the depot and one line per customer
``i x y d q f a combos…`` (service duration d, demand q, frequency f, a combinations, each an
integer whose bit k marks day k + 1). Distances are Euclidean, not rounded.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from territory_opt.routing.instance import Combo, DayRoutes, PvrpInstance, euclidean


def days_of_mask(mask: int) -> Combo:
    """The days (0-based) whose bit is set in ``mask``."""
    return tuple(d for d in range(mask.bit_length()) if mask >> d & 1)


def read_cordeau(path: str | Path) -> tuple[PvrpInstance, tuple[str, ...]]:
    """The instance in ``path`` and its customers' ids (as written in the file)."""
    lines = [ln.split() for ln in Path(path).read_text().splitlines() if ln.strip()]
    kind, m, n, t = map(int, lines[0])
    if kind != 1:
        raise ValueError(f"{path}: problem type {kind} is not PVRP (1)")
    day_lines = lines[1 : 1 + t]
    depot, *rows = lines[1 + t : 1 + t + n + 1]
    if len(rows) != n:
        raise ValueError(f"{path}: expected {n} customers, got {len(rows)}")
    combos = []
    for row in rows:
        a = int(row[6])
        combos.append(tuple(days_of_mask(int(c)) for c in row[7 : 7 + a]))
    xy = np.array([(float(depot[1]), float(depot[2]))]
                  + [(float(r[1]), float(r[2])) for r in rows])
    inst = PvrpInstance(
        name=Path(path).stem,
        travel=euclidean(xy),
        service=np.array([float(r[3]) for r in rows]),
        combos=tuple(combos),
        num_days=t,
        num_vehicles=m,
        max_duration=np.array([float(ln[0]) or math.inf for ln in day_lines]),
        demand=np.array([int(float(r[4])) for r in rows]),
        capacity=np.array([int(float(ln[1])) for ln in day_lines]),
        xy=xy,
    )
    return inst, tuple(r[0] for r in rows)


def read_cordeau_solution(inst: PvrpInstance, ids: tuple[str, ...],
                          path: str | Path) -> tuple[float, DayRoutes]:
    """A ``.res`` file: its stated cost and its routes per day (customer positions). Each
    route line is ``day vehicle duration load 0 c1 c2 … 0`` with customer ids."""
    lines = [ln.split() for ln in Path(path).read_text().splitlines() if ln.strip()]
    pos = {cid: k for k, cid in enumerate(ids)}
    days: list[list[tuple[int, ...]]] = [[] for _ in range(inst.num_days)]
    for ln in lines[1:]:
        nodes = ln[4:]
        days[int(ln[0]) - 1].append(tuple(pos[x] for x in nodes[1:-1]))
    return float(lines[0][0]), tuple(tuple(day) for day in days)
