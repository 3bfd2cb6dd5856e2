"""Objectives of the districting tabu search, kept up to date move by move.

* :class:`MatrixObjective`: Σ M[u, k] — fixed assignment costs (objective ``cost``, with a
  tiny pull towards the district's centre) or the distance to the district's current medoid
  (objective ``median``, re-centred now and then);
* :class:`DiameterObjective`: max diameter + a little of the mean diameter (objective
  ``diameter``; the mean term breaks the plateaus of the max).

Each gives the change of its value for a batch of single-unit moves (``delta``), for one
group move (``delta_set``), applies a move, and names the units it pins (centres).
"""

from __future__ import annotations

import numpy as np

from territory_opt.districting.evaluation import medoids
from territory_opt.districting.problem import DistrictingProblem
from territory_opt.engine.arrays import FloatArray, IntArray

#: cost objective: weight of the pull of a unit towards its district's centre, relative to the
#: mean cost (places units that cost nothing, e.g. without accounts, near the rep's home)
PULL = 1e-4
#: the diameter surrogate: max diameter + this × mean diameter (breaks the max's plateaus)
DIAMETER_MEAN_WEIGHT = 0.1


class MatrixObjective:
    """Σ M[u, k]: fixed costs (plus a tiny pull towards the centre, which places units that
    cost nothing) or the distance to the district's current medoid (median)."""

    def __init__(self, problem: DistrictingProblem, labels: IntArray, mode: str) -> None:
        self.pb, self.mode = problem, mode
        self.centres: IntArray | None = problem.centres
        if mode == "cost":
            assert problem.cost is not None
            m = problem.cost.copy()
            if problem.distance is not None and problem.centres is not None:
                pull = problem.distance[:, problem.centres]
                scale = float(np.abs(m).mean()) if np.abs(m).any() else 1.0
                m += PULL * scale * pull / max(float(pull.mean()), 1e-12)
            self.matrix = m
            self.value = float(m[np.arange(problem.n), labels].sum())
        else:
            self.recentre(labels)

    def recentre(self, labels: IntArray) -> None:
        assert self.pb.distance is not None
        self.centres = medoids(self.pb, labels)
        self.matrix = self.pb.distance[:, self.centres]
        self.value = float(self.matrix[np.arange(self.pb.n), labels].sum())

    def delta(self, cu: IntArray, ca: IntArray, cb: IntArray, labels: IntArray) -> FloatArray:
        return np.asarray(self.matrix[cu, cb] - self.matrix[cu, ca])

    def delta_set(self, units: list[int], a: int, b: int, labels: IntArray) -> float:
        return float((self.matrix[units, b] - self.matrix[units, a]).sum())

    def delta_swap(self, cu: IntArray, cv: IntArray, a: int, cb: IntArray,
                   labels: IntArray) -> FloatArray:
        """Change of swapping u (in a) with v (in b): u joins b, v joins a."""
        m = self.matrix
        return np.asarray(m[cu, cb] - m[cu, a] + m[cv, a] - m[cv, cb])

    def apply(self, units: list[int], a: int, b: int, labels: IntArray) -> None:
        self.value += float((self.matrix[units, b] - self.matrix[units, a]).sum())

    def pinned(self) -> IntArray | None:
        return self.centres


