"""Output: the contract row, reasons in both languages, atomic files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from tests.conftest import base_facts
from visadesk.atomic import atomic_path
from visadesk.engine import Screener
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer, annotation_values
from visadesk.report.explain import explain
from visadesk.report.tables import result_rows, write_csv, write_xlsx

AS_OF = dt.date(2026, 1, 5)


def test_basis_names_the_most_specific_provision_first(baseline: Policy) -> None:
    facts = base_facts(activities=("meetings", "install_equipment"))
    result = Screener(baseline, as_of=AS_OF).screen(facts)
    renderer = ResultRenderer(baseline, AS_OF)
    assert renderer.basis(result.verdicts["B1"]) == "9 FAM 402.2-5(E)(1); 9 FAM 402.2-5(B)"
    annotation = renderer.annotation(result)
    assert annotation == (
        "B-1 | 9 FAM 402.2-5(E)(1); 9 FAM 402.2-5(B) | Employer: Hanbit Energy Solutions"
        " | Project: Hanbit GA Cell Plant | Worksite: Bryan County, GA"
        " | Project end: not given - ask the sponsor"
    )
    assert renderer.annotation(result, "ko") is not None
    assert "고용주: Hanbit Energy Solutions" in str(renderer.annotation(result, "ko"))
    assert "프로젝트 종료일: 미기재 - 스폰서에 확인" in str(renderer.annotation(result, "ko"))


def test_annotation_names_the_project_end(baseline: Policy) -> None:
    """Issue #11: the desk's annotations name the project's end date (roster project_end)."""
    facts = base_facts(project_end=dt.date(2028, 6, 30))
    result = Screener(baseline, as_of=AS_OF).screen(facts)
    renderer = ResultRenderer(baseline, AS_OF)
    assert str(renderer.annotation(result)).endswith(" | Project end: 2028-06-30")
    assert str(renderer.annotation(result, "ko")).endswith(" | 프로젝트 종료일: 2028-06-30")
    assert result.verdicts["B1"].status.value == "eligible"  # a blank end never asks for B-1


def test_annotation_takes_the_desk_projects_end_when_the_roster_has_none() -> None:
    facts = {"employer": "Sejin", "project": "GA", "worksite": "Bryan County, GA"}
    assert annotation_values(facts, "b", "en", dt.date(2028, 1, 31))["project_end"] == "2028-01-31"
    given = {**facts, "project_end": dt.date(2027, 12, 31)}
    assert annotation_values(given, "b", "ko", dt.date(2028, 1, 31))["project_end"] == "2027-12-31"


def test_no_annotation_without_an_eligible_b1(baseline: Policy) -> None:
    result = Screener(baseline, as_of=AS_OF).screen(base_facts(activities=("construction_work",)))
    assert ResultRenderer(baseline, AS_OF).annotation(result) is None


def test_messages_fill_parameters_in_force(baseline: Policy) -> None:
    result = Screener(baseline, as_of=AS_OF).screen(base_facts(trip_end=dt.date(2026, 9, 1)))
    row = ResultRenderer(baseline, AS_OF, "ko").row(result)
    reason = next(r for r in row["categories"]["VWP"]["reasons"] if r["rule"] == "VWP.stay_limit")
    assert "90일" in reason["message"] and "{" not in reason["message"]
    assert reason["outcome"] == "fail"
    assert "verify" in reason


def test_reasons_in_english_and_korean(baseline: Policy) -> None:
    result = Screener(baseline, as_of=AS_OF).screen(base_facts(activities=("construction_work",)))
    (row,) = result_rows([result], baseline)
    assert "B1.construction_excluded [8 CFR 214.2(b)(5)]" in row["reasons_en"]
    assert "건설·시공 작업은" in row["reasons_ko"]
    assert row["status_B1"] == "ineligible"


def test_xlsx_dates_are_date_cells(baseline: Policy, tmp_path: Path) -> None:
    result = Screener(baseline, as_of=AS_OF).screen(base_facts())
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [result], baseline, "ko")
    wb = load_workbook(path)
    sheet = wb["심사결과"]
    header = [c.value for c in sheet[1]]
    trip_start = sheet.cell(row=2, column=header.index(t("workbook.col.trip_start", "ko")) + 1)
    assert isinstance(trip_start, Cell) and trip_start.is_date
    assert isinstance(trip_start.value, dt.datetime)
    assert trip_start.value.date() == dt.date(2026, 3, 2)
    assert "요약" in wb.sheetnames


def test_a_failed_write_leaves_no_file(baseline: Policy, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a file", encoding="utf-8")
        raise RuntimeError("disk full")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(baseline: Policy, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = Screener(baseline, as_of=AS_OF).screen(base_facts())
    write_csv(target, [result], baseline)
    before = target.read_bytes()
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == before


def test_explain_marks_alternatives_not_relied_on(baseline: Policy) -> None:
    facts = base_facts(activities=("train_us_workers",), contract_requires_service=False)
    text = explain(Screener(baseline, as_of=AS_OF).screen(facts), baseline)
    assert "(alternative, not relied on)" in text
    assert "legal basis: 9 FAM 402.2-5(E)(2)" in text
    assert "contract_requires_service = no" in text


def test_written_files_get_ordinary_permissions(baseline: Policy, tmp_path: Path) -> None:
    """Atomic writes go through a private temp file; the result is readable as usual."""
    target = tmp_path / "out.csv"
    write_csv(target, [Screener(baseline, as_of=AS_OF).screen(base_facts())], baseline)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
