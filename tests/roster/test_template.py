"""The roster template (XLSX), opened with openpyxl and read back by the roster reader.

Issue #12, section 2: headers the reader accepts, a drop-down list on every
enumerated column, a guide sheet with every column, example rows, a frozen header;
filled with its own examples it reads back with no problem, in both languages.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from visadesk.i18n import t
from visadesk.roster import read_roster
from visadesk.roster.choices import choice_label, codes_of, enumerated
from visadesk.roster.schema import COLUMNS, ColumnType
from visadesk.roster.template import EXAMPLE_ROWS, template_filename, template_xlsx
from visadesk.roster.validate import canonical_column

START = dt.date(2027, 1, 4)
LANGS = ["en", "ko"]


def _book(lang: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_xlsx(lang, start=START)))


def _save(lang: str, tmp_path: Path, book: openpyxl.Workbook | None = None) -> Path:
    path = tmp_path / template_filename(lang)
    if book is None:
        path.write_bytes(template_xlsx(lang, start=START))
    else:
        book.save(path)
    return path


def _starts(validation: DataValidation, letter: str) -> bool:
    return str(validation.sqref).split(":")[0] == f"{letter}2"


def _validation_for(sheet: Worksheet, letter: str) -> DataValidation:
    found: list[DataValidation] = [
        v for v in sheet.data_validations.dataValidation if _starts(v, letter)
    ]
    assert len(found) == 1, letter
    return found[0]


def _list_values(book: openpyxl.Workbook, validation: DataValidation) -> list[str]:
    """The values a drop-down offers: the cells its formula names on the lists sheet."""
    formula = str(validation.formula1).lstrip("=")
    sheet_name, cells = formula.rsplit("!", 1)
    sheet = book[sheet_name.strip("'")]
    first, last = cells.replace("$", "").split(":")
    return [str(c[0].value) for c in sheet[f"{first}:{last}"]]


@pytest.mark.parametrize("lang", LANGS)
def test_sheets_headers_and_frozen_header(lang: str) -> None:
    book = _book(lang)
    roster_title = t("roster_input.template.sheet.roster", lang)
    guide_title = t("roster_input.template.sheet.guide", lang)
    lists_title = t("roster_input.template.sheet.lists", lang)
    assert book.sheetnames == [roster_title, guide_title, lists_title]
    assert book[lists_title].sheet_state == "hidden"
    sheet = book[roster_title]
    headers = [c.value for c in sheet[1]]
    assert headers == [t(f"roster_input.column.{c.name}", lang) for c in COLUMNS]
    # every header is one the reader takes back as its column
    assert [canonical_column(str(h)) for h in headers] == [c.name for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    if lang == "ko":
        assert headers[:3] == ["사번", "영문 성", "영문 이름"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_enumerated_column_has_a_drop_down_of_its_labels(lang: str) -> None:
    book = _book(lang)
    sheet = book.worksheets[0]
    listed = 0
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if not enumerated(column.name):
            assert not [v for v in sheet.data_validations.dataValidation if _starts(v, letter)]
            continue
        listed += 1
        validation = _validation_for(sheet, letter)
        assert validation.type == "list"
        assert str(validation.sqref) == f"{letter}2:{letter}1001"
        values = _list_values(book, validation)
        assert values == [choice_label(column.name, c, lang) for c in codes_of(column.name)]
        # activities take several: the list suggests, typing "a; b" is not refused
        assert validation.showErrorMessage is (column.type is not ColumnType.ACTIVITIES)
    assert listed == sum(1 for c in COLUMNS if enumerated(c.name))
    if lang == "ko":
        role = COLUMNS.index(next(c for c in COLUMNS if c.name == "role")) + 1
        values = _list_values(book, _validation_for(sheet, get_column_letter(role)))
        assert "기술자" in values


@pytest.mark.parametrize("lang", LANGS)
def test_guide_lists_every_column(lang: str) -> None:
    guide = _book(lang)[t("roster_input.template.sheet.guide", lang)]
    texts = [[c.value for c in r] for r in guide.iter_rows()]
    assert t("roster_input.template.guide.notice", lang) in [r[0] for r in texts]
    header_at = next(
        i for i, r in enumerate(texts) if r[0] == t("roster_input.template.guide.name", lang)
    )
    assert texts[header_at] == [
        t(f"roster_input.template.guide.{k}", lang)
        for k in ("name", "label_en", "label_ko", "required", "type", "allowed", "description")
    ]
    body = {r[0]: r for r in texts[header_at + 1 :]}
    assert list(body) == [c.name for c in COLUMNS]
    role = body["role"]
    assert role[2] == t("roster_input.column.role", "ko")
    assert role[3] == t("roster_input.template.required", lang)
    assert f"{choice_label('role', 'technician', lang)} (technician)" in str(role[5])
    assert body["name_ko"][3] == t("roster_input.template.optional", lang)
    assert body["trip_start"][4] == t("roster_input.template.type.date", lang)
    for column in COLUMNS:
        assert body[column.name][6] == t(f"roster_input.column_help.{column.name}", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_examples_read_back_with_no_problem(lang: str, tmp_path: Path) -> None:
    roster = read_roster(_save(lang, tmp_path))
    assert [r.facts["worker_id"] for r in roster.rows] == [e["worker_id"] for e in EXAMPLE_ROWS]
    first = roster.rows[0].facts
    assert first["activities"] == ("install_equipment", "train_us_workers")
    assert (first["role"], first["paid_by"], first["sector"]) == (
        "technician",
        "home_employer",
        "batteries",
    )
    assert first["specialized_knowledge"] is True
    assert first["trip_start"] == START + dt.timedelta(days=60)
    for facts, example in zip((r.facts for r in roster.rows), EXAMPLE_ROWS, strict=True):
        for name, value in example.items():
            assert facts[name] == value, (lang, name)


@pytest.mark.parametrize("lang", LANGS)
def test_values_picked_from_the_drop_downs_are_accepted(lang: str, tmp_path: Path) -> None:
    book = _book(lang)
    sheet = book.worksheets[0]
    for index, column in enumerate(COLUMNS, start=1):
        if not enumerated(column.name):
            continue
        values = _list_values(book, _validation_for(sheet, get_column_letter(index)))
        # the last value of each list on the first example row, the first on the second
        sheet.cell(row=2, column=index, value=values[-1])
        sheet.cell(row=3, column=index, value=values[0])
    roster = read_roster(_save(lang, tmp_path, book))
    first, second = roster.rows[0].facts, roster.rows[1].facts
    assert first["role"] == "laborer" and second["role"] == "executive"
    assert first["activities"] == ("professional_work",)
    assert second["activities"] == ("meetings",)
    assert first["paid_by"] == "mixed" and second["paid_by"] == "home_employer"
    assert first["blanket_l"] is False and second["blanket_l"] is True
