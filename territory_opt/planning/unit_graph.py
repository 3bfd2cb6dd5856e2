"""Adjacency of geographic units (ZIP codes, counties…) as a networkx graph.

Two sources, one result:

* **polygons** (GeoJSON, GeoPackage or Shapefile named by ``data.units``): two units are
  neighbours when their polygons share a boundary point (``queen``) or a boundary line
  (``rook``);
* **points** only (the usual case: accounts carry a ``unit_id`` but no polygon ships): a planar
  proximity graph of the unit centroids: the Gabriel graph (a Delaunay edge survives when no
  third centroid lies in the circle on it as diameter). Plain Delaunay also joins units far
  apart across a lake or a concave border (Isle St. George to Ashtabula across Lake Erie in
  the Ohio demo); a Gabriel edge's midpoint lies on the two units' shared Voronoi edge, so a
  territory connected in this graph also draws as one piece (planning.contiguous.unit_cells).

A territory can only be contiguous on a connected graph, so islands and disconnected groups are
handled explicitly: each smaller component is attached to the nearest unit outside it by one
added edge, and every such fix is returned (and reported in the plan) as a :class:`GraphFix`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.geo import EARTH_RADIUS_KM, haversine_km
from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine.arrays import FloatArray
from territory_opt.io.unit_polygons import read_unit_polygons

Rule = Literal["queen", "rook"]


@dataclass(frozen=True)
class GraphFix:
    """One added edge: ``unit`` (in a component of ``component_size`` units cut off from the
    rest) is joined to ``attached_to``, the nearest unit outside its component."""

    unit: str
    attached_to: str
    distance_km: float
    component_size: int

    def describe(self) -> str:
        what = ("island unit" if self.component_size == 1
                else f"unit of a detached group of {self.component_size} units,")
        return (f"{what} {self.unit} attached to the nearest unit {self.attached_to} "
                f"({self.distance_km:,.1f} km)")


@dataclass(frozen=True)
class UnitGraph:
    """Units, their centroids and adjacency. ``graph`` nodes are the unit ids (text), in the
    order of ``units`` (columns unit_id, lat, lon). ``polygons`` is a GeoDataFrame (unit_id,
    geometry, WGS84) when polygons were read, else None. ``source`` names the rule used."""

    graph: nx.Graph
    units: pd.DataFrame
    source: str
    fixes: tuple[GraphFix, ...] = ()
    polygons: Any = None


def _xy_km(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Equirectangular projection around the mean latitude, in km (good for planar graphs)."""
    lat0 = np.radians(np.mean(lat)) if len(lat) else 0.0
    k = np.pi / 180 * EARTH_RADIUS_KM
    return np.column_stack([np.asarray(lon) * k * np.cos(lat0), np.asarray(lat) * k])


def point_adjacency(ids: list[str], lat: FloatArray, lon: FloatArray, *,
                    gabriel: bool = False) -> nx.Graph:
    """Delaunay graph (or its Gabriel subgraph) of points given in WGS84 degrees.

    Points the triangulation cannot use (duplicates, or fewer than three points, or all on one
    line) are joined to their nearest other point, so no point is left out.
    """
    from scipy.spatial import Delaunay, QhullError

    g = nx.Graph()
    g.add_nodes_from(ids)
    n = len(ids)
    if n < 2:
        return g
    xy = _xy_km(np.asarray(lat, float), np.asarray(lon, float))
    try:
        tri = Delaunay(xy)
    except (QhullError, ValueError):
        tri = None
    if tri is None:  # collinear or too few points: a chain along the main axis
        axis = xy - xy.mean(0)
        order = np.argsort(axis @ np.linalg.svd(axis, full_matrices=False)[2][0])
        g.add_edges_from((ids[a], ids[b]) for a, b in zip(order[:-1], order[1:], strict=True))
        return g
    simplices = tri.simplices
    edges = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [2, 0]]])
    opposite = np.concatenate([simplices[:, 2], simplices[:, 0], simplices[:, 1]])
    if gabriel:
        # an edge (a, b) is not Gabriel when a triangle's opposite vertex c sees it at an obtuse
        # angle, i.e. lies inside the circle with diameter ab
        ca = xy[edges[:, 0]] - xy[opposite]
        cb = xy[edges[:, 1]] - xy[opposite]
        bad = np.einsum("ij,ij->i", ca, cb) < 0
        bad_keys = {(min(a, b), max(a, b)) for a, b in edges[bad].tolist()}
        edges = np.array([e for e in edges.tolist() if (min(e), max(e)) not in bad_keys],
                         dtype=np.int64).reshape(-1, 2)
    g.add_edges_from((ids[a], ids[b]) for a, b in edges.tolist())
    used = np.zeros(n, dtype=bool)
    used[np.unique(simplices)] = True
    for i in np.flatnonzero(~used).tolist():  # duplicates the triangulation skipped
        d = np.hypot(*(xy[used] - xy[i]).T)
        g.add_edge(ids[i], ids[int(np.flatnonzero(used)[np.argmin(d)])])
    return g


