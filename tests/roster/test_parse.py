"""Cell parsing: every accepted spelling of every column type, and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from visadesk.roster.parse import (
    CellError,
    cell_text,
    parse_activities,
    parse_bool,
    parse_cell,
    parse_countries,
    parse_country,
    parse_date,
    parse_enum,
    parse_int,
    parse_number,
    parse_state,
    parse_text,
)
from visadesk.roster.places import countries, us_states
from visadesk.roster.schema import ACTIVITY_CODES, COLUMN_BY_NAME, ROLES

D = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03-02",
        "2026.03.02",
        "2026/03/02",
        "2026.3.2",
        "2026. 3. 2.",
        "2026-3-2",
        " 2026-03-02 ",
        "2026년 3월 2일",
        "20260302",
        "2026-03-02 00:00:00",
        "2026-03-02T09:30:00",
        "２０２６－０３－０２",
        dt.date(2026, 3, 2),
        dt.datetime(2026, 3, 2, 0, 0),
        dt.datetime(2026, 3, 2, 17, 45),
        46083,
        46083.0,
        46083.75,
        20260302,
    ],
)
def test_date_spellings(cell: object) -> None:
    assert parse_date(cell) == D


def test_date_serial_1904_epoch_and_early_serials() -> None:
    assert parse_date(44621, date1904=True) == D
    assert parse_date(1) == dt.date(1900, 1, 1)
    assert parse_date(59) == dt.date(1900, 2, 28)
    assert parse_date(61) == dt.date(1900, 3, 1)
    assert parse_date(2_958_465) == dt.date(9999, 12, 31)


@pytest.mark.parametrize("cell", [None, "", "   ", float("nan")])
def test_blank_date_is_unknown(cell: object) -> None:
    assert parse_date(cell) is None


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2026-02-30", "impossible_date"),
        ("2025-02-29", "impossible_date"),
        ("2026-13-01", "impossible_date"),
        ("2026.04.31", "impossible_date"),
        ("0000-01-01", "impossible_date"),
        (20260230, "impossible_date"),
        ("02/03/2026", "bad_date"),
        ("March 2, 2026", "bad_date"),
        ("26-03-02", "bad_date"),
        ("2026-03/02", "bad_date"),
        ("tomorrow", "bad_date"),
        (0, "bad_date"),
        (-5, "bad_date"),
        (2_958_466, "bad_date"),
        (True, "bad_date"),
    ],
)
def test_bad_dates(cell: object, code: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(cell)
    assert [issue[0] for issue in caught.value.issues] == [code]


def test_leap_day_is_a_real_date() -> None:
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
    assert parse_date("2000.02.29") == dt.date(2000, 2, 29)


YES = [
    "yes",
    "YES",
    "Yes",
    "y",
    "Y",
    "예",
    "네",
    "true",
    "TRUE",
    "True",
    "O",
    "o",
    "1",
    1,
    1.0,
    True,
    "○",
]
NO = ["no", "NO", "n", "N", "아니오", "아니요", "false", "False", "X", "x", "0", 0, 0.0, False, "×"]


@pytest.mark.parametrize("cell", YES)
def test_yes_spellings(cell: object) -> None:
    assert parse_bool(cell) is True


@pytest.mark.parametrize("cell", NO)
def test_no_spellings(cell: object) -> None:
    assert parse_bool(cell) is False


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_blank_yes_no_is_unknown(cell: object) -> None:
    assert parse_bool(cell) is None


@pytest.mark.parametrize("cell", ["maybe", "2", "yess", "-", 2, 0.5])
def test_bad_yes_no(cell: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_bool(cell)
    assert caught.value.issues[0][0] == "bad_bool"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12", 12),
        ("12.0", 12),
        (12.0, 12),
        (12, 12),
        (" 7 ", 7),
        ("+3", 3),
        ("-1", -1),
        (Decimal("4"), 4),
    ],
)
def test_integers(cell: object, expected: int) -> None:
    assert parse_int(cell) == expected


@pytest.mark.parametrize(
    "cell", ["12.5", 12.5, "twelve", "1,200", "1e3", True, float("inf"), Decimal("2.5")]
)
def test_bad_integers(cell: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_int(cell)
    assert caught.value.issues[0][0] == "bad_integer"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("51", 51.0),
        ("51.5", 51.5),
        ("51.5%", 51.5),
        (51, 51.0),
        (0.25, 0.25),
        ("1e-3", 0.001),
        (".5", 0.5),
        (Decimal("12.5"), 12.5),
    ],
)
def test_numbers(cell: object, expected: float) -> None:
    value = parse_number(cell)
    assert isinstance(value, float)
    assert value == expected


@pytest.mark.parametrize("cell", ["about 50", "50-60", "nan", "inf", False, float("inf")])
def test_bad_numbers(cell: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_number(cell)
    assert caught.value.issues[0][0] == "bad_number"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("KR", "KR"),
        ("kr", "KR"),
        ("KOR", "KR"),
        ("kor", "KR"),
        (" Kor ", "KR"),
        ("대한민국", "KR"),
        ("한국", "KR"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("베트남", "VN"),
        ("VNM", "VN"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("미국", "US"),
        ("DEU", "DE"),
        ("독일", "DE"),
        ("일본", "JP"),
        ("Japan", "JP"),
        ("북한", "KP"),
        ("PRK", "KP"),
        ("조지아", "GE"),
        ("UK", "GB"),
        ("Türkiye", "TR"),
        ("터키", "TR"),
        ("우즈베키스탄", "UZ"),
    ],
)
def test_countries(cell: str, expected: str) -> None:
    assert parse_country(cell) == expected


@pytest.mark.parametrize("cell", ["Korean", "K", "XK", "ZZZ", "Atlantis", "EU"])
def test_unknown_countries(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_country(cell)
    assert caught.value.issues[0][0] == "unknown_country"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("IR", "IR"),
        ("Syria; IRQ", "IQ;SY"),
        ("쿠바, 북한\nIR", "CU;IR;KP"),
        ("KR;KR", "KR"),
        ([" CU ", "IR"], "CU;IR"),
        (" ; ", None),
        ("", None),
    ],
)
def test_other_nationalities_are_sorted_iso_codes(cell: object, expected: str | None) -> None:
    assert parse_countries(cell) == expected
    assert parse_cell(COLUMN_BY_NAME["other_nationalities"], cell) == expected


@pytest.mark.parametrize("cell", ["IR;Atlantis", "Korean", "ZZ"])
def test_other_nationalities_refuse_any_unknown_country(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_countries(cell)
    assert caught.value.issues[0][0] == "unknown_country"


def test_country_table_is_complete_iso_3166_1() -> None:
    table = countries()
    assert len(table) == 249
    assert len({c.alpha2 for c in table}) == 249
    assert len({c.alpha3 for c in table}) == 249
    for country in table:
        assert len(country.alpha2) == 2 and country.alpha2.isupper()
        assert len(country.alpha3) == 3 and country.alpha3.isupper()
        assert country.name_en and country.name_ko
        assert parse_country(country.alpha2) == country.alpha2
        assert parse_country(country.alpha3) == country.alpha2
        assert parse_country(country.name_en) == country.alpha2
        assert parse_country(country.name_ko) == country.alpha2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("GA", "GA"),
        ("ga", "GA"),
        ("Georgia", "GA"),
        ("조지아", "GA"),
        ("조지아주", "GA"),
        ("텍사스", "TX"),
        ("DC", "DC"),
        ("Washington D.C.", "DC"),
        ("워싱턴", "WA"),
        ("PR", "PR"),
        ("GU", "GU"),
    ],
)
def test_states(cell: str, expected: str) -> None:
    assert parse_state(cell) == expected


@pytest.mark.parametrize("cell", ["Seoul", "G", "GAA", "ZZ", "BC", "KR"])
def test_bad_states(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_state(cell)
    assert caught.value.issues[0][0] == "bad_state"


def test_state_table_has_states_dc_and_territories() -> None:
    codes = {s.code for s in us_states()}
    assert len(codes) == 56
    assert {"DC", "PR", "GU", "VI", "AS", "MP"} <= codes


@pytest.mark.parametrize(
    ("cell", "expected"), [("manager", "manager"), ("MANAGER", "manager"), (" Manager ", "manager")]
)
def test_enum(cell: str, expected: str) -> None:
    assert parse_enum(cell, ROLES) == expected


def test_enum_spaces_and_hyphens_are_underscores() -> None:
    assert parse_enum("Home Employer", ("home_employer", "us_entity")) == "home_employer"
    assert parse_enum("us-entity", ("home_employer", "us_entity")) == "us_entity"


def test_unknown_enum_lists_choices() -> None:
    with pytest.raises(CellError) as caught:
        parse_enum("boss", ROLES)
    code, params = caught.value.issues[0]
    assert code == "unknown_choice"
    assert params["allowed"] == "executive, manager, specialist, technician, laborer"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("meetings", ("meetings",)),
        ("site_survey;meetings", ("meetings", "site_survey")),
        ("Site_Survey ; MEETINGS ;", ("meetings", "site_survey")),
        ("meetings, negotiation", ("meetings", "negotiation")),
        ("meetings\nnegotiation\r\nconference", ("meetings", "negotiation", "conference")),
        ("meetings;meetings;Meetings", ("meetings",)),
        ("site survey", ("site_survey",)),
        (["professional_work", "meetings"], ("meetings", "professional_work")),
        (";".join(reversed(ACTIVITY_CODES)), ACTIVITY_CODES),
    ],
)
def test_activities(cell: object, expected: tuple[str, ...]) -> None:
    assert parse_activities(cell) == expected


@pytest.mark.parametrize("cell", [None, "", "  ", []])
def test_blank_activities(cell: object) -> None:
    assert parse_activities(cell) is None


def test_unknown_activities_are_each_an_issue() -> None:
    with pytest.raises(CellError) as caught:
        parse_activities("meetings;golf;welding;golf")
    assert [(c, p["activity"]) for c, p in caught.value.issues] == [
        ("unknown_activity", "golf"),
        ("unknown_activity", "welding"),
    ]


def test_separators_only_is_no_activity() -> None:
    with pytest.raises(CellError) as caught:
        parse_activities(" ; ;, ")
    assert caught.value.issues[0][0] == "no_activity"


def test_text_is_trimmed_nfc_and_blank_is_none() -> None:
    assert parse_text("  김민수 ") == "김민수"
    assert parse_text("\u1100\u1161") == "가"  # decomposed Hangul (macOS) composed
    assert parse_text("   ") is None
    assert parse_text(1001.0) == "1001"
    assert parse_text(1001) == "1001"


def test_cell_text_of_raw_cells() -> None:
    assert cell_text(None) is None
    assert cell_text(float("nan")) is None
    assert cell_text(12.5) == "12.5"
    assert cell_text(True) == "true"
    assert cell_text(dt.datetime(2026, 3, 2)) == "2026-03-02"
    assert cell_text(["a", " ", "b"]) == "a; b"


def test_list_in_a_scalar_column_is_bad_cell() -> None:
    with pytest.raises(CellError) as caught:
        parse_cell(COLUMN_BY_NAME["role"], ["manager"])
    assert caught.value.issues[0][0] == "bad_cell"


def test_site_state_column_is_upper_cased_code() -> None:
    assert parse_cell(COLUMN_BY_NAME["site_state"], "tx") == "TX"
