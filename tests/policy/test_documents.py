"""The document checklist: rule data that cites existing rules, read strictly."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from visadesk.policy.documents import (
    DESK_PROCEDURE,
    Checklist,
    ChecklistError,
    applied_rules,
    load_checklist,
)
from visadesk.policy.load import PolicyError, RuleLoader, provision_index
from visadesk.policy.model import Policy

BUNDLED = Path(str(resources.files("visadesk") / "rules" / "baseline" / "documents.yaml"))


@pytest.fixture(scope="module")
def checklist(baseline: Policy) -> Checklist:
    return load_checklist(baseline)


def raw_items() -> list[dict[str, Any]]:
    data = yaml.load(BUNDLED.read_text(encoding="utf-8"), Loader=RuleLoader)  # noqa: S506
    return list(data["documents"])


def ids(items: tuple[Any, ...]) -> list[str]:
    return [i.id for i in items]


# -- the bundled checklist ------------------------------------------------------------


def test_every_baseline_category_has_a_checklist(baseline: Policy, checklist: Checklist) -> None:
    for cid in baseline.categories:
        assert checklist.covers(cid), cid
        items = checklist.for_case(cid, ())
        assert "passport" in ids(items), cid
        assert any(i.carry_at_port for i in items), cid
        assert any(not i.desk_procedure for i in items), f"{cid}: only desk procedure"


def test_every_rule_id_referenced_exists(baseline: Policy) -> None:
    referenced = [r for item in raw_items() for r in item.get("evidences", [])]
    assert referenced
    assert [r for r in referenced if r not in baseline.rules] == []


def test_every_item_cites_a_rule_or_is_desk_procedure_with_a_verify_note(
    checklist: Checklist,
) -> None:
    for item in raw_items():
        assert ("evidences" in item) != ("source" in item), item["id"]
        if "source" in item:
            assert item["source"] == DESK_PROCEDURE
            assert item.get("verify"), item["id"]
    for loaded in checklist.items:
        assert (loaded.citation_text is None) == loaded.desk_procedure
        if loaded.desk_procedure:
            assert loaded.verify


def test_items_inherit_the_citation_of_the_rules_they_evidence(
    baseline: Policy, checklist: Checklist
) -> None:
    clause = checklist.item("contract_of_sale_clause")
    assert clause.rule_ids == ("B1.ciw.contract_requires_service", "B1.ciw.equipment_from_abroad")
    assert clause.citation_text == str(baseline.rule("B1.ciw.contract_requires_service").citation)
    assert clause.citation_text == "9 FAM 402.2-5(E)(1)"
    assert checklist.item("passport").citation_text is None


def test_every_evidenced_rule_is_applied_by_one_of_the_items_categories(
    baseline: Policy, checklist: Checklist
) -> None:
    provisions = provision_index(baseline)
    for item in checklist.items:
        applied = set().union(
            *(applied_rules(baseline.categories[c], provisions) for c in item.categories)
        )
        assert set(item.rule_ids) <= applied, item.id


def test_b1_installer_gets_the_contract_clause_and_general_business_does_not(
    checklist: Checklist,
) -> None:
    installer = ids(checklist.for_case("B1", ("B1.commercial_industrial_worker",)))
    general = ids(checklist.for_case("B1", ("B1.general_business",)))
    assert "contract_of_sale_clause" in installer
    assert "specialized_knowledge_letter" in installer
    assert "employer_letter" in installer and "employer_letter" in general
    assert "contract_of_sale_clause" not in general
    assert "specialized_knowledge_letter" not in general
    both = ids(checklist.for_case("B1", ("B1.general_business", "B1.commercial_industrial_worker")))
    assert "contract_of_sale_clause" in both


def test_esta_installers_need_the_clause_too_on_the_b1_provision(checklist: Checklist) -> None:
    """VWP activity treatments cite the B-1 provisions, so the same documents apply."""
    items = checklist.for_case("VWP", ("B1.commercial_industrial_worker",))
    assert "contract_of_sale_clause" in ids(items)
    assert "esta_approval" in ids(items)
    assert "ds160_confirmation" not in ids(items)


def test_per_provision_items(checklist: Checklist) -> None:
    assert "training_program_letter" in ids(checklist.for_case("B1", ("B1.specialized_trainer",)))
    assert "supervision_scope_letter" in ids(
        checklist.for_case("VWP", ("B1.construction_supervision",))
    )
    in_lieu = ids(checklist.for_case("B1", ("B1.in_lieu_of_h",)))
    assert {"in_lieu_degree", "in_lieu_payroll_letter"} <= set(in_lieu)
    assert "in_lieu_degree" not in ids(checklist.for_case("VWP", ("B1.in_lieu_of_h",)))


def test_petition_statuses_carry_the_i797(checklist: Checklist) -> None:
    for cid in ("L1A", "L1B", "H1B", "H2B"):
        carried = ids(checklist.to_carry(cid, ()))
        assert "i797_approval_notice" in carried, cid
        assert "ds160_confirmation" not in carried, cid
    assert "e2_registration" in ids(checklist.to_carry("E2", ("E2.employment",)))


def test_a_case_keeps_only_the_citations_of_its_own_category(checklist: Checklist) -> None:
    """One item may evidence a rule per category; each case shows its own category's."""
    vwp = checklist.item("employer_letter")
    assert vwp.rule_ids == ("VWP.no_us_pay", "B1.no_us_pay")
    (b1,) = [i for i in checklist.for_case("B1", ()) if i.id == "employer_letter"]
    (esta,) = [i for i in checklist.for_case("VWP", ()) if i.id == "employer_letter"]
    assert b1.rule_ids == ("B1.no_us_pay",) and b1.citation_text == "INA 101(a)(15)(B)"
    assert esta.rule_ids == ("VWP.no_us_pay",)
    (l1a,) = [i for i in checklist.for_case("L1A", ()) if i.id == "l1_employment_letter"]
    assert "L1B.specialized_knowledge" not in l1a.rule_ids
    assert "L1A.managerial_role" in l1a.rule_ids


