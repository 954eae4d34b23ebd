"""Validation: a raw table of cells to a :class:`Roster`, or every problem in it.

Nothing stops at the first problem: the whole table is checked and a single
:class:`RosterError` lists what is wrong, so a sponsor can fix the file in one
go. A roster holding a Korean resident registration number (by its header, or
by a value in any cell, including columns that are otherwise ignored) is
refused as a whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from visadesk.i18n import LANGUAGES, catalog
from visadesk.roster.model import Problem, Roster, RosterError, RosterRow
from visadesk.roster.parse import CellError, cell_text, is_blank, parse_cell
from visadesk.roster.schema import COLUMN_BY_NAME, COLUMNS, Facts
from visadesk.roster.sensitive import compress_rows, find_rrn, header_key, is_rrn_header
from visadesk.safetext import codepoint, control_character, escaped

__all__ = ["HEADER_INDEX", "RawTable", "build_roster", "canonical_column", "roster_from_records"]

Cells = tuple[object, ...]


def _header_index() -> dict[str, str]:
    """Every header that names a column: its name, its aliases, and its labels as the app
    shows them (``roster_input.column.<name>`` in every language: the template's headers)."""
    index: dict[str, str] = {}
    for column in COLUMNS:
        labels = [catalog(lang).get(f"roster_input.column.{column.name}", "") for lang in LANGUAGES]
        for name in (column.name, *column.aliases, *filter(None, labels)):
            key = header_key(name)
            if index.setdefault(key, column.name) != column.name:
                raise ValueError(f"header {name!r} names both {index[key]} and {column.name}")
    return index


#: Normalised header (see ``header_key``) to canonical column name.
HEADER_INDEX: Final = _header_index()

#: How many leading rows may be titles above the header row of a sheet.
_MAX_TITLE_ROWS: Final = 10


def canonical_column(header: str) -> str | None:
    """The contract column a header names (canonical or alias, any case), or ``None``."""
    return HEADER_INDEX.get(header_key(header))


@dataclass(frozen=True, slots=True)
class RawTable:
    """Cells as a reader found them, before any parsing.

    ``rows`` pairs each data row's spreadsheet number with its cells, aligned
    with ``headers``. ``preamble`` holds rows above the header (title lines),
    scanned only for resident registration numbers. ``problems`` are those the
    reader already found (e.g. a JSON record that is not an object).
    """

    source: str
    format: str
    # Raw cells may hold what must never be shown (a registration number): no repr.
    headers: tuple[str, ...] = field(repr=False)
    rows: tuple[tuple[int, Cells], ...] = field(repr=False)
    header_row: int | None = 1
    preamble: tuple[tuple[int, Cells], ...] = field(default=(), repr=False)
    date1904: bool = False
    problems: tuple[Problem, ...] = field(default=())

    @classmethod
    def from_grid(
        cls, grid: Iterable[Cells], *, source: str, format: str, date1904: bool = False
    ) -> RawTable:
        """A table from sheet rows (row 1 first), finding the header row.

        The header is the first row naming at least two contract columns within
        the first rows (titles above it are skipped), else the first non-blank row.
        """
        numbered = [(n, row) for n, row in enumerate(grid, start=1) if any(map(_filled, row))]
        if not numbered:
            empty = Problem(code="no_header", params={"source": source})
            return cls(source, format, (), (), header_row=None, problems=(empty,))
        at = 0
        for i, (_, row) in enumerate(numbered[:_MAX_TITLE_ROWS]):
            texts = [cell_text(c) or "" for c in row]
            if sum(1 for x in texts if canonical_column(x) or is_rrn_header(x)) >= 2:
                at = i
                break
        header_row, header_cells = numbered[at]
        headers = tuple(cell_text(c) or "" for c in header_cells)
        width = max(len(headers), *(len(row) for _, row in numbered))
        headers += ("",) * (width - len(headers))
        rows = tuple(
            (n, tuple(row) + (None,) * (width - len(row))) for n, row in numbered[at + 1 :]
        )
        return cls(
            source,
            format,
            headers,
            rows,
            header_row=header_row,
            preamble=tuple(numbered[:at]),
            date1904=date1904,
        )


def _filled(cell: object) -> bool:
    return not is_blank(cell)


_JSON_TYPES: Final[dict[type, str]] = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "true/false",
    type(None): "null",
}


