"""The evaluation of a districting plan: district totals, balance violation, deviations,
centres, diameters, the objective, and the check of every rule."""

from __future__ import annotations

import numpy as np

from territory_opt.districting.problem import FEASIBLE_VIOLATION, DistrictingProblem, is_contiguous
from territory_opt.engine.arrays import FloatArray, IntArray


def district_totals(problem: DistrictingProblem, labels: IntArray) -> FloatArray:
    """(p, m) measure totals of each district."""
    totals = np.zeros((problem.p, problem.m))
    np.add.at(totals, labels, problem.weights[np.arange(problem.n), labels])
    return totals


def violation_rows(totals: FloatArray, districts: IntArray, problem: DistrictingProblem,
                   mean: FloatArray) -> FloatArray:
    """Per row: Σ over measures of the distance of the total outside its band (and above its
    upper limit), relative to the measure's mean."""
    tol = problem.tolerance
    finite = np.isfinite(tol)
    hi = np.where(finite, (1 + np.where(finite, tol, 0)) * mean, np.inf)
    lo = np.where(finite, (1 - np.where(finite, tol, 0)) * mean, -np.inf)
    over = np.maximum(0.0, totals - hi) + np.maximum(0.0, lo - totals)
    if np.isfinite(problem.upper).any():  # else the term is 0 (a hot path of the search)
        over += np.maximum(0.0, totals - problem.upper[districts])
    rel = over / np.maximum(np.abs(mean), 1e-12)
    # the sum over measures column by column: on a few measures this is the same sum as
    # rel.sum(axis=1), about twice as fast (a hot path of the search)
    out = rel[:, 0].copy()
    for j in range(1, rel.shape[1]):
        out += rel[:, j]
    return out


def balance_violation(problem: DistrictingProblem, labels: IntArray) -> float:
    """Summed relative violation of balance, upper limits and the move limit (0: feasible)."""
    totals = district_totals(problem, labels)
    mean = totals.sum(axis=0) / problem.p
    v = float(violation_rows(totals, np.arange(problem.p), problem, mean).sum())
    if problem.moves is not None and np.isfinite(problem.max_moves):
        moved = float(problem.moves[np.arange(problem.n), labels].sum())
        v += max(0.0, moved - problem.max_moves) / max(1.0, problem.max_moves)
    return v


def deviations(problem: DistrictingProblem, labels: IntArray) -> FloatArray:
    """(p, m) |total − mean| / mean per district and measure."""
    totals = district_totals(problem, labels)
    mean = totals.sum(axis=0) / problem.p
    return np.asarray(np.abs(totals - mean) / np.maximum(np.abs(mean), 1e-12))


def medoids(problem: DistrictingProblem, labels: IntArray) -> IntArray:
    """Per district the unit with the least summed distance to the district's units (the
    fixed centre when the problem has one)."""
    if problem.centres is not None:
        return problem.centres.copy()
    assert problem.distance is not None
    out = np.zeros(problem.p, dtype=np.int64)
    for k in range(problem.p):
        members = np.flatnonzero(labels == k)
        sums = problem.distance[np.ix_(members, members)].sum(axis=0)
        out[k] = members[int(np.argmin(sums))]
    return out


def district_diameters(problem: DistrictingProblem, labels: IntArray) -> FloatArray:
    """Per district the largest distance between two of its units."""
    assert problem.distance is not None
    out = np.zeros(problem.p)
    for k in range(problem.p):
        members = np.flatnonzero(labels == k)
        if len(members) > 1:
            out[k] = problem.distance[np.ix_(members, members)].max()
    return out


def objective_value(problem: DistrictingProblem, labels: IntArray) -> float:
    """The problem's objective of a plan (median: with the best centres)."""
    if problem.objective == "cost":
        assert problem.cost is not None
        return float(problem.cost[np.arange(problem.n), labels].sum())
    if problem.objective == "median":
        assert problem.distance is not None
        c = medoids(problem, labels)
        return float(problem.distance[np.arange(problem.n), c[labels]].sum())
    return float(district_diameters(problem, labels).max())


def check_districts(problem: DistrictingProblem, labels: IntArray) -> list[str]:
    """Every rule the plan breaks: contiguity (with the shared checker), fixed units, balance."""
    broken = []
    for k in range(problem.p):
        members = np.flatnonzero(labels == k).tolist()
        if not members:
            broken.append(f"district {k} is empty")
        elif problem.contiguous and not is_contiguous(problem.graph, members):
            broken.append(f"district {k} is not contiguous")
    bad = (problem.fixed >= 0) & (labels != problem.fixed)
    if bad.any():
        broken.append(f"{int(bad.sum())} fixed units are in another district")
    if balance_violation(problem, labels) > FEASIBLE_VIOLATION:
        broken.append("a balance, upper or move limit is broken")
    return broken
