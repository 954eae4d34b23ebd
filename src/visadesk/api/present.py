"""Rows to response bodies, masking personal data.

A stored screening is shown in the reader's language by :mod:`visadesk.desk.localize`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from visadesk.desk.authz import Principal
from visadesk.desk.cases import CaseDetail
from visadesk.desk.crypto import mask
from visadesk.desk.deadlines import deadline
from visadesk.desk.localize import localized
from visadesk.desk.models import Batch, Case, CaseEvent, Document, Organization, Project, Trip, User
from visadesk.policy.model import Policy
from visadesk.report.verdicts import ANSWERABLE, for_reader, open_questions

__all__ = [
    "batch_out",
    "case_detail_out",
    "case_out",
    "document_out",
    "org_out",
    "person_out",
    "project_out",
    "questions_out",
    "queue_item_out",
    "screening_out",
    "trip_out",
    "user_out",
]


def _names(words: str) -> tuple[str, ...]:
    return tuple(words.split())


def _columns(row: object, *names: str) -> dict[str, Any]:
    """``row``'s attributes of these names, by name, in this order."""
    return {name: getattr(row, name) for name in names}


def org_out(o: Organization) -> dict[str, Any]:
    return _columns(o, "id", "kind", "name", "name_ko")


def user_out(u: User) -> dict[str, Any]:
    return _columns(u, "id", "org_id", "email", "name", "role", "lang", "active")


#: The columns of a project and of a document, as the API shows them.
PROJECT_FIELDS: Final = _names(
    "id sponsor_id name worksite state sector investment_usd start_date end_date"
)


def project_out(p: Project) -> dict[str, Any]:
    return _columns(p, *PROJECT_FIELDS)


def batch_out(b: Batch, members: list[int]) -> dict[str, Any]:
    return {
        **_columns(
            b, "id", "sponsor_id", "project_id", "name", "state", "created_at", "submitted_at"
        ),
        "members": members,
    }


def person_out(trip: Trip) -> dict[str, Any]:
    p = trip.person
    return {
        **_columns(p, "id", "worker_id", "family_name", "given_name", "name_ko", "nationality"),
        "passport_number": mask(p.passport_number),
        "birth_date": mask(p.birth_date),
    }


def trip_out(trip: Trip, case_id: int | None) -> dict[str, Any]:
    s = trip.screening
    return {
        "id": trip.id,
        "batch_id": trip.batch_id,
        "org_id": trip.org_id,
        "worker_id": trip.worker_id,
        "trip_start": trip.trip_start,
        "trip_end": trip.trip_end,
        "person": person_out(trip),
        "case_id": case_id,
        "recommended": s.recommended if s else None,
        "statuses": dict(s.statuses) if s else {},
        "policy_version": s.policy_version if s else None,
    }


def case_out(c: Case, trip: Trip) -> dict[str, Any]:
    p = trip.person
    name = f"{p.family_name} {p.given_name}".strip()
    return {
        "id": c.id,
        "trip_id": c.trip_id,
        "batch_id": c.batch_id,
        "org_id": c.org_id,
        "sponsor_id": c.sponsor_id,
        "project_id": c.project_id,
        "sector": c.sector,
        "category": c.category,
        "state": c.state,
        "trip_start": c.trip_start,
        "ready_by": c.ready_by,
        "urgency_date": c.urgency_date,
        "interview_at": c.interview_at,
        "decided_at": c.decided_at,
        "decision": c.decision,
        "submitted_at": c.submitted_at,
        "version": c.version,
        "worker_id": trip.worker_id,
        "name": name,
    }


def queue_item_out(me: Principal, c: Case, trip: Trip, today: dt.date) -> dict[str, Any]:
    """A queue row: :func:`case_out`, the assignee (for desk readers) and the deadline."""
    due = deadline(c, today)
    return {
        **case_out(c, trip),
        "assignee_id": c.assignee_id if me.is_desk else None,
        "days_left": due.days_left,
        "overdue_by": due.overdue_by,
        "late_by": due.late_by,
    }


def screening_out(
    trip: Trip, policy: Policy, lang: str, *, counsel: bool = False
) -> dict[str, Any] | None:
    """The trip's stored screening in ``lang``, if it has one; its notes for counsel
    (``reasons[].verify``) only for a desk reader (``counsel``)."""
    s = trip.screening
    if s is None:
        return None
    return for_reader(localized(s.result, policy, lang, s.as_of), counsel=counsel)


def questions_out(trip: Trip, lang: str) -> list[dict[str, Any]]:
    """The trip's missing facts worth asking, as questions with their allowed answers."""
    s = trip.screening
    if s is None:
        return []
    return [
        {
            "fact": q.fact,
            "question": q.text,
            "kind": q.kind,
            "choices": [{"value": code, "label": label} for code, label in q.choices],
            "hint": q.hint,
            "minimum": q.minimum,
            "maximum": q.maximum,
            "categories": list(q.categories),
        }
        for q in open_questions(s.result, lang)
        if q.fact in ANSWERABLE
    ]


def case_detail_out(
    detail: CaseDetail, policy: Policy, lang: str, *, counsel: bool = False
) -> dict[str, Any]:
    case = detail.case
    annotation = (
        {"en": case.annotation_en, "ko": case.annotation_ko or ""} if case.annotation_en else None
    )
    return {
        **case_out(case, detail.trip),
        "next_states": detail.next_states,
        "events": [event_out(e) for e in detail.events],
        "annotation": annotation,
        "screening": screening_out(detail.trip, policy, lang, counsel=counsel),
    }


def event_out(e: CaseEvent) -> dict[str, Any]:
    return _columns(e, "id", "from_state", "to_state", "actor_id", "at", "comment")


DOCUMENT_FIELDS: Final = _names(
    "id case_id kind filename content_type size "
    "sha256 status uploaded_at reviewed_at review_comment"
)


def document_out(d: Document) -> dict[str, Any]:
    return _columns(d, *DOCUMENT_FIELDS)
