"""Reading every format and encoding, header aliases, Excel cells, and unreadable files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from visadesk.roster import Roster, canonical_column, read_roster
from visadesk.roster.schema import COLUMNS

from .helpers import ALL_COLUMNS, BASE, problems_of, row, summary, write_csv

KOREAN_HEADERS = {
    "worker_id": "사번",
    "family_name": "성",
    "given_name": "영문이름",
    "name_ko": "성명",
    "nationality": "국적",
    "passport_number": "여권번호",
    "trip_start": "입국일",
    "trip_end": "출국일",
    "activities": "업무",
    "role": "직무",
    "paid_by": "급여지급",
    "specialized_knowledge": "전문지식",
}
KOREAN_ROW = {
    "사번": "HB-0001",
    "성": "KIM",
    "영문이름": "JAEHYUN",
    "성명": "김재현",
    "국적": "대한민국",
    "여권번호": "M51491227",
    "입국일": "2027.01.11",
    "출국일": "2027.01.16",
    "업무": "meetings;negotiation",
    "직무": "executive",
    "급여지급": "home_employer",
    "전문지식": "예",
}
EXPECTED_KOREAN = {
    "worker_id": "HB-0001",
    "family_name": "KIM",
    "given_name": "JAEHYUN",
    "name_ko": "김재현",
    "nationality": "KR",
    "passport_number": "M51491227",
    "trip_start": dt.date(2027, 1, 11),
    "trip_end": dt.date(2027, 1, 16),
    "activities": ("meetings", "negotiation"),
    "role": "executive",
    "paid_by": "home_employer",
    "specialized_knowledge": True,
}


def facts_of(roster: Roster, index: int = 0) -> dict[str, object]:
    """The non-blank facts of one row."""
    return {k: v for k, v in roster.rows[index].facts.items() if v is not None}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16"])
def test_csv_encodings_with_korean_headers_and_values(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "명단.csv", [KOREAN_ROW], encoding=encoding)
    roster = read_roster(path)
    assert facts_of(roster) == EXPECTED_KOREAN
    assert roster.format == "csv"
    assert roster.source == str(path)
    assert roster.rows[0].row == 2


def test_cp949_bytes_really_are_not_utf8(tmp_path: Path) -> None:
    data = "사번,성명\nA,김재현\n".encode("cp949")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    assert problems_of(path)[0].code == "missing_column"  # decoded: the Korean headers were read


def test_facts_have_every_column_and_nothing_else(tmp_path: Path) -> None:
    roster = read_roster(write_csv(tmp_path / "r.csv", [row()]))
    facts = roster.rows[0].facts
    assert tuple(facts) == ALL_COLUMNS
    assert facts["name_ko"] is None
    assert facts["activities"] == ("meetings",)
    assert roster.columns == tuple(BASE)
    assert roster.ignored_columns == ()


def test_header_matching_ignores_case_spaces_and_separators(tmp_path: Path) -> None:
    headers = [
        " Worker ID ",
        "FAMILY_NAME",
        "Given-Name",
        "trip start",
        "TRIP_END",
        "Activities",
        "ROLE",
        "paid by",
    ]
    cells = dict(zip(headers, BASE.values(), strict=True))
    roster = read_roster(write_csv(tmp_path / "r.csv", [cells]))
    assert roster.columns == tuple(BASE)
    assert facts_of(roster)["trip_end"] == dt.date(2026, 3, 20)


@pytest.mark.parametrize(("column", "alias"), [(c.name, a) for c in COLUMNS for a in c.aliases])
def test_every_alias_names_its_column(column: str, alias: str) -> None:
    assert canonical_column(alias) == column
    assert canonical_column(f" {alias.upper()} ") == column
    assert canonical_column(column) == column


def test_unknown_columns_are_ignored_and_remembered(tmp_path: Path) -> None:
    cells = {"No.": "1", **row(), "비고": "첫 출장", "부서": "설비팀"}
    roster = read_roster(write_csv(tmp_path / "r.csv", [cells]))
    assert roster.ignored_columns == ("No.", "비고", "부서")
    assert tuple(roster.rows[0].facts) == ALL_COLUMNS


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimited_csv(tmp_path: Path, delimiter: str) -> None:
    lines = [
        delimiter.join(BASE),
        delimiter.join(row(activities='"meetings;site_survey"').values()),
    ]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(path)
    assert facts_of(roster)["activities"] == ("meetings", "site_survey")


def test_title_rows_and_blank_rows_keep_sheet_row_numbers(tmp_path: Path) -> None:
    text = "2026년 출장자 명단,,\n\n" + ",".join(BASE) + "\n" + ",".join(row().values())
    text += "\n,,,\n" + ",".join(row(worker_id="W-2", trip_end="2026-03-01").values()) + "\n"
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    assert summary(problems_of(path)) == [(6, "trip_end", "2026-03-01", "trip_end_before_start")]


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [row(), {}, row(worker_id="W-2")])
    roster = read_roster(path)
    assert [r.row for r in roster.rows] == [2, 4]


def _xlsx(
    path: Path, rows: Sequence[Sequence[object]], *, title: str = "Sheet1"
) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for values in rows:
        sheet.append(list(values))
    book.save(path)
    return book


def test_xlsx_date_cells_text_dates_serials_and_numbers(tmp_path: Path) -> None:
    headers = [
        *BASE,
        "birth_date",
        "visa_expiry",
        "us_entity_treaty_ownership_pct",
        "months_with_employer_last_3y",
        "blanket_l",
    ]
    values: list[object] = list(BASE.values())
    first = [
        *values[:3],
        dt.datetime(2026, 3, 2),
        "2026.03.20",
        *values[5:],
        dt.date(1990, 1, 1),
        46083,
        51,
        24.0,
        "Y",
    ]
    second = [
        *values[:3],
        46083,
        dt.datetime(2026, 3, 20, 0, 0),
        *values[5:],
        "1990/01/01",
        20260302,
        "51.5",
        "24",
        "N",
    ]
    second[0] = "W-2"
    path = tmp_path / "r.xlsx"
    _xlsx(path, [list(headers), first, second])
    roster = read_roster(path)
    assert roster.format == "xlsx"
    for item in roster.rows:
        facts = item.facts
        assert facts["trip_start"] == dt.date(2026, 3, 2)
        assert facts["trip_end"] == dt.date(2026, 3, 20)
        assert facts["birth_date"] == dt.date(1990, 1, 1)
        assert facts["visa_expiry"] == dt.date(2026, 3, 2)
        assert facts["months_with_employer_last_3y"] == 24
    assert [r.facts["us_entity_treaty_ownership_pct"] for r in roster.rows] == [51.0, 51.5]
    assert [r.facts["blanket_l"] for r in roster.rows] == [True, False]


def test_xlsx_percent_cell_is_read_as_shown(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = _xlsx(path, [[*BASE, "미국법인지분율"], [*BASE.values(), 0.51]])
    sheet = book.active
    assert sheet is not None
    sheet["I2"].number_format = "0%"
    book.save(path)
    assert facts_of(read_roster(path))["us_entity_treaty_ownership_pct"] == 51.0


def test_xlsx_numeric_ids_lose_the_excel_dot_zero(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    _xlsx(path, [list(BASE), [1001, *list(BASE.values())[1:]]])
    assert facts_of(read_roster(path))["worker_id"] == "1001"


def test_xlsx_1904_workbook_serials(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    assert sheet is not None
    sheet.append([*BASE, "visa_expiry"])
    sheet.append([*BASE.values(), 44621])
    book.save(path)
    assert facts_of(read_roster(path))["visa_expiry"] == dt.date(2026, 3, 2)


def test_xlsx_sheet_by_name_and_first_sheet_by_default(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "안내"
    cover.append(["이 통합 문서는 출장자 명단입니다"])
    names = book.create_sheet("출장자명단")
    names.append([KOREAN_HEADERS[k] for k in EXPECTED_KOREAN])
    names.append([KOREAN_ROW[KOREAN_HEADERS[k]] for k in EXPECTED_KOREAN])
    book.save(path)
    assert facts_of(read_roster(path, sheet="출장자명단")) == EXPECTED_KOREAN
    assert problems_of(path)[0].code == "missing_column"  # the first sheet is the cover
    problems = problems_of(path, sheet="Roster")
    assert summary(problems) == [(None, None, None, "sheet_not_found")]
    assert problems[0].params["available"] == "“안내”, “출장자명단”"


def test_xlsx_sheet_name_ignores_case(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    _xlsx(path, [list(BASE), list(BASE.values())], title="Roster")
    assert len(read_roster(path, sheet="roster")) == 1


def test_sheet_is_ignored_for_other_formats(tmp_path: Path) -> None:
    assert len(read_roster(write_csv(tmp_path / "r.csv", [row()]), sheet="whatever")) == 1


def test_parquet_typed_and_text_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    frame = pl.DataFrame(
        {
            "사번": ["A-1", "A-2"],
            "family_name": ["KIM", "LEE"],
            "given_name": ["MINSU", "SUJIN"],
            "trip_start": [dt.date(2026, 3, 2), dt.date(2026, 4, 1)],
            "trip_end": ["2026-03-20", "2026.04.30"],
            "activities": [["meetings", "site_survey"], ["conference"]],
            "role": ["manager", "Specialist"],
            "paid_by": ["home_employer", "mixed"],
            "blanket_l": [True, None],
            "days_in_us_last_365": [10, None],
            "us_entity_treaty_ownership_pct": [51, 100],
            "extra": [1, 2],
        }
    )
    frame.write_parquet(path)
    roster = read_roster(path)
    assert roster.format == "parquet"
    assert [r.row for r in roster.rows] == [2, 3]
    assert roster.ignored_columns == ("extra",)
    first, second = (facts_of(roster, i) for i in range(2))
    assert first["activities"] == ("meetings", "site_survey")
    assert first["trip_start"] == dt.date(2026, 3, 2)
    assert first["blanket_l"] is True
    assert first["days_in_us_last_365"] == 10
    assert first["us_entity_treaty_ownership_pct"] == 51.0
    assert second["trip_end"] == dt.date(2026, 4, 30)
    assert second["role"] == "specialist"
    assert "blanket_l" not in second


def test_parquet_problems_use_record_numbering(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pl.DataFrame([row(), row(worker_id="W-2", role="boss")]).write_parquet(path)
    assert summary(problems_of(path)) == [(3, "role", "boss", "unknown_choice")]


def test_json_list_of_objects(tmp_path: Path) -> None:
    records = [
        {
            **BASE,
            "activities": ["site_survey", "meetings"],
            "blanket_l": True,
            "days_in_us_last_365": 3,
        },
        {**BASE, "worker_id": "W-2", "국적": "KOR"},
    ]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8-sig")
    roster = read_roster(path)
    assert roster.format == "json"
    assert [r.row for r in roster.rows] == [2, 3]
    assert roster.rows[0].facts["activities"] == ("meetings", "site_survey")
    assert roster.rows[0].facts["blanket_l"] is True
    assert roster.rows[0].facts["nationality"] is None
    assert roster.rows[1].facts["worker_id"] == "W-2"
    assert roster.rows[1].facts["nationality"] == "KR"


def test_json_problems_use_record_numbering(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps([row(), row(worker_id="W-2"), row(worker_id="W-3", trip_start="2026-02-30")])
    )
    assert summary(problems_of(path)) == [(4, "trip_start", "2026-02-30", "impossible_date")]


@pytest.mark.parametrize("name", ["roster.xls", "roster.txt", "roster", "roster.csv.gz"])
def test_unsupported_extensions(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"worker_id\n")
    problems = problems_of(path)
    assert summary(problems) == [(None, None, None, "unsupported_format")]
    assert ".xlsx" in problems[0].message("en")


def test_extension_case_does_not_matter(tmp_path: Path) -> None:
    assert len(read_roster(write_csv(tmp_path / "ROSTER.CSV", [row()]))) == 1


def test_missing_file(tmp_path: Path) -> None:
    assert summary(problems_of(tmp_path / "nope.csv")) == [(None, None, None, "file_not_found")]


@pytest.mark.parametrize("name", ["r.xlsx", "r.parquet"])
def test_corrupt_binary_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 this is not really a zip or parquet file" * 3)
    problems = problems_of(path)
    assert [p.code for p in problems] == ["unreadable_file"]
    assert "reason" in problems[0].params


def test_csv_in_neither_utf8_nor_cp949(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"worker_id\n\x80\xff\xff\n")
    assert [p.code for p in problems_of(path)] == ["bad_encoding"]


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[\n  {"worker_id": "A",}\n]', encoding="utf-8")
    problems = problems_of(path)
    assert [p.code for p in problems] == ["bad_json"]
    assert problems[0].params["line"] == "2"


def test_json_must_be_a_list(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"rows": [row()]}), encoding="utf-8")
    assert [p.code for p in problems_of(path)] == ["json_not_list"]


def test_json_records_must_be_objects(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps([row(), ["W-2", "KIM"], "W-3", row(worker_id="W-4")]), encoding="utf-8"
    )
    problems = problems_of(path)
    assert summary(problems) == [
        (3, None, None, "json_row_not_object"),
        (4, None, None, "json_row_not_object"),
    ]
    assert [p.params["found"] for p in problems] == ["array", "string"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("r.csv", "", "no_header"),
        ("r.csv", "\n ,, \n", "no_header"),
        ("r.json", "[]", "no_rows"),
    ],
)
def test_empty_files(tmp_path: Path, name: str, content: str, code: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert [p.code for p in problems_of(path)] == [code]


def test_header_without_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(BASE) + "\n", encoding="utf-8")
    assert [p.code for p in problems_of(path)] == ["no_rows"]


def test_empty_parquet_with_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pl.DataFrame({name: pl.Series([], dtype=pl.String) for name in BASE}).write_parquet(path)
    assert [p.code for p in problems_of(path)] == ["no_rows"]


def test_bundled_sample_reads_the_same_as_csv_and_korean_xlsx() -> None:
    folder = Path(__file__).resolve().parents[2] / "src" / "visadesk" / "data" / "sample"
    if not (folder / "roster.xlsx").exists():
        pytest.skip("no bundled sample")
    from_csv = read_roster(folder / "roster.csv")
    from_xlsx = read_roster(folder / "roster.xlsx")
    assert len(from_csv) == len(from_xlsx) > 0
    assert [r.facts for r in from_csv.rows] == [r.facts for r in from_xlsx.rows]


def test_xlsx_default_sheet_skips_hidden_sheets(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    hidden = book.active
    assert hidden is not None
    hidden.title = "lookup"
    hidden.append(["code", "name"])
    hidden.sheet_state = "hidden"
    shown = book.create_sheet("명단")
    shown.append(list(BASE))
    shown.append(list(BASE.values()))
    book.save(path)
    assert len(read_roster(path)) == 1


def test_json_numbers_too_large_to_be_anything(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"worker_id": ' + "9" * 5000 + "}]", encoding="utf-8")
    assert [p.code for p in problems_of(path)] == ["bad_json"]
    path.write_text(
        json.dumps([{**row(), "visa_expiry": 10**400, "us_entity_treaty_ownership_pct": 10**400}])
    )
    assert [(p.column, p.code) for p in problems_of(path)] == [
        ("us_entity_treaty_ownership_pct", "bad_number"),
        ("visa_expiry", "bad_date"),
    ]