class DiameterObjective:
    """max diameter + DIAMETER_MEAN_WEIGHT × mean diameter, kept up to date per move."""

    def __init__(self, problem: DistrictingProblem, labels: IntArray) -> None:
        assert problem.distance is not None
        self.d = problem.distance
        self.far = np.zeros((problem.n, problem.p))  # far[u, k]: max distance u..members of k
        self.diam = np.zeros(problem.p)
        self.ends = np.zeros((problem.p, 2), dtype=np.int64)
        # diameter of a district without one of its diameter's ends: {unit: (district, value)}
        self._cache: dict[int, tuple[int, float]] = {}
        for k in range(problem.p):
            self._refresh(k, labels)
        self.value = float(self._score(self.diam[None, :])[0])

    def _score(self, diam: FloatArray) -> FloatArray:
        return np.asarray(diam.max(axis=1) + DIAMETER_MEAN_WEIGHT * diam.mean(axis=1))

    def _changes(self, new_a: FloatArray, new_b: FloatArray, ca: IntArray, cb: IntArray
                 ) -> FloatArray:
        """Score change per row when district ca's diameter becomes new_a and cb's new_b:
        the new max is the larger of theirs and the largest of the other districts (one of
        the three largest diameters)."""
        d = self.diam
        top = np.argsort(-d, kind="stable")[:3]
        other = np.zeros(len(ca))
        for k in top[::-1].tolist():  # the largest district that is neither a nor b wins
            other = np.where((ca != k) & (cb != k), d[k], other)
        new_max = np.maximum(other, np.maximum(new_a, new_b))
        change = (new_a - d[ca]) + (new_b - d[cb])
        return np.asarray(new_max - d.max() + DIAMETER_MEAN_WEIGHT * change / len(d))

    def _refresh(self, k: int, labels: IntArray) -> None:
        members = np.flatnonzero(labels == k)
        self.far[:, k] = self.d[:, members].max(axis=1)
        sub = self.d[np.ix_(members, members)]
        i, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
        self.diam[k] = sub[i, j]
        self.ends[k] = (members[i], members[j])

    def _diameter(self, units: IntArray) -> float:
        return float(self.d[np.ix_(units, units)].max()) if len(units) > 1 else 0.0

    def delta(self, cu: IntArray, ca: IntArray, cb: IntArray, labels: IntArray) -> FloatArray:
        new_b = np.maximum(self.diam[cb], self.far[cu, cb])
        new_a = self.diam[ca]
        endpoint = (self.ends[ca, 0] == cu) | (self.ends[ca, 1] == cu)
        for r in np.flatnonzero(endpoint).tolist():
            new_a[r] = self._without(int(cu[r]), int(ca[r]), labels)
        return self._changes(new_a, new_b, ca, cb)

    def _without(self, u: int, k: int, labels: IntArray) -> float:
        """The diameter of district k without u, one of the ends of its diameter (cached until
        k changes)."""
        if u not in self._cache:
            rest = np.flatnonzero(labels == k)
            self._cache[u] = (k, self._diameter(rest[rest != u]))
        return self._cache[u][1]

    def _far_without(self, x: IntArray, y: IntArray, k: IntArray, labels: IntArray
                     ) -> FloatArray:
        """Per row the largest distance from x to the units of district k other than y."""
        out = np.empty(len(x))
        for dk in np.unique(k).tolist():
            rows = np.flatnonzero(k == dk)
            xs, inv = np.unique(x[rows], return_inverse=True)
            sub = self.d[np.ix_(xs, np.flatnonzero(labels == dk))]
            if sub.shape[1] < 2:
                out[rows] = 0.0
                continue
            two = -np.partition(-sub, 1, axis=1)[:, :2]  # largest, second largest
            first, second = two[inv, 0], two[inv, 1]
            out[rows] = np.where(self.d[x[rows], y[rows]] < first, first, second)
        return out

    def delta_swap(self, cu: IntArray, cv: IntArray, a: int, cb: IntArray,
                   labels: IntArray) -> FloatArray:
        """Change of swapping u (in a) with v (in b): u joins b, v joins a."""
        ca = np.full(len(cu), a, dtype=np.int64)
        rest_a, rest_b = self.diam[ca], self.diam[cb]  # unless u or v is an end of a diameter
        for rest, x, k in ((rest_a, cu, ca), (rest_b, cv, cb)):
            for r in np.flatnonzero((self.ends[k, 0] == x) | (self.ends[k, 1] == x)).tolist():
                rest[r] = self._without(int(x[r]), int(k[r]), labels)
        new_a = np.maximum(rest_a, self._far_without(cv, cu, ca, labels))
        new_b = np.maximum(rest_b, self._far_without(cu, cv, cb, labels))
        return self._changes(new_a, new_b, ca, cb)

    def delta_set(self, units: list[int], a: int, b: int, labels: IntArray) -> float:
        new = self.diam.copy()
        idx = np.asarray(units)
        new[b] = max(self.diam[b], float(self.far[idx, b].max()), self._diameter(idx))
        e0, e1 = self.ends[a].tolist()
        if e0 in units or e1 in units:  # else both ends of a's diameter stay in a
            rest = labels == a
            rest[idx] = False
            new[a] = self._diameter(np.flatnonzero(rest))
        return float(self._score(new[None, :])[0]) - self.value

    def apply(self, units: list[int], a: int, b: int, labels: IntArray) -> None:
        # only districts a and b change: the other districts' entries stay valid
        self._cache = {u: kv for u, kv in self._cache.items() if kv[0] not in (a, b)}
        self._refresh(a, labels)
        self._refresh(b, labels)
        self.value = float(self._score(self.diam[None, :])[0])

    def pinned(self) -> IntArray | None:
        return None


Objective = MatrixObjective | DiameterObjective


def make_objective(problem: DistrictingProblem, labels: IntArray, mode: str) -> Objective:
    if mode == "diameter":
        return DiameterObjective(problem, labels)
    return MatrixObjective(problem, labels, mode)
