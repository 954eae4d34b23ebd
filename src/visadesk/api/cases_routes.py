"""The /api/v1 endpoints of casework: the queue, a case and its transitions, its
documents, the statistics and the audit chain. Each calls one desk operation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from visadesk.api import present, schemas
from visadesk.api.deps import Caller, ReadDB, WriteDB
from visadesk.api.params import (
    ERRORS,
    PREFIX,
    Page,
    PathId,
    PerPage,
    QueryId,
    QueueQuery,
)
from visadesk.desk import audit, cases, decisions, documents, transitions, uploads
from visadesk.desk.authz import Principal, require
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case
from visadesk.desk.runtime import Desk
from visadesk.report.verdicts import checklist_for_reader
from visadesk.serve.request import DeskDep, Lang

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)


# -- cases ------------------------------------------------------------------------------


@router.get("/cases", response_model=schemas.QueueOut, tags=["cases"])
def queue(
    me: Caller,
    db: ReadDB,
    desk: DeskDep,
    f: QueueQuery,
    sort: str = "urgency",
    page: Page = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """The desk queue: most urgent first (the last day processing can start). By default
    the caller's open work (``view=open``: the states its role can act on; ``view=all``
    or a ``state``: every state); ``assignee=me`` for the caller's own cases. Each item
    carries its assignee (desk callers) and its days left, overdue and too-late days."""
    found = cases.queue(db, me, f, sort=sort, page=page, per_page=per_page)
    return {
        "items": [present.queue_item_out(me, i.case, i.trip, desk.today()) for i in found.items],
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
    }


@router.get("/cases/{case_id}", response_model=schemas.CaseDetailOut, tags=["cases"])
def get_case(case_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang) -> dict[str, Any]:
    return _detail(db, me, case_id, desk, lang)


@router.get("/cases/{case_id}/events", response_model=list[schemas.EventOut], tags=["cases"])
def case_events(case_id: PathId, me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    case = cases.get_case(db, me, case_id)
    return [present.event_out(e) for e in cases.case_events(db, case)]


@router.post("/cases/{case_id}/transitions", response_model=schemas.CaseDetailOut, tags=["cases"])
def transition(
    case_id: PathId, body: schemas.TransitionIn, me: Caller, db: WriteDB, desk: DeskDep, lang: Lang
) -> dict[str, Any]:
    """Move the case along the workflow. Illegal moves: 409; a role not allowed: 403."""
    refusal = (
        decisions.Refusal(
            body.refusal.ground,
            body.refusal.sub_ground,
            tuple(body.refusal.items),
            tuple(body.refusal.other_items),
        )
        if body.refusal is not None
        else None
    )
    move = transitions.Move(
        body.to, body.comment, body.interview_at, body.version, body.confirm, refusal
    )
    case = transitions.take_transition(db, me, case_id, move, desk)
    db.flush()
    return _detail(db, me, case, desk, lang)


def _detail(db: Session, me: Principal, case: Case | int, desk: Desk, lang: str) -> dict[str, Any]:
    """The case in detail, with its refusal (ground, citation, items) if it was refused."""
    detail = cases.case_detail(db, me, case)
    out = present.case_detail_out(detail, desk.policy, lang, counsel=me.is_desk)
    shown = decisions.refusal_of(db, detail.case, desk.checklist, lang, desk_reader=me.is_desk)
    out["refusal"] = shown.as_json() if shown else None
    return out


@router.get("/cases/{case_id}/annotation", response_model=schemas.AnnotationOut, tags=["cases"])
def annotation(case_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    case = cases.get_case(db, me, case_id)
    if not case.annotation_en:
        raise DeskError("no_annotation", 404, id=case.id)
    return {"case_id": case.id, "en": case.annotation_en, "ko": case.annotation_ko or ""}


# -- documents --------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/documents", response_model=list[schemas.ChecklistItemOut], tags=["documents"]
)
def checklist(
    case_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang
) -> list[dict[str, Any]]:
    """The case's document checklist with its uploads."""
    case = cases.get_case(db, me, case_id)
    found = documents.checklist_with_uploads(db, case, desk.checklist, lang)
    out = checklist_for_reader(found, counsel=me.is_desk)
    for item in out:
        item["uploads"] = [d.id for d in item["uploads"]]
    return out


