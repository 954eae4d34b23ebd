"""The /api/v1 endpoints of the audit log read entry by entry: the filtered, paged log and
its export. Each calls one operation of :mod:`visadesk.desk.audit_view`; the chain's
verification and checkpoint stay with casework's routes (``/audit/verify``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from visadesk.api.deps import Caller, ReadDB
from visadesk.api.params import ERRORS, PREFIX, Page, PerPage
from visadesk.desk import audit_view
from visadesk.serve.request import Lang

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)

Text = Annotated[str, Query(max_length=254)]


def audit_filter(
    lang: Lang,
    since: Text = "",
    until: Text = "",
    actor: Text = "",
    action: Text = "",
    entity: Text = "",
    entity_id: Text = "",
) -> audit_view.AuditFilter:
    """The log's filter, the same for the page of entries and the export; 422
    ``audit_filter`` naming every problem."""
    return audit_view.parse_filter(
        since=since,
        until=until,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        lang=lang,
    )


#: The log's filter as one parameter (:func:`audit_filter`).
AuditQuery = Annotated[audit_view.AuditFilter, Depends(audit_filter)]


@router.get("/audit/entries", tags=["reports"])
def audit_entries(
    me: Caller,
    db: ReadDB,
    f: AuditQuery,
    page: Page = 1,
    per_page: PerPage = audit_view.PER_PAGE,
) -> dict[str, Any]:
    """The audit log, newest first, filtered by day (Seoul; ``since``/``until``
    YYYY-MM-DD), actor (a user id, an e-mail, or ``system``), action (``case.transition``)
    or family (``case``), and object (``entity``, ``entity_id``; a case's entries include
    its documents'). Actors are shown masked. For the auditor and the desk admin."""
    found = audit_view.entries(db, me, f, page=page, per_page=per_page)
    return {
        "items": [e.as_json() for e in found.items],
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "per_page": found.per_page,
    }


@router.get("/audit/entries/export", tags=["reports"])
def audit_export(
    me: Caller,
    db: ReadDB,
    lang: Lang,
    f: AuditQuery,
    format: Literal["csv", "jsonl"] = "csv",
) -> Response:
    """The filtered log, oldest first, as CSV (headers in the request's language) or JSON
    Lines; refused (422 ``audit_export_too_large``) above the export's limit."""
    made = audit_view.export(db, me, f, format, lang)
    disposition = f'attachment; filename="{made.filename}"'
    return Response(
        made.body, media_type=made.media_type, headers={"Content-Disposition": disposition}
    )
