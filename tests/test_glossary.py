"""One Korean term per concept: no Korean message uses a rejected variant.

The glossary (``locales/glossary.yaml``) names, for each concept, the one Korean
term and the variants that must not appear; this test scans every Korean
catalog file, including catalogs added later, against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[1] / "src" / "visadesk" / "locales"
RULES = Path(__file__).resolve().parents[1] / "src" / "visadesk" / "rules"


@dataclass(frozen=True)
class Concept:
    name: str
    term: str
    rejected: tuple[str, ...]
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Misuse:
    catalog: str
    key: str
    concept: str
    variant: str
    term: str


def glossary() -> list[Concept]:
    data = yaml.safe_load((LOCALES / "glossary.yaml").read_text(encoding="utf-8"))
    return [
        Concept(name, c["ko"], tuple(c["rejected"]), tuple(c.get("allowed") or ()))
        for name, c in data["concepts"].items()
    ]


def korean_messages() -> list[tuple[str, str, str]]:
    """(catalog file, key, text) for every message of every Korean catalog."""
    out: list[tuple[str, str, str]] = []
    for path in sorted((LOCALES / "ko").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="ko"):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    out.append((path.name, key, text))
    return out


def rule_texts() -> list[tuple[str, str, str]]:
    """(rule file, path, text) for every Korean text of the rule data (``ko:`` values):
    rule messages, flags and notices reach sponsors' screens and the traveller sheet."""
    out: list[tuple[str, str, str]] = []

    def walk(node: object, where: str, name: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "ko" and isinstance(value, str):
                    out.append((name, where, value))
                else:
                    walk(value, f"{where}.{key}" if where else str(key), name)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]", name)

    for path in sorted(RULES.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), "", str(path.relative_to(RULES)))
    return out


def misuses(messages: list[tuple[str, str, str]], concepts: list[Concept]) -> list[Misuse]:
    found: list[Misuse] = []
    for name, key, text in messages:
        for concept in concepts:
            checked = text
            for phrase in concept.allowed:
                checked = checked.replace(phrase, "")
            found.extend(
                Misuse(name, key, concept.name, variant, concept.term)
                for variant in concept.rejected
                if variant in checked
            )
    return found


def test_no_korean_message_uses_a_rejected_variant() -> None:
    found = misuses(korean_messages(), glossary())
    assert found == [], "\n".join(
        f"{m.catalog} {m.key}: “{m.variant}” for {m.concept}; use “{m.term}”" for m in found
    )


def test_no_korean_rule_text_uses_a_rejected_variant() -> None:
    """The rule data's Korean is read by the same people: the same glossary holds."""
    found = misuses(rule_texts(), glossary())
    assert found == [], "\n".join(
        f"{m.catalog} {m.key}: “{m.variant}” for {m.concept}; use “{m.term}”" for m in found
    )


def test_the_glossary_has_the_desks_terms() -> None:
    terms = {c.name: c.term for c in glossary()}
    assert terms["case"] == "사건"
    assert terms["sponsor"] == "스폰서"
    assert terms["subcontractor"] == "협력사"
    assert terms["visa_category"] == "비자 유형"
    assert terms["batch"] == "배치"
    assert terms["roster"] == "명단"
    assert terms["trip"] == "출장"
    assert terms["desk"] == "데스크"
    assert terms["officer"] == "담당관"
    assert terms["unknown"] == "정보 필요"
    assert terms["verify_by_counsel"] == "법률 검토 필요"


def test_a_term_is_never_its_own_rejected_variant() -> None:
    for concept in glossary():
        assert all(v not in concept.term for v in concept.rejected), concept.name


def test_the_scan_flags_a_second_term_and_spares_the_allowed_phrases() -> None:
    concepts = glossary()
    planted = [
        ("x.po", "x.case", "사례 {id}을(를) 열었습니다."),
        ("x.po", "x.sponsor", "발주사 관리자"),
        ("x.po", "x.category", "신청 자격"),
        ("x.po", "x.lawyer", "각 사건은 자격 있는 법률 전문가에게 확인하십시오."),
        ("x.po", "x.traveller", "출장자 안내문"),
    ]
    flagged = {(m.key, m.variant) for m in misuses(planted, concepts)}
    assert ("x.case", "사례") in flagged
    assert ("x.sponsor", "발주사") in flagged
    assert ("x.category", "신청 자격") in flagged
    assert not any(key in {"x.lawyer", "x.traveller"} for key, _ in flagged)


def test_every_term_is_used_by_some_korean_message() -> None:
    texts = " ".join(text for _, _, text in korean_messages())
    unused = [c.name for c in glossary() if c.term not in texts]
    assert unused == []
