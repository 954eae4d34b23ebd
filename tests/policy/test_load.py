"""Loading rule sets: layers, effective dates, and clear errors for bad rule files."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pytest
import yaml

from visadesk.policy.load import PolicyError, bundled_layers, load_policy
from visadesk.policy.model import Policy


def copy_baseline(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(str(resources.files("visadesk") / "rules" / "baseline"), target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_baseline_has_the_seven_categories_in_order(baseline: Policy) -> None:
    assert list(baseline.categories) == ["VWP", "B1", "E2", "L1A", "L1B", "H1B", "H2B"]
    assert not any(c.proposed for c in baseline.categories.values())


def test_e4_is_a_proposed_layer_only_on_request(baseline: Policy, with_e4: Policy) -> None:
    assert "e4" in bundled_layers()
    assert "E4" not in baseline.categories
    assert with_e4.categories["E4"].proposed
    assert with_e4.param("e4_annual_cap", dt.date(2026, 1, 1)) == 15000
    assert with_e4.version == "2026.12.03+e4"


def test_a_proposed_layer_cannot_stand_alone() -> None:
    with pytest.raises(PolicyError, match="proposed layer"):
        load_policy("e4")


def test_unknown_rule_set_is_named() -> None:
    with pytest.raises(PolicyError, match="no rule set 'nonesuch'"):
        load_policy("nonesuch")


def test_parameters_are_effective_dated(baseline: Policy) -> None:
    assert baseline.param("seoul_interview_wait_business_days", dt.date(2025, 11, 1)) == 20
    assert baseline.param("seoul_interview_wait_business_days", dt.date(2026, 1, 1)) == 10
    assert baseline.param("h1b_new_petition_fee_usd", dt.date(2025, 9, 20)) == 0
    assert baseline.param("h1b_new_petition_fee_usd", dt.date(2025, 9, 21)) == 100000


def test_country_codes_are_not_read_as_yaml_booleans(baseline: Policy) -> None:
    """YAML 1.1 reads NO (Norway) as False; rule files use YAML 1.2 booleans."""
    countries = baseline.param("vwp_countries", dt.date(2026, 1, 1))
    assert isinstance(countries, tuple)
    assert "NO" in countries
    assert all(isinstance(c, str) and len(c) == 2 for c in countries)


def test_every_verify_note_from_the_reference_is_kept(baseline: Policy) -> None:
    """Paragraphs the reference marks 'verify' carry the note in the rule data."""
    trainer = baseline.rule("B1.specialized_trainer")
    assert trainer.verify and "verify" in trainer.verify.lower()
    assert baseline.rule("B1.in_lieu_of_h").verify
    stay = baseline.parameters["b1_typical_stay_days"].at(dt.date(2026, 1, 1))
    assert stay is not None and stay.verify


def test_specialized_trainer_starts_on_4_december_2025(baseline: Policy) -> None:
    rule = baseline.rule("B1.specialized_trainer")
    assert not rule.effective.contains(dt.date(2025, 12, 3))
    assert rule.effective.contains(dt.date(2025, 12, 4))


def test_folder_rule_set_loads(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    policy = load_policy(str(folder))
    assert list(policy.categories)[:2] == ["VWP", "B1"]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "categories/B1.yaml",
            "effective: {from: 2025-12-04}",
            "efective: {from: 2025-12-04}",
            "unknown key",
        ),
        (
            "categories/B1.yaml",
            "title: {en: No pay from a US source, ko: 미국 측 보수 수령 금지}",
            "title: {en: No pay, from a US source, ko: 미국 측 보수 수령 금지}",
            "quote texts with commas",
        ),
        (
            "categories/B1.yaml",
            "  - id: B1.no_us_pay\n",
            "  - id: B1.no_unlawful_presence_bar\n",
            "defined twice",
        ),
        (
            "categories/B1.yaml",
            "test: {fact: paid_by, eq: home_employer}",
            "test: {fact: paid_by, equals: x}",
            "unknown comparison",
        ),
        ("categories/VWP.yaml", "ko: 비자면제프로그램 (ESTA)}", "ko: }", "both 'en' and 'ko'"),
        (
            "parameters.yaml",
            'source: "8 CFR 214.2(b)(1): admission for not more than one year."',
            "note: x",
            "needs a 'source'",
        ),
        (
            "categories/L1B.yaml",
            "  - use: L1.qualifying_employment",
            "  - use: L1.nonesuch",
            "names no requirement",
        ),
    ],
)
def test_bad_rule_files_name_file_and_item(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = copy_baseline(tmp_path)
    edit(folder / file, old, new)
    with pytest.raises(PolicyError, match=message) as info:
        load_policy(str(folder))
    assert Path(file).name in str(info.value)


def test_layer_over_a_folder(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    layer = tmp_path / "draft"
    (layer / "categories").mkdir(parents=True)
    (layer / "policy.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "draft",
                "kind": "proposed",
                "version": "d1",
                "title": {"en": "Draft", "ko": "초안"},
                "notice": {"en": "n", "ko": "n"},
            }
        ),
        encoding="utf-8",
    )
    (layer / "parameters.yaml").write_text(
        "parameters:\n  vwp_max_stay_days:\n    title: {en: t, ko: t}\n    unit: days\n"
        "    values:\n      - {from: 2008-11-17, value: 120, source: draft bill}\n",
        encoding="utf-8",
    )
    policy = load_policy(f"{folder}+{layer}")
    assert policy.param("vwp_max_stay_days", dt.date(2026, 1, 1)) == 120
    assert policy.layers == (str(folder), str(layer))