def roster_from_records(
    records: Sequence[object], *, source: str = "<records>", format: str = "records"
) -> Roster:
    """A roster from JSON-like records (objects keyed by column name or alias).

    Record 1 is row 2, as if the keys were a header row.
    """
    headers: dict[str, None] = {}
    problems: list[Problem] = []
    for number, record in enumerate(records, start=2):
        if isinstance(record, Mapping):
            headers.update(dict.fromkeys(str(key) for key in record))
        else:
            found = _JSON_TYPES.get(type(record), type(record).__name__)
            problems.append(
                Problem(code="json_row_not_object", row=number, params={"found": found})
            )
    names = tuple(headers)
    rows = tuple(
        (number, tuple(record.get(name) for name in names))
        for number, record in enumerate(records, start=2)
        if isinstance(record, Mapping)
    )
    rows = tuple((n, cells) for n, cells in rows if any(map(_filled, cells)))
    table = RawTable(source, format, names, rows, header_row=None, problems=tuple(problems))
    return build_roster(table)


def _problem(
    code: str, row: int | None, column: str, header: str, raw: object, **params: str
) -> Problem:
    if header_key(header) != header_key(column):
        params["header"] = header
    return Problem(code=code, row=row, column=column, value=cell_text(raw), params=params)


def _match_headers(table: RawTable, problems: list[Problem]) -> dict[str, int]:
    """Canonical column name to cell index; reports duplicate and missing columns."""
    found: dict[str, list[int]] = {}
    for index, header in enumerate(table.headers):
        name = canonical_column(header)
        if name is not None:
            found.setdefault(name, []).append(index)
    for name, indexes in found.items():
        if len(indexes) > 1:
            shown = ", ".join(f"“{table.headers[i]}”" for i in indexes)
            problems.append(
                Problem(code="duplicate_column", column=name, params={"headers": shown})
            )
    for column in COLUMNS:
        if column.required and column.name not in found:
            key = f"roster_input.column.{column.name}"
            labels = [catalog(lang).get(key, "") for lang in LANGUAGES]
            names: dict[str, str] = {}  # one spelling per header key
            for name in (column.name, *filter(None, labels), *column.aliases):
                names.setdefault(header_key(name), name)
            aliases = ", ".join(names.values())
            problems.append(
                Problem(code="missing_column", column=column.name, params={"aliases": aliases})
            )
    return {name: indexes[0] for name, indexes in found.items()}


def _column_label(table: RawTable, index: int, mapping: Mapping[str, int]) -> str:
    for name, at in mapping.items():
        if at == index:
            return name
    header = table.headers[index] if index < len(table.headers) else ""
    return header or f"#{index + 1}"


def _rrn_problems(table: RawTable, mapping: Mapping[str, int]) -> list[Problem]:
    """One ``rrn_present`` problem per column holding resident registration numbers."""
    by_header = {i for i, header in enumerate(table.headers) if is_rrn_header(header)}
    hits: dict[int, list[tuple[int, str]]] = {}
    header_line = (table.header_row or 1, table.headers)
    for number, cells in (*table.preamble, header_line, *table.rows):
        for index, cell in enumerate(cells):
            masked = find_rrn(cell)
            if masked is not None:
                hits.setdefault(index, []).append((number, masked))
    problems: list[Problem] = []
    for index in sorted(by_header | set(hits)):
        column = _column_label(table, index, mapping)
        rows = [n for n, _ in hits.get(index, [])]
        sample = hits[index][0][1] if index in hits else None
        if index in by_header:
            filled = [n for n, cells in table.rows if index < len(cells) and _filled(cells[index])]
            rows = sorted(set(rows) | set(filled))
            found_in = "header_rows" if rows else "header"
        else:
            found_in = "value"
        params = {"found_in": found_in, "rows": compress_rows(rows)}
        problems.append(Problem(code="rrn_present", column=column, value=sample, params=params))
    return problems


