"""Rows to response bodies, masking personal data.

A stored screening is shown in the reader's language by :mod:`visadesk.desk.localize`.
"""

from __future__ import annotations

from typing import Any

from visadesk.desk.crypto import mask
from visadesk.desk.models import Batch, Case, CaseEvent, Document, Organization, Project, Trip, User

__all__ = [
    "batch_out",
    "case_out",
    "document_out",
    "org_out",
    "person_out",
    "project_out",
    "trip_out",
    "user_out",
]


def org_out(o: Organization) -> dict[str, Any]:
    return {"id": o.id, "kind": o.kind, "name": o.name, "name_ko": o.name_ko}


def user_out(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "org_id": u.org_id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "lang": u.lang,
        "active": u.active,
    }


def project_out(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "sponsor_id": p.sponsor_id,
        "name": p.name,
        "worksite": p.worksite,
        "state": p.state,
        "sector": p.sector,
        "investment_usd": p.investment_usd,
        "start_date": p.start_date,
        "end_date": p.end_date,
    }


def batch_out(b: Batch, members: list[int]) -> dict[str, Any]:
    return {
        "id": b.id,
        "sponsor_id": b.sponsor_id,
        "project_id": b.project_id,
        "name": b.name,
        "state": b.state,
        "created_at": b.created_at,
        "submitted_at": b.submitted_at,
        "members": members,
    }


def person_out(trip: Trip) -> dict[str, Any]:
    p = trip.person
    return {
        "id": p.id,
        "worker_id": p.worker_id,
        "family_name": p.family_name,
        "given_name": p.given_name,
        "name_ko": p.name_ko,
        "nationality": p.nationality,
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


def event_out(e: CaseEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "actor_id": e.actor_id,
        "at": e.at,
        "comment": e.comment,
    }


def document_out(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "case_id": d.case_id,
        "kind": d.kind,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "status": d.status,
        "uploaded_at": d.uploaded_at,
        "reviewed_at": d.reviewed_at,
        "review_comment": d.review_comment,
    }
