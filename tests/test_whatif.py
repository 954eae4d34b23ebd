"""`visadesk whatif`: counts under both rule sets, who changes and why, when a cap runs out."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import base_facts
from visadesk.cli import app
from visadesk.policy.load import load_policy
from visadesk.roster import write_roster
from visadesk.screening import Engine
from visadesk.whatif import fiscal_period, what_if

AS_OF = dt.date(2026, 11, 27)
runner = CliRunner()


def small_cap_layer(tmp_path: Path, cap: int) -> str:
    """The E-4 layer with a tiny cap, to see it run out."""
    folder = tmp_path / "e4-small"
    shutil.copytree(str(resources.files("visadesk") / "rules" / "proposed" / "e4"), folder)
    params = folder / "parameters.yaml"
    params.write_text(
        params.read_text(encoding="utf-8").replace("value: 15000", f"value: {cap}"),
        encoding="utf-8",
    )
    return f"baseline+{folder}"


def professionals(tmp_path: Path) -> Path:
    """Five US-paid Korean engineers on long stays: H-1B today (after the lottery), E-4 later."""
    rows = []
    for i, start in enumerate(
        ["2026-12-01", "2027-01-15", "2027-02-01", "2027-03-01", "2027-11-01"]
    ):
        day = dt.date.fromisoformat(start)
        rows.append(
            base_facts(
                worker_id=f"P-{i}",
                trip_start=day,
                trip_end=day + dt.timedelta(days=300),
                activities=("professional_work",),
                paid_by="mixed",
                degree="master",
                us_entity_affiliated=False,
            )
        )
    path = tmp_path / "pros.csv"
    write_roster(rows, path)
    return path


def test_fiscal_periods() -> None:
    assert fiscal_period(dt.date(2026, 9, 30), "fiscal_year") == "FY2026"
    assert fiscal_period(dt.date(2026, 10, 1), "fiscal_year") == "FY2027"
    assert fiscal_period(dt.date(2027, 3, 31), "half_fiscal_year") == "FY2027 H1"
    assert fiscal_period(dt.date(2027, 4, 1), "half_fiscal_year") == "FY2027 H2"


def test_cap_runs_out_on_the_third_trip_start(tmp_path: Path) -> None:
    roster = professionals(tmp_path)
    result = what_if(
        roster, load_policy("baseline"), load_policy(small_cap_layer(tmp_path, 3)), as_of=AS_OF
    )
    assert result.recommended["E4"] == (0, 5)
    uses = {(u.period, u.demand): u for u in result.caps if u.category == "E4"}
    fy27 = uses[("FY2027", "recommended")]
    assert (fy27.cap, fy27.used) == (3, 3)
    assert fy27.exhausted_on == dt.date(2027, 2, 1)
    assert fy27.first_over_cap == "P-3"
    fy28 = uses[("FY2028", "recommended")]
    assert (fy28.used, fy28.exhausted_on) == (1, None)


def test_changes_say_who_and_why(tmp_path: Path) -> None:
    roster = professionals(tmp_path)
    result = what_if(roster, load_policy("baseline"), load_policy("baseline+e4"), as_of=AS_OF)
    assert len(result.changes) == 5
    change = result.changes[0]
    assert (change.worker_id, change.recommended_before, change.recommended_after) == (
        "P-0",
        "H1B",
        "E4",
    )
    assert ("E4", None, "eligible") in change.statuses
    assert set(change.why) == {
        "E4.korean_national",
        "E4.specialty_occupation",
        "E4.us_employer_pays",
        "E4.specialty_work",
        "E4.no_unlawful_presence_bar",
    }


def test_unchanged_roster_has_no_changes(sample_csv: Path) -> None:
    result = what_if(sample_csv, load_policy("baseline"), load_policy("baseline"), as_of=AS_OF)
    assert result.changes == []
    assert all(
        before == after for counts in result.statuses.values() for before, after in counts.values()
    )


@pytest.mark.parametrize("engine", ["case", "batch"])
def test_both_engines_give_the_same_comparison(sample_csv: Path, engine: Engine) -> None:
    case = what_if(
        sample_csv, load_policy("baseline"), load_policy("baseline+e4"), as_of=AS_OF, engine="case"
    )
    other = what_if(
        sample_csv, load_policy("baseline"), load_policy("baseline+e4"), as_of=AS_OF, engine=engine
    )
    assert other == case


def test_cli_table_json_and_xlsx(sample_csv: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "whatif.xlsx"
    result = runner.invoke(
        app,
        [
            "whatif",
            str(sample_csv),
            "--policy",
            "baseline+e4",
            "--as-of",
            "2026-11-27",
            "--xlsx",
            str(xlsx),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "What if" in result.stdout and "not law" in result.stdout and "E4 FY2027" in result.stdout
    )
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Counts", "Changes", "Caps"]
    assert "not legal advice" in str(wb["Counts"]["A1"].value)
    out = runner.invoke(
        app,
        ["whatif", str(sample_csv), "--policy", "baseline+e4", "--as-of", "2026-11-27", "--json"],
    )
    document = json.loads(out.stdout)
    assert document["statuses"]["E4"]["eligible"]["baseline"] == 0
    assert document["statuses"]["E4"]["eligible"]["proposed"] > 0
    assert "not law" in document["notice"]["en"]


def test_cli_korean(sample_csv: Path) -> None:
    result = runner.invoke(
        app,
        [
            "whatif",
            str(sample_csv),
            "--policy",
            "baseline+e4",
            "--as-of",
            "2026-11-27",
            "--lang",
            "ko",
        ],
    )
    assert result.exit_code == 0
    assert "가정 분석" in result.stdout and "현행법이 아니며" in result.stdout


def test_cli_bad_policy(sample_csv: Path) -> None:
    result = runner.invoke(app, ["whatif", str(sample_csv), "--policy", "nonesuch"])
    assert result.exit_code == 2 and "nonesuch" in result.stderr
