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


def test_diff_old_rule_tree_against_baseline_names_each_change(tmp_path: Path) -> None:
    """An old rule-set folder (as `git archive` leaves it) diffs against the bundled baseline."""
    old = copy_baseline(tmp_path)
    edit(
        old / "parameters.yaml",
        '        value: 180\n        source: "INA 212',
        '        value: 90\n        source: "INA 212',
    )
    edit(old / "categories/B1.yaml", "held_visa_void_when:", "held_visa_void_when_gone:")
    text = (old / "categories/B1.yaml").read_text(encoding="utf-8")
    start = text.index("held_visa_void_when_gone:")
    end = text.index("lead_time:", start)
    (old / "categories/B1.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    code, out, _ = run("policy", "diff", str(old), "baseline")
    assert code == 0
    assert f"Changes from {old} to baseline: 2" in out
    assert (
        "~ parameter unlawful_presence_bar_min_days: from 2000-01-01: 90  ->  from 2000-01-01: 180"
        in out
    )
    assert "+ held visa B1: B1, B1/B2" in out and "overstay_on_held_visa is yes" in out
    code, out, _ = run("policy", "diff", str(old), str(old))
    assert code == 0 and ": 0" in out
