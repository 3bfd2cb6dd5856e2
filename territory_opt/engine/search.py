"""solve_assignment: LP-guided construction, CP-SAT neighbourhood search, Lagrangian bound.

1.-2. Construction (engine.construction, up to LP_MAX_PAIRS pairs of the item classes): the
   elastic LP of the classes (directly, or on a core chosen by a smoothed dual and priced
   out), its duals the multipliers of a Lagrangian bound on the *full* problem, including
   pairs the adapter left out (AssignmentProblem.outside); a proof when the LP cannot meet
   the limits; else the LP rounded to whole items and repaired by diffusion.
   Above LP_MAX_PAIRS: the best of the current alignment, the cheapest pairs and a min-cost
   flow, each repaired by diffusion, and multipliers from the volume algorithm instead of
   the LP.
3. Search candidates: the lowest reduced-cost pairs per item plus the LP's support.
4. Without balance limits and up to MIP_MAX_PAIRS search pairs, once the construction is
   repaired: HiGHS branch and cut from it, ended by a node limit (engine.mip). Small
   problems give the one CP-SAT model of step 5 PROBE_DET first.
5. Small problems: one CP-SAT model over every pair, hinted with the construction.
   Large problems: neighbourhood search. A neighbourhood is a few agents that share candidate
   items; their items are re-optimised by CP-SAT with everything else fixed. First the summed
   violation of the limits is driven to zero (repair), then the cost is lowered.
The search is budgeted in CP-SAT deterministic time and HiGHS nodes, so a seed gives the same
plan on a busy machine; the wall-clock limit is a safety net (stats' clock_stopped says when
it ended a phase).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from territory_opt.engine import local_search
from territory_opt.engine.arrays import IntArray
from territory_opt.engine.classes import item_classes
from territory_opt.engine.construction import construct
from territory_opt.engine.cpsat import (
    AssignmentState,
    ScaledProblem,
    SubResult,
    free_items_of,
    scale_problem,
    solve_neighbourhood,
)
from territory_opt.engine.diffuse import SHARES, diffuse
from territory_opt.engine.dual import ascend
from territory_opt.engine.flow import flow_start
from territory_opt.engine.lp import Multipliers, lagrangian_bound, reduced_costs
from territory_opt.engine.mip import MipResult, solve_mip
from territory_opt.engine.problem import AssignmentProblem, evaluate
from territory_opt.engine.progress import Progress, Stats
from territory_opt.engine.relaxation import Slack

#: deterministic-time units granted per second of the time limit (CP-SAT's unit is about a
#: second of work on a reference machine; this keeps the search inside the wall-clock limit)
DET_PER_SECOND = 0.75
#: every this many neighbourhoods, one is a window of low-regret items over every agent
ITEM_STEP_EVERY = 3
#: a neighbourhood of agents frees at most this many of their items, the least sure first
NEIGHBOURHOOD_ITEMS = 600
#: deterministic-time units charged per candidate pair for building a neighbourhood model
BUILD_COST_PER_PAIR = 1.5e-4
#: relative gap below which a plan is reported optimal (cost rounding stays far below it)
OPTIMALITY_TOLERANCE = 1e-5
#: share of the search budget the one-model path gives CP-SAT before neighbourhood search
#: takes the rest (a model over every pair proves small problems optimal, but on 20+ agents
#: and 100+ items it improves slowly: e40400 4.3% above the best known in 60 s, 1.4% with
#: neighbourhood search)
FULL_MODEL_SHARE = 0.5
#: above this many pairs of the item classes no LP: a min-cost-flow start and volume-algorithm
#: multipliers instead
LP_MAX_PAIRS = 1_500_000
#: the construction (relaxation, bound, rounding) ends by this share of the time left, and
#: the smoothed dual's evaluations are worth DUAL_SHARE of the time limit
CONSTRUCTION_SHARE = 0.6
DUAL_SHARE = 0.25
#: above this many pairs no min-cost flow either (its time grows faster than the pairs): the
#: starts are the current plan and the cheapest pairs, repaired by diffusion
FLOW_MAX_PAIRS = 5_000_000
#: seconds of the time limit charged per pair for the work before the search (LP or flow)
PRE_SECONDS_PER_PAIR = 2e-5
#: volume-algorithm steps for the multipliers of large problems, ended by the clock at this
#: share of the solve's time when they take longer (a million accounts at 600 s: the 1000
#: steps took 370 s, and the search after them ran no neighbourhood before the deadline)
ASCENT_STEPS = 1000
ASCENT_SHARE = 0.8
#: up to this many search pairs, and without balance limits, HiGHS branch and cut starts the
#: improvement from the repaired plan (GAP d60900, c801600 and e40400: 0.40%, 0.06% and 0.19%
#: above the best known value, where CP-SAT alone reached 0.84%, 0.74% and 2.15%). With the
#: balance rows it spent its whole share at the root on the demo (19,407 pairs) and found no
#: better plan, so balanced problems skip it
MIP_MAX_PAIRS = 20_000
#: on small problems the one CP-SAT model first gets this much deterministic time, which
#: proves most small problems optimal before HiGHS starts (gap1-12: each under 2 s)
PROBE_DET = 1.0
#: share of the time limit (and of the search budget) the HiGHS phase may take
MIP_SHARE = 0.5
#: above this many search pairs the HiGHS model keeps only each item's pairs of lowest reduced
#: cost (and its current one), about this many in all: with all 16,000 search pairs of GAP
#: d801600 its root took the whole share (0 nodes) and found no better plan (1.551% above the
#: best known value at the end); with this limit (6 per item) by cost it reached 0.635%, by
#: reduced cost 0.294%
MIP_MODEL_PAIRS = 10_000
#: node limit of the HiGHS phase: this many pair-nodes per second of its share (about its rate
#: on GAP after the root), so the node limit rather than the clock usually ends it
MIP_PAIR_NODES_PER_SECOND = 60_000
#: local branching after the HiGHS phase (Fischetti and Lodi 2003): rounds of HiGHS from the
#: current plan on each item's LB_PAIRS_PER_ITEM pairs of lowest reduced cost (and its current
#: one) with a row that lets at most 10% of the items (10 to 20) change pair; LB_NODES nodes
#: per round, as its root heuristics find the improvements, and a new seed each round. GAP
#: d20100 with seeds 0, 1, 2: 0.566%, 0.501%, 0.404% above the best known value, against
#: 0.922%, 0.825%, 0.986% without; d40400 0.456% (0.636% without)
LB_SHARE = 0.45
LB_PAIRS_PER_ITEM = 6
LB_NODES = 5
#: seconds a round takes per pair of its model (d20100 and d40400, 2 cores): the rounds are
#: counted from the share with it, not from the clock, so they are the same on any machine
LB_SECONDS_PER_PAIR = 4e-3
#: local branching runs when at least this many rounds fit in LB_SHARE; otherwise the first
#: HiGHS run keeps MIP_SHARE. With one round (GAP 900-job instances, 6,300 pairs a round)
#: d60900 ended 0.796% above the best known value, 0.398% without
LB_MIN_ROUNDS = 2
#: the first HiGHS run's share of the time limit when local branching follows it
MIP_SHARE_BEFORE_LB = 0.35
#: share of the time limit (and of the search budget) the GAP tabu search (engine.local_search)
#: takes from the first HiGHS run on problems whose only side constraint is capacity. GAP
#: abcd, 60 s, seed 0, one core: d20100 0.437% above the best known value (0.566% without),
#: d10100 0.079% (0.205%), d20200 0.343% (0.376%); no instance worse
TABU_SHARE = 0.15
#: the tabu search runs when its share buys at least this many iterations per item: the 100-
#: and 200-item GAPs it was measured on get 45 to 280 per item at 60 s; a 400-item one would
#: get about 7 (untried there, so those keep the whole HiGHS share)
TABU_MIN_ITERATIONS_PER_ITEM = 30




@dataclass(frozen=True)
class EngineParams:
    """Search settings. ``candidates``: pairs kept per item for the search;
    ``full_model_pairs``: up to this many pairs one CP-SAT model covers the whole problem."""

    time_limit: float = 60.0
    seed: int = 0
    workers: int = 2
    candidates: int = 10
    full_model_pairs: int = 5_000
    progress: Callable[[Progress], None] | None = None
    #: the wall-clock end (time.monotonic()), when the caller started the clock earlier than
    #: the engine (reading the inputs); default: the engine's start + time_limit
    deadline: float | None = None

    def end(self, t0: float) -> float:
        """The wall-clock deadline of a solve started at ``t0``."""
        return self.deadline if self.deadline is not None else t0 + self.time_limit


@dataclass(frozen=True)
class EngineResult:
    """status: 'optimal', 'feasible', 'infeasible' (proven) or 'unknown' (no feasible plan found
    in time). ``chosen`` indexes the pairs of the problem given to solve_assignment."""

    status: str
    chosen: IntArray | None
    objective: float
    bound: float
    seconds: float
    stats: Stats = field(default_factory=Stats)
    #: what the LP relaxation's closest point leaves unmet (None when the LP was not solved)
    slack: Slack | None = None
    #: without a plan: the least violating plan the search saw (a pair per item), if any
    closest: IntArray | None = None

    @property
    def gap(self) -> float:
        if self.chosen is None or not np.isfinite(self.bound):
            return float("nan")
        if abs(self.objective) < 1e-12:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


def restrict(problem: AssignmentProblem, keep: np.ndarray) -> tuple[AssignmentProblem, IntArray]:
    """The problem on the pairs where ``keep`` is true, and their indices in the original."""
    idx = np.flatnonzero(keep)
    p = problem
    sub = AssignmentProblem(
        n_items=p.n_items, n_agents=p.n_agents, item=p.item[idx], agent=p.agent[idx],
        cost=p.cost[idx], load=p.load[idx], balance=p.balance[idx], capacity=p.capacity,
        min_load=p.min_load, group=p.group, tolerance=p.tolerance, owner=p.owner,
        max_moves=p.max_moves, constant=p.constant)
    return sub, idx.astype(np.int64)


def _k_best(problem: AssignmentProblem, score: np.ndarray, k: int,
            extra: np.ndarray | None = None) -> np.ndarray:
    """Mask of the k lowest-score pairs of each item, the owner pairs and ``extra``."""
    p = problem
    order = np.lexsort((score, p.item))
    ptr = p.item_ptr
    rank = np.arange(len(order)) - np.repeat(ptr[:-1], np.diff(ptr))
    keep = np.zeros(len(order), dtype=bool)
    keep[order[rank < k]] = True
    op = p.owner_pair
    keep[op[op >= 0]] = True
    single = np.diff(ptr) == 1
    keep[np.isin(p.item, np.flatnonzero(single))] = True
    if extra is not None:
        keep |= extra
    return keep


def _reduced_costs(p: AssignmentProblem, mult: Multipliers) -> np.ndarray:
    return reduced_costs(p, mult)


def _round(problem: AssignmentProblem, x: np.ndarray | None) -> IntArray:
    """Per item the pair with the largest LP value (cheapest pair without an LP)."""
    p = problem
    score = -x if x is not None else p.cost
    order = np.lexsort((p.cost, score, p.item))
    return order[p.item_ptr[:-1]].astype(np.int64)


def _current(problem: AssignmentProblem) -> IntArray:
    """The current alignment: each owned item with its owner, the others at the cheapest."""
    cheapest = _round(problem, None)
    op = problem.owner_pair
    return np.where(op >= 0, op, cheapest).astype(np.int64)


def _construct(sp: ScaledProblem, rounded: IntArray | None) -> IntArray:
    """The start with less violation (then cost): the rounded LP or the current alignment."""
    starts = [_current(sp.problem)] + ([rounded] if rounded is not None else [])
    states = [AssignmentState(sp, s) for s in starts]
    scored = [(st.violation(), st.cost(), k) for k, st in enumerate(states)]
    return starts[min(scored)[2]]


def _regret(problem: AssignmentProblem, score: np.ndarray) -> np.ndarray:
    """Per item the second-lowest minus the lowest score (inf for single-candidate items)."""
    p = problem
    order = np.lexsort((score, p.item))
    ptr = p.item_ptr
    n = np.diff(ptr)
    best = score[order[ptr[:-1]]]
    second = score[order[np.minimum(ptr[:-1] + 1, ptr[1:] - 1)]]
    return np.where(n > 1, second - best, np.inf)


def _affinity(problem: AssignmentProblem) -> np.ndarray:
    """agents × agents: how many items have both agents among their candidates."""
    import scipy.sparse as sp

    p = problem
    inc = sp.csr_matrix((np.ones(len(p.item)), (p.item, p.agent)),
                        shape=(p.n_items, p.n_agents))
    a = (inc.T @ inc).toarray()
    np.fill_diagonal(a, 0)
    return np.asarray(a)


class _Search:
    """Neighbourhood search over a scaled problem."""

    def __init__(self, sp: ScaledProblem, chosen: IntArray, params: EngineParams,
                 t0: float, det_budget: float, reduced: np.ndarray) -> None:
        self.sp = sp
        self.p = sp.problem
        self.state = AssignmentState(sp, chosen)
        self.params = params
        self.rng = np.random.default_rng(params.seed)
        self.affinity = _affinity(self.p)
        self.size = min(6, self.p.n_agents)
        self.t0 = t0
        self.det_used = 0.0
        self.det_budget = det_budget
        self.clock_stopped = False  # the clock, not the budget, ended the search
        self.iterations = 0
        self.regret_order = np.argsort(_regret(self.p, reduced), kind="stable")
        self.movable = np.diff(self.p.item_ptr) > 1
        # per item its rank by regret (0: the least sure); a neighbourhood frees at most
        # NEIGHBOURHOOD_ITEMS of its agents' items, the least sure first
        self.regret_rank = np.empty(self.p.n_items, dtype=np.int64)
        self.regret_rank[self.regret_order] = np.arange(self.p.n_items)
        self.all_agents = np.arange(self.p.n_agents)
        self.reduced = reduced  # each pair's reduced cost under the LP multipliers

    def remaining(self) -> float:
        return self.params.end(self.t0) - time.monotonic()

    def out_of_time(self) -> bool:
        if self.det_used >= self.det_budget:
            return True
        self.clock_stopped = self.remaining() <= 0
        return self.clock_stopped

    def neighbourhood(self, seed_agent: int) -> IntArray:
        aff = self.affinity[seed_agent] * (1.0 + 0.5 * self.rng.random(self.p.n_agents))
        aff[seed_agent] = -1
        if not (aff > 0).any():
            return np.array([seed_agent])
        ranked = np.argsort(-aff, kind="stable")
        ranked = ranked[aff[ranked] > 0][: self.size - 1]
        return np.concatenate([[seed_agent], ranked]).astype(np.int64)

    def agent_violation(self) -> np.ndarray:
        st, sp, p = self.state, self.sp, self.p
        v = np.maximum(0, st.load_hi - sp.capacity).astype(float)
        v += np.maximum(0, sp.min_load - st.load_lo)
        v += st.balance_excess()
        if p.max_moves is not None and st.moves > p.max_moves:
            agents = p.agent[st.chosen]
            moved = (p.owner >= 0) & (agents != p.owner)
            v += np.bincount(agents[moved], minlength=p.n_agents)
        return v

    def solve(self, items: IntArray, agents: IntArray, repair: bool, det: float) -> bool:
        """Re-optimise ``items`` over ``agents``; keep the answer only if it is better
        (less violation, then lower cost)."""
        before = (self.state.violation(), self.state.cost())
        det = max(0.01, min(det, self.det_budget - self.det_used))
        res = solve_neighbourhood(self.state, items, agents, repair=repair, det_time=det,
                                  time_limit=max(0.05, self.remaining()),
                                  seed=self.params.seed + self.iterations)
        self.iterations += 1
        # model building counts too, so the budget rather than the clock ends a normal run
        self.det_used += res.deterministic_time + BUILD_COST_PER_PAIR * res.size
        self.last_status = res.status
        if res.pairs is None:
            return False
        old = self.state.chosen[res.items].copy()
        self.state.update(res.items, res.pairs)
        after = (self.state.violation(), self.state.cost())
        if after < before and (repair or after[0] == 0):
            return True
        self.state.update(res.items, old)
        return False

    def least_sure(self, items: IntArray) -> IntArray:
        """At most NEIGHBOURHOOD_ITEMS of ``items``, those of least regret (an item whose best
        pair beats its second by far stays where it is in a good plan)."""
        if len(items) <= NEIGHBOURHOOD_ITEMS:
            return items
        keep = np.argsort(self.regret_rank[items], kind="stable")[:NEIGHBOURHOOD_ITEMS]
        return np.sort(items[keep])

    def step(self, seed_agent: int, repair: bool) -> bool:
        agents = self.neighbourhood(seed_agent)
        improved = self.solve(self.least_sure(free_items_of(self.state, agents)), agents, repair,
                              1.0 if repair else 0.5)
        if self.last_status == "optimal":
            self.size = min(self.size + 1, self.p.n_agents, 16)
        else:
            self.size = max(2, self.size - 1)
        return improved

    def regret_items(self, k: int) -> IntArray:
        """The k movable items whose best and second-best reduced costs are closest."""
        order = self.regret_order[self.movable[self.regret_order]]
        return np.sort(order[:k])

    def repair(self, report: Callable[[str], None], windows: bool = True) -> None:
        # item neighbourhoods: the items the LP was least sure about, over every agent
        k = 300
        while (windows and self.state.violation() > 0 and not self.out_of_time()
               and k <= 4 * 2400):
            items = self.regret_items(k)
            if not self.solve(items, self.all_agents, repair=True, det=2.0):
                # a larger window of the same kind rarely does better, and on thousands of
                # items it costs seconds each (18,000 accounts: no progress in 30 s)
                break
            self.solve(items, self.all_agents, repair=False, det=1.0)
            report("repair")
            k *= 2
        # agent neighbourhoods around the worst violations
        while self.state.violation() > 0 and not self.out_of_time():
            v = self.agent_violation()
            bad = np.flatnonzero(v > 0)
            pick = bad[self.rng.integers(len(bad))] if len(bad) else int(
                self.rng.integers(self.p.n_agents))
            self.step(int(pick), repair=True)
            report("repair")

    def item_step(self) -> bool:
        """Re-optimise a window of items the LP was unsure about, plus random ones, over every
        agent (the optimum departs from the LP mostly where the regret is small)."""
        movable = self.regret_order[self.movable[self.regret_order]]
        k = min(len(movable), 400)
        window = movable[: 4 * k]
        pick = self.rng.choice(len(window), size=min(k, len(window)), replace=False)
        return self.solve(np.sort(window[pick]), self.all_agents, repair=False, det=1.0)

    def improve(self, report: Callable[[str], None], stop_at: float) -> None:
        idle = 0
        while not self.out_of_time() and self.state.cost() > stop_at:
            order = self.rng.permutation(self.p.n_agents)
            for j in order:
                if self.out_of_time() or self.state.cost() <= stop_at:
                    break
                if self.iterations % ITEM_STEP_EVERY == 0:
                    self.item_step()
                improved = self.step(int(j), repair=False)
                idle = 0 if improved else idle + 1
                report("improve")
            if idle >= 2 * self.p.n_agents and self.size >= min(self.p.n_agents, 16):
                break


def solve_assignment(problem: AssignmentProblem,
                     params: EngineParams | None = None) -> EngineResult:
    """Solve ``problem``: the best plan found within the limits and a proven lower bound."""
    params = params or EngineParams()
    t0 = time.monotonic()
    p = problem
    stats = Stats()
    classes = item_classes(p)
    if len(classes.problem.item) > LP_MAX_PAIRS:
        return _solve_large(p, params, t0, stats)
    # 1. the LP relaxation of the item classes, its bound, a proof or a rounded plan
    end = params.end(t0)
    built = construct(p, classes, deadline=t0 + CONSTRUCTION_SHARE * (end - t0),
                      dual_seconds=DUAL_SHARE * params.time_limit)
    stats.lp_seconds = time.monotonic() - t0
    stats.lp_objective = built.lp_value
    if built.status == "infeasible":
        return EngineResult("infeasible", None, float("inf"), float("inf"),
                            time.monotonic() - t0, stats, built.slack)
    bound = built.bound
    assert built.x is not None and built.start is not None
    # 2. the search problem: candidates by reduced cost, the LP's support and the start
    rounded = np.zeros(len(p.item), dtype=bool)
    rounded[built.start] = True
    extra = (built.x > 1e-6) | rounded
    if len(p.item) > params.full_model_pairs:
        keep = _k_best(p, _reduced_costs(p, built.multipliers), params.candidates, extra)
        search_problem, search_idx = restrict(p, keep)
    else:
        search_problem, search_idx = p, np.arange(len(p.item), dtype=np.int64)
    position = np.full(len(p.item), -1, dtype=np.int64)
    position[search_idx] = np.arange(len(search_idx))
    sp = scale_problem(search_problem)
    start = _construct(sp, position[built.start])
    # CP-SAT's bound and proofs hold for the problem itself only when it saw every pair and
    # the integer model has the same feasible set
    full = len(search_idx) == len(p.item) and p.complete
    exact_scope = full and sp.exact_limits

    def report(phase: str, obj: float | None, viol: float) -> None:
        if params.progress is not None:
            params.progress(Progress(time.monotonic() - t0, phase, obj, bound, viol))

    stats.search_pairs = len(search_idx)
    det_budget = _det_budget(p, params)
    rc = _reduced_costs(search_problem, built.multipliers)
    search = _Search(sp, start, params, t0, det_budget, rc)

    def tick(phase: str) -> None:
        st = search.state
        report(phase, st.cost() / sp.cost_scale + p.constant, st.violation())

    search.repair(tick)
    stats.repair_seconds = time.monotonic() - t0
    small = len(search_idx) <= params.full_model_pairs
    mip = (search.state.violation() == 0 and len(search_idx) <= MIP_MAX_PAIRS
           and not (p.group >= 0).any())
    if mip and not small:
        _mip_phase(search, stats)
        tick("branch and cut")
    all_agents = np.arange(p.n_agents)
    proven = False
    if small:
        # one CP-SAT model over every kept pair, hinted with the (repaired) construction
        remaining = max(0.1, params.time_limit - (time.monotonic() - t0))
        res = solve_neighbourhood(
            search.state, free_items_of(search.state, all_agents), all_agents, repair=False,
            det_time=min(FULL_MODEL_SHARE * max(0.0, search.det_budget - search.det_used),
                         PROBE_DET if mip else float("inf")),
            time_limit=remaining, seed=params.seed, workers=params.workers)
        search.det_used += res.deterministic_time
        proven = res.status == "optimal"
        if res.status == "infeasible" and exact_scope:
            return EngineResult("infeasible", None, float("inf"), float("inf"),
                                time.monotonic() - t0, stats)
        if res.status == "infeasible" and full:
            # the conservative model is infeasible: the relaxed one either proves the problem
            # infeasible or finds a plan, which may well be feasible when checked in floats
            relaxed = _solve_relaxed(search.state, params, t0)
            if relaxed.status == "infeasible":
                return EngineResult("infeasible", None, float("inf"), float("inf"),
                                    time.monotonic() - t0, stats)
            if relaxed.pairs is not None:
                chosen = search.state.chosen.copy()
                chosen[relaxed.items] = relaxed.pairs
                return _finish(p, search_idx[chosen], max(bound, relaxed.bound + p.constant),
                               t0, stats)
        if res.pairs is not None:
            search.state.update(res.items, res.pairs)
            if exact_scope:
                fixed = _fixed_cost(search.state, res.items)
                bound = max(bound, (res.bound + fixed) / sp.cost_scale + p.constant)
            elif res.status == "optimal" and full:
                relaxed = _solve_relaxed(search.state, params, t0)
                if relaxed.status in ("optimal", "feasible"):
                    bound = max(bound, relaxed.bound + p.constant)
    if search.state.violation() > 0:
        # the integer model rounds the limits the safe way, so a plan on a limit's edge in
        # floats (a rounded LP often is) may break it there: the cheaper of the search's plan
        # and the construction's start that holds every limit in floats is still a plan
        stats.violation = search.state.violation()
        held = [(ev.objective, c) for c in (search_idx[search.state.chosen], built.start)
                if (ev := evaluate(p, c)).feasible]
        if held:
            return _finish(p, min(held, key=lambda h: h[0])[1], bound, t0, stats)
        return EngineResult("unknown", None, float("inf"), bound, time.monotonic() - t0, stats,
                            built.slack, search_idx[search.state.chosen])
    if mip and small and not proven:
        _mip_phase(search, stats)
        tick("branch and cut")
    if not proven:
        search.improve(tick, (bound - p.constant) * sp.cost_scale)
    stats.iterations = search.iterations
    stats.det_time = search.det_used
    stats.clock_stopped = search.clock_stopped or stats.mip_clock_stopped
    return _finish(p, search_idx[search.state.chosen], bound, t0, stats)


def _mip_phase(search: _Search, stats: Stats) -> None:
    """HiGHS branch and cut from the current plan for MIP_SHARE of the time limit (then local
    branching rounds when they fit: MIP_SHARE_BEFORE_LB and LB_SHARE); a plan replaces the
    current one when it is cheaper. On capacity-only problems a tabu search first takes
    TABU_SHARE of the first run's share. Each part is charged its share of the search budget
    whatever it takes (the rounds: their estimate), so the search after it is budgeted the
    same on any machine."""
    params, p = search.params, search.p
    lb_pairs = min(len(p.item), (LB_PAIRS_PER_ITEM + 1) * p.n_items)
    rounds = int(LB_SHARE * params.time_limit / (LB_SECONDS_PER_PAIR * lb_pairs))
    rounds = rounds if rounds >= LB_MIN_ROUNDS else 0
    keep = np.ones(len(p.item), dtype=bool)
    if len(p.item) > MIP_MODEL_PAIRS:
        keep = _k_best(p, search.reduced, max(1, MIP_MODEL_PAIRS // p.n_items))
        keep[search.state.chosen] = True
    share = (MIP_SHARE_BEFORE_LB if rounds else MIP_SHARE) * params.time_limit
    tabu = local_search.iterations_for(p.n_items, p.n_agents, TABU_SHARE * params.time_limit)
    if local_search.applicable(search.sp) and tabu >= TABU_MIN_ITERATIONS_PER_ITEM * p.n_items:
        chosen = local_search.improve_plan(search.state, tabu, search.reduced,
                                           seed=params.seed)
        if chosen is not None:
            search.state = AssignmentState(search.sp, chosen)
        share -= TABU_SHARE * params.time_limit
        search.det_used += TABU_SHARE * search.det_budget
        stats.tabu_iterations = tabu
    # the node limit from the share, not from the clock, so it is the same on any machine
    nodes = int(MIP_PAIR_NODES_PER_SECOND * share / max(1, int(keep.sum())))
    res = _highs_from_current(search, keep, nodes=nodes, seconds=share, seed=params.seed)
    search.det_used += share / params.time_limit * search.det_budget
    stats.mip_pairs = int(keep.sum())
    stats.mip_nodes = int(res.nodes)
    stats.mip_clock_stopped = bool(res.clock_stopped)
    if res.optimal or not rounds:
        return
    end = time.monotonic() + LB_SHARE * params.time_limit
    radius = int(np.clip(p.n_items // 10, 10, 20))
    keep = _k_best(p, search.reduced, LB_PAIRS_PER_ITEM)  # the current pairs join per round
    for r in range(rounds):
        before = search.state.cost()
        res = _highs_from_current(search, keep, nodes=LB_NODES, radius=radius,
                                  seconds=end - time.monotonic(), seed=params.seed + r)
        if res.clock_stopped:
            stats.mip_clock_stopped = True
            break
        if res.optimal and search.state.cost() == before:
            break  # no better plan within the radius: another seed would prove it again
    stats.lb_rounds = r + 1
    search.det_used += rounds * LB_SECONDS_PER_PAIR * lb_pairs / params.time_limit * (
        search.det_budget)


def _highs_from_current(search: _Search, keep: np.ndarray, *, nodes: int, seconds: float,
                        seed: int, radius: int | None = None) -> MipResult:
    """HiGHS on the pairs in ``keep`` (and the current ones) from the current plan, which its
    plan replaces when it is cheaper and within the limits."""
    p, sp = search.p, search.sp
    keep = keep.copy()
    keep[search.state.chosen] = True
    sub, idx = restrict(p, keep)
    model = replace(
        sp, problem=sub, cost=sp.cost[idx], load_hi=sp.load_hi[idx], load_lo=sp.load_lo[idx],
        bal_hi=sp.bal_hi[idx], bal_lo=sp.bal_lo[idx])
    position = np.full(len(p.item), -1, dtype=np.int64)
    position[idx] = np.arange(len(idx))
    res = solve_mip(model, position[search.state.chosen], node_limit=nodes,
                    time_limit=max(0.01, min(seconds, search.remaining())), seed=seed,
                    radius=radius)
    if res.x is not None:
        candidate = AssignmentState(sp, idx[_round(sub, res.x)])
        if candidate.violation() == 0 and candidate.cost() < search.state.cost():
            search.state = candidate
    return res


def _det_budget(p: AssignmentProblem, params: EngineParams) -> float:
    """The search's deterministic budget: the time limit less a charge for the work before
    the search that grows with the pairs (not the clock, so a busy machine plans the same)."""
    return DET_PER_SECOND * max(0.0, params.time_limit - PRE_SECONDS_PER_PAIR * len(p.item))


def _diffused_start(p: AssignmentProblem) -> IntArray:
    """The current alignment, every item at its cheapest pair and (up to FLOW_MAX_PAIRS) a
    min-cost flow, each repaired by diffusion; the one with the least violation, then cost.
    A narrower diffusion band is tried only when none is within the limits."""
    starts = [_current(p), _round(p, None)]
    flow = flow_start(p) if len(p.item) <= FLOW_MAX_PAIRS else None
    if flow is not None:
        starts.append(flow)
    best: tuple[float, float, IntArray] | None = None
    for share in SHARES:
        for start in starts:
            chosen = diffuse(p, start, share=share)
            ev = evaluate(p, chosen)
            score = (ev.violation, ev.objective)
            if best is None or score < best[:2]:
                best = (*score, chosen)
        if best is not None and best[0] == 0:
            break
    assert best is not None
    return best[2]


def _solve_large(p: AssignmentProblem, params: EngineParams, t0: float,
                 stats: Stats) -> EngineResult:
    """Problems above LP_MAX_PAIRS: the best start repaired by diffusion, multipliers by the
    volume algorithm for the bound and the regrets, then the neighbourhood search."""
    start = _diffused_start(p)
    stats.start_seconds = time.monotonic() - t0
    ev = evaluate(p, start)
    if params.progress is not None:
        params.progress(Progress(time.monotonic() - t0, "start", ev.objective, None,
                                 ev.violation))
    end = params.end(t0)
    mult, _ = ascend(p, ev.objective, ASCENT_STEPS,
                     deadline=t0 + ASCENT_SHARE * (end - t0))
    bound = max(lagrangian_bound(p, mult), lagrangian_bound(p, Multipliers.zero(p.n_agents)))
    stats.bound_seconds = time.monotonic() - t0 - stats.start_seconds
    sp = scale_problem(p)

    def tick(phase: str) -> None:
        if params.progress is not None:
            st = search.state
            params.progress(Progress(time.monotonic() - t0, phase,
                                     st.cost() / sp.cost_scale + p.constant, bound,
                                     st.violation()))

    rc = _reduced_costs(p, mult)
    search = _Search(sp, start, params, t0, _det_budget(p, params), rc)
    search.repair(tick, windows=False)
    stats.repair_seconds = time.monotonic() - t0
    if search.state.violation() > 0:
        stats.violation = search.state.violation()
        return EngineResult("unknown", None, float("inf"), bound, time.monotonic() - t0, stats,
                            closest=search.state.chosen)
    search.improve(tick, (bound - p.constant) * sp.cost_scale)
    stats.iterations = search.iterations
    stats.det_time = search.det_used
    stats.clock_stopped = search.clock_stopped
    return _finish(p, search.state.chosen, bound, t0, stats)


def _solve_relaxed(state: AssignmentState, params: EngineParams, t0: float) -> SubResult:
    """CP-SAT on the relaxed integer model (every rounding loosens the limits): its bound and
    its infeasibility hold for the problem as specified."""
    relaxed = AssignmentState(scale_problem(state.sp.problem, relaxed=True), state.chosen)
    agents = np.arange(relaxed.sp.problem.n_agents)
    remaining = max(0.1, params.time_limit - (time.monotonic() - t0))
    res = solve_neighbourhood(relaxed, free_items_of(relaxed, agents), agents, repair=False,
                              det_time=DET_PER_SECOND * remaining, time_limit=remaining,
                              seed=params.seed, workers=params.workers)
    if res.status in ("optimal", "feasible"):
        res.bound = (res.bound + _fixed_cost(relaxed, res.items)) / relaxed.sp.cost_scale
    return res


def _fixed_cost(state: AssignmentState, free: IntArray) -> int:
    """Scaled cost of the items outside ``free`` (not in the neighbourhood's objective)."""
    fixed = np.ones(len(state.chosen), dtype=bool)
    fixed[free] = False
    return int(state.sp.cost[state.chosen[fixed]].sum())


def _finish(p: AssignmentProblem, chosen: IntArray, bound: float, t0: float,
            stats: Stats) -> EngineResult:
    """Check the plan in floats and grade it: 'optimal' when the bound is within
    OPTIMALITY_TOLERANCE of the objective."""
    ev = evaluate(p, chosen)
    if not ev.feasible:
        stats.violation = ev.violation
        return EngineResult("unknown", None, float("inf"), bound, time.monotonic() - t0, stats,
                            closest=chosen)
    scale = max(1.0, abs(ev.objective))
    if bound > ev.objective + 1e-9 * scale:
        raise RuntimeError(f"bound {bound} above the objective {ev.objective}: a bug")
    # relative to the objective itself: objectives below 1 (Pfizer's disruption, 0.34) were
    # called optimal 1.5e-5 above their bound, which 1.0 as the scale let through
    optimal = ev.objective - bound <= OPTIMALITY_TOLERANCE * max(abs(ev.objective), 1e-12)
    status = "optimal" if optimal else "feasible"
    return EngineResult(status, chosen, ev.objective, min(bound, ev.objective),
                        time.monotonic() - t0, stats)
