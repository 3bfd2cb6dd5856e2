"""The first plan and the bound: the LP relaxation of the item classes, its Lagrangian bound
over every pair, a proof when the limits cannot all hold, and the rounded plan.

1. The LP relaxation (engine.relaxation) of the interchangeable-item classes
   (engine.classes), with elastic limits, by HiGHS's dual simplex. Up to LP_DIRECT_PAIRS
   class pairs it holds every pair. Above, the smoothed dual (engine.smoothing) first finds
   multipliers close to the LP's, and the LP holds only each class's pairs of least reduced
   cost under them (CORE_PAIRS a class, and every pair the smoothed solution uses); pairs
   whose reduced cost under the LP's own multipliers beats their class's best in the LP are
   added (PRICED_PAIRS a class) and the LP solved again (column generation), until none is
   left or the rounds end.
   On the generated Georgia alignment (18,000 accounts, 132,684 class pairs) the full LP took
   88 s; 12,117 core pairs solved in 1.3 s to the same optimum, 90,508.4, after 17 s of
   smoothing (scratch runs on a loaded machine).
2. The LP's multipliers priced over every pair (left-out pairs too, engine.lp) give the bound.
3. When the LP's closest point leaves a limit unmet, the LP without objective is solved from
   there: if its multipliers give the feasibility problem a Lagrangian value above zero, no
   plan can exist (engine.lp.infeasibility_certificate) — a proof for the problem as
   specified, in floats, every pair priced. Unmet limits without such a proof (a core too
   small, a time limit, float noise) prove nothing and are only reported.
4. The rounding loop (engine.rounding) turns the LP solution into a plan; without an LP
   solution in time, the smoothed dual's soft assignment is rounded instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.classes import ItemClasses, item_values
from territory_opt.engine.lp import (
    Multipliers,
    infeasibility_certificate,
    lagrangian_bound,
    reduced_costs,
)
from territory_opt.engine.problem import AssignmentProblem
from territory_opt.engine.relaxation import Relaxation, Slack
from territory_opt.engine.rounding import Relaxing, round_relaxation
from territory_opt.engine.smoothing import SmoothedDual

#: up to this many class pairs the LP holds every pair
LP_DIRECT_PAIRS = 40_000
#: pairs of least reduced cost a class keeps in the core LP
CORE_PAIRS = 3
#: pairs added to a class per round of column generation. On the national 40,000 × 250
#: alignment at 120 s, 3 a round left the pricing unfinished after 11 rounds (LP 194,003,
#: bound 189,773: 2.2% below it); 10 a round ends it in 7 rounds and 45 s, the bound then the
#: LP's value, 193,812. A core of 10 a class too ended it in 27 s, but GAP d60900 and d801600
#: then ended 0.95% and 0.88% above the best known value at 60 s (0.39% and 0.29% with 3)
PRICED_PAIRS = 10
#: a pair the smoothed solution gives at least this share of its class is in the core
CORE_SHARE = 0.01
#: rounds of column generation at the most
PRICING_ROUNDS = 12
#: no pricing round starts after this share of the time to the construction's deadline
PRICING_SHARE = 0.6
#: rounding rounds (each a re-solve from the last basis or multipliers)
ROUNDING_ROUNDS = 8
#: a feasibility certificate must exceed this share of an agent's average load (float noise)
PROOF_MARGIN = 1e-6
#: unmet limits below this share of the largest pair load are float noise, not a conflict
SLACK_NOISE = 1e-6


@dataclass(frozen=True)
class Construction:
    """What the relaxation gave: ``status`` 'solved' (``start`` is the rounded plan) or
    'infeasible' (proven: no plan meets the limits). ``bound`` is valid either way;
    ``lp_value`` is the LP's optimum (nan when no LP solved); ``slack`` what the LP's closest
    point leaves unmet (None without an LP); ``x`` the fractional value of each pair;
    ``method`` 'lp', 'core lp' or 'smoothed' (no LP solved in time)."""

    status: str
    bound: float
    lp_value: float
    multipliers: Multipliers
    x: FloatArray | None
    start: IntArray | None
    start_violation: float
    slack: Slack | None
    method: str = "lp"


def construct(p: AssignmentProblem, classes: ItemClasses, *, deadline: float,
              dual_seconds: float) -> Construction:
    """Relax, bound, prove, round; ``dual_seconds`` sets the smoothed dual's evaluations and
    ``deadline`` is the clock's safety net."""
    base = lagrangian_bound(p, Multipliers.zero(p.n_agents))
    cp = classes.problem
    dual = None
    if len(cp.item) <= LP_DIRECT_PAIRS:
        core, method = np.ones(len(cp.item), dtype=bool), "lp"
    else:
        dual = SmoothedDual(cp, classes.size)
        dual.solve(deadline, dual.evaluations_for(dual_seconds, len(cp.item)))
        core, method = _core(cp, dual), "core lp"
        # the core LP's duals bound the full problem only as well as the pricing got, so the
        # smoothed dual's multipliers, a valid bound too, are kept when they bound it higher
        base = max(base, lagrangian_bound(p, dual.multipliers()))
    lp, sub, core = _solve_core(cp, classes, core, deadline)
    if lp is None:
        if dual is None:  # the LP did not solve in time: the smoothed dual instead
            dual = SmoothedDual(cp, classes.size)
            dual.solve(deadline, dual.evaluations_for(dual_seconds, len(cp.item)))
        return _rounded(p, classes, dual, dual.multipliers(), base, float("nan"), None,
                        "smoothed", deadline)
    mult, slack = lp.multipliers(), lp.slack()
    proven, feas = _proves(p, lp, slack, deadline)
    for _ in range(PRICING_ROUNDS):
        # a core LP that cannot meet the limits may lack the pairs that would: price every
        # class pair for feasibility (costs 0) and solve again with those that help
        if proven or feas is None or core.all():
            break
        more = _better(cp, reduced_costs(cp, feas, cost_weight=0.0), core)
        if not more.any():
            break
        grown, grown_sub, core = _solve_core(cp, classes, core | more, deadline)
        if grown is None:
            break
        lp, sub = grown, grown_sub
        mult, slack = lp.multipliers(), lp.slack()
        proven, feas = _proves(p, lp, slack, deadline)
    if proven:
        return Construction("infeasible", float("inf"), float("inf"), mult,
                            item_values(sub, p, lp.x()), None, float("inf"), slack, method)
    return _rounded(p, sub, lp, mult, base, lp.cost(), slack, method, deadline)


