"""Cell parsing: one raw cell of any format to one typed fact.

A raw cell is what a reader found: ``str`` (CSV, text cells), ``int``,
``float``, ``bool``, ``datetime.date``/``datetime.datetime`` (Excel date
cells, Parquet), a ``list`` (JSON or Parquet activities) or ``None``.
Each parser returns ``None`` for a blank cell (blank means "not known") and
raises :class:`CellError` with one or more ``(code, params)`` issues when the
cell cannot be read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final

from visadesk.roster.choices import lookup
from visadesk.roster.places import country_code, state_code
from visadesk.roster.schema import ACTIVITY_CODES, Column, ColumnType, FactValue

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "CellError",
    "activity_tokens",
    "cell_text",
    "is_blank",
    "parse_activities",
    "parse_bool",
    "parse_cell",
    "parse_countries",
    "parse_country",
    "parse_date",
    "parse_enum",
    "parse_int",
    "parse_number",
    "parse_state",
    "parse_text",
]

#: Spellings of yes and no, compared case-insensitively after trimming.
TRUE_WORDS: Final = frozenset({"yes", "y", "true", "t", "1", "o", "○", "◯", "예", "네", "ㅇ"})
FALSE_WORDS: Final = frozenset({"no", "n", "false", "f", "0", "x", "×", "아니오", "아니요", "아니"})

#: Excel's largest date serial (9999-12-31).
_MAX_SERIAL: Final = 2_958_465
_EPOCH_1900: Final = dt.date(1899, 12, 30)
_EPOCH_1904: Final = dt.date(1904, 1, 1)

# The time part some tools append to a date: "2026-03-02 00:00:00", "...T09:30Z".
_TIME: Final = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_PATTERNS: Final = (
    # 2026-03-02, 2026.03.02, 2026/03/02, 2026. 3. 2. (Korean Excel), with one separator
    re.compile(r"(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})\s*\.?" + _TIME),
    # 2026년 3월 2일
    re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"),
    # 20260302
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_INTEGER: Final = re.compile(r"[+-]?\d+(?:\.0*)?")
_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SEPARATORS: Final = re.compile(r"[;,\n\r]+")


class CellError(Exception):
    """A cell that cannot be read; ``issues`` are ``(code, params)`` pairs."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.issues: list[tuple[str, dict[str, str]]] = [(code, params)]

    @classmethod
    def of(cls, issues: list[tuple[str, dict[str, str]]]) -> CellError:
        error = cls(issues[0][0], **issues[0][1])
        error.issues = list(issues)
        return error


def _plain_number(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def cell_text(cell: object) -> str | None:
    """A raw cell as trimmed text; ``None`` when blank.

    Integral floats lose their ``.0`` (Excel stores ``1001`` as ``1001.0``), dates
    become ISO text, lists are joined with ``;``.
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, bool):
        text = "true" if cell else "false"
    elif isinstance(cell, float):
        text = _plain_number(cell)
    elif isinstance(cell, dt.datetime):
        text = cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    elif isinstance(cell, dt.date):
        text = cell.isoformat()
    elif isinstance(cell, list | tuple):
        text = "; ".join(t for t in (cell_text(item) for item in cell) if t)
    else:
        text = str(cell).strip()
    return text or None


def is_blank(cell: object) -> bool:
    """Whether a cell says nothing (``None``, empty or spaces, NaN, empty list)."""
    return cell_text(cell) is None


def _word(text: str) -> str:
    """Lower-case, NFKC, spaces and hyphens as underscores: ``"Home Employer"``."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s\-]+", "_", folded)


def parse_text(cell: object) -> str | None:
    """Trimmed text in Unicode NFC; ``None`` when blank."""
    if isinstance(cell, list | tuple | dict):
        raise CellError("bad_cell", found=type(cell).__name__)
    text = cell_text(cell)
    return None if text is None else unicodedata.normalize("NFC", text)


def _float(number: int | float | Decimal, code: str) -> float:
    try:
        return float(number)
    except (OverflowError, ValueError):  # 10**400; Decimal("sNaN")
        raise CellError(code) from None


def _date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError("impossible_date") from None