def test_a_proposed_category_without_items_gets_an_empty_list(with_e4: Policy) -> None:
    checklist = load_checklist(with_e4)
    assert not checklist.covers("E4")
    assert checklist.for_case("E4", ("E4.specialty_work",)) == ()


def test_an_unknown_category_is_refused(checklist: Checklist) -> None:
    with pytest.raises(KeyError, match="E4"):
        checklist.for_case("E4", ())


def test_texts_may_quote_parameters(baseline: Policy, checklist: Checklist) -> None:
    item = checklist.item("e2_ownership")
    assert "{e2_min_treaty_ownership_pct}" in item.description.en
    assert "at least 50% of" in baseline.format(item.description, "en", dt.date(2026, 11, 27))
    assert "50% 이상" in baseline.format(item.description, "ko", dt.date(2026, 11, 27))


# -- bad files --------------------------------------------------------------------------


def good_item(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "contract_clause",
        "title": {"en": "Contract clause", "ko": "계약 조항"},
        "description": {"en": "The clause.", "ko": "조항입니다."},
        "required": True,
        "carry_at_port": True,
        "categories": ["B1"],
        "provisions": ["B1.commercial_industrial_worker"],
        "evidences": ["B1.ciw.contract_requires_service"],
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def write(tmp_path: Path, *items: dict[str, Any]) -> Path:
    path = tmp_path / "documents.yaml"
    path.write_text(yaml.safe_dump({"documents": list(items)}, allow_unicode=True), "utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path, baseline: Policy) -> None:
    checklist = load_checklist(baseline, write(tmp_path, good_item()))
    assert ids(checklist.items) == ["contract_clause"]
    assert checklist.source == str(tmp_path / "documents.yaml")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"carry_at_prot": True}, r"unknown key\(s\) carry_at_prot"),
        ({"evidences": ["B1.ciw.contract_clause"]}, "unknown rule id 'B1.ciw.contract_clause'"),
        ({"categories": ["B2"]}, "unknown category 'B2'"),
        ({"provisions": ["B1.installer"]}, "unknown provision 'B1.installer'"),
        (
            {"categories": ["E2"], "evidences": ["E2.registered_enterprise"]},
            "category E2 cannot rest on provision B1.commercial_industrial_worker",
        ),
        (
            {"categories": ["E2"], "provisions": None},
            r"evidences rule B1.ciw.contract_requires_service, which none of its categories \(E2\)",
        ),
        (
            {"categories": ["B1", "E2"], "provisions": None},
            "category E2 applies none of the rules",
        ),
        ({"evidences": None, "source": "9 FAM 402.2-5(E)(1)"}, "'source' may only be"),
        ({"evidences": None, "source": DESK_PROCEDURE}, "needs a 'verify' note"),
        ({"source": DESK_PROCEDURE, "verify": "x"}, "not both"),
        ({"evidences": None}, "needs 'evidences'"),
        ({"evidences": []}, "'evidences' must be a non-empty list"),
        ({"title": {"en": "Clause"}}, "title needs a text in both 'en' and 'ko'"),
        ({"description": {"en": "a", "b": None, "ko": "가"}}, "keys other than 'en' and 'ko'"),
        ({"required": "yes"}, "'required' must be true or false"),
        ({"carry_at_port": None}, "'carry_at_port' must be true or false"),
        ({"categories": ["B1", "B1"]}, "'categories' lists an id twice"),
        ({"id": "Contract Clause"}, "lower case"),
        ({"description": {"en": "{no_such_param}", "ko": "가"}}, r"quotes \{no_such_param\}"),
    ],
)
def test_bad_items_are_named_with_the_file(
    tmp_path: Path, baseline: Policy, changes: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, good_item(**changes))
    with pytest.raises(ChecklistError, match=message) as info:
        load_checklist(baseline, path)
    assert str(path) in str(info.value)
    item_id = changes.get("id", "contract_clause")
    assert f"document {item_id}" in str(info.value)


