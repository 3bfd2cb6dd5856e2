"""The relaxation side of the engine on problems small enough to solve by hand: item classes,
the LP and its slack, whole-unit rounding, and the construction's bound, proof and start."""

import time

import numpy as np
import pytest

from territory_opt.engine import AssignmentProblem, evaluate
from territory_opt.engine.classes import item_classes
from territory_opt.engine.construction import construct
from territory_opt.engine.relaxation import Relaxation
from territory_opt.engine.rounding import whole_units
from tests.engine.test_search import random_problem
from tests.helpers import brute_force


def two_agents() -> AssignmentProblem:
    """Agent 0 costs nothing but holds 3 h; agent 1 costs 1 an item and holds 10 h; three
    items of 2 h each. Whole items: agent 0 takes one, agent 1 two, cost 2. The LP puts 1.5
    items on agent 0 (3 h), so its value is 1.5."""
    return AssignmentProblem.dense([[0, 0, 0], [1, 1, 1]], [[2, 2, 2], [2, 2, 2]], [3, 10])


def test_interchangeable_items_form_one_class_and_an_owner_splits_it() -> None:
    p = AssignmentProblem.dense([[0, 0, 0], [1, 1, 1]], [[2, 2, 2], [2, 2, 2]], [3, 10],
                                owner=np.array([-1, -1, 0]))
    classes = item_classes(p)
    assert classes.n == 2
    assert classes.of_item[0] == classes.of_item[1] != classes.of_item[2]
    assert sorted(classes.size.tolist()) == [1.0, 2.0]


def test_lp_value_of_the_two_agent_problem_is_one_and_a_half() -> None:
    lp = Relaxation(two_agents())
    assert lp.solve(10.0) == "optimal"
    assert lp.cost() == pytest.approx(1.5)
    assert lp.slack().total == pytest.approx(0.0)


def test_lp_slack_says_how_far_capacity_is_short() -> None:
    """One agent of capacity 5 must take loads 3 and 3: 1 h over, in the LP as in any plan."""
    lp = Relaxation(AssignmentProblem.dense([[1, 1]], [[3, 3]], [5]))
    lp.solve(10.0)
    assert lp.slack().capacity.tolist() == pytest.approx([1.0])


def test_whole_units_keep_each_class_size_and_respect_room() -> None:
    """The class of three items splits 1.5 / 1.5 in the LP; the whole units are 1 on agent 0
    (room for one item of 2 h in 3 h) and 2 on agent 1."""
    p = two_agents()
    classes = item_classes(p)
    assert classes.n == 1
    units = whole_units(classes, np.array([1.5, 1.5]))
    assert units.tolist() == [1.0, 2.0]


def test_construction_of_the_two_agent_problem_is_feasible_and_bounded() -> None:
    p = two_agents()
    c = construct(p, item_classes(p), deadline=time.monotonic() + 10, dual_seconds=1.0)
    assert c.status == "solved" and c.lp_value == pytest.approx(1.5)
    assert c.bound == pytest.approx(1.5)
    assert c.start is not None and c.start_violation == 0
    ev = evaluate(p, c.start)
    assert ev.feasible and ev.objective == pytest.approx(2.0)


def test_construction_proves_the_overfull_agent_impossible() -> None:
    p = AssignmentProblem.dense([[1, 1]], [[3, 3]], [5])
    c = construct(p, item_classes(p), deadline=time.monotonic() + 10, dual_seconds=1.0)
    assert c.status == "infeasible"


@pytest.mark.parametrize("seed", range(8))
def test_construction_bound_never_above_the_optimum(seed: int) -> None:
    """On the random problems of test_search: the bound is at most brute force's optimum, and
    'infeasible' only when brute force finds no plan."""
    p = random_problem(seed)
    best = brute_force(p)
    c = construct(p, item_classes(p), deadline=time.monotonic() + 10, dual_seconds=1.0)
    if c.status == "infeasible":
        assert best == float("inf")
    else:
        assert c.bound <= best + 1e-9
