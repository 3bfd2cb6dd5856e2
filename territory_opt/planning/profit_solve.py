"""``objective: profit``: choose every account's rep and calls a year together, maximising the
modelled contribution under the scenario's capacity, balance and disruption limits.

The engine minimises the negated profit objective over the multiple-choice problem of
:mod:`territory_opt.planning.profit_problem`; its lower bound, negated, is the proven upper
bound on profit. The move limit is enforced here, not in the engine (an owner has one pair per
frequency of each account, and the engine counts only one of them as staying): the plan is
solved without it, and only when it moves too many accounts is a price per move added
(Lagrangian relaxation of the limit: for a price μ ≥ 0, the engine's bound less μ × the limit
is still a lower bound on every plan within the limit). The price starts where the plan's
excess moves stop paying, rises until a plan is within the limit, then is bisected between
the last price over the limit and the first within it; the best plan within the limit and the
best bound of all rounds are kept.

The steps, each with a share of the time limit:

1. a plan at one frequency per account, within every limit, that the whole problem's search
   may miss in a short time (a new rep to fill, one solver worker, a busy machine): today's
   call patterns when `run` hands them over (it solves them anyway, to compare with), else
   (START_SHARE) frequencies chosen with one price of an hour per role so that the role is
   loaded to START_UTILIZATION of what it can carry;
2. the engine's LP relaxation of the whole problem (its Lagrangian bound holds; LP_SHARE):
   per account with a frequency to choose, the rep holding most of it;
3. the engine on the whole problem (1 − POLISH_SHARE of the rest): the plan and the bound;
4. frequencies for fixed reps — the engine's, the start's, the LP's — by a price of an hour
   per rep (planning/profit_fill.py, a second or two), the best of them then polished by the
   engine on the pairs of its reps only (the rest of the time; a small problem whose LP is
   nearly integral, which the whole problem's neighbourhood search, moving accounts between
   reps, reaches slowly). The best plan within every limit is kept; the bound is the best of
   steps 2 and 3.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from territory_opt.domain.checker import recompute
from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine import (
    AssignmentProblem,
    EngineParams,
    EngineResult,
    evaluate,
    solve_assignment,
)
from territory_opt.engine.lp import Multipliers, lagrangian_bound, solve_lp
from territory_opt.engine.scaling import ScalingError
from territory_opt.engine.search import restrict
from territory_opt.planning.profit_fill import fill_frequencies, priced_frequencies
from territory_opt.planning.profit_problem import ProfitPairs, ProfitProblem, build_profit_problem
from territory_opt.planning.result import Plan, ProfitSummary, SolveParams, SolveResult

#: solves with a price per move when a plan moves more accounts than the limit allows
MOVE_ROUNDS = 6
#: until a plan is within the limit, each round multiplies the price per move by this
MOVE_PRICE_STEP = 4.0
#: the rounds take at least this share of the time limit beyond the first solve (so a plan
#: over the move limit may take up to 1.5 times the time limit)
MOVE_SHARE = 0.5
#: relative gap below which a plan is reported optimal (as the engine does)
OPTIMALITY_TOLERANCE = 1e-5
#: share of the time limit for re-choosing frequencies with every rep fixed (_polish)
POLISH_SHARE = 0.2
MIN_POLISH_SECONDS = 2.0
#: share of the time limit for a light start (_light_start) when no fixed-pattern plan is given
START_SHARE = 0.25
#: the light start's frequencies load a role to about this share of what it can carry
START_UTILIZATION = 0.85
#: time limit share of the LP whose reps start the frequency heuristic (it takes ~4 s on the
#: demo's 115,209 pairs)
LP_SHARE = 0.3
#: share of the time limit that solve_with_baseline gives today's call patterns
BASELINE_SHARE = 0.25


def require_curves(data: PlanningData) -> None:
    """An InputError when a role with a frequency menu lacks a curve for one of its tiers (a
    ``fit: history`` scenario whose curves were not fitted: see measure.calibration)."""
    model = data.response
    file = str(data.sources.get("scenario", "scenario"))
    if model is None:
        raise InputError("objective: profit needs a response: section", file=file,
                         column="response")
    if model.missing:
        role, tier = model.missing[0]
        raise InputError(f"no response curve for {role} {tier}: response.fit is history, but "
                         "the curves were not fitted from the activities and deals (the "
                         "commands do this; in Python call territory_opt.measure.calibration."
                         "calibrate(data) first), and response.curves gives no points for it",
                         file=file, column=f"response.curves.{role}.{tier}")


def solve_profit(data: PlanningData, params: SolveParams | None = None, *,
                 fixed_patterns: bool = False, start: SolveResult | None = None
                 ) -> SolveResult:
    """The profit-optimal plan of ``data`` (``fixed_patterns``: every account keeps its call
    pattern, the rep alone is chosen — today's patterns planned for the same money).
    ``start`` is such a fixed-pattern plan already solved (`run` solves it anyway, to compare
    with); without it, START_SHARE of the time limit solves a light start first (module
    docstring)."""
    params = params or SolveParams()
    require_curves(data)
    settings = params.settings(data.scenario)
    t0 = time.monotonic()
    limit = seconds_left(params, settings.time_limit)
    pp = build_profit_problem(data, fixed_patterns=fixed_patterns, executor=params.executor)
    problem = pp.problem
    if fixed_patterns:  # one pair per (account, rep): the engine counts moves itself
        problem = dataclasses.replace(problem, max_moves=pp.max_moves)

    def run(p: AssignmentProblem, seconds: float) -> EngineResult:
        engine = EngineParams(time_limit=seconds, seed=settings.seed, workers=settings.workers,
                              progress=params.progress)
        try:
            return solve_assignment(p, engine)
        except ScalingError as err:
            raise InputError(f"the scenario's numbers are too large to optimise exactly "
                             f"({err})", file=str(data.sources.get("scenario", "scenario"))
                             ) from None

    def left() -> float:
        return limit - (time.monotonic() - t0)

    if fixed_patterns:
        res = run(problem, limit)
        if res.chosen is None:
            return _no_plan(res, res.bound, time.monotonic() - t0, over_moves=False,
                            limit=pp.max_moves)
        return _result(data, pp, res.chosen, res.bound, time.monotonic() - t0, res)
    start_pairs = _start_pairs(data, pp, start)
    start_reps = _start_reps(data, start)
    if start_reps is None:
        start_pairs = _light_start(pp, problem, run, START_SHARE * limit)
        start_reps = None if start_pairs is None else problem.agent[start_pairs]
    lp_bound, lp_reps = _lp_reps(pp, problem, start_reps, LP_SHARE * limit)
    res = run(problem, max(MIN_POLISH_SECONDS, (1 - POLISH_SHARE) * left()))
    bound = max(res.bound, lp_bound)
    if res.chosen is not None and _moves(pp, res) > pp.max_moves:
        # the rounds get what is left of the time limit, and at least MOVE_SHARE of it
        budget = max(left(), MOVE_SHARE * limit)
        res, bound = _within_move_limit(pp, problem, res, run, time.monotonic(), budget)
    joint = res.chosen if res.chosen is not None and _moves(pp, res) <= pp.max_moves else None
    reps = problem.agent[joint] if joint is not None else start_reps
    if reps is None:
        reps = _owner_or_nearest(pp)
    plans = [c for c in (joint, start_pairs) if c is not None]
    for source in (reps, start_reps, lp_reps):
        if source is not None and (source is reps or not np.array_equal(source, reps)):
            filled = fill_frequencies(problem, source)
            if filled is not None:
                plans.append(filled)
    plans = [c for c in plans
             if evaluate(problem, c).feasible and int(pp.moved[c].sum()) <= pp.max_moves]
    best = min(plans, key=lambda c: _total(problem, c)) if plans else None
    polished = _polish(problem, problem.agent[best] if best is not None else reps, run,
                       max(MIN_POLISH_SECONDS, left()))
    if polished is not None and evaluate(problem, polished).feasible and (
            best is None or _total(problem, polished) < _total(problem, best)):
        best = polished
    chosen = best
    seconds = time.monotonic() - t0
    if chosen is None:
        return _no_plan(res, bound, seconds, over_moves=res.chosen is not None,
                        limit=pp.max_moves)
    return _result(data, pp, chosen, bound, seconds, res)


def _lp_reps(pp: ProfitProblem, problem: AssignmentProblem, start_reps: np.ndarray | None,
             seconds: float) -> tuple[float, np.ndarray | None]:
    """The engine's LP relaxation of the whole problem: its Lagrangian bound (valid with the
    pairs left out too) and per account the rep that holds most of it in the LP — for the
    accounts with a frequency to choose; the others keep ``start_reps`` (their roles' loads
    cannot move to meet the balance band, so the LP's rounding may break it there)."""
    lp = solve_lp(problem, time_limit=max(1.0, seconds))
    bound = max(lagrangian_bound(problem, lp.multipliers),
                lagrangian_bound(problem, Multipliers.zero(problem.n_agents)))
    if lp.x is None:
        return bound, None
    key = problem.item * problem.n_agents + problem.agent
    uniq, inverse = np.unique(key, return_inverse=True)
    per_pair = np.bincount(inverse, weights=lp.x)
    order = np.lexsort((-per_pair, uniq // problem.n_agents))
    first = np.concatenate([[True], np.diff(uniq[order] // problem.n_agents) != 0])
    reps = (uniq[order][first] % problem.n_agents).astype(np.int64)
    low = np.full(problem.n_items, np.inf)
    high = np.full(problem.n_items, -np.inf)
    np.minimum.at(low, problem.item, pp.calls)
    np.maximum.at(high, problem.item, pp.calls)
    choice = high > low
    if start_reps is not None:
        reps = np.where(choice, reps, start_reps)
    return bound, reps


def _light_start(pp: ProfitProblem, problem: AssignmentProblem,
                 run: Callable[[AssignmentProblem, float], EngineResult],
                 seconds: float) -> np.ndarray | None:
    """A plan at light, profit-aware frequencies (profit_fill.priced_frequencies at
    START_UTILIZATION): one pair per (account, rep), so the engine counts moves itself and,
    with room in every band, finds a plan fast. Its reps start the frequency heuristics when
    the whole problem's search finds no plan in time."""
    calls = priced_frequencies(problem, pp.calls, START_UTILIZATION)
    keep = np.isclose(pp.calls, calls[problem.item])
    sub, idx = restrict(problem, keep)
    res = run(dataclasses.replace(sub, max_moves=pp.max_moves), seconds)
    return None if res.chosen is None else idx[res.chosen]


def _owner_or_nearest(pp: ProfitProblem) -> np.ndarray:
    """Per account its owner when it may stay, else the rep of its least travel at its
    highest frequency: reps for the frequency heuristics when no plan gave any."""
    p = pp.problem
    at_owner = p.owner_pair
    top = np.zeros(p.n_items)
    np.maximum.at(top, p.item, pp.calls)
    score = np.where(np.isclose(pp.calls, top[p.item]), pp.travel, np.inf)
    order = np.lexsort((score, p.item))
    nearest = p.agent[order[p.item_ptr[:-1]]]
    return np.where(at_owner >= 0, p.owner[np.arange(p.n_items)], nearest).astype(np.int64)


def _total(problem: AssignmentProblem, chosen: np.ndarray) -> float:
    return float(problem.cost[chosen].sum())


def _start_reps(data: PlanningData, start: SolveResult | None) -> np.ndarray | None:
    """Per account the rep position of the fixed-pattern plan ``start`` (None without one)."""
    if start is None or start.plan is None:
        return None
    pos = {r: i for i, r in enumerate(data.reps["rep_id"])}
    return np.array([pos[r] for r in start.plan.rep_id], dtype=np.int64)


def _start_pairs(data: PlanningData, pp: ProfitProblem,
                 start: SolveResult | None) -> np.ndarray | None:
    """The fixed-pattern plan as pairs of the profit problem, when every account's pattern
    frequency is on its menu (None otherwise, or without a plan)."""
    reps = _start_reps(data, start)
    if reps is None:
        return None
    p = pp.problem
    hit = (p.agent == reps[p.item]) & np.isclose(pp.calls, data.pattern_calls()[p.item])
    chosen = np.full(p.n_items, -1, dtype=np.int64)
    chosen[p.item[hit]] = np.flatnonzero(hit)
    return chosen if (chosen >= 0).all() else None


def _polish(problem: AssignmentProblem, reps: np.ndarray,
            run: Callable[[AssignmentProblem, float], EngineResult],
            seconds: float) -> np.ndarray | None:
    """Every account's frequency re-chosen with its rep ``reps[account]`` fixed (the pairs of
    that rep only, so no move changes), solved by the engine: its plan, or None. The
    frequency problem alone is small and its LP nearly integral: on the demo (40 s on a loaded
    machine) it raised the engine's plan from 9,834,684 to 9,850,329 against the bound's
    9,859,765."""
    keep = problem.agent == reps[problem.item]
    if not np.all(np.bincount(problem.item[keep], minlength=problem.n_items) > 0):
        return None
    sub, idx = restrict(problem, keep)
    polished = run(sub, seconds)
    return None if polished.chosen is None else idx[polished.chosen]


def _moves(pp: ProfitProblem, res: EngineResult) -> int:
    return int(pp.moved[res.chosen].sum()) if res.chosen is not None else 0


def _within_move_limit(pp: ProfitProblem, problem: AssignmentProblem, res: EngineResult,
                       run: Callable[[AssignmentProblem, float], EngineResult], t0: float,
                       time_limit: float) -> tuple[EngineResult, float]:
    """A plan within the move limit by a price per move (module docstring): raised by
    MOVE_PRICE_STEP until a plan is within the limit, then bisected between the last price
    over it and the first within it. Returns the best plan within the limit (or the last
    plan) and the best bound, each round's engine bound less price × the limit."""
    assert res.chosen is not None
    bound = res.bound
    best: EngineResult | None = None
    low, high = 0.0, None
    price = _first_price(pp, problem, res.chosen)
    for done in range(MOVE_ROUNDS):
        remaining = time_limit - (time.monotonic() - t0)
        if remaining < 1.0:
            break
        trial = run(_priced(problem, pp, price), remaining / (MOVE_ROUNDS - done))
        bound = max(bound, trial.bound - price * pp.max_moves)
        if trial.chosen is None:
            break
        if _moves(pp, trial) > pp.max_moves:
            low = price
        else:
            high = price
            if best is None or _cost(problem, trial) < _cost(problem, best):
                best = trial
        res = trial
        price = price * MOVE_PRICE_STEP if high is None else (low + high) / 2
    return (best if best is not None else res), bound


def _cost(problem: AssignmentProblem, res: EngineResult) -> float:
    assert res.chosen is not None
    return float(problem.cost[res.chosen].sum())


def _first_price(pp: ProfitProblem, problem: AssignmentProblem, chosen: np.ndarray) -> float:
    """The price per move at which the plan's excess moves stop paying: per moved account,
    what it gains over its owner's best pair; the price is the gain of the excess-th
    smallest (a little more)."""
    moved = np.flatnonzero(pp.moved[chosen])
    excess = len(moved) - pp.max_moves
    stay = np.full(problem.n_items, np.inf)
    at_owner = np.flatnonzero(problem.agent == problem.owner[problem.item])
    np.minimum.at(stay, problem.item[at_owner], problem.cost[at_owner])
    gains = np.sort(stay[moved] - problem.cost[chosen[moved]])
    gains = gains[np.isfinite(gains)]
    if len(gains) == 0:
        return 1.0
    return max(1e-6, float(gains[min(len(gains), max(1, excess)) - 1])) * 1.01


def _priced(problem: AssignmentProblem, pp: ProfitProblem, price: float) -> AssignmentProblem:
    outside = problem.outside
    if isinstance(outside, ProfitPairs):
        outside = dataclasses.replace(outside, move_price=price)
    return dataclasses.replace(problem, cost=problem.cost + price * pp.moved, outside=outside)


def _no_plan(res: EngineResult, bound: float, seconds: float, *, over_moves: bool,
             limit: int) -> SolveResult:
    reasons: tuple[str, ...]
    if over_moves:
        reasons = (f"Every plan found moves more accounts than the limit of {limit}, even "
                   "with a rising price per move; raise disruption.max_moved_share or the "
                   "time limit.",)
        status = "unknown"
    else:
        status = "infeasible" if res.status == "infeasible" else "unknown"
        head = ("No plan satisfies every limit (proven by the solver)." if status ==
                "infeasible" else "No plan satisfying every limit was found within the time "
                "limit.")
        reasons = (head, "With objective: profit an account may take any frequency of its "
                   "role's menu; a menu with 0 lets every rep shed work, so check the "
                   "keep-owner tiers, locked accounts and balance.tolerance.")
    return SolveResult(status, None, float("nan"), bound, float("nan"), seconds,
                       reasons=reasons, stats=res.stats)


def _result(data: PlanningData, pp: ProfitProblem, chosen: np.ndarray, bound: float,
            seconds: float, res: EngineResult) -> SolveResult:
    """The plan ``chosen``, its quality (objective, bound and gap of the minimised negated
    profit) and its money; ``res`` is the engine's run (its stats)."""
    problem = pp.problem
    objective = float(problem.cost[chosen].sum() + problem.constant)
    bound = min(bound, objective)
    scale = max(1.0, abs(objective))
    status = "optimal" if objective - bound <= OPTIMALITY_TOLERANCE * scale else "feasible"
    gap = 0.0 if abs(objective) < 1e-12 else max(0.0, (objective - bound) / abs(objective))
    reps = data.reps["rep_id"].to_numpy()
    rep_id = tuple(str(r) for r in reps[problem.agent[chosen]])
    calls = tuple(float(c) for c in pp.calls[chosen])
    sales = float(pp.sales[chosen].sum())
    travel_cost = pp.hour_cost * float(pp.travel[chosen].sum())
    contribution = pp.margin * sales - travel_cost
    move_cost = pp.hour_cost * data.scenario.objective.moves * int(pp.moved[chosen].sum())
    assert data.response is not None
    money = ProfitSummary(
        modelled_sales=sales, travel_cost=travel_cost, move_cost=move_cost,
        contribution=contribution, objective=-objective,
        upper_bound=-bound, source=data.response.source_text())
    metrics = recompute(data.at_calls(np.asarray(calls)), rep_id).metrics
    return SolveResult(status, Plan(rep_id, calls), objective, bound, gap, seconds,
                       metrics=metrics, stats=res.stats, profit=money)


def solve_with_baseline(data: PlanningData, params: SolveParams | None = None
                        ) -> tuple[SolveResult, SolveResult]:
    """The profit plan and, to compare with, today's call patterns planned for the same money
    and limits at the same head count (``fixed_patterns``). They share the time limit: the
    patterns take BASELINE_SHARE of it and start the profit plan, which takes the rest (both
    end by ``params.deadline`` when it is set, as `run` sets it)."""
    params = params or SolveParams()
    limit = seconds_left(params, params.settings(data.scenario).time_limit)
    base = solve_profit(data, dataclasses.replace(params, time_limit=BASELINE_SHARE * limit,
                                                  progress=None, deadline=None),
                        fixed_patterns=True)
    plan = solve_profit(data, dataclasses.replace(
        params, time_limit=(1 - BASELINE_SHARE) * limit), start=base)
    return plan, base


def seconds_left(params: SolveParams, time_limit: float) -> float:
    """The seconds a solve has: ``time_limit``, or less when ``params.deadline`` (the run's
    clock started before the solve: reading the inputs) comes earlier; at least 1 s."""
    if params.deadline is None:
        return time_limit
    return max(1.0, min(time_limit, params.deadline - time.monotonic()))
