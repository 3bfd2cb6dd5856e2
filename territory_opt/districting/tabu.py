"""The tabu search of the districting heuristic (see :mod:`territory_opt.districting.search`).

A move gives a boundary unit u of district a to a neighbouring district b. When u is not an
articulation point of a's units, a stays connected and u moves alone. When it is one (common
on sparse, tree-like graphs), the parts of a that u's leaving would cut off from a's anchor
(its fixed units and centre, else its largest part) go with u: b stays connected through u.
Fixed units and centres never move and no district is emptied. Without contiguity
(``problem.contiguous`` False) every unit may move to every other district, alone.

Each step takes the best move by objective change + λ × balance-violation change, skipping
moves that would return a unit to the district it recently left (tabu) unless they give a new
best feasible plan. λ grows while the plan is infeasible and shrinks while it is feasible
(strategic oscillation).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import networkx as nx
import numpy as np

from territory_opt.districting.evaluation import district_totals, violation_rows
from territory_opt.districting.objectives import MatrixObjective, make_objective
from territory_opt.districting.problem import FEASIBLE_VIOLATION, DistrictingProblem
from territory_opt.districting.recombination import recombine
from territory_opt.engine.arrays import FloatArray, IntArray

#: the median objective re-centres its districts every this many steps
RECENTRE_EVERY = 25
#: work units (about a millisecond each on a 2-core machine) of a tabu step, of each group
#: move it weighs, and of a recombination of the worst district: contiguity_tabu.Budget
STEP_WORK, GROUP_WORK, RECOMBINE_WORK = 1.3, 0.1, 5.0
#: work of a step without contiguity per move it weighs (every unit to every other district,
#: n·(p−1) moves): ends 30 s searches on four DTDP graphs of 486–726 units after 21.7–24.8 s
#: (scratch timing, one search on a core)
FREE_MOVE_WORK = 2.2e-4
#: without contiguity, recombinations and restarts also join each unit to this many nearest
FREE_NEIGHBOURS = 6
#: without contiguity, swaps pair this many units of the most violating district with every
#: unit of the others; the work of a swap weighed (about three single moves: 3.4e-4 to 4.4e-4
#: units each with the diameter objective on three DTDP graphs, scratch timing)
SWAP_UNITS = 12
SWAP_WORK = 3 * FREE_MOVE_WORK
#: without contiguity a diameter step's moves are charged this many times a median step's:
#: at the same charge they took 1.22–1.68 ms a work unit against 0.71–0.96 ms on six DTDP
#: graphs (scratch timing, one search on a core, 2026-12-07)
FREE_DIAMETER_FACTOR = 1.5
#: candidate moves: lead unit, from, to, objective change, violation change
Moves = tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray]
#: while infeasible, a recombination of the worst district every this many steps without
#: a new best
RECOMBINE_EVERY = 20


@dataclass
class Budget:
    """Search work in deterministic units (STEP_WORK, GROUP_WORK, RECOMBINE_WORK), with the
    wall clock as a safety net: the same seed does the same work, and finds the same plan, on
    a busy machine. ``clock``: the clock stopped the search first (a rerun may then differ)."""

    work: float
    deadline: float
    used: float = 0.0
    clock: bool = False

    def spent(self) -> bool:
        if self.used >= self.work:
            return True
        if time.monotonic() >= self.deadline:
            self.clock = True
            return True
        return False


class UnitAdjacency:
    """Adjacency lists and both directions of every edge, as arrays. Without contiguity the
    graph's edges and each unit's FREE_NEIGHBOURS nearest units: a proximity graph, so that
    recombinations and restarts can join and split districts that are in pieces."""

    def __init__(self, problem: DistrictingProblem) -> None:
        g = problem.graph
        pairs = list(g.edges)
        if not problem.contiguous and problem.distance is not None:
            near = np.argsort(problem.distance, axis=1, kind="stable")[:, 1:FREE_NEIGHBOURS + 1]
            pairs += [(u, int(v)) for u in range(problem.n) for v in near[u]]
            g = nx.Graph(pairs)
            g.add_nodes_from(range(problem.n))
        self.nbrs: list[list[int]] = [sorted(g.neighbors(u)) for u in range(problem.n)]
        edges = np.array(list(g.edges), dtype=np.int64).reshape(-1, 2)
        self.src = np.concatenate([edges[:, 0], edges[:, 1]])
        self.dst = np.concatenate([edges[:, 1], edges[:, 0]])


def stays_connected(nbrs: list[list[int]], labels: IntArray, u: int, a: int) -> bool:
    """Whether district ``a`` stays connected when unit ``u`` leaves it: a breadth-first
    search from one of u's neighbours in a must reach all the others."""
    targets = [v for v in nbrs[u] if labels[v] == a]
    if len(targets) <= 1:
        return True
    need = set(targets[1:])
    seen = {u, targets[0]}
    stack = [targets[0]]
    while stack:
        x = stack.pop()
        for y in nbrs[x]:
            if y not in seen and labels[y] == a:
                if y in need:
                    need.discard(y)
                    if not need:
                        return True
                seen.add(y)
                stack.append(y)
    return False


