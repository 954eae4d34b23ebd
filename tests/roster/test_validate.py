"""Validation: every problem in one pass, each with row, column, value and code."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

from visadesk.roster import PROBLEM_CODES, Problem, RosterError, read_roster, roster_from_records

from .helpers import BASE, problems_of, row, summary, write_csv


def test_a_valid_roster_reads(tmp_path: Path) -> None:
    roster = read_roster(write_csv(tmp_path / "r.csv", [row(), row(worker_id="W-2")]))
    assert [r.row for r in roster.rows] == [2, 3]
    assert roster.rows[0].facts["trip_start"] == dt.date(2026, 3, 2)


def test_every_cell_problem_is_reported_at_once(tmp_path: Path) -> None:
    headers = [
        *BASE,
        "nationality",
        "sector",
        "blanket_l",
        "us_entity_treaty_ownership_pct",
        "months_with_employer_last_3y",
        "days_in_us_last_365",
        "site_state",
        "birth_date",
        "passport_number",
    ]
    rows = [
        row(trip_start="2026-02-30", activities="meetings;golf;welding", role="boss"),
        {
            **row(worker_id="W-2", trip_start="2026-03-10", trip_end="2026-03-01", paid_by=""),
            "nationality": "Atlantis",
            "sector": "mining",
        },
        {
            **row(worker_id="W-1", family_name=" "),
            "blanket_l": "maybe",
            "us_entity_treaty_ownership_pct": "120",
        },
        {
            **row(worker_id="W-4", trip_start="next week", activities=";;"),
            "months_with_employer_last_3y": "12.5",
            "days_in_us_last_365": "400",
        },
        {
            **row(worker_id="W-5"),
            "site_state": "Seoul",
            "birth_date": "1990-13-45",
            "us_entity_treaty_ownership_pct": "lots",
            "passport_number": "M12345678",
        },
    ]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows, headers=headers))
    assert summary(problems) == [
        (2, "trip_start", "2026-02-30", "impossible_date"),
        (2, "activities", "meetings;golf;welding", "unknown_activity"),
        (2, "activities", "meetings;golf;welding", "unknown_activity"),
        (2, "role", "boss", "unknown_choice"),
        (3, "nationality", "Atlantis", "unknown_country"),
        (3, "sector", "mining", "unknown_choice"),
        (3, "trip_end", "2026-03-01", "trip_end_before_start"),
        (3, "paid_by", None, "blank_required"),
        (4, "worker_id", "W-1", "duplicate_worker_id"),
        (4, "family_name", None, "blank_required"),
        (4, "us_entity_treaty_ownership_pct", "120", "out_of_range"),
        (4, "blanket_l", "maybe", "bad_bool"),
        (5, "trip_start", "next week", "bad_date"),
        (5, "activities", ";;", "no_activity"),
        (5, "months_with_employer_last_3y", "12.5", "bad_integer"),
        (5, "days_in_us_last_365", "400", "out_of_range"),
        (6, "birth_date", "1990-*****", "impossible_date"),
        (6, "site_state", "Seoul", "bad_state"),
        (6, "us_entity_treaty_ownership_pct", "lots", "bad_number"),
    ]
    by_code: dict[str, Problem] = {}
    for problem in problems:
        by_code.setdefault(problem.code, problem)
    assert [p.params["activity"] for p in problems if p.code == "unknown_activity"] == [
        "golf",
        "welding",
    ]
    assert by_code["duplicate_worker_id"].params["first_row"] == "2"
    assert by_code["trip_end_before_start"].params["start"] == "2026-03-10"
    assert by_code["out_of_range"].params == {"minimum": "0", "maximum": "100"}
    assert "sector" not in by_code["unknown_country"].params


def test_missing_and_duplicate_columns(tmp_path: Path) -> None:
    headers = ["worker_id", "사번", "family_name", "given_name", "trip_start", "activities", "role"]
    rows = [
        {
            "worker_id": "A",
            "사번": "A",
            "family_name": "K",
            "given_name": "M",
            "trip_start": "2026-03-02",
            "activities": "meetings",
            "role": "manager",
        }
    ]
    problems = problems_of(write_csv(tmp_path / "r.csv", rows, headers=headers))
    assert summary(problems) == [
        (None, "worker_id", None, "duplicate_column"),
        (None, "trip_end", None, "missing_column"),
        (None, "paid_by", None, "missing_column"),
    ]
    assert problems[0].params["headers"] == "“worker_id”, “사번”"
    assert problems[1].params["aliases"] == "trip_end, 출국일, 미국출국일, 출장종료일, 귀국예정일"
    message = problems[1].message("en")
    assert "trip_end" in message and "출국일" in message
    assert "출장종료일" in problems[1].message("ko")


def test_missing_required_column_is_not_also_blank_in_every_row(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row(worker_id=f"W-{i}").items() if k != "role"} for i in range(3)]
    assert [p.code for p in problems_of(write_csv(tmp_path / "r.csv", rows))] == ["missing_column"]


def test_messages_name_row_column_value_and_expectation(tmp_path: Path) -> None:
    headers = [*BASE, "입국일_메모"]
    problems = problems_of(
        write_csv(tmp_path / "r.csv", [row(trip_start="2026-02-30", role="boss")], headers=headers)
    )
    date, role = problems
    assert (
        date.message("en") == "Row 2, column trip_start: “2026-02-30” is not a real calendar date."
    )
    assert date.message("ko") == "2행 trip_start 열: 달력에 없는 날짜입니다: “2026-02-30”."
    assert role.message("en") == (
        "Row 2, column role: “boss” is not an allowed value; "
        "use one of: Executive (executive), Manager (manager), Specialist (specialist), "
        "Technician (technician), Laborer (laborer)."
    )
    assert "허용되지 않는 값" in role.message("ko")


def test_messages_name_the_header_as_written(tmp_path: Path) -> None:
    cells = {
        "사번": "A",
        "성": "K",
        "영문이름": "M",
        "입국일": "2026-03-02",
        "출국일": "3월 말",
        "업무": "meetings",
        "직무": "manager",
        "급여지급": "mixed",
    }
    (problem,) = problems_of(write_csv(tmp_path / "r.csv", [cells]))
    assert summary([problem]) == [(2, "trip_end", "3월 말", "bad_date")]
    assert problem.params["header"] == "출국일"
    assert problem.message("en").startswith(
        "Row 2, column trip_end (“출국일”): “3월 말” is not a date"
    )
    assert problem.message("ko").startswith(
        "2행 trip_end (“출국일”) 열: 날짜가 아닙니다: “3월 말”."
    )


def test_sensitive_values_are_masked(tmp_path: Path) -> None:
    headers = [*BASE, "birth_date", "passport_number"]
    cells = {**row(worker_id="W-1"), "birth_date": "1990-02-30", "passport_number": "M12345678"}
    problems = problems_of(
        write_csv(tmp_path / "r.csv", [cells, {**cells, "trip_start": ""}], headers=headers)
    )
    birth = [p for p in problems if p.column == "birth_date"]
    assert [p.value for p in birth] == ["1990-*****", "1990-*****"]
    for problem in problems:
        assert "1990-02-30" not in problem.message("en")
    masked = Problem(
        code="bad_cell",
        row=2,
        column="passport_number",
        value="M12345678",
        params={"found": "list"},
    )
    assert masked.value == "M1234****"
    assert "M12345678" not in repr(masked)


def test_roster_row_repr_masks_sensitive_facts(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv", [{**row(), "passport_number": "M12345678", "birth_date": "1990-01-01"}]
    )
    text = repr(read_roster(path).rows[0])
    assert "M12345678" not in text and "M1234****" in text
    assert "1990-01-01" not in text


def test_duplicate_worker_id_names_both_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [row(), row(worker_id="W-2"), row(), row()])
    problems = problems_of(path)
    assert summary(problems) == [
        (4, "worker_id", "W-1", "duplicate_worker_id"),
        (5, "worker_id", "W-1", "duplicate_worker_id"),
    ]
    assert [p.params["first_row"] for p in problems] == ["2", "2"]
    assert "row 2" in problems[0].message("en") and "Row 4" in problems[0].message("en")
    assert "2행" in problems[0].message("ko") and "4행" in problems[0].message("ko")


def test_trip_end_equal_to_start_is_fine(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [row(trip_start="2026-03-02", trip_end="2026.03.02")])
    assert len(read_roster(path)) == 1


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("us_entity_treaty_ownership_pct", "-1", "out_of_range"),
        ("us_entity_treaty_ownership_pct", "100.5", "out_of_range"),
        ("months_with_employer_last_3y", "37", "out_of_range"),
        ("months_with_employer_last_3y", "-1", "out_of_range"),
        ("days_in_us_last_365", "366", "out_of_range"),
        ("days_in_us_last_365", "3.5", "bad_integer"),
        ("degree", "phd", "unknown_choice"),
        ("employer_nationality", "Korean", "unknown_country"),
        ("prior_overstay", "sometimes", "bad_bool"),
        ("visa_expiry", "2031/02/29", "impossible_date"),
    ],
)
def test_single_cell_problems(tmp_path: Path, column: str, value: str, code: str) -> None:
    path = write_csv(tmp_path / "r.csv", [{**row(), column: value}])
    assert summary(problems_of(path)) == [(2, column, value, code)]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("us_entity_treaty_ownership_pct", "0"),
        ("us_entity_treaty_ownership_pct", "100"),
        ("months_with_employer_last_3y", "36"),
        ("days_in_us_last_365", "365"),
        ("days_in_us_last_365", "0"),
    ],
)
def test_range_bounds_are_inclusive(tmp_path: Path, column: str, value: str) -> None:
    assert len(read_roster(write_csv(tmp_path / "r.csv", [{**row(), column: value}]))) == 1


def test_range_message_names_bounds() -> None:
    problem = Problem(
        code="out_of_range",
        row=2,
        column="days_in_us_last_365",
        value="400",
        params={"minimum": "0", "maximum": "365"},
    )
    assert (
        problem.message("en")
        == "Row 2, column days_in_us_last_365: 400 is out of range; it must be between 0 and 365."
    )
    assert problem.message("ko") == (
        "2행 days_in_us_last_365 열: 허용 범위를 벗어난 값입니다: 400. 0 이상 365 이하여야 합니다."
    )


def test_roster_error_renders_every_problem_in_both_languages(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [row(role="boss", paid_by="nobody")])
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.codes == ("unknown_choice", "unknown_choice")
    english = error.render("en").splitlines()
    assert english[0] == f"{path}: the roster cannot be used; 2 problems were found:"
    assert english[1].startswith("  - Row 2, column role:")
    assert english[2].startswith("  - Row 2, column paid_by:")
    korean = error.render("ko").splitlines()
    assert korean[0] == f"{path}: 명단을 사용할 수 없습니다. 문제 2건이 발견되었습니다."
    assert len(korean) == 3
    assert str(error) == error.render("en")
    assert error.render("ko-KR") == error.render("ko")


def test_one_problem_heading() -> None:
    error = RosterError([Problem(code="no_rows", params={"source": "x.csv"})], source="x.csv")
    assert (
        error.render().splitlines()[0] == "x.csv: the roster cannot be used; 1 problem was found:"
    )
    assert (
        RosterError([Problem(code="no_rows", params={"source": "-"})])
        .render("ko")
        .startswith("명단:")
    )


def test_problem_codes_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown problem code"):
        Problem(code="no_such_code")
    assert len(set(PROBLEM_CODES)) == len(PROBLEM_CODES)


def test_roster_from_records_for_api_callers() -> None:
    roster = roster_from_records(
        [dict(row()), {**row(), "worker_id": "W-2", "activities": ["conference"]}]
    )
    assert roster.format == "records"
    assert roster.rows[1].facts["activities"] == ("conference",)
    with pytest.raises(RosterError) as caught:
        roster_from_records([row(), 42])
    assert summary(caught.value.problems) == [(3, None, None, "json_row_not_object")]
    assert caught.value.problems[0].message("en") == (
        "Row 3: expected an object with the roster columns as keys, found number."
    )


def test_roster_error_survives_pickling(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [row(role="boss")])
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object
    assert copy.problems == caught.value.problems
    assert copy.render("ko") == caught.value.render("ko")


def test_cells_under_no_header_are_reported_without_echoing_them(tmp_path: Path) -> None:
    """A stray quote shifts a row: the data would be lost, and may be sensitive."""
    path = tmp_path / "shifted.csv"
    path.write_text(
        "worker_id,family_name,given_name,trip_start,trip_end,activities,role,paid_by\n"
        "A1,KIM,MINSU,2026-03-02,2026-03-10,meetings,specialist,home_employer,M12345678,1990-01-01\n"
        "A2,LEE,JIHO,2026-03-02,2026-03-10,meetings,specialist,home_employer\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError) as info:
        read_roster(path)
    (problem,) = info.value.problems
    assert (problem.code, problem.row, problem.params["position"], problem.params["count"]) == (
        "cell_without_header",
        2,
        "9",
        "2",
    )
    for lang in ("en", "ko"):
        assert "M12345678" not in info.value.render(lang)
