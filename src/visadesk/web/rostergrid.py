"""Fixing a refused roster in the page.

When an upload is refused, the cells of the file are kept on the server
(encrypted with the desk's data key, for two hours, readable only by the user
who uploaded it) and the offending rows are shown in an editable grid. The
corrected grid comes back as form fields, the server rebuilds the whole
roster as CSV (every row, edited cells replaced) and runs the same upload.

Personal data stays out of the page: passport numbers and birth dates are
never written into the grid (a blank field keeps the stored value; typing
replaces it), and a column headed as a resident registration number is
dropped from the rebuilt roster (the desk refuses those numbers).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Final

from visadesk.desk.crypto import keyring
from visadesk.i18n import t
from visadesk.roster.choices import BOOL_CODES, choice_label, codes_of, enumerated, lookup
from visadesk.roster.limits import DESK_LIMITS, RosterLimits, check_file
from visadesk.roster.model import Problem
from visadesk.roster.parse import CellError, activity_tokens, cell_text, parse_bool
from visadesk.roster.read import _read_csv, _read_xlsx  # the reader's own cell reading
from visadesk.roster.schema import COLUMN_BY_NAME, ColumnType
from visadesk.roster.sensitive import is_rrn_header, mask_value, scrub
from visadesk.roster.validate import RawTable, canonical_column

__all__ = [
    "MAX_GRID_ROWS",
    "Grid",
    "GridView",
    "PendingStore",
    "apply_edits",
    "form_fields",
    "grid_view",
    "read_grid",
    "to_csv",
    "with_missing_columns",
]

#: The grid shows at most this many offending rows (the problems table lists all).
MAX_GRID_ROWS: Final = 200
PENDING_LIFETIME: Final = 2 * 3600
_PENDING_ID: Final = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_CELL_FIELD: Final = re.compile(r"^c\.(\d+)\.(\d+)$")


@dataclass
class Grid:
    """A roster's cells as text: headers, rows and their spreadsheet row numbers."""

    headers: list[str]
    rows: list[list[str]]
    numbers: list[int]

    def as_json(self) -> dict[str, Any]:
        return {"headers": self.headers, "rows": self.rows, "numbers": self.numbers}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Grid:
        return cls(list(data["headers"]), [list(r) for r in data["rows"]], list(data["numbers"]))

    def sensitive(self, index: int) -> bool:
        header = self.headers[index]
        column = COLUMN_BY_NAME.get(canonical_column(header) or "")
        return (column is not None and column.sensitive) or is_rrn_header(header)

    def rrn_column(self, index: int) -> bool:
        return is_rrn_header(self.headers[index])


def _text(cell: object) -> str:
    return cell_text(cell) or ""


