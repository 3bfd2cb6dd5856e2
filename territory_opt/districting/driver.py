"""Solve a districting problem (:func:`solve_districting`).

Solution (:func:`solve_districting`)
    First, a pocket argument may prove that no plan exists
    (:mod:`territory_opt.districting.proof`). Then a connected start (region growing from the
    centres, or recursive spanning-tree bisection without them) and a tabu search over moves
    that keep every district connected: a boundary unit, an articulation point with the part
    it cuts off, and, while the plan is infeasible, merge-and-split recombinations of two
    districts. Balance violation is penalised with a weight that oscillates (Ríos-Mercado and
    Fernández 2009 style). Small problems with fixed centres and the ``cost`` objective are
    then solved exactly by CP-SAT with a flow formulation of contiguity
    (:mod:`territory_opt.districting.exact`), hinted with the heuristic's plan. Modules:
    :mod:`~territory_opt.districting.search` (starts, restarts),
    :mod:`~territory_opt.districting.tabu` (moves, objectives),
    :mod:`~territory_opt.districting.recombination` (spanning-tree splits).

:func:`is_contiguous` is the one shared contiguity checker (tests, adapter, benchmarks).
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from territory_opt.districting.evaluation import check_districts, objective_value
from territory_opt.districting.exact import solve_exact
from territory_opt.districting.problem import DistrictingProblem
from territory_opt.districting.proof import REST_STEPS_PER_SECOND, pocket_proof
from territory_opt.districting.search import SearchParams, SearchResult, SearchStats, search
from territory_opt.engine.arrays import IntArray
from territory_opt.engine.search import DET_PER_SECOND

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: the exact CP-SAT model is tried up to this many unit × district pairs
EXACT_MAX_PAIRS = 1500
#: the seeds of searches side by side (one per worker) are this far apart
SEED_STRIDE = 1000


@dataclass(frozen=True)
class DistrictingResult:
    """``labels``: district per unit (order of ``problem.nodes``), None when no feasible plan
    was found. ``status``: 'optimal', 'feasible', 'infeasible' (proven: no plan exists) or
    'unknown' (none found, none proven impossible). ``bound``: a proven lower
    bound on the objective (-inf when none is known). ``violation``: balance violation of
    ``best_labels`` (the least violating plan seen, returned even when infeasible)."""

    status: str
    labels: IntArray | None
    objective: float
    bound: float
    violation: float
    seconds: float
    best_labels: IntArray | None = None
    reasons: tuple[str, ...] = ()
    stats: SearchStats = field(default_factory=SearchStats)

    def assignment(self, problem: DistrictingProblem) -> dict[Hashable, int]:
        """{unit label: district} of the plan."""
        if self.labels is None:
            return {}
        return {u: int(k) for u, k in zip(problem.nodes, self.labels, strict=True)}


def solve_districting(problem: DistrictingProblem, *, time_limit: float = 10.0, seed: int = 0,
                      workers: int = 1, exact: bool = True, deadline: float | None = None,
                      progress: Callable[[str, float, float], None] | None = None,
                      start: IntArray | None = None, first_plan: bool = False
                      ) -> DistrictingResult:
    """Contiguous districts (or, with ``problem.contiguous`` False, districts in any number
    of pieces): heuristic first, then (small contiguous 'cost' problems with fixed centres)
    the exact CP-SAT model; the pocket proof of infeasibility runs only for contiguous
    problems. Both are budgeted in deterministic work worth ``time_limit``
    seconds, so a seed gives the same plan on a busy machine; ``deadline`` (seconds, default
    ``time_limit``) is the wall-clock safety net. ``stats.budget_used`` is the share of
    the budget spent. With ``workers`` > 1, that many heuristic searches with different seeds
    run side by side and the best plan wins (``_portfolio``); the exact model runs one
    CP-SAT worker (two interleaved ones aborted the process, see districting.exact).
    ``progress(phase, objective, violation)`` is called now and then. ``start``: a connected
    plan to search from; ``first_plan``: stop at the first feasible plan, without the exact
    model (:class:`SearchParams`)."""

    t0 = time.monotonic()
    proof = (pocket_proof(problem, rest_budget=int(REST_STEPS_PER_SECOND * time_limit))
             if problem.contiguous else None)
    if proof is not None:
        return DistrictingResult("infeasible", None, float("nan"), float("inf"), float("inf"),
                                 time.monotonic() - t0, None, (f"proven: {proof}",),
                                 SearchStats(proven_infeasible=True))
    end = t0 + (time_limit if deadline is None else deadline)
    small = (exact and not first_plan and problem.contiguous and problem.objective == "cost"
             and problem.centres is not None
             and problem.n * problem.p <= EXACT_MAX_PAIRS)
    budget = time_limit * (0.4 if small else 1.0)
    found = _portfolio(problem, SearchParams(time_limit=budget, seed=seed,
                                             deadline=end - time.monotonic(), start=start,
                                             first_plan=first_plan), workers, progress)
    labels, best = found.labels, found.best_labels
    objective = objective_value(problem, labels) if labels is not None else float("nan")
    bound = -np.inf
    status = "feasible" if labels is not None else "unknown"
    stats = found.stats
    if small:
        ex = solve_exact(problem, hint=labels if labels is not None else best,
                         det_time=DET_PER_SECOND * (time_limit - budget),
                         time_limit=max(1.0, end - time.monotonic()), seed=seed)
        used = stats.budget_used * budget / time_limit + ex.det_time / DET_PER_SECOND / time_limit
        stats = replace(stats, exact_seconds=ex.seconds, budget_used=min(1.0, used))
        bound = max(bound, ex.bound)
        if ex.labels is not None and not check_districts(problem, ex.labels):
            value = objective_value(problem, ex.labels)
            if labels is None or value < objective:
                labels, objective = ex.labels, value
        if ex.status == "optimal" and labels is not None:
            status = "optimal" if objective - bound <= ex.resolution else "feasible"
        if ex.status == "infeasible" and labels is None:
            return DistrictingResult("unknown", None, float("nan"), bound,
                                     found.violation, time.monotonic() - t0, best,
                                     ("CP-SAT found no contiguous plan within the limits (on "
                                      "data rounded in the safe direction, so not a proof)",),
                                     stats)
    seconds = time.monotonic() - t0
    if labels is None:
        return DistrictingResult("unknown", None, float("nan"), bound, found.violation,
                                 seconds, best, (found.reason,), stats)
    return DistrictingResult(status, labels, objective, bound, 0.0, seconds, best, (), stats)


def _portfolio(problem: DistrictingProblem, params: SearchParams, workers: int,
               progress: Callable[[str, float, float], None] | None) -> SearchResult:
    """``workers`` heuristic searches side by side, with seeds ``seed``, ``seed +
    SEED_STRIDE``, …: the first here, the others in forked processes (Linux; elsewhere only
    the first runs). The best plan wins (the least violation when none is feasible; ties: the
    lowest seed). Each search is budgeted in work, so the winner is the same on any machine;
    the first is the search one worker runs, so more workers never give a worse plan when
    the budgets, not the clock, end them. Forked, not spawned: a spawned process imports the
    caller's main module again (a script without a ``__main__`` guard would run twice) and
    starts slower."""
    seeds = [params.seed + k * SEED_STRIDE for k in range(workers)]
    side: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    if sys.platform == "linux":
        ctx = multiprocessing.get_context("fork")
        for s in seeds[1:]:
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_search_child,
                                args=(problem, replace(params, seed=s), send))
            child.start()
            send.close()
            side.append((child, receive))
    try:
        results = [search(problem, params, progress=progress)]
        for proc, receive in side:
            try:
                out = receive.recv()
            except EOFError:
                raise RuntimeError(f"a districting search process ended with exit code "
                                   f"{proc.exitcode}") from None
            if isinstance(out, BaseException):
                raise out
            results.append(out)
    finally:
        for proc, _ in side:
            if proc.is_alive():
                proc.terminate()
            proc.join()
    best = min(results, key=lambda r: (r.labels is None,
                                       r.score if r.labels is not None else r.violation))
    stats = replace(best.stats, budget_used=max(r.stats.budget_used for r in results),
                    clock_stopped=any(r.stats.clock_stopped for r in results),
                    workers=len(results))
    return replace(best, stats=stats)


def _search_child(problem: DistrictingProblem, params: SearchParams, send: Connection) -> None:
    """One search in a forked process: its result (or error) goes back through ``send``."""
    try:
        send.send(search(problem, params))
    except BaseException as err:  # the parent re-raises it
        send.send(err)
    finally:
        send.close()
