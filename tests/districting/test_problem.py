"""The districting problem's contiguity rule (``districting.problem.is_contiguous``), the one
checker every contiguous plan is held to."""

from __future__ import annotations

import networkx as nx

from territory_opt.districting.problem import is_contiguous


def test_is_contiguous_on_a_path() -> None:
    g = nx.path_graph(4)
    assert is_contiguous(g, [1, 2]) and is_contiguous(g, [3]) and is_contiguous(g, [])
    assert not is_contiguous(g, [0, 2])
