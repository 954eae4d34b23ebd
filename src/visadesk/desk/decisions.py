"""Final actions and refusal grounds (issue #12, section 5).

A move into a state that cannot be undone (:data:`visadesk.desk.workflow.FINAL_STATES`:
approved, refused, issued, travelled, closed) is taken only when the asker confirmed
it (:func:`require_confirmed`); both doors ask first (a confirmation page, an API
``confirm: true``), and the desk refuses an unconfirmed one whichever door it came
through.

A refusal names a ground of ``rules/baseline/refusals.yaml``
(:mod:`visadesk.policy.refusals`), a sub-ground where the ground has them, a comment,
and for a ground that lists items (INA 221(g)) the items missing: chosen from the
case's document checklist or typed. :func:`check_refusal` refuses an incomplete one
with every problem at once; :func:`record_refusal` keeps it with the refusing case
event (:class:`~visadesk.desk.models.CaseRefusal`); :func:`refusal_of` reads it back
for the case page and the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk.documents import case_checklist
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case, CaseEvent, CaseRefusal
from visadesk.desk.workflow import FINAL_STATES
from visadesk.i18n import t
from visadesk.policy.documents import Checklist
from visadesk.policy.refusals import RefusalGround, RefusalGrounds, bundled_refusal_grounds

__all__ = [
    "MAX_OTHER_ITEMS",
    "Refusal",
    "RefusalIncompleteError",
    "RefusalView",
    "check_refusal",
    "record_refusal",
    "refusal_of",
    "require_confirmed",
]

#: At most this many items typed by hand on one refusal, each at most 200 characters.
MAX_OTHER_ITEMS: Final = 20
_ITEM_CHARS: Final = 200
#: What is wrong with a refusal: (problem code, the message's parameters).
Problems = list[tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Refusal:
    """A refusal asked for: the ground, its sub-ground, and the items missing (checklist
    ids chosen, items typed)."""

    ground: str = ""
    sub_ground: str = ""
    items: tuple[str, ...] = ()
    other_items: tuple[str, ...] = ()


class RefusalIncompleteError(DeskError):
    """422 ``refusal_incomplete``: every problem of the refusal, in the reader's language."""

    def __init__(self, problems: Problems) -> None:
        details: list[Mapping[str, Any]] = [{"problem": c, **p} for c, p in problems]
        super().__init__("refusal_incomplete", 422, details=details, count=len(problems))
        self.problems = problems

    def message(self, lang: str = "en") -> str:
        lines = [t(f"decisions.problem.{code}", lang, **params) for code, params in self.problems]
        return t("desk.error.refusal_incomplete", lang, problems=" ".join(lines))


def require_confirmed(target: str, confirmed: bool) -> None:
    """An irreversible move needs the asker's confirmation: 422 ``confirm_required``."""
    if target in FINAL_STATES and not confirmed:
        raise DeskError("confirm_required", 422, target=target)


def check_refusal(
    session: Session,
    case: Case,
    asked: Refusal,
    comment: str,
    checklist: Checklist,
    *,
    grounds: RefusalGrounds | None = None,
) -> Refusal:
    """The refusal cleaned up (blank typed items dropped), or every problem at once."""
    grounds = grounds or bundled_refusal_grounds()
    problems: Problems = []
    choices = ", ".join(grounds.ids)
    ground = grounds.get(asked.ground) if asked.ground else None
    if not asked.ground:
        problems.append(("ground_required", {"choices": choices}))
    elif ground is None:
        problems.append(("ground_unknown", {"value": asked.ground, "choices": choices}))
    if not comment.strip():
        problems.append(("comment_required", {}))
    other = tuple(" ".join(i.split())[:_ITEM_CHARS] for i in asked.other_items if i.strip())
    if len(other) > MAX_OTHER_ITEMS:
        problems.append(("too_many_items", {"count": len(other), "max": MAX_OTHER_ITEMS}))
    sub, items = "", tuple[str, ...]()
    if ground is not None:
        sub = _sub_ground(ground, asked.sub_ground, problems)
        if ground.requires_items:
            known = [item.id for item in case_checklist(session, case, checklist)]
            items = _items(ground.id, asked.items, other, known, problems)
        else:
            other = ()
    if problems:
        raise RefusalIncompleteError(problems)
    return Refusal(asked.ground, sub, items, other)


