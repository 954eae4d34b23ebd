"""`visadesk policy check | show | diff`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.policy.test_load import copy_baseline, edit
from visadesk.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_on_bundled_rules() -> None:
    code, out, _ = run("policy", "check", "--all")
    assert code == 0
    assert "baseline: OK" in out and "baseline+e4: OK" in out


def test_check_fails_on_a_gap(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(folder / "categories/H2B.yaml", "  meetings: {allowed_by: [H2B.temporary_labor]}\n", "")
    code, out, _ = run("policy", "check", "--policy", str(folder))
    assert code == 1
    assert "treatment: H2B: no treatment for activity 'meetings'" in out


def test_check_reports_an_unreadable_rule_file(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(
        folder / "categories/B1.yaml",
        "effective: {from: 2025-12-04}",
        "efective: {from: 2025-12-04}",
    )
    code, _, err = run("policy", "check", "--policy", str(folder))
    assert code == 2 and "efective" in err and "B1.yaml" in err


def test_show_one_category_with_sources() -> None:
    code, out, _ = run("policy", "show", "B1", "--as-of", "2026-01-01")
    assert code == 0
    for expected in (
        "B1.commercial_industrial_worker",
        "9 FAM 402.2-5(E)(1)",
        "VERIFY",
        "construction_work",
        "prohibited by B1.construction_excluded",
    ):
        assert expected in out


def test_show_in_korean_and_everything() -> None:
    code, out, _ = run("policy", "show", "--lang", "ko")
    assert code == 0
    assert "상용 방문" in out and "flags:" in out and "parameters:" in out


def test_show_unknown_category() -> None:
    code, _, err = run("policy", "show", "B9")
    assert code == 2 and "B9" in err


def test_diff_between_dates_shows_the_trainer_provision() -> None:
    code, out, _ = run("policy", "diff", "2025-11-01", "2026-01-01")
    assert code == 0
    assert "+ provision B1.specialized_trainer" in out
    assert "~ treatment B1/train_us_workers" in out


def test_diff_layer_against_baseline() -> None:
    code, out, _ = run("policy", "diff", "baseline", "baseline+e4")
    assert code == 0
    assert "+ category E4" in out and "+ parameter e4_annual_cap" in out
    assert not any(line.startswith("- ") for line in out.splitlines())


def test_diff_same_rules_is_empty() -> None:
    code, out, _ = run("policy", "diff", "baseline@2026-01-01", "baseline@2026-01-02")
    assert code == 0 and ": 0" in out
