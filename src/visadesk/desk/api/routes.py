"""The /api/v1 endpoints. Every read of tenant data goes through a ``scope_*`` query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import accounts, audit, cases, directory, documents, filing, tokens
from visadesk.desk.api import present
from visadesk.desk.api.deps import Caller, ReadDB, WriteDB
from visadesk.desk.api.schemas import (
    AnnotationOut,
    AuditOut,
    BatchIn,
    BatchOut,
    CaseDetailOut,
    CaseOut,
    ChecklistItemOut,
    CheckpointOut,
    DocumentOut,
    ErrorOut,
    EventOut,
    InviteIn,
    MeOut,
    OpenCaseIn,
    OrgIn,
    OrgOut,
    ProjectIn,
    ProjectOut,
    QueueOut,
    ReviewIn,
    SubmitOut,
    TokenIn,
    TokenOut,
    TransitionIn,
    TripDetailOut,
    TripOut,
    UploadOut,
    UserIn,
    UserOut,
)
from visadesk.desk.authz import (
    PERMISSIONS,
    Principal,
    require,
    scope_batches,
    scope_organizations,
    scope_projects,
    scope_trips,
    scope_users,
)
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MAX_ID
from visadesk.desk.localize import localized
from visadesk.desk.models import (
    Batch,
    BatchMember,
    Case,
    CaseEvent,
    Document,
    Organization,
    Project,
    Trip,
    User,
)
from visadesk.serve.request import SESSION_COOKIE, DeskDep, Lang, client_of

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 415, 422, 429)
}
router = APIRouter(prefix="/api/v1", responses=_ERRORS)

Page = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=200)]
#: A row id in the path: out of range is 422, never a database error.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: A row id filtering a list.
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


# -- auth ---------------------------------------------------------------------------------


@router.post("/auth/token", response_model=TokenOut, tags=["auth"])
def login(body: TokenIn, request: Request, desk: DeskDep) -> dict[str, Any]:
    """Exchange e-mail and password for a bearer token (rate limited)."""
    issued = accounts.login(
        desk.sessions, email=body.email, password=body.password, client=client_of(request)
    )
    return {"access_token": issued.token, "expires_at": issued.expires_at}


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(request: Request, me: Caller, db: WriteDB) -> Response:
    """Revoke the credential this request came with: its bearer token or its session."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        tokens.revoke_token(db, auth[7:].strip())
    elif cookie := request.cookies.get(SESSION_COOKIE):
        tokens.revoke_token(db, cookie)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=MeOut, tags=["auth"])
def me(me: Caller, db: ReadDB) -> dict[str, Any]:
    user = db.get_one(User, me.user_id)
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "org_id": user.org_id,
        "org_name": user.org.name,
        "org_kind": user.org.kind,
        "lang": user.lang,
        "permissions": sorted(PERMISSIONS[me.role]),
    }


# -- organizations and users ------------------------------------------------------------