def polygon_adjacency(polygons: Any, id_column: str = "unit_id", rule: Rule = "queen") -> nx.Graph:
    """Neighbours from polygons: a shared boundary point (queen) or line (rook)."""
    import shapely

    ids = [str(v) for v in polygons[id_column]]
    g = nx.Graph()
    g.add_nodes_from(ids)
    geoms = polygons.geometry.to_numpy()
    left, right = polygons.sindex.query(polygons.geometry, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if rule == "rook" and len(left):
        shared = shapely.intersection(shapely.boundary(geoms[left]), shapely.boundary(geoms[right]))
        line = shapely.length(shared) > 0
        left, right = left[line], right[line]
    g.add_edges_from((ids[a], ids[b]) for a, b in zip(left.tolist(), right.tolist(), strict=True))
    return g


def connect_components(graph: nx.Graph, lat: dict[str, float],
                       lon: dict[str, float]) -> tuple[nx.Graph, list[GraphFix]]:
    """Join every component but the largest to the nearest unit outside it, by one edge.

    Components are attached one at a time, the shortest such edge first, until the graph is
    connected. Returns a new graph and the fixes, in the order they were made.
    """
    g = graph.copy()
    fixes: list[GraphFix] = []
    while g.number_of_nodes() > 1 and not nx.is_connected(g):
        comps = sorted(nx.connected_components(g), key=len, reverse=True)
        best: tuple[float, str, str, int] | None = None
        for comp in comps[1:]:
            inside = sorted(comp)
            outside = sorted(u for u in g.nodes if u not in comp)
            d = haversine_km(np.array([lat[u] for u in inside])[:, None],
                             np.array([lon[u] for u in inside])[:, None],
                             np.array([lat[v] for v in outside])[None, :],
                             np.array([lon[v] for v in outside])[None, :])
            i, j = np.unravel_index(int(np.argmin(d)), d.shape)
            if best is None or d[i, j] < best[0]:
                best = (float(d[i, j]), inside[i], outside[j], len(comp))
        assert best is not None
        dist, unit, target, size = best
        g.add_edge(unit, target)
        fixes.append(GraphFix(unit, target, dist, size))
    return g, fixes


def unit_centroids(data: PlanningData) -> pd.DataFrame:
    """Per unit_id of the accounts, the mean position of its accounts (unit_id, lat, lon)."""
    acc = data.accounts
    missing = acc["unit_id"].astype(str) == ""
    if missing.any():
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError("contiguity is on, so every account needs a unit_id (ZIP, county…)",
                         file=str(data.sources.get("accounts", "accounts")), row=i + 2,
                         column="unit_id")
    grouped = acc.groupby("unit_id", sort=True)[["lat", "lon"]].mean()
    return grouped.reset_index()


def unit_graph(data: PlanningData, *, rule: Rule = "queen", gabriel: bool = True) -> UnitGraph:
    """The unit graph of a scenario: from ``data.units`` polygons when given, else from the
    Gabriel (or, with ``gabriel=False``, Delaunay) graph of unit centroids; always connected
    (fixes reported)."""
    points = unit_centroids(data)
    path = data.scenario.data.units
    polygons = None
    if path is not None:
        import shapely

        polygons = read_unit_polygons(path)
        known = set(polygons["unit_id"])
        absent = [u for u in points["unit_id"] if u not in known]
        if absent:
            raise InputError(f"{len(absent)} unit_id values of the accounts have no polygon, "
                             f"e.g. {', '.join(absent[:5])}", file=str(path), column="unit_id")
        centre = shapely.centroid(polygons.geometry.to_numpy())
        units = pd.DataFrame({"unit_id": polygons["unit_id"].to_numpy(),
                              "lat": shapely.get_y(centre), "lon": shapely.get_x(centre)})
        graph = polygon_adjacency(polygons, rule=rule)
        source = f"{rule} contiguity of unit polygons"
    else:
        units = points
        graph = point_adjacency(units["unit_id"].tolist(), units["lat"].to_numpy(float),
                                units["lon"].to_numpy(float), gabriel=gabriel)
        source = f"{'Gabriel' if gabriel else 'Delaunay'} graph of unit centroids"
    lat = dict(zip(units["unit_id"], units["lat"].astype(float), strict=True))
    lon = dict(zip(units["unit_id"], units["lon"].astype(float), strict=True))
    graph, fixes = connect_components(graph, lat, lon)
    return UnitGraph(graph, units.reset_index(drop=True), source, tuple(fixes), polygons)
