"""Reading a roster file: CSV, XLSX, Parquet or JSON, chosen by extension.

- ``.csv``: UTF-8 (with or without BOM), or CP949/EUC-KR as Korean Excel saves
  it (UTF-8 is tried strictly first), or UTF-16 with BOM (Excel "Unicode
  text"). The delimiter is ``,`` unless the first line has more ``;`` or tabs.
- ``.xlsx``: the first worksheet, or ``sheet`` by name. Excel date cells and
  text dates both work; a number in a date column is an Excel serial. A number
  shown as a percentage (``51%``, stored as ``0.51``) is read as shown.
- ``.parquet``: read with polars; column names are the headers.
- ``.json``: a list of objects keyed by column name (or Korean alias).

In sheets (CSV, XLSX) the header is row 1 and data starts on row 2; title
rows above the header are skipped and rows are numbered as the sheet shows
them. In JSON and Parquet, record 1 is row 2, so messages read alike.
Fully blank rows are skipped. Whatever goes wrong comes back as a
:class:`RosterError`, never a traceback. A file larger than the limits
(:mod:`visadesk.roster.limits`) is refused before or while it is parsed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from visadesk.roster.limits import (
    ROSTER_LIMITS,
    RosterLimits,
    check_cell,
    check_file,
    check_shape,
    limit_error,
)
from visadesk.roster.model import Problem, Roster, RosterError
from visadesk.roster.sensitive import scrub
from visadesk.roster.validate import RawTable, build_roster, roster_from_records

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

__all__ = ["FORMATS", "read_roster"]

#: File extension to format name.
FORMATS: Final = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".json": "json"}

_DELIMITERS: Final = (",", ";", "\t")
_REASON_LIMIT: Final = 200


def _fail(code: str, source: str, **params: str) -> RosterError:
    return RosterError([Problem(code=code, params={"source": source, **params})], source=source)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    if len(text) > _REASON_LIMIT:
        text = text[: _REASON_LIMIT - 1] + "…"
    return scrub(text)


def _format_of(path: Path, source: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        supported = ", ".join(FORMATS)
        shown = suffix or path.name
        raise _fail("unsupported_format", source, extension=shown, supported=supported)
    if not path.is_file():
        raise _fail("file_not_found", source)
    return FORMATS[suffix]


def _decode(data: bytes, source: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _fail("bad_encoding", source) from None
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _fail("bad_encoding", source)


def _delimiter(text: str) -> str:
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _read_csv(path: Path, source: str, limits: RosterLimits) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _fail("unreadable_file", source, format="CSV", reason=_reason(error)) from None
    text = _decode(data, source)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        grid = list(_bounded(map(tuple, reader), source, limits))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            found = f"> {csv.field_size_limit()}"
            raise limit_error(source, "cell_chars", found, limits.cell_chars) from None
        raise _fail("unreadable_file", source, format="CSV", reason=_reason(error)) from None
    return RawTable.from_grid(grid, source=source, format="csv")


def _bounded(
    rows: Iterator[tuple[object, ...]], source: str, limits: RosterLimits
) -> Iterator[tuple[object, ...]]:
    """The rows, refused as soon as there are too many rows, columns, cells or characters."""
    cells = 0
    for count, row in enumerate(rows, start=1):
        cells += len(row)
        if count > limits.rows:
            raise limit_error(source, "rows", count, limits.rows)
        if len(row) > limits.columns:
            raise limit_error(source, "columns", len(row), limits.columns)
        if cells > limits.cells:
            raise limit_error(source, "cells", cells, limits.cells)
        for value in row:
            check_cell(source, limits, value)
        yield row


def _xlsx_rows(sheet: ReadOnlyWorksheet) -> Iterator[tuple[object, ...]]:
    sheet.reset_dimensions()  # trust the cells, not the stated size
    # types-openpyxl types iter_rows for Worksheet only; read-only sheets share it.
    for row in sheet.iter_rows():  # type: ignore[misc]
        values: list[object] = []
        for cell in row:
            value = cell.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                number_format = getattr(cell, "number_format", None) or ""
                if "%" in number_format:
                    value = round(value * 100, 10)
            values.append(value)
        yield tuple(values)


def _read_xlsx(path: Path, source: str, sheet: str | None, limits: RosterLimits) -> RawTable:
    # openpyxl and polars load on demand: importing them costs half a second.
    import openpyxl  # noqa: PLC0415
    from openpyxl.utils.datetime import CALENDAR_MAC_1904  # noqa: PLC0415
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet  # noqa: PLC0415

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it skips
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise _fail("unreadable_file", source, format="XLSX", reason=_reason(error)) from None
    try:
        sheets = [s for s in book.worksheets if isinstance(s, ReadOnlyWorksheet)]
        if sheet is None:  # the first sheet a person sees: hidden sheets do not count
            visible = [s for s in sheets if s.sheet_state == "visible"] or sheets
            chosen = visible[0] if visible else None
        else:
            chosen = next((s for s in sheets if s.title == sheet), None) or next(
                (s for s in sheets if s.title.casefold() == sheet.strip().casefold()), None
            )
        if chosen is None:
            available = ", ".join(f"“{s.title}”" for s in sheets)
            raise _fail("sheet_not_found", source, sheet=sheet or "", available=available)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grid = list(_bounded(_xlsx_rows(chosen), source, limits))
        except RosterError:
            raise
        except Exception as error:
            raise _fail("unreadable_file", source, format="XLSX", reason=_reason(error)) from None
        date1904 = book.epoch == CALENDAR_MAC_1904
    finally:
        book.close()
    return RawTable.from_grid(grid, source=source, format="xlsx", date1904=date1904)


def _read_parquet(path: Path, source: str, limits: RosterLimits) -> Roster:
    import polars as pl  # noqa: PLC0415

    try:
        # The footer says how many rows and columns there are: checked before reading them.
        width = len(pl.read_parquet_schema(path))
        height = int(pl.scan_parquet(path).select(pl.len()).collect().item())
        check_shape(source, limits, rows=height, columns=width)
        frame = pl.read_parquet(path)
        texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
        if texts and frame.height:
            longest = frame.select(pl.max_horizontal(pl.col(texts).str.len_chars().max())).item()
            if longest is not None and longest > limits.cell_chars:
                raise limit_error(source, "cell_chars", longest, limits.cell_chars)
        records = frame.rows(named=True)
    except RosterError:
        raise
    except Exception as error:
        raise _fail("unreadable_file", source, format="Parquet", reason=_reason(error)) from None
    if not records and frame.columns:
        table = RawTable(source, "parquet", tuple(frame.columns), (), header_row=None)
        return build_roster(table)
    return roster_from_records(records, source=source, format="parquet")


def _read_json(path: Path, source: str, limits: RosterLimits) -> Roster:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise _fail("unreadable_file", source, format="JSON", reason=_reason(error)) from None
    except UnicodeDecodeError:
        raise _fail("bad_encoding", source) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail("bad_json", source, line=str(error.lineno), col=str(error.colno)) from None
    except (RecursionError, ValueError):  # nested too deep; an integer too long
        raise _fail("bad_json", source, line="?", col="?") from None
    if not isinstance(data, list):
        raise _fail("json_not_list", source)
    _check_records(data, source, limits)
    return roster_from_records(data, source=source, format="json")


def _check_records(data: list[object], source: str, limits: RosterLimits) -> None:
    if len(data) > limits.rows:
        raise limit_error(source, "rows", len(data), limits.rows)
    cells = 0
    for record in data:
        if isinstance(record, dict):
            if len(record) > limits.columns:
                raise limit_error(source, "columns", len(record), limits.columns)
            cells += len(record)
            for value in record.values():
                check_cell(source, limits, value)
    if cells > limits.cells:
        raise limit_error(source, "cells", cells, limits.cells)


def read_roster(
    path: Path,
    *,
    sheet: str | None = None,
    limits: RosterLimits = ROSTER_LIMITS,
    source: str | None = None,
) -> Roster:
    """Read and validate a roster file; the format comes from the extension.

    ``sheet`` picks an XLSX worksheet by name (the first one otherwise) and is
    ignored for the other formats. ``source`` is the name messages show (by
    default the path; an upload shows the name it was sent under, never where
    the server keeps it). Raises :class:`RosterError` listing every problem when
    the file cannot be read or any row is invalid, or naming the limit
    (``limits``) it exceeds.
    """
    path = Path(path)
    source = str(path) if source is None else source
    kind = _format_of(path, source)
    check_file(path, kind, source, limits)
    if kind == "parquet":
        return _read_parquet(path, source, limits)
    if kind == "json":
        return _read_json(path, source, limits)
    if kind == "csv":
        table = _read_csv(path, source, limits)
    else:
        table = _read_xlsx(path, source, sheet, limits)
    return build_roster(table)