def _serial(value: float, *, date1904: bool) -> dt.date:
    if value.is_integer() and 10_000_101 <= value <= 99_991_231:
        digits = str(int(value))
        return _date(digits[:4], digits[4:6], digits[6:])
    if not 1 <= value <= _MAX_SERIAL:
        raise CellError("bad_date")
    days = math.floor(value)
    if date1904:
        return _EPOCH_1904 + dt.timedelta(days=days)
    if days < 60:  # Excel counts a 29 February 1900 that never was
        days += 1
    return _EPOCH_1900 + dt.timedelta(days=days)


def parse_date(cell: object, *, date1904: bool = False) -> dt.date | None:
    """A date: ISO text, ``2026.03.02``, ``2026/03/02``, an Excel date or serial number.

    Numbers are Excel serial numbers (``46083`` is 2026-03-02), or ``YYYYMMDD``
    when they have eight digits. An impossible date (2026-02-30) is
    ``impossible_date``; anything else that is not a date is ``bad_date``.
    """
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        number = _float(cell, "bad_date")
        return None if math.isnan(number) else _serial(number, date1904=date1904)
    text = cell_text(cell)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            groups = [g for g in match.groups() if g not in {"-", ".", "/"}]
            return _date(groups[0], groups[1], groups[2])
    raise CellError("bad_date")


def parse_bool(cell: object) -> bool | None:
    """Yes or no: yes/no, Y/N, 예/아니오, 네/아니요, true/false, O/X, 1/0."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    text = cell_text(cell)
    if text is None:
        return None
    word = unicodedata.normalize("NFKC", text).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("bad_bool")


def parse_int(cell: object) -> int | None:
    """A whole number: ``12``, ``"12"``, ``"12.0"``, ``12.0``; not ``12.5``."""
    if isinstance(cell, bool):
        raise CellError("bad_integer")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float | Decimal):
        if isinstance(cell, float) and math.isnan(cell):
            return None
        if not math.isfinite(cell) or cell != int(cell):
            raise CellError("bad_integer")
        return int(cell)
    text = cell_text(cell)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    if not _INTEGER.fullmatch(text):
        raise CellError("bad_integer")
    return int(text.split(".")[0])


def parse_number(cell: object) -> float | None:
    """A number: ``51``, ``"51.5"``, ``"51.5%"`` (the percent sign is dropped)."""
    if isinstance(cell, bool):
        raise CellError("bad_number")
    if isinstance(cell, int | float | Decimal):
        number = _float(cell, "bad_number")
        if math.isnan(number):
            return None
        if not math.isfinite(number):
            raise CellError("bad_number")
        return number
    text = cell_text(cell)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).removesuffix("%").strip()
    if not _NUMBER.fullmatch(text):
        raise CellError("bad_number")
    number = float(text)
    if not math.isfinite(number):
        raise CellError("bad_number")
    return number


def _looked_up(cell: object, lookup: Callable[[str], str | None], error: str) -> str | None:
    """The code ``lookup`` finds for the cell's text; :class:`CellError` ``error`` if none."""
    text = parse_text(cell)
    if text is None:
        return None
    code = lookup(text)
    if code is None:
        raise CellError(error)
    return code


