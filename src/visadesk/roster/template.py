"""A blank roster to fill in: an XLSX workbook generated from the roster contract.

Everything in it comes from one source: the columns, their types, required
flags and allowed values from :mod:`visadesk.roster.schema`; the headers, the
drop-down values and the guide's words from the message catalogs (the labels
the app shows, which the reader accepts back). The workbook has

- the roster sheet: one localised header per contract column (bold, required
  columns highlighted, frozen), example rows, and a drop-down list on every
  enumerated and yes/no column (activities take several, so their list is a
  suggestion and any text separated by ``;`` may be typed);
- the guide sheet: every column with its name, English and Korean names,
  required or optional, type, allowed values and description, and the notice
  that the screening is guidance, not legal advice;
- a hidden sheet holding the drop-down lists.

Filled with its own example rows it reads back with no problem, in either
language (``tests/roster/test_template.py``).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Final

from visadesk.i18n import normalize_lang, t
from visadesk.roster.choices import choice_label, codes_of, enumerated
from visadesk.roster.schema import COLUMNS, Column, ColumnType, FactValue
from visadesk.safecells import neutralise_workbook

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["EXAMPLE_ROWS", "TEMPLATE_ROWS", "example_rows", "template_filename", "template_xlsx"]

#: How many rows of the roster sheet carry the drop-down lists.
TEMPLATE_ROWS: Final = 1000
#: Example trips (codes; the sheet shows the labels). Days count from ``start``.
EXAMPLE_ROWS: Final[tuple[dict[str, FactValue], ...]] = (
    {
        "worker_id": "EX-001",
        "family_name": "KIM",
        "given_name": "MINSU",
        "name_ko": "김민수",
        "nationality": "KR",
        "employer": "Example Battery Co.",
        "employer_nationality": "KR",
        "sponsor": "Example Battery Co.",
        "project": "Example plant",
        "site_state": "GA",
        "sector": "batteries",
        "activities": ("install_equipment", "train_us_workers"),
        "role": "technician",
        "paid_by": "home_employer",
        "degree": "bachelor",
        "specialized_knowledge": True,
        "equipment_from_abroad": True,
        "contract_requires_service": True,
        "prior_visa_refusal": False,
    },
    {
        "worker_id": "EX-002",
        "family_name": "LEE",
        "given_name": "SEOYEON",
        "name_ko": "이서연",
        "nationality": "KR",
        "employer": "Example Battery Co.",
        "sponsor": "Example Battery Co.",
        "project": "Example plant",
        "site_state": "GA",
        "sector": "batteries",
        "activities": ("meetings", "negotiation"),
        "role": "manager",
        "paid_by": "home_employer",
        "degree": "master",
        "prior_visa_refusal": False,
    },
    {
        "worker_id": "EX-003",
        "family_name": "PARK",
        "given_name": "JIHO",
        "name_ko": "박지호",
        "nationality": "KR",
        "employer": "Example Construction Co.",
        "sponsor": "Example Battery Co.",
        "project": "Example plant",
        "site_state": "GA",
        "sector": "batteries",
        "activities": ("supervise_construction",),
        "role": "specialist",
        "paid_by": "mixed",
        "degree": "none",
        "us_entity_affiliated": False,
    },
)
_TRIPS: Final = ((60, 80), (60, 70), (75, 120))  # days from ``start``: first and last day

_HEADER_FILL: Final = "DCE6F1"
_REQUIRED_FILL: Final = "FCE4D6"
_TYPE_KEYS: Final = {
    kind: f"roster_input.template.type.{kind.value.replace('/', '_')}" for kind in ColumnType
}


def template_filename(lang: str) -> str:
    """The file name a download of the template carries."""
    return f"visadesk-roster-template-{normalize_lang(lang)}.xlsx"


def example_rows(start: dt.date) -> list[dict[str, FactValue]]:
    """The example trips as facts (codes), their dates counted from ``start``."""
    rows = []
    for facts, (first, last) in zip(EXAMPLE_ROWS, _TRIPS, strict=True):
        row = dict(facts)
        row["trip_start"] = start + dt.timedelta(days=first)
        row["trip_end"] = start + dt.timedelta(days=last)
        rows.append(row)
    return rows


def _shown(column: Column, value: FactValue, lang: str) -> str | int | float | dt.date | None:
    """A fact as the template shows it: labels for enumerated values, dates as dates."""
    if isinstance(value, bool):
        return choice_label(column.name, "yes" if value else "no", lang)
    if isinstance(value, tuple):
        return "; ".join(choice_label(column.name, code, lang) for code in value)
    if isinstance(value, str) and column.type is ColumnType.ENUM:
        return choice_label(column.name, value, lang)
    return value


def _choices(column: Column, lang: str) -> list[str]:
    return [choice_label(column.name, code, lang) for code in codes_of(column.name)]


_ALLOWED_KEYS: Final = {
    ColumnType.DATE: "roster_input.template.allowed.date",
    ColumnType.COUNTRY: "roster_input.template.allowed.country",
    ColumnType.COUNTRIES: "roster_input.template.allowed.countries",
}


def _allowed(column: Column, lang: str) -> str:
    """The guide's "allowed values" cell for ``column``."""
    if enumerated(column.name):
        return "\n".join(
            f"{choice_label(column.name, code, lang)} ({code})" for code in codes_of(column.name)
        )
    if column.name == "site_state":
        return t("roster_input.template.allowed.state", lang)
    if column.type in _ALLOWED_KEYS:
        return t(_ALLOWED_KEYS[column.type], lang)
    if column.minimum is not None and column.maximum is not None:
        low, high = f"{column.minimum:g}", f"{column.maximum:g}"
        return t("roster_input.template.allowed.range", lang, minimum=low, maximum=high)
    return ""


