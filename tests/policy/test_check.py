"""`policy check`: the bundled rule sets pass; each kind of gap is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policy.test_load import copy_baseline, edit
from visadesk.policy.check import check_policy
from visadesk.policy.load import load_policy
from visadesk.policy.model import Policy


def test_bundled_rule_sets_pass(baseline: Policy, with_e4: Policy) -> None:
    assert check_policy(baseline) == []
    assert check_policy(with_e4) == []


def codes(folder: Path) -> set[tuple[str, str]]:
    return {(p.code, p.item) for p in check_policy(load_policy(str(folder)))}


def test_missing_activity_treatment(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(folder / "categories/H2B.yaml", "  meetings: {allowed_by: [H2B.temporary_labor]}\n", "")
    assert ("treatment", "H2B") in codes(folder)


def test_treatment_citing_an_unknown_provision(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(
        folder / "categories/E2.yaml",
        "  meetings: {allowed_by: [E2.employment]}",
        "  meetings: {allowed_by: [E2.nonesuch]}",
    )
    problems = check_policy(load_policy(str(folder)))
    assert any(p.code == "treatment" and "E2.nonesuch" in p.detail for p in problems)


def test_citation_without_pinpoint(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(folder / "categories/E2.yaml", 'pinpoint: "41.51", as_of', 'pinpoint: "", as_of')
    assert ("citation", "E2.treaty_nationality") in codes(folder)


def test_condition_reading_an_unknown_fact(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(
        folder / "categories/H2B.yaml",
        "{fact: temporary_need, is: true}",
        "{fact: temp_need, is: true}",
    )
    assert ("fact", "H2B.temporary_need") in codes(folder)


def test_condition_reading_an_unknown_parameter(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(folder / "categories/L1A.yaml", "{param: l1_min_months}", "{param: l1_minimum}")
    assert ("parameter", "L1.qualifying_employment") in codes(folder)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a requirement no facts can meet: the category can never be reached
        (
            "test: {fact: months_with_employer_last_3y, gte: {param: l1_min_months}}",
            "test: {all: [{fact: months_with_employer_last_3y, gte: 40},"
            " {fact: months_with_employer_last_3y, lt: 12}]}",
        ),
        (
            "any:\n        - {fact: role, eq: executive}",
            "all:\n        - {fact: role, eq: astronaut}",
        ),
    ],
)
def test_unreachable_category(tmp_path: Path, old: str, new: str) -> None:
    folder = copy_baseline(tmp_path)
    edit(folder / "categories/L1A.yaml", old, new)
    assert ("unreachable", "L1A") in codes(folder)


def test_reachable_only_through_fact_to_fact_equality(baseline: Policy) -> None:
    """E-2 needs nationality = employer_nationality: the search must try shared values."""
    assert not any(p.item == "E2" for p in check_policy(baseline))


def test_shadowed_provision(tmp_path: Path) -> None:
    """A provision listed after one with no conditions can never be the one cited."""
    folder = copy_baseline(tmp_path)
    edit(
        folder / "categories/B1.yaml",
        "  negotiation: {allowed_by: [B1.general_business]}",
        "  negotiation: {allowed_by: [B1.general_business, B1.in_lieu_of_h]}",
    )
    assert ("shadowed", "B1.in_lieu_of_h") in codes(folder)


def test_unused_provision(tmp_path: Path) -> None:
    folder = copy_baseline(tmp_path)
    edit(
        folder / "categories/B1.yaml",
        "  professional_work: {allowed_by: [B1.in_lieu_of_h]}",
        "  professional_work: {prohibited_by: B1.managing_is_employment}",
    )
    assert ("unused", "B1.in_lieu_of_h") in codes(folder)