def parse_country(cell: object) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code (``KR``, ``KOR``) or a name (``대한민국``)."""
    return _looked_up(cell, country_code, "unknown_country")


def parse_countries(cell: object) -> str | None:
    """Countries separated by ``;`` (or ``,`` or new lines): ISO codes, sorted, joined by ``;``.

    Each entry is read as :func:`parse_country` reads one; any unknown entry refuses the cell.
    """
    text = cell_text(cell)
    if text is None:
        return None
    codes = set()
    for token in _SEPARATORS.split(text):
        if token.strip():
            code = country_code(parse_text(token) or "")
            if code is None:
                raise CellError("unknown_country")
            codes.add(code)
    return ";".join(sorted(codes)) or None


def parse_state(cell: object) -> str | None:
    """A US state, DC or territory as its two-letter code (``GA``; ``Georgia`` accepted)."""
    return _looked_up(cell, state_code, "bad_state")


def parse_enum(cell: object, choices: tuple[str, ...], column: str | None = None) -> str | None:
    """One of ``choices``: a code, or (given the ``column``) a label the app shows for it.

    Codes compare lower-case with spaces and hyphens as ``_``; labels as
    :func:`visadesk.roster.choices.lookup` compares them (any case, spaces and
    middle dots ignored). The error's ``allowed`` lists the codes; a message names
    them with their labels in the reader's language.
    """
    text = parse_text(cell)
    if text is None:
        return None
    word = _word(text)
    if word in choices:
        return word
    code = lookup(column, text) if column is not None else None
    if code is None or code not in choices:
        raise CellError("unknown_choice", allowed=", ".join(choices))
    return code


#: What separates activities: ``;`` (the contract), new lines, and commas between them.
_ACTIVITY_LISTS: Final = re.compile(r"[;\uff1b\n\r]+")
_ACTIVITY_COMMAS: Final = re.compile(r"[,\uff0c\u3001]")


def _activity(typed: str) -> str | None:
    word = _word(typed)
    return word if word in ACTIVITY_CODES else lookup("activities", typed)


def activity_tokens(text: str) -> list[tuple[str, str | None]]:
    """Each activity as typed with its code (``None``: unknown), in cell order.

    A label may hold commas (``conferences, seminars, trade shows``): between two
    ``;`` the longest run of comma-separated pieces that names an activity wins.
    """
    tokens: list[tuple[str, str | None]] = []
    for segment in _ACTIVITY_LISTS.split(text):
        parts = _ACTIVITY_COMMAS.split(segment)
        i = 0
        while i < len(parts):
            if not parts[i].strip():
                i += 1
                continue
            for j in range(len(parts), i, -1):
                typed = ",".join(parts[i:j]).strip()
                code = _activity(typed)
                if code is not None:
                    tokens.append((typed, code))
                    i = j
                    break
            else:
                tokens.append((parts[i].strip(), None))
                i += 1
    return tokens


def parse_activities(cell: object) -> tuple[str, ...] | None:
    """Activities separated by ``;`` (or ``,`` or new lines), in contract order.

    Each is a code or a label the app shows for it, in English or Korean
    (``설비 설치·시운전``). Every unknown activity is its own issue, named as typed;
    a cell with separators only is ``no_activity``.
    """
    text = cell_text(cell)
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text)
    tokens = activity_tokens(text)
    if not tokens:
        raise CellError("no_activity", allowed=", ".join(ACTIVITY_CODES))
    unknown = list(dict.fromkeys(typed for typed, code in tokens if code is None))
    if unknown:
        allowed = ", ".join(ACTIVITY_CODES)
        raise CellError.of(
            [("unknown_activity", {"activity": w, "allowed": allowed}) for w in unknown]
        )
    found = {code for _, code in tokens}
    return tuple(code for code in ACTIVITY_CODES if code in found)


_PARSERS: Final[dict[ColumnType, Callable[[object], FactValue]]] = {
    ColumnType.TEXT: parse_text,
    ColumnType.BOOL: parse_bool,
    ColumnType.INT: parse_int,
    ColumnType.NUMBER: parse_number,
    ColumnType.COUNTRY: parse_country,
    ColumnType.COUNTRIES: parse_countries,
}


def parse_cell(column: Column, cell: object, *, date1904: bool = False) -> FactValue:
    """The fact in ``cell`` for ``column``; ``None`` when blank."""
    if column.type is ColumnType.ACTIVITIES:
        return parse_activities(cell)
    if column.type is ColumnType.COUNTRIES and isinstance(cell, list | tuple):
        return parse_countries(cell)  # a JSON or Parquet list of countries
    if isinstance(cell, list | tuple | Mapping):
        raise CellError("bad_cell", found=type(cell).__name__)
    if column.name == "site_state":
        return parse_state(cell)
    if column.type is ColumnType.DATE:
        return parse_date(cell, date1904=date1904)
    if column.type is ColumnType.ENUM:
        return parse_enum(cell, column.choices, column.name)
    return _PARSERS[column.type](cell)
