"""Writing rosters: the same four formats the reader takes, written atomically.

What is written reads back to the same facts (the round-trip tests hold every
format to that). Every contract column is written, in contract order, with its
canonical name or, with ``korean_headers``, its first Korean alias.

- CSV: UTF-8 with BOM by default so Excel opens it right (``encoding="cp949"``
  for old Korean Excel); dates ISO, yes/no as ``yes``/``no`` (``예``/``아니오``
  with Korean headers), activities joined with ``;``.
- XLSX: dates as real Excel date cells (dates before 1900-03-01, which Excel
  cannot hold, as ISO text), integers and numbers as number cells, the rest as
  text cells (never formulas; formula-like text carries Excel's quote prefix).
- Parquet: typed columns (Date, Boolean, Int64, Float64, String, List[String]).
- JSON: a list of objects; dates ISO, activities a list of codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, cast

from visadesk.atomic import atomic_path
from visadesk.roster.model import Problem, RosterError
from visadesk.roster.read import FORMATS
from visadesk.roster.schema import COLUMN_BY_NAME, COLUMNS, Column, ColumnType, Facts, FactValue
from visadesk.safecells import neutralise_workbook

__all__ = ["header_for", "write_roster"]

_HANGUL: Final = re.compile(r"[\uac00-\ud7a3]")
#: Excel cannot hold dates before this one (its calendar has a false 1900-02-29).
_FIRST_EXCEL_DATE: Final = dt.date(1900, 3, 1)

_PYTHON_TYPES: Final[dict[ColumnType, tuple[type, ...]]] = {
    ColumnType.TEXT: (str,),
    ColumnType.COUNTRY: (str,),
    ColumnType.COUNTRIES: (str,),
    ColumnType.ENUM: (str,),
    ColumnType.DATE: (dt.date,),
    ColumnType.BOOL: (bool,),
    ColumnType.INT: (int,),
    ColumnType.NUMBER: (int, float),
    ColumnType.ACTIVITIES: (tuple,),
}


def header_for(column: Column, *, korean: bool = False) -> str:
    """The header written for ``column``: its name, or its first Korean alias."""
    if korean:
        for alias in column.aliases:
            if _HANGUL.search(alias):
                return alias
    return column.name


def _fact(number: int, column: Column, raw: object) -> FactValue:
    """One fact checked against its column type; lists become tuples, ints floats."""
    if isinstance(raw, list):
        raw = tuple(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if column.type is ColumnType.NUMBER and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    allowed = _PYTHON_TYPES[column.type]
    wrong_bool = isinstance(raw, bool) and bool not in allowed
    if raw is not None and (wrong_bool or not isinstance(raw, allowed)):
        raise TypeError(
            f"row {number}, {column.name}: expected {column.type.value}, got {type(raw).__name__}"
        )
    return cast(FactValue, raw)


def _checked(rows: Sequence[Mapping[str, object]]) -> list[list[FactValue]]:
    """Rows as lists in contract order; wrong keys or types are programming errors."""
    table: list[list[FactValue]] = []
    for number, facts in enumerate(rows, start=2):
        unknown = sorted(set(facts) - set(COLUMN_BY_NAME))
        if unknown:
            raise ValueError(f"row {number}: not roster columns: {', '.join(unknown)}")
        table.append([_fact(number, column, facts.get(column.name)) for column in COLUMNS])
    return table


_YES_NO: Final = {
    (True, False): "yes",
    (False, False): "no",
    (True, True): "예",
    (False, True): "아니오",
}


def _text(value: FactValue, *, korean: bool) -> str:
    if isinstance(value, bool):
        return _YES_NO[value, korean]
    if isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, tuple):
        text = ";".join(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = "" if value is None else str(value)
    return text


def _write_csv(
    table: list[list[FactValue]], path: Path, headers: list[str], *, korean: bool, encoding: str
) -> None:
    lines = [headers, *([_text(v, korean=korean) for v in row] for row in table)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        raise _unencodable(lines, encoding, str(path)) from None
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _unencodable(lines: list[list[str]], encoding: str, source: str) -> RosterError:
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        for index, text in enumerate(line):
            try:
                text.encode(encoding)
            except UnicodeEncodeError:
                column = COLUMNS[index].name
                params = {"encoding": encoding}
                problems.append(
                    Problem(
                        code="cannot_encode", row=number, column=column, value=text, params=params
                    )
                )
    return RosterError(problems, source=source)


def _write_xlsx(
    table: list[list[FactValue]], path: Path, headers: list[str], *, korean: bool
) -> None:
    # openpyxl and polars load on demand: importing them costs half a second.
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "명단" if korean else "roster"
    bold = Font(bold=True)
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.data_type = "s"
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    for number, row in enumerate(table, start=2):
        for index, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, dt.date) and value >= _FIRST_EXCEL_DATE:
                cell = sheet.cell(row=number, column=index, value=value)
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.cell(row=number, column=index, value=value)
            else:
                cell = sheet.cell(row=number, column=index, value=_text(value, korean=korean))
                cell.data_type = "s"  # text stays text, even "=1+1" or "#N/A"
    sheet.freeze_panes = "A2"
    neutralise_workbook(book)
    with atomic_path(path) as tmp:
        book.save(tmp)


def _write_parquet(table: list[list[FactValue]], path: Path, headers: list[str]) -> None:
    import polars as pl  # noqa: PLC0415

    dtypes: dict[ColumnType, pl.DataType] = {
        ColumnType.DATE: pl.Date(),
        ColumnType.BOOL: pl.Boolean(),
        ColumnType.INT: pl.Int64(),
        ColumnType.NUMBER: pl.Float64(),
        ColumnType.ACTIVITIES: pl.List(pl.String()),
    }
    data = {
        header: pl.Series(
            header,
            [list(v) if isinstance(v, tuple) else v for v in (row[i] for row in table)],
            dtype=dtypes.get(column.type, pl.String()),
        )
        for i, (header, column) in enumerate(zip(headers, COLUMNS, strict=True))
    }
    frame = pl.DataFrame(data)
    with atomic_path(path) as tmp:
        frame.write_parquet(tmp)


def _json_value(value: FactValue) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _write_json(table: list[list[FactValue]], path: Path, headers: list[str]) -> None:
    records = [{h: _json_value(v) for h, v in zip(headers, row, strict=True)} for row in table]
    text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_roster(
    roster_rows: Sequence[Facts] | Sequence[Mapping[str, object]],
    path: Path,
    *,
    korean_headers: bool = False,
    encoding: str = "utf-8-sig",
) -> None:
    """Write ``roster_rows`` to ``path`` in the format its extension names.

    ``encoding`` applies to CSV only (``"utf-8-sig"`` or ``"cp949"``); a value
    that ``cp949`` cannot hold raises :class:`RosterError` (``cannot_encode``)
    and nothing is written. Unknown keys or values of the wrong type raise
    ``ValueError``/``TypeError``.
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        params = {
            "source": str(path),
            "extension": path.suffix or path.name,
            "supported": ", ".join(FORMATS),
        }
        raise RosterError([Problem(code="unsupported_format", params=params)], source=str(path))
    table = _checked(roster_rows)
    headers = [header_for(column, korean=korean_headers) for column in COLUMNS]
    if kind == "csv":
        _write_csv(table, path, headers, korean=korean_headers, encoding=encoding)
    elif kind == "xlsx":
        _write_xlsx(table, path, headers, korean=korean_headers)
    elif kind == "parquet":
        _write_parquet(table, path, headers)
    else:
        _write_json(table, path, headers)
