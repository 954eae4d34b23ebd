"""Enumerated roster values: codes and the labels the app shows, in English and Korean.

Issue #12, section 2: a Korean clerk types what the app shows ("설비 설치·시운전",
"기술자", "본사"); the reader takes it, keeps codes in the output, and a refusal
names the allowed values with their labels in the reader's language and the
input exactly as typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from visadesk.i18n import catalog, t
from visadesk.roster import read_roster
from visadesk.roster.choices import LABEL_KEYS, allowed_text, choice_label, codes_of, lookup
from visadesk.roster.parse import CellError, parse_activities, parse_enum
from visadesk.roster.schema import ACTIVITY_CODES, COLUMN_BY_NAME, COLUMNS, ColumnType
from visadesk.roster.validate import canonical_column

from .helpers import problems_of, row, write_csv


@pytest.mark.parametrize(
    ("column", "typed", "code"),
    [
        # Korean labels, as the app shows them
        ("role", "기술자", "technician"),
        ("role", "관리자", "manager"),
        ("role", "임원", "executive"),
        ("paid_by", "본사", "home_employer"),
        ("paid_by", "미국 법인", "us_entity"),
        ("paid_by", "본사·미국 법인 분담", "mixed"),
        ("degree", "학사", "bachelor"),
        ("degree", "학위 없음", "none"),
        ("sector", "배터리", "batteries"),
        ("sector", "AI·양자", "ai_quantum"),  # the projects page's label
        ("sector", "인공지능·양자", "ai_quantum"),  # the reports' label for the same code
        ("h1b_petition_kind", "체류 자격 변경", "change_of_status"),
        # English labels, any case
        ("role", "Technician", "technician"),
        ("role", "TECHNICIAN", "technician"),
        ("paid_by", "home employer", "home_employer"),
        ("paid_by", "US Entity", "us_entity"),
        ("degree", "Bachelor's degree", "bachelor"),
        ("degree", "bachelors degree", "bachelor"),
        ("sector", "critical minerals", "critical_minerals"),
        # codes, as the contract writes them
        ("role", "laborer", "laborer"),
        ("paid_by", "home_employer", "home_employer"),
        ("paid_by", "Home-Employer", "home_employer"),
        # spaces and middle dots as people type them
        ("paid_by", " 미국법인 ", "us_entity"),
        ("paid_by", "본사ㆍ미국 법인 분담", "mixed"),
        ("paid_by", "본사・미국법인분담", "mixed"),
        ("sector", "AI.양자", "ai_quantum"),
        ("sector", "AI 양자", "ai_quantum"),
    ],
)
def test_enum_accepts_code_and_labels(column: str, typed: str, code: str) -> None:
    assert parse_enum(typed, COLUMN_BY_NAME[column].choices, column) == code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("설비 설치·시운전", ("install_equipment",)),
        ("설비설치·시운전", ("install_equipment",)),
        ("설비 설치 · 시운전", ("install_equipment",)),
        ("설비 설치.시운전", ("install_equipment",)),
        ("설비 설치‧시운전", ("install_equipment",)),  # U+2027
        ("설비 설치・시운전", ("install_equipment",)),  # U+30FB
        ("설비 설치ㆍ시운전", ("install_equipment",)),  # U+318D, the Hangul keyboard's dot
        ("설비 설치·시운전; 미국 근로자 교육", ("install_equipment", "train_us_workers")),
        ("미국 근로자 교육, 업무 회의·협의", ("meetings", "train_us_workers")),
        ("Installing, commissioning equipment or machinery", ("install_equipment",)),
        (
            "conferences, seminars, trade shows; business meetings, consultations with associates",
            ("meetings", "conference"),
        ),
        ("conferences, seminars, trade shows, site_survey", ("conference", "site_survey")),
        (
            "install_equipment; 시공 감독·지도\nmeetings",
            ("meetings", "install_equipment", "supervise_construction"),
        ),
    ],
)
def test_activities_accept_labels_with_the_contract_separators(
    typed: str, expected: tuple[str, ...]
) -> None:
    assert parse_activities(typed) == expected


def test_every_label_the_app_shows_is_accepted_back() -> None:
    for column in LABEL_KEYS:
        for code in codes_of(column):
            for lang in ("en", "ko"):
                assert lookup(column, choice_label(column, code, lang)) == code, (column, code)


def test_yes_no_labels_the_app_shows_are_read(tmp_path: Path) -> None:
    cells = row(specialized_knowledge=t("explain.yes", "ko"), blanket_l=t("explain.no", "ko"))
    cells["e_passport"] = t("explain.yes", "en").upper()
    facts = read_roster(write_csv(tmp_path / "r.csv", [cells])).rows[0].facts
    assert (facts["specialized_knowledge"], facts["blanket_l"], facts["e_passport"]) == (
        True,
        False,
        True,
    )


def test_a_korean_roster_reads_to_codes(tmp_path: Path) -> None:
    cells = row(activities="설비 설치·시운전; 미국 근로자 교육", role="기술자", paid_by="본사")
    cells |= {"sector": "배터리", "degree": "학사"}
    roster = read_roster(write_csv(tmp_path / "r.csv", [cells]))
    facts = roster.rows[0].facts
    assert facts["activities"] == ("install_equipment", "train_us_workers")
    assert (facts["role"], facts["paid_by"], facts["sector"], facts["degree"]) == (
        "technician",
        "home_employer",
        "batteries",
        "bachelor",
    )


def test_bad_choice_names_labels_in_the_readers_language(tmp_path: Path) -> None:
    (problem,) = problems_of(write_csv(tmp_path / "r.csv", [row(role="사장님")]))
    assert problem.code == "unknown_choice"
    assert problem.value == "사장님"
    assert problem.message("ko") == (
        "2행 role 열: 허용되지 않는 값입니다: “사장님”. 다음 중 하나를 사용하십시오: "
        "임원 (executive), 관리자 (manager), 전문가 (specialist), 기술자 (technician), "
        "현장 근로자 (laborer)."
    )
    assert problem.message("en") == (
        "Row 2, column role: “사장님” is not an allowed value; use one of: "
        "Executive (executive), Manager (manager), Specialist (specialist), "
        "Technician (technician), Laborer (laborer)."
    )
    # the API and other callers matching on codes still find them in the params
    assert problem.params["allowed"] == ", ".join(COLUMN_BY_NAME["role"].choices)


def test_bad_activity_is_shown_as_typed_with_labelled_choices(tmp_path: Path) -> None:
    typed = "설비 설치·시운전; 설비 설치·골프"
    (problem,) = problems_of(write_csv(tmp_path / "r.csv", [row(activities=typed)]))
    assert problem.code == "unknown_activity"
    assert problem.params["activity"] == "설비 설치·골프"  # never "설비_설치·골프"
    korean = problem.message("ko")
    assert "“설비 설치·골프”" in korean and f"“{typed}”" in korean
    assert "설비 설치·시운전 (install_equipment)" in korean
    assert "_설치" not in korean
    english = problem.message("en")
    assert "installing, commissioning equipment or machinery (install_equipment)" in english
    assert english.startswith("Row 2, column activities: “설비 설치·골프”")


def test_allowed_text_lists_every_code_with_its_label() -> None:
    for column in LABEL_KEYS:
        for lang in ("en", "ko"):
            text = allowed_text(column, lang)
            assert text is not None
            for code in codes_of(column):
                assert f"{choice_label(column, code, lang)} ({code})" in text
    assert allowed_text("worker_id", "ko") is None


def test_unknown_choice_is_still_refused() -> None:
    with pytest.raises(CellError) as caught:
        parse_enum("사장", COLUMN_BY_NAME["role"].choices, "role")
    assert caught.value.issues[0][0] == "unknown_choice"


def test_every_enumerated_column_has_labels_in_both_languages() -> None:
    enumerated = {c.name for c in COLUMNS if c.type in {ColumnType.ENUM, ColumnType.ACTIVITIES}}
    assert enumerated == set(LABEL_KEYS)
    for column in enumerated:
        for code in codes_of(column):
            key = LABEL_KEYS[column][0].format(code=code)
            assert key in catalog("en") and key in catalog("ko"), key
    assert codes_of("activities") == ACTIVITY_CODES


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_column_label_is_accepted_as_its_header(lang: str) -> None:
    for column in COLUMNS:
        assert canonical_column(t(f"roster_input.column.{column.name}", lang)) == column.name


def test_labels_as_written_stay_on_the_fast_path(tmp_path: Path) -> None:
    from visadesk.roster.scan import fast_roster  # noqa: PLC0415 - polars, on demand

    cells = row(role="기술자", paid_by="본사", degree="Bachelor's degree")
    path = write_csv(tmp_path / "r.csv", [cells, row(worker_id="W-2", role="관리자")])
    fast = fast_roster(path)
    assert fast is not None  # not handed to the per-row reader
    frame = fast.frame.collect()
    assert frame["role"].to_list() == ["technician", "manager"]
    assert frame["paid_by"].to_list() == ["home_employer", "home_employer"]
    assert frame["degree"].to_list() == ["bachelor", None]