@router.get("/organizations", response_model=list[OrgOut], tags=["organizations"])
def list_orgs(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    rows = db.scalars(scope_organizations(select(Organization), me).order_by(Organization.id))
    return [present.org_out(o) for o in rows]


@router.post("/organizations", response_model=OrgOut, status_code=201, tags=["organizations"])
def create_org(body: OrgIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    org = directory.create_org(
        db, me, kind=body.kind, name=body.name, name_ko=body.name_ko, sponsor_id=body.sponsor_id
    )
    return present.org_out(org)


@router.get("/organizations/{org_id}", response_model=OrgOut, tags=["organizations"])
def get_org(org_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    org = db.scalar(scope_organizations(select(Organization), me).where(Organization.id == org_id))
    if org is None:
        raise DeskError("not_found", 404, entity="organization", id=org_id)
    return present.org_out(org)


@router.get("/users", response_model=list[UserOut], tags=["organizations"])
def list_users(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    rows = db.scalars(scope_users(select(User), me).order_by(User.id))
    return [present.user_out(u) for u in rows]


@router.post("/users", response_model=UserOut, status_code=201, tags=["organizations"])
def create_user(body: UserIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    user = directory.add_user(
        db,
        me,
        org_id=body.org_id,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        lang=body.lang,
    )
    return present.user_out(user)


# -- projects and batches ---------------------------------------------------------------


@router.get("/projects", response_model=list[ProjectOut], tags=["projects"])
def list_projects(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    rows = db.scalars(scope_projects(select(Project), me).order_by(Project.id))
    return [present.project_out(p) for p in rows]


@router.post("/projects", response_model=ProjectOut, status_code=201, tags=["projects"])
def create_project(body: ProjectIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    project = filing.create_project(db, me, **body.model_dump())
    return present.project_out(project)


@router.get("/projects/{project_id}", response_model=ProjectOut, tags=["projects"])
def get_project(project_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    return present.project_out(filing.get_project(db, me, project_id))


def _members(db: Session, me: Principal, batch_id: int) -> list[int]:
    """The subcontractors invited into a batch; a subcontractor learns only of itself."""
    stmt = select(BatchMember.org_id).where(BatchMember.batch_id == batch_id)
    if me.kind == "subcontractor":
        stmt = stmt.where(BatchMember.org_id == me.org_id)
    return list(db.scalars(stmt.order_by(BatchMember.org_id)))


@router.get("/batches", response_model=list[BatchOut], tags=["batches"])
def list_batches(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    rows = db.scalars(scope_batches(select(Batch), me).order_by(Batch.id.desc()))
    return [present.batch_out(b, _members(db, me, b.id)) for b in rows]


@router.post("/batches", response_model=BatchOut, status_code=201, tags=["batches"])
def create_batch(body: BatchIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    batch = filing.create_batch(db, me, project_id=body.project_id, name=body.name)
    return present.batch_out(batch, [])


@router.get("/batches/{batch_id}", response_model=BatchOut, tags=["batches"])
def get_batch(batch_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    batch = filing.get_batch(db, me, batch_id)
    return present.batch_out(batch, _members(db, me, batch.id))


@router.post("/batches/{batch_id}/members", response_model=BatchOut, tags=["batches"])
def invite(batch_id: PathId, body: InviteIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    filing.invite(db, me, batch_id, body.org_id)
    batch = filing.get_batch(db, me, batch_id)
    return present.batch_out(batch, _members(db, me, batch.id))


@router.post("/batches/{batch_id}/roster", response_model=UploadOut, tags=["batches"])
def upload_roster(
    batch_id: PathId,
    file: Annotated[UploadFile, File(description="CSV, XLSX, Parquet or JSON roster")],
    me: Caller,
    desk: DeskDep,
) -> dict[str, Any]:
    """Validate, screen and store a roster into the batch: all rows or none.

    Re-uploading updates people and trips by ``worker_id``; it never duplicates.
    The file is read and screened before the write transaction begins (no write
    lock is held while parsing), bounded by the roster limits and budget.
    """
    data = _read_limited(file, desk.settings.max_upload_bytes)
    filename, as_of = file.filename or "roster.csv", desk.today()
    with read_session(desk.sessions) as session:
        filing.upload_target(session, me, batch_id)
    prepared = filing.prepare_upload(
        data=data,
        filename=filename,
        policy=desk.policy,
        as_of=as_of,
        budget=desk.settings.roster_budget,
    )
    with write_session(desk.sessions) as db:
        report = filing.upload_roster(
            db,
            me,
            batch_id,
            data=data,
            filename=filename,
            policy=desk.policy,
            as_of=as_of,
            prepared=prepared,
        )
    return report.as_json()


def _read_limited(file: UploadFile, limit: int) -> bytes:
    """The upload's bytes (FastAPI has spooled them to a temporary file), up to ``limit``."""
    chunks, size = [], 0
    while chunk := file.file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise DeskError("file_too_large", 413, size=size, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/batches/{batch_id}/submit", response_model=SubmitOut, tags=["batches"])
def submit(batch_id: PathId, me: Caller, db: WriteDB) -> dict[str, Any]:
    return filing.submit_batch(db, me, batch_id)


@router.get("/batches/{batch_id}/trips", response_model=list[TripOut], tags=["batches"])
def batch_trips(batch_id: PathId, me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    filing.get_batch(db, me, batch_id)
    trips = db.scalars(
        scope_trips(select(Trip), me).where(Trip.batch_id == batch_id).order_by(Trip.id)
    ).all()
    case_ids = dict(
        db.execute(
            select(Case.trip_id, Case.id).where(Case.trip_id.in_([t.id for t in trips]))
        ).all()
    )
    return [present.trip_out(t, case_ids.get(t.id)) for t in trips]


# -- trips ------------------------------------------------------------------------------


def _trip(db: Session, me: Principal, trip_id: int) -> Trip:
    trip = db.scalar(scope_trips(select(Trip), me).where(Trip.id == trip_id))
    if trip is None:
        raise DeskError("not_found", 404, entity="trip", id=trip_id)
    return trip


@router.get("/trips/{trip_id}", response_model=TripDetailOut, tags=["trips"])
def get_trip(trip_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang) -> dict[str, Any]:
    trip = _trip(db, me, trip_id)
    case_id = db.scalar(select(Case.id).where(Case.trip_id == trip.id))
    s = trip.screening
    return {
        **present.trip_out(trip, case_id),
        "facts": dict(trip.facts),
        "screening": localized(s.result, desk.policy, lang, s.as_of) if s else None,
    }


@router.post("/trips/{trip_id}/cases", response_model=CaseOut, status_code=201, tags=["trips"])
def open_case(
    trip_id: PathId, body: OpenCaseIn, me: Caller, db: WriteDB, desk: DeskDep
) -> dict[str, Any]:
    """Open (or re-point) the trip's draft case for a category the filer chooses."""
    case = filing.open_case(
        db, me, trip_id, category=body.category, policy=desk.policy, as_of=desk.today()
    )
    return present.case_out(case, _trip(db, me, case.trip_id))


# -- cases ------------------------------------------------------------------------------


@router.get("/cases", response_model=QueueOut, tags=["cases"])
def queue(
    me: Caller,
    db: ReadDB,
    sponsor_id: QueryId = None,
    project_id: QueryId = None,
    batch_id: QueryId = None,
    sector: str | None = None,
    category: str | None = None,
    state: Annotated[list[str] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: str = "urgency",
    page: Page = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    """The desk queue: most urgent first (the last day processing can start)."""
    f = cases.QueueFilter(sponsor_id, project_id, batch_id, sector, category, tuple(state or ()), q)
    rows, total = cases.queue(db, me, f, sort=sort, page=page, per_page=per_page)
    trips = cases.queue_trips(db, rows)
    return {
        "items": [present.case_out(c, trips[c.trip_id]) for c in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def _case_detail(db: Session, me: Principal, case: Case, desk: Any, lang: str) -> dict[str, Any]:
    trip = db.get_one(Trip, case.trip_id)
    events = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    )
    s = trip.screening
    annotation = (
        {"en": case.annotation_en, "ko": case.annotation_ko or ""} if case.annotation_en else None
    )
    return {
        **present.case_out(case, trip),
        "next_states": cases.next_steps(case, me),
        "events": [present.event_out(e) for e in events],
        "annotation": annotation,
        "screening": localized(s.result, desk.policy, lang, s.as_of) if s else None,
    }


@router.get("/cases/{case_id}", response_model=CaseDetailOut, tags=["cases"])
def get_case(case_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang) -> dict[str, Any]:
    return _case_detail(db, me, cases.get_case(db, me, case_id), desk, lang)


@router.get("/cases/{case_id}/events", response_model=list[EventOut], tags=["cases"])
def case_events(case_id: PathId, me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    case = cases.get_case(db, me, case_id)
    events = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    )
    return [present.event_out(e) for e in events]


@router.post("/cases/{case_id}/transitions", response_model=CaseDetailOut, tags=["cases"])
def transition(
    case_id: PathId, body: TransitionIn, me: Caller, db: WriteDB, desk: DeskDep, lang: Lang
) -> dict[str, Any]:
    """Move the case along the workflow. Illegal moves: 409; a role not allowed: 403."""
    case = cases.get_case(db, me, case_id)
    required = documents.required_kinds(db, case, desk.checklist)
    case = cases.take_transition(
        db,
        me,
        case_id,
        target=body.to,
        comment=body.comment,
        interview_at=body.interview_at,
        expected_version=body.version,
        required_documents=required,
        policy=desk.policy,
    )
    db.flush()
    return _case_detail(db, me, case, desk, lang)


@router.get("/cases/{case_id}/annotation", response_model=AnnotationOut, tags=["cases"])
def annotation(case_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    case = cases.get_case(db, me, case_id)
    if not case.annotation_en:
        raise DeskError("no_annotation", 404, id=case.id)
    return {"case_id": case.id, "en": case.annotation_en, "ko": case.annotation_ko or ""}


# -- documents --------------------------------------------------------------------------


@router.get("/cases/{case_id}/documents", response_model=list[ChecklistItemOut], tags=["documents"])
def checklist(
    case_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang
) -> list[dict[str, Any]]:
    """The case's document checklist with its uploads."""
    case = cases.get_case(db, me, case_id)
    out = documents.checklist_with_uploads(db, case, desk.checklist, lang)
    for item in out:
        item["uploads"] = [d.id for d in item["uploads"]]
    return out


@router.get("/cases/{case_id}/uploads", response_model=list[DocumentOut], tags=["documents"])
def case_uploads(case_id: PathId, me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    case = cases.get_case(db, me, case_id)
    rows = db.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id))
    return [present.document_out(d) for d in rows]


@router.post(
    "/cases/{case_id}/documents", response_model=DocumentOut, status_code=201, tags=["documents"]
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
    data = _read_limited(file, documents.MAX_DOCUMENT_BYTES)
    doc = documents.upload(
        db,
        me,
        case_id,
        kind=kind,
        filename=file.filename or "document",
        data=data,
        checklist=desk.checklist,
        documents_dir=desk.settings.documents_dir,
    )
    return present.document_out(doc)


@router.get("/documents/{document_id}", response_model=DocumentOut, tags=["documents"])
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


@router.post("/documents/{document_id}/review", response_model=DocumentOut, tags=["documents"])
def review_document(document_id: PathId, body: ReviewIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    doc = documents.review(db, me, document_id, status=body.status, comment=body.comment)
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


@router.get("/audit/verify", response_model=AuditOut, tags=["reports"])
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


@router.get("/audit/checkpoint", response_model=CheckpointOut, tags=["reports"])
def audit_checkpoint(me: Caller, db: ReadDB) -> dict[str, Any]:
    """The chain's head signed with the newest audit key, to keep outside the database;
    refused (409 ``audit_broken``) when the chain does not verify."""
    require(me, "audit.checkpoint")
    report = audit.check(db)
    if report.problems:
        raise DeskError("audit_broken", 409, problems=len(report.problems))
    return audit.checkpoint(db, report=report).as_dict()
