"""Spreadsheet cells that are never formulas: every export writer passes its values here.

A roster is written by people we do not control (a subcontractor's clerk), and
its text comes back to the sponsor and the desk inside our CSVs and workbooks.
Excel evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also
after leading blanks, and after a tab or carriage return), so such text would
run as a formula (``=HYPERLINK(...)``, DDE) on the reader's machine.

- XLSX: such text is written as a text cell with Excel's quote prefix, so
  Excel shows it literally and never evaluates it; the stored text is exact.
- CSV: such text is prefixed with a single quote ``'`` (OWASP's advice for CSV
  injection); Excel shows the text after the quote.

Numbers we compute are written as numbers (a negative number is not text and
stays a number). JSON output is not a spreadsheet and stays exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, TypeVar

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["csv_cell", "csv_row", "is_formula_like", "neutralise_workbook"]

_T = TypeVar("_T")

#: What starts a formula in Excel, LibreOffice or Google Sheets (fullwidth forms
#: too: an IME may turn them into the ASCII ones when the cell is edited).
_FORMULA_STARTS: Final = frozenset("=+-@＝＋－＠")
#: A cell starting with one of these can hide a formula behind it.
_CONTROL_STARTS: Final = frozenset("\t\r\n")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    if not text:
        return False
    if text[0] in _CONTROL_STARTS:
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in _FORMULA_STARTS


def csv_cell(value: _T) -> _T | str:
    """``value`` for a CSV cell: formula-like text gets a leading ``'``; the rest is unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """A whole CSV row through :func:`csv_cell`."""
    return [csv_cell(v) for v in values]


def neutralise_workbook(book: Workbook) -> None:
    """Make every formula-like cell of ``book`` a literal text cell; call before saving.

    openpyxl turns any string starting with ``=`` into a formula cell; this
    undoes that and marks the cell with Excel's quote prefix, so the text is
    kept exactly and shown as typed. Number and date cells are left alone.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or is_formula_like(value)):
                    cell.data_type = "s"
                    cell.quotePrefix = True
