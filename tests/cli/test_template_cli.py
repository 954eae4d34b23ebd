"""`visadesk template OUT.xlsx --lang ko`: the roster template from the command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from visadesk.cli import app
from visadesk.i18n import t
from visadesk.roster import read_roster

runner = CliRunner()


def test_writes_the_korean_template_which_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "명단 양식.xlsx"
    result = runner.invoke(app, ["template", str(out), "--lang", "ko"])
    assert result.exit_code == 0, result.stderr
    assert str(out) in result.stdout and "한국어" in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["명단", "안내"]
    assert book["명단"]["A1"].value == t("roster_input.column.worker_id", "ko")
    assert len(read_roster(out).rows) == 3


def test_refuses_a_name_that_is_not_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "template.csv"
    result = runner.invoke(app, ["template", str(out)])
    assert result.exit_code == 2
    assert ".xlsx" in result.stderr
    assert not out.exists()
