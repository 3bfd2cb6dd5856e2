"""The unit graph (``planning.unit_graph``): Delaunay and Gabriel adjacency of unit centroids,
degenerate points, islands attached to the nearest unit."""

from __future__ import annotations

import networkx as nx
import numpy as np

from territory_opt.planning.contiguous import unit_cells
from territory_opt.planning.unit_graph import connect_components, point_adjacency


def test_gabriel_graph_is_a_subgraph_of_delaunay() -> None:
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(39, 41, 40), rng.uniform(-84, -82, 40)
    ids = [f"z{i}" for i in range(40)]
    delaunay = point_adjacency(ids, lat, lon)
    gabriel = point_adjacency(ids, lat, lon, gabriel=True)
    assert set(map(frozenset, gabriel.edges)) <= set(map(frozenset, delaunay.edges))
    assert gabriel.number_of_edges() < delaunay.number_of_edges()
    assert nx.is_connected(gabriel)  # the Gabriel graph contains the minimum spanning tree


def test_gabriel_neighbours_share_a_voronoi_edge() -> None:
    """The unit graph's edges are where the drawn cells touch, so a territory connected in the
    graph is one polygon in territories.geojson; Delaunay alone breaks this along the hull."""
    import shapely

    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(39, 41, 60), rng.uniform(-84, -82, 60)
    ids = [f"z{i}" for i in range(60)]
    cells = unit_cells(lat, lon)

    def touching(graph: nx.Graph) -> list[bool]:
        return [shapely.intersection(cells[int(u[1:])], cells[int(v[1:])]).length > 1e-9
                for u, v in graph.edges]

    assert all(touching(point_adjacency(ids, lat, lon, gabriel=True)))
    assert not all(touching(point_adjacency(ids, lat, lon)))


def test_duplicate_and_collinear_points_keep_every_unit() -> None:
    g = point_adjacency(["a", "b", "c"], np.zeros(3), np.array([0.0, 1.0, 2.0]))
    assert nx.is_connected(g)
    g = point_adjacency(["a", "b", "c", "d"], np.array([0.0, 0.0, 1.0, 0.0]),
                        np.array([0.0, 1.0, 0.0, 0.0]))
    assert nx.is_connected(g) and set(g.nodes) == {"a", "b", "c", "d"}


def test_island_is_attached_to_the_nearest_unit() -> None:
    g = nx.Graph([("a", "b"), ("b", "c")])
    g.add_node("island")
    lat = {"a": 0.0, "b": 0.0, "c": 0.0, "island": 0.5}
    lon = {"a": 0.0, "b": 1.0, "c": 2.0, "island": 2.1}
    fixed, fixes = connect_components(g, lat, lon)
    assert nx.is_connected(fixed) and fixed.has_edge("island", "c")
    assert [(f.unit, f.attached_to, f.component_size) for f in fixes] == [("island", "c", 1)]
    assert "island unit island attached to the nearest unit c" in fixes[0].describe()
