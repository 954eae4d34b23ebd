"""Verdicts a non-lawyer can act on (issue #12, sections 3 and 4).

A screening's contract row (:mod:`visadesk.report.contract`) carries, on each reason,
the rule data's ``verify`` note: what counsel must confirm ("verify against the current
FAM", "Roster proxy ..."). Those notes are for the desk, never for what a sponsor, a
subcontractor or a traveller reads: :func:`for_reader` gives the row a reader may see,
:func:`counsel_notes` the notes apart, under their own label. A missing fact is a
roster column; :func:`question` asks it in plain words with the answers the roster
contract allows, and :func:`open_questions` picks the questions worth asking of a trip.

Pure functions over the stored row: the web pages, the API and the documents
(traveller sheet, workbook) can all call them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.roster.choices import choice_label
from visadesk.roster.schema import COLUMN_BY_NAME, Column, ColumnType

__all__ = [
    "ANSWERABLE",
    "COUNSEL_KEY",
    "CounselNote",
    "Question",
    "asked_facts",
    "checklist_for_reader",
    "counsel_notes",
    "for_reader",
    "open_questions",
    "question",
]

#: The key of a reason that holds a note for counsel (the rule data's ``verify``).
COUNSEL_KEY: Final = "verify"

#: The roster columns a person may answer one at a time: the optional, not sensitive
#: ones (required columns are never missing; passport and birth date are kept encrypted
#: on the person and come with the roster only).
ANSWERABLE: Final = tuple(
    c.name
    for c in COLUMN_BY_NAME.values()
    if not c.required and not c.sensitive and c.name not in {"name_ko"}
)

#: How each column type is answered on a form.
_KINDS: Final = {
    ColumnType.BOOL: "yes_no",
    ColumnType.ENUM: "choice",
    ColumnType.DATE: "date",
    ColumnType.INT: "integer",
    ColumnType.NUMBER: "number",
    ColumnType.COUNTRY: "country",
    ColumnType.COUNTRIES: "countries",
    ColumnType.TEXT: "text",
    ColumnType.ACTIVITIES: "text",
}


@dataclass(frozen=True)
class CounselNote:
    """A rule's note for counsel: which rule, its citation, what to verify."""

    rule: str
    citation: str
    note: str


@dataclass(frozen=True)
class Question:
    """A missing fact asked in plain words, with the answers the roster contract allows.

    ``kind`` is how it is answered (``yes_no``, ``choice``, ``date``, ``integer``,
    ``number``, ``country``, ``countries``, ``text``); ``choices`` the allowed codes with
    their labels (yes/no, or an enumeration); ``hint`` says what a valid answer looks
    like; ``categories`` the statuses that wait for it.
    """

    fact: str
    text: str
    kind: str
    choices: tuple[tuple[str, str], ...]
    hint: str
    minimum: float | None
    maximum: float | None
    categories: tuple[str, ...] = ()


def for_reader(row: Mapping[str, Any], *, counsel: bool) -> dict[str, Any]:
    """The screening row a reader may see: with the notes for counsel only when
    ``counsel`` (a desk role), else without them (a copy; ``row`` is not changed)."""
    out = copy.deepcopy(dict(row))
    if counsel:
        return out
    for verdict in out.get("categories", {}).values():
        for reason in verdict.get("reasons", []):
            reason.pop(COUNSEL_KEY, None)
    for flag in out.get("flags", []):
        flag.pop(COUNSEL_KEY, None)
    return out


def checklist_for_reader(
    items: Iterable[Mapping[str, Any]], *, counsel: bool
) -> list[dict[str, Any]]:
    """Document checklist items (:func:`visadesk.desk.documents.checklist_with_uploads`)
    a reader may see: the desk-procedure note (``verify``) only for ``counsel``."""
    return [{**item, COUNSEL_KEY: item.get(COUNSEL_KEY) if counsel else None} for item in items]


def counsel_notes(row: Mapping[str, Any], policy: Policy | None = None) -> list[CounselNote]:
    """Every note for counsel in a screening row, each rule once, in row order.

    The row's reasons carry their notes; its flags name only their rule (``code``), whose
    note ``policy`` gives when passed.
    """
    seen: dict[str, CounselNote] = {}
    reasons: list[Mapping[str, Any]] = [
        r for v in row.get("categories", {}).values() for r in v.get("reasons", [])
    ]
    for flag in row.get("flags", []):
        rule = policy.rules.get(str(flag.get("code"))) if policy is not None else None
        reasons.append({**flag, COUNSEL_KEY: flag.get(COUNSEL_KEY) or (rule and rule.verify)})
    for reason in reasons:
        note = reason.get(COUNSEL_KEY)
        rule_id = str(reason.get("rule") or reason.get("code") or "")
        if note and rule_id not in seen:
            seen[rule_id] = CounselNote(rule_id, str(reason.get("citation") or ""), str(note))
    return list(seen.values())


def _choices(column: Column, lang: str) -> tuple[tuple[str, str], ...]:
    if column.type is ColumnType.BOOL:
        return (("yes", t("verdicts.answer.yes", lang)), ("no", t("verdicts.answer.no", lang)))
    if column.type is ColumnType.ENUM:
        # The labels the roster reader accepts back (one source: roster.choices).
        return tuple((c, choice_label(column.name, c, lang)) for c in column.choices)
    return ()


def _hint(column: Column, kind: str, lang: str) -> str:
    if kind in {"integer", "number"} and column.minimum is not None and column.maximum is not None:
        return t(
            "verdicts.hint.range",
            lang,
            minimum=f"{column.minimum:g}",
            maximum=f"{column.maximum:g}",
        )
    if kind in {"date", "country", "countries"}:
        return t(f"verdicts.hint.{kind}", lang)
    return ""


def question(fact: str, lang: str, categories: Iterable[str] = ()) -> Question:
    """The missing ``fact`` (a roster column) as a question in ``lang``."""
    column = COLUMN_BY_NAME[fact]
    kind = _KINDS[column.type]
    return Question(
        fact=fact,
        text=t(f"verdicts.question.{fact}", lang),
        kind=kind,
        choices=_choices(column, lang),
        hint=_hint(column, kind, lang),
        minimum=column.minimum,
        maximum=column.maximum,
        categories=tuple(categories),
    )


def asked_facts(row: Mapping[str, Any]) -> dict[str, list[str]]:
    """The facts worth asking of a trip, each with the statuses that wait for it.

    Only statuses still open (``needs_info``) ask: a status the trip's activities rule
    out is ``ineligible`` (the engine: a prohibited activity fails the status whatever
    else is unknown) and asks nothing. When a status is recommended the trip needs no
    answer to go ahead, so nothing is asked up front; the facts the other statuses miss
    stay with them, folded under "other statuses".
    """
    if row.get("recommended"):
        return {}
    asked: dict[str, list[str]] = {}
    for cid, verdict in row.get("categories", {}).items():
        if verdict.get("status") != "needs_info":
            continue
        for fact in verdict.get("missing", []):
            asked.setdefault(fact, []).append(cid)
    return asked


def open_questions(
    row: Mapping[str, Any], lang: str, label: Callable[[str], str] | None = None
) -> list[Question]:
    """:func:`asked_facts` as questions in ``lang`` (``label(cid)`` names a status)."""
    name = label or str
    return [
        question(fact, lang, [name(c) for c in cids])
        for fact, cids in asked_facts(row).items()
        if fact in COLUMN_BY_NAME
    ]