@router.get(
    "/cases/{case_id}/uploads", response_model=list[schemas.DocumentOut], tags=["documents"]
)
def case_uploads(case_id: PathId, me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    case = cases.get_case(db, me, case_id)
    return [present.document_out(d) for d in documents.uploads_of(db, case)]


@router.post(
    "/cases/{case_id}/documents",
    response_model=schemas.DocumentOut,
    status_code=201,
    tags=["documents"],
)
def upload_document(
    case_id: PathId,
    kind: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
    me: Caller,
    desk: DeskDep,
    db: WriteDB,
) -> dict[str, Any]:
    """Upload a PDF, PNG or JPEG (up to 10 MiB) for a checklist item."""
    doc = documents.upload(
        db,
        me,
        case_id,
        kind=kind,
        filename=file.filename or "document",
        data=uploads.read_upload(file.file, documents.MAX_DOCUMENT_BYTES),
        checklist=desk.checklist,
        documents_dir=desk.settings.documents_dir,
    )
    return present.document_out(doc)


@router.get("/documents/{document_id}", response_model=schemas.DocumentOut, tags=["documents"])
def get_document(document_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    return present.document_out(documents.get_document(db, me, document_id))


@router.get(
    "/documents/{document_id}/content",
    tags=["documents"],
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
def document_content(document_id: PathId, me: Caller, db: ReadDB, desk: DeskDep) -> FileResponse:
    doc = documents.get_document(db, me, document_id)
    path = documents.document_path(desk.settings.documents_dir, doc.sha256)
    if not path.exists():
        raise DeskError("document_missing", 404, id=doc.id)
    return FileResponse(path, media_type=doc.content_type, filename=doc.filename)


@router.post(
    "/documents/{document_id}/review", response_model=schemas.DocumentOut, tags=["documents"]
)
def review_document(
    document_id: PathId, body: schemas.ReviewIn, me: Caller, db: WriteDB, desk: DeskDep
) -> dict[str, Any]:
    doc = documents.review(
        db, me, document_id, status=body.status, comment=body.comment, checklist=desk.checklist
    )
    return present.document_out(doc)


# -- statistics and audit ---------------------------------------------------------------


@router.get("/stats", tags=["reports"])
def statistics(
    me: Caller,
    db: ReadDB,
    sponsor_id: QueryId = None,
    project_id: QueryId = None,
    sector: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """Counts by state, sector, category, sponsor and project; decisions by month;
    processing days; backlog. Scoped to what the caller may see."""
    f = cases.QueueFilter(sponsor_id, project_id, None, sector, category)
    return cases.stats(db, me, f)


@router.get("/audit/verify", response_model=schemas.AuditOut, tags=["reports"])
def audit_verify(me: Caller, db: ReadDB) -> dict[str, Any]:
    require(me, "audit.read")
    report = audit.check(db)
    return {
        "checked": report.checked,
        "problems": [str(p) for p in report.problems],
        "keyed": report.keyed,
        "legacy": report.legacy,
        "by_key": report.by_key,
    }


@router.get("/audit/checkpoint", response_model=schemas.CheckpointOut, tags=["reports"])
def audit_checkpoint(me: Caller, db: ReadDB) -> dict[str, Any]:
    """The chain's head signed with the newest audit key, to keep outside the database;
    refused (409 ``audit_broken``) when the chain does not verify."""
    require(me, "audit.checkpoint")
    report = audit.check(db)
    if report.problems:
        raise DeskError("audit_broken", 409, problems=len(report.problems))
    return audit.checkpoint(db, report=report).as_dict()