def cut_units(nbrs: list[list[int]], labels: IntArray, k: int) -> list[int]:
    """The articulation points of district k: the units whose leaving would split it
    (iterative Hopcroft–Tarjan depth-first search over the district's units)."""
    members = np.flatnonzero(labels == k).tolist()
    if len(members) <= 2:
        return []
    inside = set(members)
    root = members[0]
    disc = {root: 0}
    low = {root: 0}
    cuts: set[int] = set()
    root_children = 0
    stack = [(root, -1, iter(nbrs[root]))]
    clock = 1
    while stack:
        v, parent, it = stack[-1]
        for x in it:
            if x not in inside:
                continue
            if x not in disc:
                disc[x] = low[x] = clock
                clock += 1
                stack.append((x, v, iter(nbrs[x])))
                if v == root:
                    root_children += 1
                break
            if x != parent and disc[x] < low[v]:
                low[v] = disc[x]
        else:
            stack.pop()
            if stack:
                pv = stack[-1][0]
                if low[v] < low[pv]:
                    low[pv] = low[v]
                if pv != root and low[v] >= disc[pv]:
                    cuts.add(pv)
    if root_children > 1:
        cuts.add(root)
    return sorted(cuts)


def cut_off(nbrs: list[list[int]], labels: IntArray, u: int, a: int,
            anchored: np.ndarray) -> list[int] | None:
    """``u`` plus the parts of district a that u's leaving cuts off from a's anchored part
    (else from its largest part); None when anchored units lie on two sides of u."""
    pieces: list[list[int]] = []
    seen = {u}
    for s in nbrs[u]:
        if labels[s] != a or s in seen:
            continue
        piece = [s]
        seen.add(s)
        for x in piece:
            for y in nbrs[x]:
                if y not in seen and labels[y] == a:
                    seen.add(y)
                    piece.append(y)
        pieces.append(piece)
    held = [i for i, pc in enumerate(pieces) if anchored[pc].any()]
    if len(held) > 1:
        return None
    stay = held[0] if held else max(range(len(pieces)), key=lambda i: len(pieces[i]))
    return [u] + [v for i, pc in enumerate(pieces) if i != stay for v in pc]


# --------------------------------------------------------------------------- the search

@dataclass
class Best:
    """The best feasible plan of a run (by score), else its least violating one."""

    labels: IntArray | None = None
    score: float = float("inf")
    least: IntArray | None = None
    least_violation: float = float("inf")

    def offer(self, labels: IntArray, score: float, violation: float) -> bool:
        if violation <= FEASIBLE_VIOLATION:
            if score < self.score - 1e-9 * max(1.0, abs(score)):
                self.labels, self.score = labels.copy(), score
                self.least, self.least_violation = self.labels, violation
                return True
            return False
        if self.labels is None and violation < self.least_violation - 1e-12:
            self.least, self.least_violation = labels.copy(), violation
            return True
        return False