def _check_row(
    table: RawTable, number: int, cells: Cells, mapping: Mapping[str, int], problems: list[Problem]
) -> Facts:
    facts: Facts = {}
    for column in COLUMNS:
        index = mapping.get(column.name)
        raw = None if index is None else cells[index]
        header = "" if index is None else table.headers[index]
        if isinstance(raw, str) and (found := control_character(raw, multiline=True)):
            # NUL and other controls are refused (a line break inside a cell is fine); the
            # value is shown escaped and the cell is not parsed further.
            params = {"char": codepoint(found[1]), "position": str(found[0])}
            if header_key(header) != header_key(column.name):
                params["header"] = header
            problems.append(
                Problem(
                    code="control_character",
                    row=number,
                    column=column.name,
                    value=escaped(raw),
                    params=params,
                )
            )
            facts[column.name] = None
            continue
        try:
            value = parse_cell(column, raw, date1904=table.date1904)
        except CellError as error:
            for code, params in error.issues:
                problems.append(_problem(code, number, column.name, header, raw, **params))
            value = None
        else:
            if value is None and column.required and index is not None:
                problems.append(_problem("blank_required", number, column.name, header, raw))
            elif isinstance(value, int | float) and not isinstance(value, bool):
                low, high = column.minimum, column.maximum
                if (low is not None and value < low) or (high is not None and value > high):
                    bounds = {"minimum": _bound(low), "maximum": _bound(high)}
                    problems.append(
                        _problem("out_of_range", number, column.name, header, raw, **bounds)
                    )
        facts[column.name] = value
    start, end = facts["trip_start"], facts["trip_end"]
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        header = table.headers[mapping["trip_end"]]
        raw = cells[mapping["trip_end"]]
        problems.append(
            _problem(
                "trip_end_before_start", number, "trip_end", header, raw, start=start.isoformat()
            )
        )
    return facts


_COLUMN_ORDER: Final = {name: i for i, name in enumerate(COLUMN_BY_NAME)}


def _sort_key(problem: Problem) -> tuple[int, int, int]:
    column = _COLUMN_ORDER.get(problem.column or "", len(_COLUMN_ORDER))
    return (0 if problem.code == "rrn_present" else 1, problem.row or 0, column)


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def build_roster(table: RawTable) -> Roster:
    """Validate every cell of ``table``; the roster, or a RosterError listing all problems."""
    problems = list(table.problems)
    if not table.headers and not table.rows:
        if not problems:
            problems.append(Problem(code="no_rows", params={"source": table.source}))
        raise RosterError(problems, source=table.source)
    mapping = _match_headers(table, problems)
    problems.extend(_rrn_problems(table, mapping))
    if not table.rows:
        problems.append(Problem(code="no_rows", params={"source": table.source}))
    rows: list[RosterRow] = []
    seen_ids: dict[str, int] = {}
    unnamed = [i for i, h in enumerate(table.headers) if not h.strip()]
    for number, cells in table.rows:
        stray = [i for i in unnamed if _filled(cells[i])]
        if stray:
            # Data under no header is usually a stray quote or delimiter that shifted the
            # row: read on, and the rest of the row (or the next rows) would be lost. The
            # cells are not echoed: shifted data may be a passport number or a birth date.
            params = {"position": str(stray[0] + 1), "count": str(len(stray))}
            problems.append(Problem(code="cell_without_header", row=number, params=params))
        facts = _check_row(table, number, cells, mapping, problems)
        worker_id = facts["worker_id"]
        if isinstance(worker_id, str):
            first = seen_ids.setdefault(worker_id, number)
            if first != number:
                header = table.headers[mapping["worker_id"]]
                raw = cells[mapping["worker_id"]]
                problems.append(
                    _problem(
                        "duplicate_worker_id",
                        number,
                        "worker_id",
                        header,
                        raw,
                        first_row=str(first),
                    )
                )
        rows.append(RosterRow(number, facts))
    if problems:
        raise RosterError(sorted(problems, key=_sort_key), source=table.source)
    columns = tuple(sorted(mapping, key=mapping.__getitem__))
    ignored = tuple(h for i, h in enumerate(table.headers) if h and i not in mapping.values())
    return Roster(tuple(rows), table.source, table.format, columns, ignored)
