"""Read a table from CSV, Parquet, Excel or GeoJSON/GeoPackage, chosen by file extension.

Every reader returns a DataFrame of raw cells with the header's column names stripped; the
typed checks live in :mod:`territory_opt.io.inputs`. Row numbers in messages count like a
spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from territory_opt.domain.errors import InputError

FIRST_DATA_ROW = 2  # spreadsheet numbering: header = row 1

CSV_EXTENSIONS = (".csv", ".txt")
PARQUET_EXTENSIONS = (".parquet", ".pq")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
GEO_EXTENSIONS = (".geojson", ".gpkg", ".shp", ".json")


def sheet_row(index: int) -> int:
    """Spreadsheet row number of the 0-based data row ``index``."""
    return index + FIRST_DATA_ROW


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:  # no CSV text holds NUL bytes; Excel, Parquet and zip files do
        raise InputError("the file holds binary data, so it is not a text file; is it an "
                         "Excel or Parquet file named .csv? Save it as CSV UTF-8",
                         file=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" as cp1252; every byte decodes, so nothing is lost.
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> pd.DataFrame:
    import io

    text = _decode(path)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        # header=None: pandas would rename a repeated header ('lat', 'lat.1') and turn the
        # first cells of a row longer than the header into an index, both silently
        return _promote_header(pd.read_csv(io.StringIO(text), sep=sep, dtype=str, header=None,
                                           keep_default_na=False, skipinitialspace=True))
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty (no header row)", file=str(path)) from None
    except pd.errors.ParserError as err:
        line = re.search(r"in line (\d+)", str(err))
        raise InputError(f"cannot parse CSV: {str(err).strip()}", file=str(path),
                         row=int(line[1]) if line else None) from None


def _promote_header(raw: pd.DataFrame) -> pd.DataFrame:
    """The first row as column names (an empty one is named like pandas: 'Unnamed: 3')."""
    names = ["" if pd.isna(v) else str(v).strip() for v in raw.iloc[0]] if len(raw) else []
    df = raw.iloc[1:].reset_index(drop=True)
    df.columns = [n or f"Unnamed: {i}" for i, n in enumerate(names)]
    return df


def _read_geo(path: Path) -> pd.DataFrame:
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for unreadable files
        raise InputError(f"cannot read geographic file: {err}", file=str(path)) from None
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    geom = gdf.geometry
    lower = {str(c).lower() for c in df.columns}
    if len(gdf) and not {"lat", "lon"} <= lower:
        if not (geom.geom_type == "Point").all():
            bad = int((geom.geom_type != "Point").to_numpy().argmax())
            raise InputError("geometry must be a point (or give lat and lon columns)",
                             file=str(path), row=sheet_row(bad), column="geometry")
        df["lat"] = geom.y.to_numpy()
        df["lon"] = geom.x.to_numpy()
    return df


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one input table; the format follows the extension. Raises InputError."""
    path = Path(path)
    if path.is_dir():
        raise InputError("this is a folder, not a file", file=str(path))
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    ext = path.suffix.lower()
    try:
        if ext in CSV_EXTENSIONS:
            df = _read_csv(path)
        elif ext in PARQUET_EXTENSIONS:
            df = pd.read_parquet(path)
        elif ext in EXCEL_EXTENSIONS:
            df = _promote_header(pd.read_excel(path, dtype=object, header=None))
        elif ext in GEO_EXTENSIONS:
            df = _read_geo(path)
        else:
            raise InputError(
                f"unknown file type '{ext}'; use .csv, .parquet, .xlsx, .geojson or .gpkg",
                file=str(path),
            )
    except InputError:
        raise
    except Exception as err:  # a corrupt parquet/xlsx must not surface as a traceback
        raise InputError(f"cannot read the file: {err}", file=str(path)) from None
    df.columns = [str(c).strip() for c in df.columns]
    seen: dict[str, str] = {}
    for col in df.columns:
        key = col.lower()
        if key in seen:
            raise InputError(f"duplicate column header (also '{seen[key]}')", file=str(path),
                             row=1, column=col)
        seen[key] = col
    if len(df) == 0:
        raise InputError("the file has a header but no data rows", file=str(path))
    return df.reset_index(drop=True)