def test_a_duplicate_id_is_refused(tmp_path: Path, baseline: Policy) -> None:
    with pytest.raises(ChecklistError, match="document contract_clause: is defined twice"):
        load_checklist(baseline, write(tmp_path, good_item(), good_item()))


def test_an_item_without_an_id_is_named_by_position(tmp_path: Path, baseline: Policy) -> None:
    with pytest.raises(ChecklistError, match="item 2 needs an 'id'"):
        load_checklist(baseline, write(tmp_path, good_item(), good_item(id=None)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("documents: {}\n", "needs a top-level 'documents:' list"),
        ("- id: x\n", "needs a top-level 'documents:' list"),
        ("documents: []\nitems: []\n", r"unknown top-level key\(s\) items"),
        ("documents: [\n", "not valid YAML"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, baseline: Policy, text: str, message: str) -> None:
    path = tmp_path / "documents.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError, match=message) as info:
        load_checklist(baseline, path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_policy_error(tmp_path: Path, baseline: Policy) -> None:
    with pytest.raises(PolicyError, match="cannot be read"):
        load_checklist(baseline, tmp_path / "nope.yaml")


def test_the_checklist_is_checked_against_the_policy_it_is_given(
    tmp_path: Path, with_e4: Policy, baseline: Policy
) -> None:
    item = good_item(
        categories=["E4"], provisions=None, evidences=["E4.korean_national"], id="e4_passport"
    )
    path = write(tmp_path, item)
    assert load_checklist(with_e4, path).covers("E4")
    with pytest.raises(ChecklistError, match="unknown category 'E4'"):
        load_checklist(baseline, path)
