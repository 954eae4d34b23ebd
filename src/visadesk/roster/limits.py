"""How much a roster file may hold, checked before and while it is parsed.

A roster is refused, with a :class:`RosterError` naming the limit, the value
found and the limit's value (problem code ``limit_exceeded``), as soon as it is
known to exceed one of these limits — before the expensive parser sees it where
the file says so itself:

- every format: the file's size in bytes (``file_bytes``), rows (``rows``),
  columns (``columns``), cells (``cells``) and the characters in one cell
  (``cell_chars``);
- XLSX, from the zip's directory before anything is decompressed: the number of
  members (``xlsx_members``), each member's declared uncompressed size
  (``xlsx_member_bytes``) and their total (``xlsx_total_bytes``), each large
  member's compression ratio (``xlsx_ratio``, the zip-bomb signature); then
  from one bounded streaming pass over each worksheet's XML (no XML parser): the
  sheet's declared dimension (``xlsx_dimension``), its rows, columns (cells per
  row, or a cell reference far to the right) and cells, and the number of
  shared strings (``shared_strings``).

Python's :mod:`zipfile` never gives more bytes than a member declares, so the
declared sizes bound what openpyxl can read too.

:data:`ROSTER_LIMITS` apply to every read (``visadesk screen`` included); the
desk uses the tighter :data:`DESK_LIMITS` (see :mod:`visadesk.desk.uploads`).
The limits on rows and cells apply to the per-row reader, which holds every
row in memory; the CLI's streaming fast path for large CSV and Parquet files
(Polars) is bounded by its own design and checked only by the desk.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from visadesk.roster.model import LIMIT_NAMES, Problem, RosterError

__all__ = [
    "DESK_LIMITS",
    "ROSTER_LIMITS",
    "RosterLimits",
    "check_cell",
    "check_file",
    "check_shape",
    "limit_error",
]

_MIB: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class RosterLimits:
    """The most a roster file may hold; see the module's documentation."""

    #: The file's size on disk.
    file_bytes: int = 512 * _MIB
    #: Rows of the sheet or records (Excel's own maximum by default).
    rows: int = 1_048_576
    #: Columns of the sheet, or keys of one JSON record.
    columns: int = 1_000
    #: Cells in all (a sheet's XML cells, including empty ``<c/>``).
    cells: int = 20_000_000
    #: Characters in one cell (Excel's own maximum).
    cell_chars: int = 32_767
    #: Members of an XLSX zip.
    xlsx_members: int = 1_000
    #: Declared uncompressed size of one XLSX member.
    xlsx_member_bytes: int = 1024 * _MIB
    #: Declared uncompressed size of all XLSX members.
    xlsx_total_bytes: int = 2048 * _MIB
    #: Uncompressed ÷ compressed size of one member, for members of at least
    #: ``ratio_floor`` bytes (real sheets compress 5-30 times; bombs, thousands).
    xlsx_ratio: int = 100
    ratio_floor: int = 1 * _MIB


#: For every read, the CLI's included.
ROSTER_LIMITS: Final = RosterLimits()

#: For a roster uploaded to the desk (a person's batch, parsed on a shared server).
DESK_LIMITS: Final = RosterLimits(
    file_bytes=20 * _MIB,
    rows=100_000,
    columns=500,
    cells=5_000_000,
    xlsx_members=200,
    xlsx_member_bytes=200 * _MIB,
    xlsx_total_bytes=256 * _MIB,
)


def limit_error(source: str, limit: str, found: object, maximum: object) -> RosterError:
    """A refusal naming ``limit``, the value ``found`` and the limit's value."""
    assert limit in LIMIT_NAMES, limit
    params = {"source": source, "limit": limit, "found": str(found), "maximum": str(maximum)}
    return RosterError([Problem(code="limit_exceeded", params=params)], source=source)


def check_shape(source: str, limits: RosterLimits, *, rows: int, columns: int) -> None:
    """Refuse a table of more ``rows``, ``columns`` or cells than the limits allow."""
    if rows > limits.rows:
        raise limit_error(source, "rows", rows, limits.rows)
    if columns > limits.columns:
        raise limit_error(source, "columns", columns, limits.columns)
    if rows * columns > limits.cells:
        raise limit_error(source, "cells", rows * columns, limits.cells)


def check_cell(source: str, limits: RosterLimits, value: object) -> None:
    """Refuse a text cell longer than the limit."""
    if isinstance(value, str) and len(value) > limits.cell_chars:
        raise limit_error(source, "cell_chars", len(value), limits.cell_chars)


def check_file(path: Path, kind: str, source: str, limits: RosterLimits) -> None:
    """The checks that need no parsing: the file's size, and for XLSX its zip and sheets."""
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise limit_error(source, "file_bytes", size, limits.file_bytes)
    if kind == "xlsx":
        _check_xlsx(path, source, limits)