class Tabu:
    """One tabu run's state: the plan, district totals, articulation points, λ."""

    def __init__(self, problem: DistrictingProblem, adjacency: UnitAdjacency, labels: IntArray,
                 mode: str, rng: np.random.Generator) -> None:
        pb = self.pb = problem
        self.adj, self.mode, self.rng = adjacency, mode, rng
        self.free_factor = FREE_DIAMETER_FACTOR if mode == "diameter" else 1.0
        self.tabu_until = np.zeros((pb.n, pb.p), dtype=np.int64)
        self.tenure = (max(3, int(np.sqrt(pb.n) / 2)), max(6, int(np.sqrt(pb.n))))
        self.lam = 0.0
        self.reset(labels)

    def reset(self, labels: IntArray) -> None:
        """Make ``labels`` the current plan and recompute everything derived from it."""
        pb = self.pb
        self.lab = labels.copy()
        self.totals = district_totals(pb, self.lab)
        self.size = np.bincount(self.lab, minlength=pb.p)
        self.moved = (float(pb.moves[np.arange(pb.n), self.lab].sum())
                      if pb.moves is not None else 0.0)
        self.obj = make_objective(pb, self.lab, self.mode)
        self.cut = np.zeros(pb.n, dtype=bool)  # stays all False without contiguity
        for k in range(pb.p) if pb.contiguous else ():
            self.cut[cut_units(self.adj.nbrs, self.lab, k)] = True
        self._pieces: dict[int, tuple[int, list[int] | None]] = {}
        self.violation = self.current_violation()

    def recombine_worst(self) -> bool:
        """Re-split the most violating district with the neighbour that gains most (see
        :mod:`territory_opt.districting.recombination`); True when the violation fell."""
        pb, lab, adj = self.pb, self.lab, self.adj
        mean = self.totals.sum(axis=0) / pb.p
        per = violation_rows(self.totals, np.arange(pb.p), pb, mean)
        a = int(np.argmax(per))
        best: tuple[float, IntArray] | None = None
        for b in np.unique(lab[adj.dst[lab[adj.src] == a]]).tolist():
            if b == a:
                continue
            found = recombine(pb, adj.src, adj.dst, lab, a, int(b), mean, self.rng)
            gain = found[1] - per[a] - per[b] if found is not None else 0.0
            if found is not None and gain < -1e-12 and (best is None or gain < best[0]):
                best = (gain, found[0])
        if best is None:
            return False
        self.reset(best[1])
        return True

    def move_excess(self, moved: float | FloatArray) -> FloatArray:
        pb = self.pb
        if pb.moves is None or not np.isfinite(pb.max_moves):
            return np.zeros_like(np.asarray(moved, dtype=float))
        return np.maximum(0.0, np.asarray(moved) - pb.max_moves) / max(1.0, pb.max_moves)

    def current_violation(self) -> float:
        mean = self.totals.sum(axis=0) / self.pb.p
        per = violation_rows(self.totals, np.arange(self.pb.p), self.pb, mean)
        return float(per.sum() + self.move_excess(self.moved))

    def _change(self, wa: FloatArray, wb: FloatArray, ca: IntArray, cb: IntArray,
                dmoves: FloatArray) -> FloatArray:
        """Violation change of giving weights wa (leaving a) / wb (joining b), rows aligned."""
        pb, t = self.pb, self.totals
        mean = t.sum(axis=0) / pb.p
        per = violation_rows(t, np.arange(pb.p), pb, mean)
        dv = (violation_rows(t[ca] - wa, ca, pb, mean) + violation_rows(t[cb] + wb, cb, pb, mean)
              - per[ca] - per[cb])
        if pb.moves is not None:
            dv = dv + self.move_excess(self.moved + dmoves) - self.move_excess(self.moved)
        return np.asarray(dv)

    def _movable(self) -> np.ndarray:
        """Per unit whether it may move: not fixed and not pinned by the objective."""
        movable = self.pb.fixed < 0
        pinned = self.obj.pinned()
        if pinned is not None:
            movable[pinned] = False
        return movable

    def _boundary(self) -> tuple[IntArray, IntArray, IntArray, np.ndarray]:
        """Every (unit, to) pair of a movable boundary unit and a neighbouring district."""
        pb, lab, adj = self.pb, self.lab, self.adj
        movable = self._movable()
        if not pb.contiguous:  # any unit to any other district
            units = np.flatnonzero(movable & (self.size[lab] > 1))
            cu = np.repeat(units, pb.p)
            cb = np.tile(np.arange(pb.p), len(units))
            keep = cb != lab[cu]
            return cu[keep], lab[cu[keep]], cb[keep], movable
        la, lb = lab[adj.src], lab[adj.dst]
        sel = (la != lb) & movable[adj.src] & (self.size[la] > 1)
        keys = np.unique(adj.src[sel] * pb.p + lb[sel])
        cu, cb = keys // pb.p, keys % pb.p
        return cu, lab[cu], cb, movable

    def single_moves(self) -> Moves:
        """Moves of one unit that is not an articulation point of its district."""
        pb, w = self.pb, self.pb.weights
        cu, ca, cb, _ = self._boundary()
        keep = ~self.cut[cu]
        su, sa, sb = cu[keep], ca[keep], cb[keep]
        dmv = pb.moves[su, sb] - pb.moves[su, sa] if pb.moves is not None else np.zeros(len(su))
        dv = self._change(w[su, sa], w[su, sb], sa, sb, dmv)
        dobj = self.obj.delta(su, sa, sb, self.lab)
        return su, sa, sb, np.asarray(dobj, dtype=float), dv

    def group_moves(self) -> tuple[list[list[int]], Moves]:
        """Moves of an articulation point with the parts it cuts off (at most half the
        donor): the groups and their moves."""
        pb, w, lab = self.pb, self.pb.weights, self.lab
        cu, ca, cb, movable = self._boundary()
        keep = self.cut[cu]
        sets: list[list[int]] = []
        ma, mb, mobj = [], [], []
        anchored = ~movable
        for u, a, b in zip(cu[keep].tolist(), ca[keep].tolist(), cb[keep].tolist(),
                           strict=True):
            cached = self._pieces.get(u)
            if cached is None or cached[0] != a:
                cached = (a, cut_off(self.adj.nbrs, lab, u, a, anchored))
                self._pieces[u] = cached
            group = cached[1]
            if group is None or 2 * len(group) > self.size[a]:
                continue
            sets.append(group)
            ma.append(a)
            mb.append(b)
            mobj.append(self.obj.delta_set(group, a, b, lab))
        a_arr, b_arr = np.array(ma, dtype=np.int64), np.array(mb, dtype=np.int64)
        lead = np.array([g[0] for g in sets], dtype=np.int64)
        if not sets:
            return sets, (lead, a_arr, b_arr, np.zeros(0), np.zeros(0))
        wa = np.array([w[g, a].sum(axis=0) for g, a in zip(sets, ma, strict=True)])
        wb = np.array([w[g, b].sum(axis=0) for g, b in zip(sets, mb, strict=True)])
        dm = (np.array([(pb.moves[g, b] - pb.moves[g, a]).sum()
                        for g, a, b in zip(sets, ma, mb, strict=True)])
              if pb.moves is not None else np.zeros(len(sets)))
        return sets, (lead, a_arr, b_arr, np.array(mobj),
                      self._change(wa, wb, a_arr, b_arr, dm))

    def swap_moves(self, step: int) -> tuple[IntArray, Moves]:
        """Without contiguity, while the plan is infeasible: swaps of a unit u of the most
        violating district a with a unit v of another district b (u joins b, v joins a), for
        when no single move keeps every measure in its band. u is one of the SWAP_UNITS units
        of a whose leaving lowers a's violation most. The partners v, and the moves."""
        pb, w, lab = self.pb, self.pb.weights, self.lab
        mean = self.totals.sum(axis=0) / pb.p
        movable = self._movable()
        a = int(np.argmax(violation_rows(self.totals, np.arange(pb.p), pb, mean)))
        members = np.flatnonzero((lab == a) & movable)
        if self.violation <= FEASIBLE_VIOLATION:
            members = members[:0]
        rank = violation_rows(self.totals[a] - w[members, a], np.full(len(members), a), pb, mean)
        su = members[np.argsort(rank, kind="stable")[:SWAP_UNITS]]
        partners = np.flatnonzero((lab != a) & movable)
        cu, cv = np.repeat(su, len(partners)), np.tile(partners, len(su))
        ok = self.tabu_until[cv, a] <= step  # v may not return to a yet
        cu, cv = cu[ok], cv[ok]
        ca, cb = np.full(len(cu), a, dtype=np.int64), lab[cv]
        dmv = (pb.moves[cu, cb] - pb.moves[cu, ca] + pb.moves[cv, ca] - pb.moves[cv, cb]
               if pb.moves is not None else np.zeros(len(cu)))
        dv = self._change(w[cu, ca] - w[cv, ca], w[cu, cb] - w[cv, cb], ca, cb, dmv)
        dobj = self.obj.delta_swap(cu, cv, a, cb, lab)
        return cv, (cu, ca, cb, np.asarray(dobj, dtype=float), dv)

    def apply(self, units: list[int], a: int, b: int, step: int) -> None:
        pb, w = self.pb, self.pb.weights
        self.lab[units] = b
        self.totals[a] -= w[units, a].sum(axis=0)
        self.totals[b] += w[units, b].sum(axis=0)
        self.size[a] -= len(units)
        self.size[b] += len(units)
        if pb.moves is not None:
            self.moved += float((pb.moves[units, b] - pb.moves[units, a]).sum())
        for k in (a, b) if pb.contiguous else ():
            self.cut[self.lab == k] = False
            self.cut[cut_units(self.adj.nbrs, self.lab, k)] = True
        self._pieces = {u: v for u, v in self._pieces.items() if v[0] not in (a, b)}
        self.obj.apply(units, a, b, self.lab)
        self.tabu_until[units, a] = step + int(self.rng.integers(self.tenure[0],
                                                                  self.tenure[1] + 1))
        if self.mode == "median" and step % RECENTRE_EVERY == 0:
            assert isinstance(self.obj, MatrixObjective)
            self.obj.recentre(self.lab)
            self._pieces = {}  # the anchors moved
        self.violation = self.current_violation()

    def run(self, budget: Budget, patience: int, first_plan: bool = False) -> Best:
        best = Best()
        best.offer(self.lab, self.obj.value, self.violation)
        streak = step = since = 0
        lam_min = lam_max = 0.0
        while since < patience and not budget.spent():
            if first_plan and best.labels is not None:
                break
            step += 1
            since += 1
            lead, ca, cb, dobj, dv = self.single_moves()
            singles = len(lead)
            groups: list[list[int]] = []
            partners = np.zeros(0, dtype=np.int64)
            if not singles or (dobj + self.lam * dv).min() >= 0:
                # no improving single move: add the group moves (without contiguity: swaps)
                if self.pb.contiguous:
                    groups, more = self.group_moves()
                else:
                    partners, more = self.swap_moves(step)
                lead, ca, cb, dobj, dv = (np.concatenate([x, y]) for x, y in zip(
                    (lead, ca, cb, dobj, dv), more, strict=True))
            budget.used += (STEP_WORK + GROUP_WORK * len(groups) if self.pb.contiguous
                            else self.free_factor * (FREE_MOVE_WORK * singles
                                                     + SWAP_WORK * len(partners)))
            if not len(lead):
                break
            if self.lam == 0.0:
                nz = np.abs(dobj[dobj != 0])
                self.lam = 1000.0 * (float(np.median(nz)) if len(nz) else 1.0)
                lam_min, lam_max = self.lam * 1e-3, self.lam * 1e4
            score = dobj + self.lam * dv
            aspire = ((self.violation + dv <= FEASIBLE_VIOLATION)
                      & (self.obj.value + dobj < best.score - 1e-9))
            score = np.where((self.tabu_until[lead, cb] > step) & ~aspire, np.inf, score)
            finite = np.isfinite(score)
            if not finite.any():
                self.tabu_until[:] = 0
                continue
            noise = 1e-12 * max(1.0, float(np.abs(score[finite]).max()))
            chosen = int(np.argmin(score + self.rng.random(len(score)) * noise))
            if chosen >= singles and not self.pb.contiguous:  # a swap: u to b, its partner to a
                self.apply([int(lead[chosen])], int(ca[chosen]), int(cb[chosen]), step)
                self.apply([int(partners[chosen - singles])], int(cb[chosen]), int(ca[chosen]),
                           step)
            else:
                units = [int(lead[chosen])] if chosen < singles else groups[chosen - singles]
                self.apply(units, int(ca[chosen]), int(cb[chosen]), step)
            if best.offer(self.lab, self.obj.value, self.violation):
                since = 0
            if self.violation > FEASIBLE_VIOLATION:
                streak += 1
                if streak >= 3:
                    self.lam = min(self.lam * 1.1, lam_max)
                if since % RECOMBINE_EVERY == 0:
                    budget.used += RECOMBINE_WORK
                    if self.recombine_worst() and best.offer(self.lab, self.obj.value,
                                                             self.violation):
                        since = 0
            else:
                streak = 0
                self.lam = max(self.lam / 1.1, lam_min)
        return best


def tabu(problem: DistrictingProblem, adjacency: UnitAdjacency, labels: IntArray, mode: str,
         rng: np.random.Generator, budget: Budget, patience: int, first_plan: bool = False
         ) -> Best:
    """One tabu run from ``labels``; its best feasible (or least violating) plan (with
    ``first_plan``: the first feasible one)."""
    return Tabu(problem, adjacency, labels, mode, rng).run(budget, patience, first_plan)
