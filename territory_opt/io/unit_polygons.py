"""Read unit polygons (``data.units``: GeoJSON, GeoPackage or Shapefile) for contiguous
territories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from territory_opt.domain.errors import InputError


def read_unit_polygons(path: Path) -> Any:
    """Unit polygons (unit_id, geometry) in WGS84 from a GeoJSON, GeoPackage or Shapefile."""
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for unreadable files
        raise InputError(f"cannot read unit polygons: {err}", file=str(path)) from None
    col = next((c for c in gdf.columns if str(c).lower() == "unit_id"), None)
    if col is None:
        raise InputError("the unit polygons need a 'unit_id' column (columns found: "
                         f"{', '.join(map(str, gdf.columns))})", file=str(path), column="unit_id")
    ids = gdf[col].map(_unit_text)
    dup = ids.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"duplicate unit_id '{ids.iloc[i]}'", file=str(path), row=i + 2,
                         column="unit_id")
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputError("the unit polygons have no coordinate reference system and are "
                             "not in degrees; save them with a CRS", file=str(path))
        gdf = gdf.set_crs(4326)
    elif not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(4326)
    return gpd.GeoDataFrame({"unit_id": ids.to_numpy()}, geometry=gdf.geometry.to_numpy(),
                            crs=4326)


def _unit_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
