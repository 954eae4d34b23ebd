"""The /api/v1 endpoints of the queue's work (issue #12): assigning a case, bulk actions
on a selection, and the filtered queue as a CSV or XLSX file. Each calls one desk
operation (:mod:`visadesk.desk.assignment`, :mod:`visadesk.desk.queue_export`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from visadesk.api import present, schemas
from visadesk.api.deps import Caller, ReadDB, WriteDB
from visadesk.api.params import (
    ERRORS,
    PREFIX,
    PathId,
    QueueQuery,
)
from visadesk.desk import assignment, cases, queue_export
from visadesk.serve.request import DeskDep, Lang

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.put("/cases/{case_id}/assignee", response_model=schemas.QueueItemOut, tags=["queue"])
def assign(
    case_id: PathId, body: schemas.AssignIn, me: Caller, db: WriteDB, desk: DeskDep
) -> dict[str, Any]:
    """Assign the case (``assignee_id``; ``null``: nobody). A supervisor assigns anyone
    who works cases at the desk; an officer takes a case nobody has (its own id) or gives
    its own back (``null``); anyone else: 403."""
    case = assignment.assign(db, me, case_id, body.assignee_id)
    db.flush()
    detail = cases.case_detail(db, me, case)
    return present.queue_item_out(me, case, detail.trip, desk.today())


@router.post("/cases/bulk", response_model=schemas.BulkOut, tags=["queue"])
def bulk(body: schemas.BulkIn, me: Caller, db: WriteDB, desk: DeskDep) -> dict[str, Any]:
    """One action for every case of a selection, all or nothing: ``assign``, ``take`` or
    a ``transition`` that is not final (approve, refuse and issue are per case). If any
    case is refused, nothing changes: 409 ``bulk_refused`` with each refused case in
    ``details`` (``case_id``, ``code``, ``message``)."""
    action = assignment.BulkAction(body.action, body.assignee_id, body.to, body.comment)
    done = assignment.bulk(db, me, body.case_ids, action, desk)
    return {"action": done.action.kind, "case_ids": list(done.case_ids)}


@router.get(
    "/cases/export",
    tags=["queue"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, _XLSX: {}}}},
)
def export(
    me: Caller,
    db: ReadDB,
    desk: DeskDep,
    lang: Lang,
    f: QueueQuery,
    format: Literal["csv", "xlsx"] = "xlsx",
    sort: str = "urgency",
) -> Response:
    """The queue as ``GET /cases`` filters it, whole (up to 10,000 cases), as CSV or XLSX:
    headers in the caller's language, names as the list shows them, the deadline marks,
    and the notice that this is guidance, not legal advice."""
    out = queue_export.export_queue(
        db, me, f, format, sort=sort, today=desk.today(), policy=desk.policy, lang=lang
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{out.filename}"',
        "Cache-Control": "no-store",
    }
    return Response(out.data, media_type=out.media_type, headers=headers)
