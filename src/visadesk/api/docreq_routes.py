"""The /api/v1 endpoints of document requests, the filer's to-do and notifications.

Each calls one desk operation (:mod:`visadesk.desk.requesting`,
:mod:`visadesk.desk.docrequests`, :mod:`visadesk.desk.notifications`); texts come
back in the request's language.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from visadesk.api import schemas
from visadesk.api.deps import Caller, ReadDB, WriteDB
from visadesk.api.params import ERRORS, PREFIX, PathId
from visadesk.desk import cases, docrequests, notifications, requesting
from visadesk.desk.errors import DeskError
from visadesk.i18n import t
from visadesk.serve.request import DeskDep, Lang

__all__ = ["request_out", "router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)


def request_out(view: docrequests.RequestView, lang: str) -> dict[str, Any]:
    return {
        "request_id": view.request_id,
        "case_id": view.case_id,
        "note": view.note,
        "requested_at": view.requested_at,
        "uploaded": view.uploaded,
        "accepted": view.accepted,
        "total": view.total,
        "progress": t("docreq.progress", lang, done=view.uploaded, total=view.total),
        "items": [
            {
                "kind": i.kind,
                "title": i.title(lang),
                "extra": i.extra,
                "state": i.state,
                "reason": i.reason,
                "document_id": i.document_id,
            }
            for i in view.items
        ],
    }


@router.post(
    "/cases/{case_id}/document-requests",
    response_model=schemas.DocumentRequestOut,
    status_code=201,
    tags=["documents"],
)
def request_documents(
    case_id: PathId,
    body: schemas.DocumentRequestIn,
    me: Caller,
    db: WriteDB,
    desk: DeskDep,
    lang: Lang,
) -> dict[str, Any]:
    """Ask the case's filers for the ticked checklist items (and other items in words).
    A case in review moves to ``documents_requested``; the filers are notified."""
    ask = requesting.Ask(body.kinds, body.extras, body.note, body.version)
    return request_out(requesting.request_documents(db, me, case_id, ask, desk), lang)


@router.get(
    "/cases/{case_id}/document-requests",
    response_model=schemas.DocumentRequestOut,
    tags=["documents"],
)
def open_request(
    case_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang
) -> dict[str, Any]:
    """The case's open request with each item's state (404 ``no_open_request``: none)."""
    case = cases.get_case(db, me, case_id)
    view = docrequests.request_view(db, case, desk.checklist)
    if view is None:
        raise DeskError("no_open_request", 404, id=case.id)
    return request_out(view, lang)


@router.get("/todo", response_model=list[schemas.ToDoOut], tags=["documents"])
def todo(me: Caller, db: ReadDB, desk: DeskDep, lang: Lang) -> list[dict[str, Any]]:
    """The cases the caller may see with an open document request, items missing first."""
    return [
        {
            "case_id": d.case_id,
            "worker_id": d.worker_id,
            "category": d.category,
            "state": d.state,
            "request": request_out(d.request, lang),
        }
        for d in docrequests.todo(db, me, desk.checklist)
    ]


@router.get("/notifications", response_model=list[schemas.NotificationOut], tags=["notifications"])
def notification_list(
    me: Caller, db: ReadDB, desk: DeskDep, lang: Lang, unread: bool = False
) -> list[dict[str, Any]]:
    """The caller's own notifications, newest first, in the request's language."""
    found = notifications.listing(db, me, lang, desk.checklist, unread_only=unread)
    return [
        {
            "id": n.id,
            "case_id": n.case_id,
            "message": n.message,
            "params": dict(n.params),
            "text": n.text,
            "created_at": n.created_at,
            "read": n.read,
        }
        for n in found
    ]


@router.get("/notifications/unread", response_model=schemas.UnreadOut, tags=["notifications"])
def notification_count(me: Caller, db: ReadDB) -> dict[str, Any]:
    return {"unread": notifications.unread_count(db, me)}


@router.post("/notifications/{notification_id}/read", status_code=204, tags=["notifications"])
def notification_read(notification_id: PathId, me: Caller, db: WriteDB) -> Response:
    """Mark one of the caller's notifications read; another user's is 404."""
    notifications.mark_read(db, me, notification_id)
    return Response(status_code=204)


@router.post("/notifications/read", response_model=schemas.UnreadOut, tags=["notifications"])
def notifications_read(me: Caller, db: WriteDB) -> dict[str, Any]:
    """Mark every notification of the caller read."""
    notifications.mark_all_read(db, me)
    return {"unread": 0}
