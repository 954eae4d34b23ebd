"""The document checklist: the supporting documents the desk asks for, as rule data.

``rules/baseline/documents.yaml`` lists them per status and, where it matters,
per provision. Nothing in it is law: an item either names the rules whose
conditions it evidences (and shows their citations), or is desk procedure with
a note saying who must confirm it. :func:`load_checklist` reads the file
strictly against a :class:`~visadesk.policy.model.Policy`: an unknown key, an
unknown category, provision or rule id, or a rule that none of the item's
categories applies, is an error naming the file and the item.

The format is described in ``docs/documents.md``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

import yaml

from visadesk.policy.load import PolicyError, RuleLoader, provision_index
from visadesk.policy.model import Category, Citation, Policy, Provision, Rule, Text

__all__ = [
    "DESK_PROCEDURE",
    "Checklist",
    "ChecklistError",
    "DocumentItem",
    "applied_rules",
    "load_checklist",
    "reachable_provisions",
]

#: The only value ``source`` may take: the item is the desk's own practice, not a rule.
DESK_PROCEDURE: Final = "desk procedure"

ITEM_KEYS: Final = frozenset(
    {
        "id",
        "title",
        "description",
        "required",
        "carry_at_port",
        "categories",
        "provisions",
        "evidences",
        "source",
        "verify",
    }
)
_ID: Final = re.compile(r"^[a-z][a-z0-9_]*$")


class ChecklistError(PolicyError):
    """The checklist file cannot be read; the message names the file and the item."""


@dataclass(frozen=True, slots=True)
class DocumentItem:
    """One supporting document: what it is, for which statuses, and what it evidences.

    ``rules`` are the rules whose conditions the document evidences; an item
    without rules is desk procedure and carries a ``verify`` note. Items that
    :meth:`Checklist.for_case` returns keep only the rules the case's category
    applies, so :attr:`citation_text` is the citation for that case.
    """

    id: str
    title: Text
    description: Text
    required: bool
    carry_at_port: bool
    categories: tuple[str, ...]
    provisions: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    verify: str | None = None

    @property
    def desk_procedure(self) -> bool:
        return not self.rules

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The citations of the evidenced rules, each once, in file order."""
        seen: dict[str, Citation] = {}
        for rule in self.rules:
            seen.setdefault(str(rule.citation), rule.citation)
        return tuple(seen.values())

    @property
    def citation_text(self) -> str | None:
        """``9 FAM 402.2-5(E)(1)``, several joined by ``; ``; ``None`` for desk procedure."""
        if self.desk_procedure:
            return None
        return "; ".join(str(c) for c in self.citations)

    def applies_to(self, category: str, basis: Sequence[str]) -> bool:
        """Whether a trip on ``category`` resting on provisions ``basis`` needs this item."""
        if category not in self.categories:
            return False
        return not self.provisions or any(p in basis for p in self.provisions)


@dataclass(frozen=True)
class Checklist:
    """Every document item of one checklist file, checked against one policy."""

    items: tuple[DocumentItem, ...]
    source: str
    policy_version: str
    categories: tuple[str, ...]
    #: Rule ids each category of the policy applies, to resolve an item's citations per case.
    applied: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def covers(self, category: str) -> bool:
        """Whether any item is listed for ``category``."""
        return any(category in item.categories for item in self.items)

    def item(self, item_id: str) -> DocumentItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def for_case(self, category: str, basis: Sequence[str]) -> tuple[DocumentItem, ...]:
        """The items a trip on ``category`` needs, its verdict resting on ``basis``.

        ``basis`` is the verdict's provision ids (``CategoryVerdict.basis``). Each
        item returned keeps only the rules that ``category`` applies, so its
        :attr:`~DocumentItem.citation_text` is the one for this case. A category
        of the policy with no items listed gives an empty tuple.
        """
        if category not in self.categories:
            raise KeyError(
                f"category {category!r} is not in policy {self.policy_version}; "
                f"known: {', '.join(self.categories)}"
            )
        applied = self.applied.get(category, frozenset())
        return tuple(
            replace(item, rules=tuple(r for r in item.rules if r.id in applied))
            for item in self.items
            if item.applies_to(category, basis)
        )

    def to_carry(self, category: str, basis: Sequence[str]) -> tuple[DocumentItem, ...]:
        """The items of :meth:`for_case` the traveller carries at the port of entry."""
        return tuple(item for item in self.for_case(category, basis) if item.carry_at_port)


