"""Read a table from CSV, Parquet, Excel or GeoJSON/GeoPackage, chosen by file extension.

Every reader returns a DataFrame of raw cells with the header's column names stripped; the
typed checks live in :mod:`territory_opt.io.inputs`. Row numbers in messages count like a
spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError

FIRST_DATA_ROW = 2  # spreadsheet numbering: header = row 1

CSV_EXTENSIONS = (".csv", ".txt")
PARQUET_EXTENSIONS = (".parquet", ".pq")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm")
GEO_EXTENSIONS = (".geojson", ".gpkg", ".shp", ".json")


def sheet_row(index: int) -> int:
    """Spreadsheet row number of the 0-based data row ``index`` of a table without blank
    rows (see :func:`sheet_rows` for a table read from a file)."""
    return index + FIRST_DATA_ROW


def sheet_rows(df: pd.DataFrame) -> list[int]:
    """The spreadsheet row number of each data row of a table returned by :func:`read_table`:
    blank rows of a CSV are skipped but still counted, so the numbers match the file."""
    rows = df.attrs.get(SHEET_ROWS)
    if isinstance(rows, list) and len(rows) == len(df):
        return rows
    return [sheet_row(i) for i in range(len(df))]


SHEET_ROWS = "sheet_rows"
DECIMALS = (".", ",")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _line_of(raw: bytes, pos: int) -> int:
    return raw.count(b"\n", 0, pos) + 1


def decode_text(raw: bytes, file: str) -> str:
    """The text of a CSV file, by one rule for the whole file: UTF-8 (a byte-order mark is
    dropped), else Windows-1252 when every byte decodes as Windows-1252 and no line is UTF-8
    text. A file mixing the two (one cp1252 byte in a UTF-8 file), one that decodes under
    neither, or one holding a NUL byte is refused with the first bad row."""
    if raw.startswith(_UTF16_BOMS):
        raise InputError("the file is UTF-16 text; save it as CSV UTF-8", file=file)
    nul = raw.find(b"\x00")
    if 0 <= nul < 8192:  # no CSV text holds NUL bytes; Excel, Parquet and zip files do
        raise InputError("the file holds binary data, so it is not a text file; is it an "
                         "Excel or Parquet file named .csv? Save it as CSV UTF-8", file=file)
    if nul >= 0:
        raise InputError("the row holds a NUL byte (binary data); a CSV file holds text only",
                         file=file, row=_line_of(raw, nul))
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        first_bad = _line_of(raw, err.start)
    lines = raw.split(b"\n")
    if any(not line.isascii() and _is_utf8(line) for line in lines):
        raise InputError("this row is not UTF-8 text while other rows are: a file must be "
                         "one encoding (was it edited in two programs?); save it as CSV UTF-8",
                         file=file, row=first_bad)
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as err:
        raise InputError("this row decodes neither as UTF-8 nor as Windows-1252 text; save "
                         "the file as CSV UTF-8", file=file, row=_line_of(raw, err.start)) from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path, decimal: str) -> pd.DataFrame:
    import io

    text = decode_text(path.read_bytes(), str(path))
    first = next((line for line in text.splitlines() if line.strip()), "")
    if decimal == ",":
        if ";" not in first and "," in first:
            raise InputError("with data.decimal ',' (decimal commas) the separator must be ';', "
                             "but the header is separated by commas", file=str(path), row=1)
        sep = ";"
    else:
        sep = ";" if first.count(";") > first.count(",") else ","
    try:
        # header=None: pandas would rename a repeated header ('lat', 'lat.1') and turn the
        # first cells of a row longer than the header into an index, both silently;
        # skip_blank_lines=False: blank rows are dropped below, after they are counted
        raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, header=None,
                          keep_default_na=False, skipinitialspace=True, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty (no header row)", file=str(path)) from None
    except pd.errors.ParserError as err:
        line = re.search(r"in line (\d+)", str(err))
        raise InputError(f"cannot parse CSV: {str(err).strip()}", file=str(path),
                         row=int(line[1]) if line else _unclosed_quote_row(text)) from None
    # skipinitialspace has turned cells of spaces into ""
    blank = (raw.isna() | (raw == "")).all(axis=1)
    keep = np.flatnonzero(~blank.to_numpy())
    if len(keep) == 0:
        raise InputError("the file is empty (no header row)", file=str(path))
    header_row = int(keep[0])
    table = _promote_header(raw.iloc[keep])
    table.attrs[SHEET_ROWS] = [int(i) + 1 for i in keep[1:]]  # record i is spreadsheet row i+1
    if header_row:
        table.attrs["header_row"] = header_row + 1
    return table


def _unclosed_quote_row(text: str) -> int | None:
    """The line where a quote opens that never closes (pandas does not say)."""
    quotes, opened = 0, None
    for number, line in enumerate(text.split("\n"), start=1):
        before = quotes
        quotes += line.count('"')
        if before % 2 == 0 and quotes % 2 == 1:
            opened = number
    return opened if quotes % 2 == 1 else None


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


def read_table(path: str | Path, *, decimal: str = ".") -> pd.DataFrame:
    """Read one input table; the format follows the extension. Raises InputError.

    ``decimal`` is the decimal separator of CSV text (``data.decimal``): with ``","`` the
    separator must be ``;``. Numbers are parsed later (:mod:`territory_opt.io.numbers`); the
    spreadsheet row of each data row is in ``df.attrs['sheet_rows']`` (:func:`sheet_rows`)."""
    path = Path(path)
    if path.is_dir():
        raise InputError("this is a folder, not a file", file=str(path))
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    ext = path.suffix.lower()
    try:
        if ext in CSV_EXTENSIONS:
            df = _read_csv(path, decimal)
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
    rows = sheet_rows(df)
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
    df = df.reset_index(drop=True)
    df.attrs[SHEET_ROWS] = rows
    return df