def read_grid(data: bytes, filename: str) -> Grid | None:
    """The file's cells, or ``None`` when the file cannot be read as a table."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix in {".csv", ".xlsx"}:
            return _sheet(data, suffix, filename)
        if suffix == ".json":
            return _records(json.loads(data.decode("utf-8-sig")))
        if suffix == ".parquet":
            import polars as pl  # noqa: PLC0415 - loaded on demand

            return _records(pl.read_parquet(io.BytesIO(data)).rows(named=True))
    except Exception:  # a file the reader refused already; polars has its own errors
        return None
    return None


def _xlsx(path: Path, source: str, limits: RosterLimits) -> RawTable:
    return _read_xlsx(path, source, None, limits)


def _sheet(data: bytes, suffix: str, filename: str) -> Grid | None:
    with tempfile.TemporaryDirectory(prefix="visadesk-grid-") as folder:
        path = Path(folder) / f"roster{suffix}"
        path.write_bytes(data)
        # A file over the desk's limits is never parsed (check_file raises: no grid).
        check_file(path, suffix[1:], filename, DESK_LIMITS)
        read = _read_csv if suffix == ".csv" else _xlsx
        table = read(path, filename, DESK_LIMITS)
    if table.problems or not table.headers:
        return None
    return Grid(
        list(table.headers),
        [[_text(c) for c in cells] for _, cells in table.rows],
        [n for n, _ in table.rows],
    )


def _records(records: object) -> Grid | None:
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        return None
    headers: dict[str, None] = {}
    for record in records:
        headers.update(dict.fromkeys(str(k) for k in record))
    names = list(headers)
    rows = [[_text(record.get(h)) for h in names] for record in records]
    return Grid(names, rows, list(range(2, len(rows) + 2)))


def to_csv(grid: Grid) -> bytes:
    """The whole roster as UTF-8 CSV; columns headed as registration numbers are dropped."""
    keep = [i for i in range(len(grid.headers)) if not grid.rrn_column(i)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([grid.headers[i] for i in keep])
    for row in grid.rows:
        writer.writerow([row[i] if i < len(row) else "" for i in keep])
    return out.getvalue().encode("utf-8")


def with_missing_columns(grid: Grid, problems: Sequence[Problem]) -> Grid:
    """``grid`` with a blank column for every required column the roster lacks, so that
    the clerk can fill it in (the column is headed with its contract name)."""
    missing = [p.column for p in problems if p.code == "missing_column" and p.column]
    have = {canonical_column(h) for h in grid.headers}
    added = [name for name in dict.fromkeys(missing) if name not in have]
    if not added:
        return grid
    width = len(grid.headers)
    rows = [[*r, *[""] * (width - len(r)), *[""] * len(added)] for r in grid.rows]
    return Grid([*grid.headers, *added], rows, list(grid.numbers))


def form_fields(items: Sequence[tuple[str, object]]) -> dict[str, str]:
    """A posted form as one text per field: the several choices of a multiple select
    (activities) are joined with ``;``, as the roster writes them; files are dropped."""
    fields: dict[str, list[str]] = {}
    for name, value in items:
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return {name: "; ".join(v for v in values if v.strip()) for name, values in fields.items()}


def apply_edits(grid: Grid, form: Mapping[str, str]) -> Grid:
    """A copy of ``grid`` with the edited cells (fields ``c.<row index>.<column index>``).

    A blank field of a sensitive column keeps the stored value.
    """
    rows = [list(r) for r in grid.rows]
    for name, value in form.items():
        m = _CELL_FIELD.match(name)
        if m is None:
            continue
        r, c = int(m.group(1)), int(m.group(2))
        if r >= len(rows) or c >= len(grid.headers):
            continue
        text = value.strip()
        if grid.sensitive(c) and not text:
            continue
        row = rows[r]
        row.extend([""] * (c + 1 - len(row)))
        row[c] = text
    return Grid(list(grid.headers), rows, list(grid.numbers))


# -- what the page shows -----------------------------------------------------------------


@dataclass
class OptionView:
    value: str
    label: str
    selected: bool
    typed: bool = False  # the cell's own text, not an allowed value


@dataclass
class CellView:
    """One editable cell: ``kind`` is ``text``, ``choice`` (one of a list, yes/no
    included) or ``choices`` (several: activities), with its ``options``."""

    name: str
    value: str
    sensitive: bool
    placeholder: str
    problems: list[str] = field(default_factory=list)
    kind: str = "text"
    options: list[OptionView] = field(default_factory=list)


@dataclass
class RowView:
    index: int
    number: int
    cells: list[CellView]
    problems: list[str]


@dataclass
class GridView:
    """``order``: the column indices in display order (who the person is, then the
    columns with problems, then the rest); field names keep the file's indices.
    ``labels``: each column's name in the page's language (blank for a column the
    contract does not know); ``added``: the labels of the columns added because the
    roster lacked them."""

    headers: list[str]
    order: list[int]
    rows: list[RowView]
    hidden_rows: int
    rrn_columns: list[str]
    labels: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


_IDENTITY: Final = ("worker_id", "family_name", "given_name", "name_ko")
#: A refused choice, said briefly in a cell that offers the list of choices.
_PICK: Final = {
    "unknown_choice": "web.grid_input.pick",
    "unknown_activity": "web.grid_input.pick",
    "bad_bool": "web.grid_input.pick",
}


def _column_index(grid: Grid, problem: Problem) -> int | None:
    if problem.column is None:
        return None
    wanted = {problem.column, problem.params.get("header", "")}
    for i, header in enumerate(grid.headers):
        if header in wanted or canonical_column(header) == problem.column:
            return i
    return None


def _selected(column: str, raw: str) -> tuple[list[str], list[str]]:
    """The codes a cell's text names, and the parts of it that name none (as typed)."""
    text = raw.strip()
    if not text:
        return [], []
    if column == "activities":
        tokens = activity_tokens(text)
        return [c for _, c in tokens if c], [typed for typed, c in tokens if c is None]
    if COLUMN_BY_NAME[column].type is ColumnType.BOOL:
        try:
            value = parse_bool(text)
        except CellError:
            return [], [text]
        return ([BOOL_CODES[0] if value else BOOL_CODES[1]] if value is not None else []), []
    code = lookup(column, text)
    return ([code], []) if code in codes_of(column) else ([], [text])


def _choice_cell(cell: CellView, column: str, raw: str, lang: str) -> CellView:
    """``cell`` as a list of choices, labelled in ``lang``, the cell's value selected."""
    chosen, unknown = _selected(column, raw)
    several = column == "activities"
    options = [] if several else [OptionView("", t("web.grid_input.choose", lang), not chosen)]
    options += [
        OptionView(code, choice_label(column, code, lang), code in chosen)
        for code in codes_of(column)
    ]
    options += [
        OptionView(typed, t("web.grid_input.typed", lang, value=typed), True, typed=True)
        for typed in dict.fromkeys(unknown)
    ]
    cell.kind = "choices" if several else "choice"
    cell.options = options
    if not several and unknown:  # an unknown value is shown, selected, not the blank choice
        options[0].selected = False
    return cell