# -- XLSX --------------------------------------------------------------------------------

_NAME: Final = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW: Final = re.compile(rb"<" + _NAME + rb"row(?=[\s/>])")
_ROW_REF: Final = re.compile(rb"<" + _NAME + rb'row\s[^>]*?\br="(\d+)"')
# Only references of three letters or more (column 703 on) are looked at here, which is
# cheap; a narrower row is bounded by 702 columns, and the reader counts it exactly.
_WIDE_REF: Final = re.compile(rb'\br="([A-Z]{3,})\d+"')
_DIMENSION: Final = re.compile(
    rb"<" + _NAME + rb'dimension\s[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"'
)
_CHUNK: Final = 1 << 20
_TAIL: Final = 256


def _count(data: bytes, tag: bytes) -> int:
    """Start tags ``<tag`` (or ``<x:tag``) in ``data``, counted at C speed."""
    return sum(
        data.count(opening + tag + end) for opening in (b"<", b":") for end in (b" ", b">", b"/")
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _check_xlsx(path: Path, source: str, limits: RosterLimits) -> None:
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader explains
    with book:
        members = book.infolist()
        if len(members) > limits.xlsx_members:
            raise limit_error(source, "xlsx_members", len(members), limits.xlsx_members)
        total = 0
        for info in members:
            if info.file_size > limits.xlsx_member_bytes:
                raise limit_error(
                    source, "xlsx_member_bytes", info.file_size, limits.xlsx_member_bytes
                )
            total += info.file_size
            if total > limits.xlsx_total_bytes:
                raise limit_error(source, "xlsx_total_bytes", total, limits.xlsx_total_bytes)
            if info.file_size >= limits.ratio_floor:
                ratio = info.file_size // max(info.compress_size, 1)
                if ratio > limits.xlsx_ratio:
                    raise limit_error(source, "xlsx_ratio", ratio, limits.xlsx_ratio)
        for info in members:
            name = info.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _scan_sheet(book, info, source, limits)
            elif name.endswith("sharedstrings.xml"):
                _scan_shared(book, info, source, limits)


class _Stream:
    """A member's bytes in chunks, each ending at a tag's start (the rest carried over)."""

    def __init__(self, book: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self.book, self.info = book, info

    def __iter__(self) -> Iterator[bytes]:
        carry = b""
        try:
            with self.book.open(self.info) as fh:
                while chunk := fh.read(_CHUNK):
                    data = carry + chunk
                    cut = data.rfind(b"<")
                    if cut <= 0 or len(data) - cut > _TAIL:
                        cut = len(data)
                    carry = data[cut:]
                    yield data[:cut]
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            return  # damaged or encrypted: the reader explains
        if carry:
            yield carry


def _scan_sheet(
    book: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limits: RosterLimits
) -> None:
    """Rows, cells per row, cells and the declared dimension of one worksheet."""
    rows = cells = in_row = 0
    seen_dimension = False
    for data in _Stream(book, info):
        if not seen_dimension:
            found = _DIMENSION.search(data)
            if found is not None:
                seen_dimension = True
                _check_dimension(found, source, limits)
        parts = _ROW.split(data)
        for i, part in enumerate(parts):
            if i > 0:  # a new row begins
                rows += 1
                in_row = 0
            n = _count(part, b"c")
            in_row += n
            cells += n
            if in_row > limits.columns:
                raise limit_error(source, "columns", in_row, limits.columns)
        if rows > limits.rows:
            raise limit_error(source, "rows", rows, limits.rows)
        if cells > limits.cells:
            raise limit_error(source, "cells", cells, limits.cells)
        for ref in _ROW_REF.findall(data):
            if int(ref) > limits.rows:
                raise limit_error(source, "rows", int(ref), limits.rows)
        for letters in _WIDE_REF.findall(data):
            column = _column_number(letters)
            if column > limits.columns:
                raise limit_error(source, "columns", column, limits.columns)


def _check_dimension(found: re.Match[bytes], source: str, limits: RosterLimits) -> None:
    first_col, first_row, last_col, last_row = found.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    rows = int(last_row) - int(first_row) + 1
    columns = _column_number(last_col) - _column_number(first_col) + 1
    shown = found.group(0).split(b'ref="', 1)[1].rstrip(b'"').decode("ascii")
    if rows > limits.rows or columns > limits.columns or rows * columns > limits.cells:
        maximum = f"{limits.rows} × {limits.columns}, {limits.cells} cells"
        raise limit_error(source, "xlsx_dimension", shown, maximum)


def _scan_shared(
    book: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limits: RosterLimits
) -> None:
    """No more shared strings than a sheet may have cells."""
    count = 0
    for data in _Stream(book, info):
        count += _count(data, b"si")
        if count > limits.cells:
            raise limit_error(source, "shared_strings", count, limits.cells)
