"""Korean resident registration numbers: a roster holding one is refused, never echoed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from visadesk.roster import RosterError, read_roster
from visadesk.roster.sensitive import compress_rows, find_rrn, is_rrn_header, scrub
from visadesk.roster.validate import RawTable

from .helpers import BASE, row, summary, write_csv

RRN = "900101-1234567"
TAIL = "1234567"


def refused(path: Path) -> RosterError:
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    return caught.value


def assert_never_echoed(error: RosterError, *secrets: str) -> None:
    """No secret appears in any text a person or a log could see."""
    texts = [str(error), repr(error), error.render("en"), error.render("ko"), repr(error.problems)]
    texts += [p.message(lang) for p in error.problems for lang in ("en", "ko")]
    texts += [str(p) for p in error.problems]
    for secret in (*secrets, TAIL):
        for text in texts:
            assert secret not in text


@pytest.mark.parametrize(
    "header",
    [
        "주민등록번호",
        "주민번호",
        "주민등록 번호",
        "RRN",
        "rrn",
        "resident_registration_number",
        "Resident Registration No.",
        "주민등록번호(앞자리)",
    ],
)
def test_rrn_header_refuses_the_roster(tmp_path: Path, header: str) -> None:
    path = write_csv(
        tmp_path / "r.csv", [{**row(), header: RRN}, {**row(worker_id="W-2"), header: ""}]
    )
    error = refused(path)
    assert summary(error.problems) == [(None, header, "900101-*******", "rrn_present")]
    problem = error.problems[0]
    assert problem.params["found_in"] == "header_rows"
    assert problem.params["rows"] == "2"
    assert "주민등록번호" in problem.message("en")
    assert problem.message("ko").startswith(
        f"{header} 열: 주민등록번호 열이며 2행에 값이 있습니다."
    )
    assert_never_echoed(error, RRN)


def test_empty_rrn_column_still_refuses(tmp_path: Path) -> None:
    error = refused(write_csv(tmp_path / "r.csv", [{**row(), "주민등록번호": ""}]))
    assert summary(error.problems) == [(None, "주민등록번호", None, "rrn_present")]
    assert error.problems[0].params["found_in"] == "header"


@pytest.mark.parametrize(
    "value",
    [
        RRN,
        "9001011234567",
        "900101 - 1234567",
        "주민번호: 900101-1234567 (본인)",
        "９００１０１－１２３４５６７",
        "900101–1234567",
    ],
)
def test_rrn_value_in_an_ignored_column_refuses_the_roster(tmp_path: Path, value: str) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            {**row(), "비고": ""},
            {**row(worker_id="W-2"), "비고": value},
            {**row(worker_id="W-3"), "비고": value},
        ],
    )
    error = refused(path)
    assert summary(error.problems) == [(None, "비고", "900101-*******", "rrn_present")]
    assert error.problems[0].params == {"found_in": "value", "rows": "3-4"}
    assert "row(s) 3-4" in error.problems[0].message("en")
    assert_never_echoed(error, value, "9001011234567")


def test_rrn_in_contract_columns_is_masked_in_every_problem(tmp_path: Path) -> None:
    cells = row(given_name=RRN, trip_start="800101-2234567")
    path = write_csv(tmp_path / "r.csv", [{**cells, "birth_date": "0501013234567"}])
    error = refused(path)
    assert summary(error.problems) == [
        (None, "given_name", "900101-*******", "rrn_present"),
        (None, "birth_date", "050101-*******", "rrn_present"),
        (None, "trip_start", "800101-*******", "rrn_present"),
        (2, "birth_date", "05010*********", "bad_date"),
        (2, "trip_start", "800101-*******", "bad_date"),
    ]
    assert_never_echoed(error, RRN, "800101-2234567", "0501013234567", "2234567", "3234567")


def test_all_rrn_columns_and_rows_are_named(tmp_path: Path) -> None:
    rows = [
        {**row(worker_id=f"W-{i}"), "memo": RRN if i in {1, 2, 3, 7} else "ok"} for i in range(10)
    ]
    error = refused(write_csv(tmp_path / "r.csv", rows))
    assert error.problems[0].params["rows"] == "3-5, 9"


def test_rrn_in_a_title_row_above_the_header(tmp_path: Path) -> None:
    text = f"담당자 김민수 {RRN},,\n" + ",".join(BASE) + "\n" + ",".join(row().values()) + "\n"
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    error = refused(path)
    assert [(p.code, p.params["rows"]) for p in error.problems] == [("rrn_present", "1")]
    assert_never_echoed(error, RRN)


def test_rrn_as_a_header_itself_is_masked(tmp_path: Path) -> None:
    error = refused(write_csv(tmp_path / "r.csv", [{**row(), RRN: "x"}]))
    assert [p.column for p in error.problems] == ["900101-*******"]
    assert_never_echoed(error, RRN)


def test_rrn_in_xlsx_number_cells(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*BASE, "참고"])
    sheet.append([*BASE.values(), 9001011234567])
    sheet.append([*row(worker_id="W-2").values(), 501013234567])  # 0501013234567 lost its zero
    book.save(path)
    error = refused(path)
    assert summary(error.problems) == [(None, "참고", "900101-*******", "rrn_present")]
    assert error.problems[0].params["rows"] == "2-3"
    assert_never_echoed(error, "9001011234567", "501013234567")


def test_rrn_in_json_and_parquet(tmp_path: Path) -> None:
    records = [{**row(), "extra": {"note": RRN}}, {**row(worker_id="W-2"), "extra": None}]
    json_path = tmp_path / "r.json"
    json_path.write_text(json.dumps(records), encoding="utf-8")
    error = refused(json_path)
    assert summary(error.problems) == [(None, "extra", "900101-*******", "rrn_present")]
    assert_never_echoed(error, RRN)
    parquet_path = tmp_path / "r.parquet"
    pl.DataFrame([{**row(), "jumin": ""}]).write_parquet(parquet_path)
    assert [p.code for p in refused(parquet_path).problems] == ["rrn_present"]


@pytest.mark.parametrize(
    "value",
    [
        "M12345678",
        "010-1234-5678",
        "9013011234567",
        "900132-1234567",
        "900101-9234567",
        "900101-0234567",
        "19900101-1234567",
        "900101-12345678",
        "2026-03-02",
        "LG-0042",
    ],
)
def test_not_rrns(tmp_path: Path, value: str) -> None:
    assert find_rrn(value) is None
    path = write_csv(tmp_path / "r.csv", [{**row(), "비고": value}])
    assert len(read_roster(path)) == 1


def test_rrn_helpers() -> None:
    assert find_rrn(9001011234567.0) == "900101-*******"
    assert find_rrn(["a", ("b", RRN)]) == "900101-*******"
    assert find_rrn(None) is None and find_rrn(True) is None
    assert scrub(f"x {RRN} y 0501014234567") == "x 900101-******* y 050101-*******"
    assert scrub("nothing here") == "nothing here"
    assert is_rrn_header("주민번호") and is_rrn_header("RRN_no") and not is_rrn_header("worker_id")
    assert not is_rrn_header("") and not is_rrn_header("주소")
    assert compress_rows([]) == ""
    assert compress_rows([5, 2, 3, 3, 9, 10]) == "2-3, 5, 9-10"


def _only_codes(problems: Sequence[object]) -> list[str]:
    return [getattr(p, "code", "") for p in problems]


def test_rrn_problems_come_first_with_the_others(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [{**row(role="boss"), "memo": RRN}])
    assert _only_codes(refused(path).problems) == ["rrn_present", "unknown_choice"]


def test_raw_table_repr_holds_no_cells() -> None:
    table = RawTable("r.csv", "csv", ("memo",), ((2, (RRN,)),))
    assert RRN not in repr(table) and TAIL not in repr(table)
