"""What reading a roster gives: rows of facts, or every problem found.

Row numbers are spreadsheet row numbers: the header is row 1 and the first data
row is row 2, as Excel shows them. JSON and Parquet rosters use the same
numbering: record 1 (the first object, or the first Parquet row) is row 2, so a
message reads the same whatever the format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from visadesk.i18n import t
from visadesk.roster.choices import allowed_text
from visadesk.roster.schema import COLUMN_BY_NAME, Facts
from visadesk.roster.sensitive import mask_value, scrub

__all__ = [
    "LIMIT_NAMES",
    "PROBLEM_CODES",
    "Problem",
    "Roster",
    "RosterError",
    "RosterRow",
    "message_keys",
]

#: Every problem code, stable ids that callers may match on.
PROBLEM_CODES: Final = (
    # the file
    "unsupported_format",
    "file_not_found",
    "unreadable_file",
    "bad_encoding",
    "sheet_not_found",
    "bad_json",
    "json_not_list",
    "json_row_not_object",
    "no_header",
    "no_rows",
    # the columns
    "missing_column",
    "duplicate_column",
    # the cells
    "blank_required",
    "bad_date",
    "impossible_date",
    "bad_bool",
    "bad_integer",
    "bad_number",
    "out_of_range",
    "unknown_country",
    "bad_state",
    "unknown_choice",
    "unknown_activity",
    "no_activity",
    "bad_cell",
    # across cells and rows
    "trip_end_before_start",
    "duplicate_worker_id",
    # a desk batch is for one project
    "project_mismatch",
    "cell_without_header",
    "control_character",
    # refusal
    "rrn_present",
    "limit_exceeded",
    # writing
    "cannot_encode",
)

#: Every limit a refusal can name (``Problem.params["limit"]``).
LIMIT_NAMES: Final = (
    "file_bytes",
    "rows",
    "columns",
    "cells",
    "cell_chars",
    "xlsx_members",
    "xlsx_member_bytes",
    "xlsx_total_bytes",
    "xlsx_ratio",
    "xlsx_dimension",
    "shared_strings",
    "time",
    "memory",
)

#: ``rrn_present`` reads differently when found by header, with or without values.
_RRN_VARIANTS: Final = ("header", "header_rows", "value")

_WHERE_KEYS: Final = ("roster.where.cell", "roster.where.row", "roster.where.column")
_HEADING_KEYS: Final = ("roster.error.heading.one", "roster.error.heading.other")
_UNNAMED_KEY: Final = "roster.error.unnamed"


def _problem_key(code: str, params: Mapping[str, str]) -> str:
    if code == "rrn_present":
        return f"roster.problem.rrn_present.{params.get('found_in', 'value')}"
    if code == "limit_exceeded":
        return f"roster.problem.limit_exceeded.{params.get('limit', 'file_bytes')}"
    return f"roster.problem.{code}"


def message_keys() -> tuple[str, ...]:
    """Every catalog key the roster package renders."""
    variants = {"rrn_present", "limit_exceeded"}
    keys = [f"roster.problem.{code}" for code in PROBLEM_CODES if code not in variants]
    keys += [f"roster.problem.rrn_present.{variant}" for variant in _RRN_VARIANTS]
    keys += [f"roster.problem.limit_exceeded.{name}" for name in LIMIT_NAMES]
    return (*keys, *_WHERE_KEYS, *_HEADING_KEYS, _UNNAMED_KEY)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with a roster.

    ``row`` is the spreadsheet row (header = 1, first data row = 2; JSON and
    Parquet record 1 = row 2), ``None`` for problems of the file or a column.
    ``column`` is the canonical column name (or, for an unknown column, its
    header as written). ``value`` is the raw cell as text: masked for sensitive
    columns, and never holding a resident registration number in full.
    ``params`` fill the message; ``params["header"]`` is the header as written
    when it differs from the canonical name.
    """

    code: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code!r}")
        value = self.value
        if value is not None:
            column = COLUMN_BY_NAME.get(self.column or "")
            # rrn_present values are masked already (``900101-*******``).
            sensitive = column is not None and column.sensitive and self.code != "rrn_present"
            value = mask_value(value) if sensitive else scrub(value)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "params", {k: scrub(str(v)) for k, v in self.params.items()})
        if self.column is not None:
            object.__setattr__(self, "column", scrub(self.column))

    def _column_label(self) -> str:
        header = self.params.get("header")
        if self.column is None:
            return ""
        if header and header != self.column:
            return f"{self.column} (“{header}”)"
        return self.column

    def message(self, lang: str = "en") -> str:
        """The problem in words, naming row, column, value and what was expected."""
        params = dict(self.params)
        if "allowed" in params and (labelled := allowed_text(self.column or "", lang)):
            params["allowed"] = labelled  # the codes with the labels the reader knows
        body = t(
            _problem_key(self.code, params),
            lang,
            **{**params, "value": self.value or "", "column": self.column or ""},
        )
        row = None if self.code == "rrn_present" else self.row
        column = self._column_label()
        if row is not None and column:
            where = t("roster.where.cell", lang, row=row, column=column)
        elif row is not None:
            where = t("roster.where.row", lang, row=row)
        elif column:
            where = t("roster.where.column", lang, column=column)
        else:
            return body
        return f"{where}: {body}"

    def __str__(self) -> str:
        return self.message("en")


class RosterError(ValueError):
    """A roster that cannot be used, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = None if source is None else scrub(source)
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        """A heading and one line per problem, in ``lang``."""
        count = len(self.problems)
        source = self.source or t(_UNNAMED_KEY, lang)
        key = _HEADING_KEYS[0] if count == 1 else _HEADING_KEYS[1]
        lines = [t(key, lang, source=source, count=count)]
        lines += [f"  - {problem.message(lang)}" for problem in self.problems]
        return "\n".join(lines)

    @property
    def codes(self) -> tuple[str, ...]:
        """The problem codes, in report order."""
        return tuple(problem.code for problem in self.problems)

    def __repr__(self) -> str:
        return f"RosterError(source={self.source!r}, codes={self.codes!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Pickle (e.g. across processes) by problems, not by the rendered text.
        return (_rebuild_error, (self.problems, self.source))


def _rebuild_error(problems: tuple[Problem, ...], source: str | None) -> RosterError:
    return RosterError(problems, source=source)


def _masked_facts(facts: Facts) -> dict[str, object]:
    shown: dict[str, object] = {}
    for name, value in facts.items():
        column = COLUMN_BY_NAME.get(name)
        if value is not None and column is not None and column.sensitive:
            text = value.isoformat() if hasattr(value, "isoformat") else str(value)
            shown[name] = mask_value(text)
        else:
            shown[name] = value
    return shown


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One data row: its spreadsheet row number and a value for every contract column.

    ``facts`` has exactly the canonical column names as keys, ``None`` for a
    blank or absent cell. Dates are ``datetime.date``, yes/no ``bool``,
    integers ``int``, numbers ``float``, activities a ``tuple[str, ...]`` in
    contract order, countries ISO alpha-2 codes, the rest ``str``.
    """

    row: int
    facts: Facts

    def __repr__(self) -> str:
        # Sensitive facts (passport number, birth date) are shown masked.
        return f"RosterRow(row={self.row}, facts={_masked_facts(self.facts)!r})"


@dataclass(frozen=True, slots=True)
class Roster:
    """A roster read and validated in full.

    ``columns`` are the canonical names of the contract columns the file had,
    in file order; ``ignored_columns`` the headers (as written) of the columns
    that are not part of the contract and were skipped.
    """

    rows: tuple[RosterRow, ...]
    source: str
    format: str
    columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.rows)