def _core(cp: AssignmentProblem, dual: SmoothedDual) -> np.ndarray:
    """The class pairs of least reduced cost under the smoothed multipliers, those the
    smoothed solution uses, and the owners'."""
    rc = reduced_costs(cp, dual.multipliers())
    share = dual.x() / np.maximum(1e-12, dual.size[cp.item])
    return _lowest(cp, rc, CORE_PAIRS) | (share >= CORE_SHARE) | _owner_pairs(cp)


def _lowest(cp: AssignmentProblem, score: FloatArray, k: int,
            among: np.ndarray | None = None) -> np.ndarray:
    """Mask of the k pairs of lowest score per item (only pairs in ``among``)."""
    s = score if among is None else np.where(among, score, np.inf)
    order = np.lexsort((s, cp.item))
    ptr = cp.item_ptr
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(ptr[:-1], np.diff(ptr))
    return (rank < k) & np.isfinite(s)


def _owner_pairs(cp: AssignmentProblem) -> np.ndarray:
    mask = np.zeros(len(cp.item), dtype=bool)
    op = cp.owner_pair
    mask[op[op >= 0]] = True
    return mask


def _solve_core(cp: AssignmentProblem, classes: ItemClasses, core: np.ndarray,
                deadline: float) -> tuple[Relaxation | None, ItemClasses, np.ndarray]:
    """The LP over the core pairs, grown by pricing every class pair with its multipliers;
    also the core it ended with. No round starts after PRICING_SHARE of the time to the
    deadline, and a round the clock ends leaves the last solved one."""
    last: tuple[Relaxation | None, ItemClasses, np.ndarray] = (None, classes, core)
    stop = time.monotonic() + PRICING_SHARE * (deadline - time.monotonic())
    for k in range(PRICING_ROUNDS):
        if k and time.monotonic() > stop:
            break
        sub = _restricted(classes, np.flatnonzero(core))
        lp = Relaxation(sub.problem, classes.size)
        if lp.solve(deadline - time.monotonic()) != "optimal":
            break
        last = (lp, sub, core)
        if core.all():
            break
        more = _better(cp, reduced_costs(cp, lp.multipliers()), core)
        if not more.any():
            break
        core = core | more
    return last


def _better(cp: AssignmentProblem, rc: FloatArray, core: np.ndarray) -> np.ndarray:
    """Per class, up to PRICED_PAIRS pairs outside the core whose reduced cost beats the
    class's best in the core (none: the core LP is optimal for every class pair)."""
    best_in = np.minimum.reduceat(np.where(core, rc, np.inf), cp.item_ptr[:-1])
    better = ~core & (rc < best_in[cp.item] - 1e-9 * (1 + np.abs(best_in[cp.item])))
    return _lowest(cp, rc, PRICED_PAIRS, better) if better.any() else better


def _restricted(classes: ItemClasses, idx: IntArray) -> ItemClasses:
    """The classes with only the pairs ``idx`` of their problem."""
    cp = classes.problem
    sub = AssignmentProblem(
        n_items=cp.n_items, n_agents=cp.n_agents, item=cp.item[idx], agent=cp.agent[idx],
        cost=cp.cost[idx], load=cp.load[idx], balance=cp.balance[idx], capacity=cp.capacity,
        min_load=cp.min_load, group=cp.group, tolerance=cp.tolerance, owner=cp.owner,
        max_moves=cp.max_moves, constant=cp.constant)
    return replace(classes, problem=sub, pair_of=classes.pair_of[idx])


def _rounded(p: AssignmentProblem, classes: ItemClasses, relax: Relaxing, mult: Multipliers,
             base: float, lp_value: float, slack: Slack | None, method: str,
             deadline: float) -> Construction:
    bound = max(base, lagrangian_bound(p, mult))
    x = item_values(classes, p, relax.x())
    rounded = round_relaxation(p, classes, relax, rounds=ROUNDING_ROUNDS, deadline=deadline)
    return Construction("solved", bound, lp_value, mult, x, rounded.chosen, rounded.violation,
                        slack, method)


def _proves(p: AssignmentProblem, lp: Relaxation, slack: Slack,
            deadline: float) -> tuple[bool, Multipliers | None]:
    """True when the LP's unmet limits prove that no plan exists (otherwise the LP is back
    at its objective's solution); and the multipliers of the feasibility LP (None when the
    LP meets every limit or did not solve)."""
    if slack.total <= SLACK_NOISE * max(1.0, float(np.abs(p.load).max(initial=1.0))):
        return False, None
    feas = lp.feasibility_multipliers(deadline - time.monotonic())
    cert = infeasibility_certificate(p, feas) if feas is not None else 0.0
    if cert > PROOF_MARGIN * max(1.0, float(np.abs(p.load).sum()) / max(1, p.n_agents)):
        return True, feas
    lp.solve(deadline - time.monotonic())  # back to the objective's solution
    return False, feas