def _sub_ground(ground: RefusalGround, asked: str, problems: Problems) -> str:
    if not ground.sub_grounds:
        return ""
    subs = ", ".join(s.id for s in ground.sub_grounds)
    if not asked:
        problems.append(("sub_ground_required", {"ground": ground.id, "choices": subs}))
    elif ground.sub_ground(asked) is None:
        problems.append(("sub_ground_unknown", {"value": asked, "choices": subs}))
    return asked


def _items(
    ground: str,
    asked: tuple[str, ...],
    other: tuple[str, ...],
    known: list[str],
    problems: Problems,
) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(asked))
    for item in items:
        if item not in known:
            problems.append(("item_unknown", {"value": item, "choices": ", ".join(known) or "-"}))
    if not items and not other:
        problems.append(("items_required", {"ground": ground}))
    return items


def record_refusal(session: Session, case: Case, event: CaseEvent, refusal: Refusal) -> None:
    """Keep ``refusal`` (already checked) with the ``event`` that refused ``case``."""
    ground = bundled_refusal_grounds().get(refusal.ground)
    assert ground is not None  # checked by check_refusal
    sub = ground.sub_ground(refusal.sub_ground) if refusal.sub_ground else None
    citation = str(sub.citation if sub is not None else ground.citation)
    session.add(
        CaseRefusal(
            case_id=case.id,
            event_id=event.id,
            ground=ground.id,
            sub_ground=sub.id if sub is not None else None,
            citation=citation,
            items=list(refusal.items),
            other_items=list(refusal.other_items),
        )
    )


@dataclass(frozen=True)
class RefusalView:
    """A stored refusal as both doors show it, in one language."""

    ground: str
    sub_ground: str | None
    label: str
    citation: str
    verify: str | None
    items: list[dict[str, str]]
    comment: str
    event_id: int
    at: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "ground": self.ground,
            "sub_ground": self.sub_ground,
            "label": self.label,
            "citation": self.citation,
            "verify": self.verify,
            "items": self.items,
            "comment": self.comment,
            "event_id": self.event_id,
            "at": self.at,
        }


def refusal_of(
    session: Session, case: Case, checklist: Checklist, lang: str, *, desk_reader: bool
) -> RefusalView | None:
    """The case's latest refusal, labelled in ``lang``; the counsel note only for the desk."""
    found = session.execute(
        select(CaseRefusal, CaseEvent)
        .join(CaseEvent, CaseEvent.id == CaseRefusal.event_id)
        .where(CaseRefusal.case_id == case.id)
        .order_by(CaseRefusal.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    refusal, event = found
    ground = bundled_refusal_grounds().get(refusal.ground)
    sub = ground.sub_ground(refusal.sub_ground) if ground and refusal.sub_ground else None
    label = ground.label(lang) if ground else refusal.ground
    if sub is not None:
        label = f"{label} — {sub.label(lang)}"
    verify = (sub.verify if sub is not None and sub.verify else None) or (
        ground.verify if ground else None
    )
    titles = {item.id: item.title.get(lang) for item in checklist.items}
    items = [{"id": i, "title": titles.get(i, i)} for i in refusal.items]
    items += [{"id": "", "title": text} for text in refusal.other_items]
    return RefusalView(
        ground=refusal.ground,
        sub_ground=refusal.sub_ground,
        label=label,
        citation=refusal.citation,
        verify=verify if desk_reader else None,
        items=items,
        comment=event.comment,
        event_id=event.id,
        at=event.at,
    )