def grid_view(grid: Grid, problems: Sequence[Problem], lang: str) -> GridView | None:
    """The offending rows as editable cells, or ``None`` when no problem names a row.

    A required column the roster lacked (see :func:`with_missing_columns`) makes every
    row one to fix. Enumerated columns are lists of choices labelled in ``lang``.
    """
    by_number = {n: i for i, n in enumerate(grid.numbers)}
    cell_problems: dict[tuple[int, int], list[str]] = {}
    row_problems: dict[int, list[str]] = {}
    added: list[str] = []
    for p in problems:
        if p.code == "missing_column" and (column := _column_index(grid, p)) is not None:
            label = t(f"roster_input.column.{p.column}", lang)
            added.append(f"{label} ({p.column})")
            message = t("web.grid_input.fill", lang, column=label)
            for index in range(len(grid.rows)):
                row_problems.setdefault(index, []).append(message)
                cell_problems.setdefault((index, column), []).append(message)
            continue
        if p.row is None or p.row not in by_number:
            continue
        index = by_number[p.row]
        column = _column_index(grid, p)
        message = p.message(lang)
        row_problems.setdefault(index, []).append(message)
        if column is not None:
            # beside a list of choices, the cell need not list them again
            short = _PICK.get(p.code)
            typed = p.params.get("activity") or p.value or ""
            said = t(short, lang, value=typed) if short else message
            cell_problems.setdefault((index, column), []).append(said)
    if not row_problems:
        return None
    names = [canonical_column(h) for h in grid.headers]
    labels = [t(f"roster_input.column.{n}", lang) if n else "" for n in names]
    shown = sorted(row_problems)[:MAX_GRID_ROWS]
    rows = []
    for index in shown:
        cells = []
        for c, name in enumerate(names):
            raw = grid.rows[index][c] if c < len(grid.rows[index]) else ""
            sensitive = grid.sensitive(c)
            cell = CellView(
                name=f"c.{index}.{c}",
                value="" if sensitive else scrub(raw),
                sensitive=sensitive,
                placeholder=mask_value(raw) if sensitive and raw else "",
                problems=cell_problems.get((index, c), []),
            )
            if name is not None and not sensitive and enumerated(name):
                cell = _choice_cell(cell, name, scrub(raw), lang)
            cells.append(cell)
        rows.append(RowView(index, grid.numbers[index], cells, row_problems[index]))
    rrn = [h for i, h in enumerate(grid.headers) if grid.rrn_column(i)]
    identity = [i for name in _IDENTITY for i, n in enumerate(names) if n == name]
    bad = sorted({c for (r, c) in cell_problems if r in set(shown)} - set(identity))
    order = identity + bad
    order += [i for i in range(len(grid.headers)) if i not in set(order)]
    return GridView(
        list(grid.headers),
        order,
        rows,
        len(row_problems) - len(shown),
        rrn,
        labels=labels,
        added=added,
    )


# -- keeping the refused file between requests -------------------------------------------


class PendingStore:
    """Refused rosters awaiting correction, encrypted on disk, one file each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, pending_id: str) -> Path | None:
        if not _PENDING_ID.match(pending_id):
            return None
        return self.folder / f"{pending_id}.bin"

    def _sweep(self) -> None:
        cutoff = time.time() - PENDING_LIFETIME
        for old in self.folder.glob("*.bin"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
            except OSError:
                continue

    def save(self, grid: Grid, *, user_id: int, batch_id: int, filename: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._sweep()
        pending_id = secrets.token_urlsafe(24)
        payload = {
            "user": user_id,
            "batch": batch_id,
            "filename": PurePath(filename.replace("\\", "/")).name[:200] or "roster.csv",
            "at": time.time(),
            "grid": grid.as_json(),
        }
        token = keyring().encrypt(json.dumps(payload, ensure_ascii=False))
        path = self.folder / f"{pending_id}.bin"
        path.write_text(token, encoding="ascii")
        path.chmod(0o600)
        return pending_id

    def load(self, pending_id: str, *, user_id: int, batch_id: int) -> tuple[Grid, str] | None:
        path = self._path(pending_id)
        if path is None or not path.exists():
            return None
        try:
            payload = json.loads(keyring().decrypt(path.read_text(encoding="ascii")))
        except Exception:
            return None
        fresh = time.time() - float(payload.get("at", 0)) < PENDING_LIFETIME
        if payload.get("user") != user_id or payload.get("batch") != batch_id or not fresh:
            return None
        return Grid.from_json(payload["grid"]), str(payload["filename"])

    def drop(self, pending_id: str) -> None:
        path = self._path(pending_id)
        if path is not None:
            path.unlink(missing_ok=True)