def _roster_sheet(sheet: Worksheet, lang: str, start: dt.date) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        header = t(f"roster_input.column.{column.name}", lang)
        cell = sheet.cell(row=1, column=index, value=header)
        cell.data_type = "s"
        cell.font = bold
        fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.alignment = Alignment(vertical="center")
        width = {ColumnType.ACTIVITIES: 34, ColumnType.TEXT: 22}.get(column.type, 16)
        sheet.column_dimensions[get_column_letter(index)].width = max(width, len(header) + 4)
    for number, facts in enumerate(example_rows(start), start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = facts.get(column.name)
            if value is None:
                continue
            cell = sheet.cell(row=number, column=index, value=_shown(column, value, lang))
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"


def _lists(book_sheet: Worksheet, sheet: Worksheet, lang: str) -> None:
    """The hidden lists and a drop-down on every enumerated column of ``sheet``."""
    from openpyxl.utils import get_column_letter, quote_sheetname  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    at = 0
    for index, column in enumerate(COLUMNS, start=1):
        if not enumerated(column.name):
            continue
        at += 1
        values = _choices(column, lang)
        list_letter = get_column_letter(at)
        book_sheet.cell(row=1, column=at, value=t(f"roster_input.column.{column.name}", lang))
        for row, value in enumerate(values, start=2):
            book_sheet.cell(row=row, column=at, value=value).data_type = "s"
        last = len(values) + 1
        source = f"{quote_sheetname(book_sheet.title)}!${list_letter}$2:${list_letter}${last}"
        several = column.type is ColumnType.ACTIVITIES
        validation = DataValidation(
            type="list",
            formula1=f"={source}",
            allow_blank=True,
            # Several activities are typed with ";": the list suggests, it does not refuse.
            showErrorMessage=not several,
            showInputMessage=several,
            errorTitle=t("roster_input.template.pick.title", lang),
            error=t("roster_input.template.pick.error", lang),
            promptTitle=t(f"roster_input.column.{column.name}", lang) if several else None,
            prompt=t("roster_input.template.pick.activities", lang) if several else None,
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)


def _guide_sheet(sheet: Worksheet, lang: str, roster_title: str) -> None:
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415
    from openpyxl.worksheet.properties import PageSetupProperties  # noqa: PLC0415

    sheet.cell(row=1, column=1, value=t("roster_input.template.guide.title", lang)).font = Font(
        bold=True, size=14
    )
    sheet.cell(row=2, column=1, value=t("roster_input.template.guide.notice", lang)).font = Font(
        bold=True
    )
    examples = t("roster_input.template.guide.examples", lang, sheet=roster_title)
    sheet.cell(row=3, column=1, value=examples)
    heads = ("name", "label_en", "label_ko", "required", "type", "allowed", "description")
    widths = (32, 30, 24, 10, 18, 44, 70)
    header_row = 5
    for index, (key, width) in enumerate(zip(heads, widths, strict=True), start=1):
        title = t(f"roster_input.template.guide.{key}", lang)
        cell = sheet.cell(row=header_row, column=index, value=title)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, column in enumerate(COLUMNS, start=header_row + 1):
        required = "required" if column.required else "optional"
        values = (
            column.name,
            t(f"roster_input.column.{column.name}", "en"),
            t(f"roster_input.column.{column.name}", "ko"),
            t(f"roster_input.template.{required}", lang),
            t(_TYPE_KEYS[column.type], lang),
            _allowed(column, lang),
            t(f"roster_input.column_help.{column.name}", lang),
        )
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=index, value=value)
            cell.data_type = "s"
            cell.alignment = wrap
            if index == 1 and column.required:
                cell.font = Font(bold=True)
        # wrapped cells get the height of their lines (not every reader measures them)
        lines = max(values[5].count("\n") + 1, len(values[6]) // 60 + 1)
        sheet.row_dimensions[number].height = 16 * lines + 3
    sheet.freeze_panes = f"A{header_row + 1}"
    # printed: landscape, every column on the page's width, the header on every page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"


def template_xlsx(lang: str, *, start: dt.date | None = None) -> bytes:
    """The roster template in ``lang`` (``en`` or ``ko``), as XLSX bytes.

    ``start``: the day the example trips count from (default today): they start
    about two months later.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - loaded on demand

    lang = normalize_lang(lang)
    book = Workbook()
    roster = book.active
    assert roster is not None
    roster.title = t("roster_input.template.sheet.roster", lang)
    guide = book.create_sheet(t("roster_input.template.sheet.guide", lang))
    lists = book.create_sheet(t("roster_input.template.sheet.lists", lang))
    lists.sheet_state = "hidden"
    _roster_sheet(roster, lang, start or dt.date.today())
    _lists(lists, roster, lang)
    _guide_sheet(guide, lang, roster.title)
    neutralise_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