def reachable_provisions(category: Category) -> tuple[str, ...]:
    """Provision ids a verdict of ``category`` can rest on: its own and those it cites."""
    out = dict.fromkeys(p.id for p in category.provisions)
    for treatment in category.activities.values():
        out.update(dict.fromkeys(treatment.allowed_by))
    return tuple(out)


def applied_rules(category: Category, provisions: Mapping[str, Provision]) -> frozenset[str]:
    """Every rule id screening a trip on ``category`` can apply."""
    ids = {r.id for r in category.requirements} | {r.id for r in category.prohibitions}
    if category.default_prohibition:
        ids.add(category.default_prohibition)
    ids |= {t.prohibited_by for t in category.activities.values() if t.prohibited_by}
    for pid in reachable_provisions(category):
        provision = provisions.get(pid)
        if provision is not None:
            ids.add(pid)
            ids |= {r.id for r in provision.requirements}
    return frozenset(ids)


def _bundled() -> Traversable:
    return resources.files("visadesk") / "rules" / "baseline" / "documents.yaml"


def load_checklist(policy: Policy, path: Path | None = None) -> Checklist:
    """Read the checklist (the bundled ``baseline/documents.yaml`` by default) against ``policy``.

    Raises :class:`ChecklistError` naming the file and the item for any problem.
    """
    label = "baseline/documents.yaml" if path is None else str(path)
    try:
        text = (_bundled() if path is None else path).read_text(encoding="utf-8")
        data = yaml.load(text, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass
    except OSError as exc:
        raise ChecklistError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{label}: not valid YAML ({exc})") from None
    return _Reader(label, policy).checklist(data)


class _Reader:
    """Builds the checklist from one file's YAML, naming the file and item in every error."""

    def __init__(self, label: str, policy: Policy) -> None:
        self.label = label
        self.policy = policy
        self.provisions = provision_index(policy)
        self.applied = {
            cid: applied_rules(c, self.provisions) for cid, c in policy.categories.items()
        }
        self.reachable = {cid: reachable_provisions(c) for cid, c in policy.categories.items()}

    def fail(self, what: str, item: str | None = None) -> ChecklistError:
        where = f"{self.label}: document {item}: " if item else f"{self.label}: "
        return ChecklistError(where + what)

    def checklist(self, data: Any) -> Checklist:
        if not isinstance(data, Mapping) or not isinstance(data.get("documents"), list):
            raise self.fail("needs a top-level 'documents:' list")
        extra = sorted(str(k) for k in data if k != "documents")
        if extra:
            raise self.fail(f"unknown top-level key(s) {', '.join(extra)}; allowed: documents")
        items: list[DocumentItem] = []
        seen: set[str] = set()
        for index, raw in enumerate(data["documents"], start=1):
            item = self.item(raw, index)
            if item.id in seen:
                raise self.fail("is defined twice", item.id)
            seen.add(item.id)
            items.append(item)
        return Checklist(
            items=tuple(items),
            source=self.label,
            policy_version=self.policy.version,
            categories=tuple(self.policy.categories),
            applied=self.applied,
        )

    def item(self, raw: object, index: int) -> DocumentItem:
        if not isinstance(raw, Mapping) or not raw.get("id"):
            raise self.fail(f"item {index} needs an 'id'")
        item_id = str(raw["id"])
        if not _ID.match(item_id):
            raise self.fail("the id must be lower case letters, digits and '_'", item_id)
        unknown = sorted(str(k) for k in raw if k not in ITEM_KEYS)
        if unknown:
            raise self.fail(
                f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(ITEM_KEYS))}",
                item_id,
            )
        categories = self.id_list(raw, "categories", item_id, required=True)
        for cid in categories:
            if cid not in self.policy.categories:
                raise self.fail(
                    f"unknown category {cid!r}; known: {', '.join(self.policy.categories)}",
                    item_id,
                )
        provisions = self.id_list(raw, "provisions", item_id, required=False)
        for pid in provisions:
            if pid not in self.provisions:
                raise self.fail(f"unknown provision {pid!r}", item_id)
            for cid in categories:
                if pid not in self.reachable[cid]:
                    raise self.fail(f"category {cid} cannot rest on provision {pid}", item_id)
        rules, verify = self.evidence(raw, item_id, categories)
        return DocumentItem(
            id=item_id,
            title=self.text(raw.get("title"), "title", item_id),
            description=self.text(raw.get("description"), "description", item_id),
            required=self.flag(raw, "required", item_id),
            carry_at_port=self.flag(raw, "carry_at_port", item_id),
            categories=categories,
            provisions=provisions,
            rules=rules,
            verify=verify,
        )

    def evidence(
        self, raw: Mapping[str, Any], item_id: str, categories: tuple[str, ...]
    ) -> tuple[tuple[Rule, ...], str | None]:
        """The rules the item evidences, or none for desk procedure; and its verify note."""
        verify = str(raw["verify"]).strip() if raw.get("verify") else None
        if "evidences" in raw and "source" in raw:
            raise self.fail("give either 'evidences' (rule ids) or 'source', not both", item_id)
        if "source" in raw:
            if raw["source"] != DESK_PROCEDURE:
                raise self.fail(
                    f"'source' may only be {DESK_PROCEDURE!r}; a legal source is a rule id "
                    "under 'evidences'",
                    item_id,
                )
            if verify is None:
                raise self.fail(
                    "desk procedure needs a 'verify' note saying who must confirm it", item_id
                )
            return (), verify
        if "evidences" not in raw:
            raise self.fail(
                "needs 'evidences' (the rule ids whose conditions it evidences) "
                f"or 'source: {DESK_PROCEDURE}' with a 'verify' note",
                item_id,
            )
        rules: list[Rule] = []
        for rule_id in self.id_list(raw, "evidences", item_id, required=True):
            rule = self.policy.rules.get(rule_id)
            if rule is None:
                raise self.fail(f"evidences unknown rule id {rule_id!r}", item_id)
            if not any(rule_id in self.applied[cid] for cid in categories):
                raise self.fail(
                    f"evidences rule {rule_id}, which none of its categories "
                    f"({', '.join(categories)}) applies",
                    item_id,
                )
            rules.append(rule)
        for cid in categories:
            if not any(r.id in self.applied[cid] for r in rules):
                raise self.fail(
                    f"category {cid} applies none of the rules the item evidences", item_id
                )
        return tuple(rules), verify

    def id_list(
        self, raw: Mapping[str, Any], key: str, item_id: str, *, required: bool
    ) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value:
            raise self.fail(f"'{key}' must be a non-empty list", item_id)
        out = tuple(str(v) for v in value)
        if len(set(out)) != len(out):
            raise self.fail(f"'{key}' lists an id twice", item_id)
        return out

    def flag(self, raw: Mapping[str, Any], key: str, item_id: str) -> bool:
        value = raw.get(key)
        if not isinstance(value, bool):
            raise self.fail(f"'{key}' must be true or false", item_id)
        return value

    def text(self, raw: object, what: str, item_id: str) -> Text:
        if not isinstance(raw, Mapping) or not raw.get("en") or not raw.get("ko"):
            raise self.fail(f"{what} needs a text in both 'en' and 'ko'", item_id)
        if set(raw) != {"en", "ko"}:
            extra = ", ".join(repr(k) for k in raw if k not in ("en", "ko"))
            raise self.fail(
                f"{what} has keys other than 'en' and 'ko' ({extra}); quote texts with commas",
                item_id,
            )
        text = Text(str(raw["en"]).strip(), str(raw["ko"]).strip())
        for lang in ("en", "ko"):
            for _, name, _, _ in string.Formatter().parse(text.get(lang)):
                if name is not None and name not in self.policy.parameters:
                    raise self.fail(
                        f"{what} ({lang}) quotes {{{name}}}, which is no parameter", item_id
                    )
        return text
