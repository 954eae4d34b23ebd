"""`visadesk screen`, `explain` and `sample` through the real command runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from visadesk.cli import app

runner = CliRunner()
AS_OF = ["--as-of", "2026-11-27"]
STATUSES = {"eligible", "ineligible", "needs_info"}
CATEGORIES = ["VWP", "B1", "E2", "L1A", "L1B", "H1B", "H2B"]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def document(sample_csv: Path) -> dict[str, Any]:
    code, out, _ = run("screen", str(sample_csv), "--json", *AS_OF)
    assert code == 0
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_json_follows_the_roster_contract(document: dict[str, Any]) -> None:
    results = document["results"]
    assert isinstance(results, list) and len(results) >= 60
    assert document["as_of"] == "2026-11-27"
    for row in results:
        assert set(row) >= {"worker_id", "recommended", "categories", "flags", "missing"}
        assert list(row["categories"]) == CATEGORIES
        for cid, verdict in row["categories"].items():
            assert verdict["status"] in STATUSES
            assert verdict["reasons"], f"{row['worker_id']} {cid}: a verdict without reasons"
            for reason in verdict["reasons"]:
                assert reason["rule"] and reason["citation"] and reason["message"], reason
            if verdict["status"] == "needs_info":
                assert verdict["missing"], (
                    f"{row['worker_id']} {cid}: needs_info without missing facts"
                )
            else:
                assert "missing" not in verdict
        recommended = row["recommended"]
        if recommended is not None:
            chosen = row["categories"][recommended]
            assert chosen["status"] == "eligible" and chosen["stay_covers_trip"] is True
            assert row["ready_by"] == chosen["ready_by"]
        for flag in row["flags"]:
            assert (
                flag["severity"] in {"low", "medium", "high"}
                and flag["message"]
                and flag["citation"]
            )


def test_json_says_it_is_guidance_not_legal_advice(document: dict[str, Any]) -> None:
    notice = document["notice"]
    assert isinstance(notice, dict)
    assert "not legal advice" in notice["en"]
    assert "법률 자문이 아닙니다" in notice["ko"]


def test_sample_shows_the_georgia_patterns(document: dict[str, Any]) -> None:
    """Construction on business visas and ESTA installers without the clause are flagged."""
    rows = {r["worker_id"]: r for r in document["results"]}
    sj1 = rows["SJ-0001"]
    assert {f["code"] for f in sj1["flags"]} >= {"visitor_status_work"}
    assert sj1["categories"]["B1"]["status"] == "ineligible"
    assert any(r["rule"] == "B1.construction_excluded" for r in sj1["categories"]["B1"]["reasons"])
    flagged = [
        r
        for r in rows.values()
        if any(f["code"] == "subcontractor_equipment_work_unverified" for f in r["flags"])
    ]
    assert flagged, "no subcontractor installer without the contract-clause fact was flagged"
    us_paid = [
        r for r in rows.values() if any(f["code"] == "us_pay_on_visitor_status" for f in r["flags"])
    ]
    assert us_paid


def test_b1_annotation_names_provision_employer_project_worksite(
    document: dict[str, Any],
) -> None:
    rows = [r for r in document["results"] if r["categories"]["B1"]["status"] == "eligible"]
    assert rows
    for row in rows:
        assert row["annotation"].startswith("B-1 | ")
        assert row["categories"]["B1"]["basis"] in row["annotation"]
        assert "Employer:" in row["annotation"] and "Worksite:" in row["annotation"]


def test_summary_table_in_both_languages(sample_csv: Path) -> None:
    code, out, _ = run("screen", str(sample_csv), *AS_OF)
    assert code == 0
    assert "Screening summary" in out and "VWP" in out and "not legal advice" in out
    code, out, _ = run("screen", str(sample_csv), *AS_OF, "--lang", "ko")
    assert code == 0
    assert "심사 요약" in out and "법률 자문이 아닙니다" in out


def test_csv_and_xlsx_outputs(sample_csv: Path, tmp_path: Path) -> None:
    csv_path, xlsx_path = tmp_path / "out.csv", tmp_path / "out.xlsx"
    code, _, _ = run(
        "screen", str(sample_csv), *AS_OF, "--csv", str(csv_path), "--xlsx", str(xlsx_path)
    )
    assert code == 0
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 60
    assert {f"status_{c}" for c in CATEGORIES} <= set(rows[0])
    assert all(
        r["reasons_en"] and r["reasons_ko"] and "not legal advice" in r["notice"] for r in rows
    )
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == ["Screening", "Summary", "Rules and sources"]
    header = [c.value for c in wb["Screening"][1]]
    assert "Reasons (rule [citation] text)" in header and "B1 verdict" in header
    assert wb["Screening"].max_row == len(rows) + 1
    assert "not legal advice" in str(wb["Summary"]["A1"].value)
    # The code-header layout, as the CSV, for programs.
    code, _, _ = run(
        "screen", str(sample_csv), *AS_OF, "--xlsx", str(xlsx_path), "--xlsx-layout", "codes"
    )
    assert code == 0
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == ["Screening", "Summary"]
    header = [c.value for c in wb["Screening"][1]]
    assert header == list(rows[0])


def test_trainer_verdict_depends_on_as_of(tmp_path: Path) -> None:
    roster = tmp_path / "trainer.csv"
    roster.write_text(
        "worker_id,family_name,given_name,nationality,trip_start,trip_end,activities,role,paid_by,"
        "equipment_from_abroad,specialized_knowledge,contract_requires_service,prior_overstay\n"
        "T1,KIM,MINSU,KR,2026-03-02,2026-03-20,train_us_workers,technician,home_employer,Y,Y,N,N\n",
        encoding="utf-8",
    )
    statuses = []
    for day in ("2025-11-01", "2026-01-01"):
        code, out, _ = run("screen", str(roster), "--json", "--as-of", day)
        assert code == 0
        statuses.append(json.loads(out)["results"][0]["categories"]["B1"]["status"])
    assert statuses == ["ineligible", "eligible"]


def test_bad_roster_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_text(
        "worker_id,family_name,given_name,trip_start,trip_end,activities,role,paid_by,nationality\n"
        "A1,KIM,MINSU,2026-03-10,2026-03-02,meetings,specialist,home_employer,KR\n"
        "A1,LEE,JIHO,2026-02-30,2026-03-02,welding,specialist,home_employer,XX\n",
        encoding="utf-8",
    )
    out_csv = tmp_path / "never.csv"
    code, out, err = run("screen", str(roster), "--csv", str(out_csv))
    assert code == 2
    assert out == ""
    for expected in ("trip_end", "worker_id", "2026-02-30", "welding", "XX", "Row 2", "Row 3"):
        assert expected in err, f"{expected!r} not in error report:\n{err}"
    assert not out_csv.exists()
    assert "Traceback" not in err


def test_resident_registration_numbers_are_refused_and_not_echoed(tmp_path: Path) -> None:
    roster = tmp_path / "rrn.csv"
    roster.write_text(
        "worker_id,family_name,given_name,trip_start,trip_end,activities,role,paid_by,주민등록번호\n"
        "A1,KIM,MINSU,2026-03-02,2026-03-10,meetings,specialist,home_employer,900101-1234567\n",
        encoding="utf-8",
    )
    for lang in ("en", "ko"):
        code, out, err = run("screen", str(roster), "--json", "--lang", lang)
        assert code == 2 and out == ""
        assert "1234567" not in err
        assert "주민등록번호" in err or "resident registration" in err.lower()


def test_bad_date_option_is_a_clear_error(sample_csv: Path) -> None:
    code, _, err = run("screen", str(sample_csv), "--as-of", "2026-13-01")
    assert code == 2
    assert "--as-of" in err and "YYYY-MM-DD" in err


def test_unknown_policy_is_a_clear_error(sample_csv: Path) -> None:
    code, _, err = run("screen", str(sample_csv), "--policy", "nonesuch")
    assert code == 2 and "nonesuch" in err


def test_proposed_layer_adds_e4(sample_csv: Path) -> None:
    code, out, _ = run("screen", str(sample_csv), "--json", *AS_OF, "--policy", "baseline+e4")
    assert code == 0
    assert all("E4" in r["categories"] for r in json.loads(out)["results"])


def test_explain_gives_every_rule_fact_and_citation(sample_csv: Path) -> None:
    code, out, _ = run("explain", str(sample_csv), "SJ-0001", *AS_OF)
    assert code == 0
    for expected in (
        "SJ-0001",
        "B1.construction_excluded",
        "8 CFR 214.2(b)(5)",
        "✗",
        "facts:",
        "not legal advice",
    ):
        assert expected in out
    for category in CATEGORIES:
        assert f"\n{category} " in out


def test_explain_in_korean(sample_csv: Path) -> None:
    code, out, _ = run("explain", str(sample_csv), "HB-0001", *AS_OF, "--lang", "ko")
    assert code == 0
    assert "심사 내역" in out and "출처" in out and "법률 자문이 아닙니다" in out


def test_explain_unknown_worker(sample_csv: Path) -> None:
    code, _, err = run("explain", str(sample_csv), "NOPE-1")
    assert code == 2 and "NOPE-1" in err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sample_writes_the_bundled_roster(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"sample{suffix}"
    code, _, _ = run("sample", str(target))
    assert code == 0 and target.stat().st_size > 1000


def test_sample_refuses_other_formats(tmp_path: Path) -> None:
    code, _, err = run("sample", str(tmp_path / "sample.txt"))
    assert code == 2 and ".csv" in err


def test_a_date_before_the_rules_is_a_clear_error(sample_csv: Path) -> None:
    code, _, err = run("screen", str(sample_csv), "--as-of", "2008-11-16")
    assert code == 2
    assert "2008-11-17" in err and "Traceback" not in err


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_missing_column_and_out_of_range_percentage(tmp_path: Path, lang: str) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_text(
        "worker_id,family_name,given_name,trip_start,trip_end,activities,role,us_entity_treaty_ownership_pct\n"
        "A1,KIM,MINSU,2026-03-02,2026-03-10,meetings,specialist,140\n",
        encoding="utf-8",
    )
    code, out, err = run("screen", str(roster), "--json", "--lang", lang)
    assert code == 2 and out == ""
    assert "paid_by" in err and "140" in err and "us_entity_treaty_ownership_pct" in err
    assert "Traceback" not in err
