"""The /api/v1 endpoints of accounts, organizations, projects, batches and trips (casework:
:mod:`visadesk.api.cases_routes`). Each calls one desk operation; every read of
tenant data goes through a ``scope_*`` query."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from sqlalchemy.orm import Session

from visadesk.api import present
from visadesk.api.deps import Caller, ReadDB, WriteDB
from visadesk.api.params import ERRORS, PREFIX, PathId
from visadesk.api.schemas import (
    AnswersIn,
    BatchIn,
    BatchOut,
    CaseOut,
    InviteIn,
    MeOut,
    OpenCaseIn,
    OrgIn,
    OrgOut,
    ProjectIn,
    ProjectOut,
    SubmitIn,
    SubmitOut,
    TokenIn,
    TokenOut,
    TripDetailOut,
    TripOut,
    UploadOut,
    UserIn,
    UserOut,
)
from visadesk.desk import (
    accounts,
    answers,
    directory,
    projects,
    screenings,
    tokens,
    transitions,
    uploads,
)
from visadesk.desk.authz import PERMISSIONS, Principal
from visadesk.desk.models import Batch, Trip, User
from visadesk.desk.rostertemplate import XLSX_MEDIA_TYPE, roster_template
from visadesk.policy.model import Policy
from visadesk.serve.request import SESSION_COOKIE, DeskDep, Lang, client_of

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, responses=ERRORS)


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
    return [present.org_out(o) for o in directory.list_organizations(db, me)]


@router.post("/organizations", response_model=OrgOut, status_code=201, tags=["organizations"])
def create_org(body: OrgIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    return present.org_out(directory.create_org(db, me, **body.model_dump()))


@router.get("/organizations/{org_id}", response_model=OrgOut, tags=["organizations"])
def get_org(org_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    return present.org_out(directory.get_organization(db, me, org_id))


@router.get("/users", response_model=list[UserOut], tags=["organizations"])
def list_users(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    return [present.user_out(u) for u in directory.list_users(db, me)]


@router.post("/users", response_model=UserOut, status_code=201, tags=["organizations"])
def create_user(body: UserIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    return present.user_out(directory.add_user(db, me, **body.model_dump()))


# -- projects and batches ---------------------------------------------------------------


@router.get("/projects", response_model=list[ProjectOut], tags=["projects"])
def list_projects(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    return [present.project_out(p) for p in projects.list_projects(db, me)]


@router.post("/projects", response_model=ProjectOut, status_code=201, tags=["projects"])
def create_project(body: ProjectIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    project = projects.create_project(db, me, **body.model_dump())
    return present.project_out(project)


@router.get("/projects/{project_id}", response_model=ProjectOut, tags=["projects"])
def get_project(project_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    return present.project_out(projects.get_project(db, me, project_id))


def _batch(db: Session, me: Principal, batch: Batch) -> dict[str, Any]:
    return present.batch_out(batch, projects.batch_members(db, me, batch.id))


@router.get("/batches", response_model=list[BatchOut], tags=["batches"])
def list_batches(me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    return [_batch(db, me, b) for b in projects.list_batches(db, me)]


@router.post("/batches", response_model=BatchOut, status_code=201, tags=["batches"])
def create_batch(body: BatchIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    batch = projects.create_batch(db, me, project_id=body.project_id, name=body.name)
    return present.batch_out(batch, [])


@router.get("/batches/{batch_id}", response_model=BatchOut, tags=["batches"])
def get_batch(batch_id: PathId, me: Caller, db: ReadDB) -> dict[str, Any]:
    return _batch(db, me, projects.get_batch(db, me, batch_id))


@router.post("/batches/{batch_id}/members", response_model=BatchOut, tags=["batches"])
def invite(batch_id: PathId, body: InviteIn, me: Caller, db: WriteDB) -> dict[str, Any]:
    projects.invite(db, me, batch_id, body.org_id)
    return _batch(db, me, projects.get_batch(db, me, batch_id))


@router.post("/batches/{batch_id}/roster", response_model=UploadOut, tags=["batches"])
def upload_roster(
    batch_id: PathId,
    file: Annotated[UploadFile, File(description="CSV, XLSX, Parquet or JSON roster")],
    me: Caller,
    desk: DeskDep,
    lang: Lang,
    skip_refused: Annotated[
        bool,
        Form(description="file the rows that belong and list the refused ones (default: none)"),
    ] = False,
) -> dict[str, Any]:
    """Validate, screen and store a roster into the batch: all rows or none.

    A row that does not belong in the batch (another organization's staff, a person
    with an open case for an overlapping trip) refuses the roster: 422
    ``roster_refused``, each refused cell a detail (row, column, value, code,
    ``case_id`` of the existing case when the caller may see it, message). With
    ``skip_refused`` the other rows are filed and the refused ones listed in
    ``refused_rows``.

    Re-uploading updates people and trips by ``worker_id``; it never duplicates.
    The file is read and screened before the write transaction begins (no write
    lock is held while parsing), bounded by the roster limits and budget.
    """
    roster = uploads.RosterFile(
        uploads.read_upload(file.file, desk.settings.max_upload_bytes),
        file.filename or "roster.csv",
    )
    report = uploads.file_roster(desk, me, batch_id, roster, skip_refused=skip_refused)
    return report.as_json(lang)


@router.post("/batches/{batch_id}/submit", response_model=SubmitOut, tags=["batches"])
def submit(
    batch_id: PathId, me: Caller, db: WriteDB, desk: DeskDep, body: SubmitIn | None = None
) -> dict[str, Any]:
    """File the batch whole. Needs ``{"confirm": true}`` and a decision (``amber`` or
    ``decisions``) for every person ``GET .../submit`` marks ``decide``."""
    body = body or SubmitIn()
    choice = transitions.SubmitChoice(body.confirm, body.amber, dict(body.decisions))
    return asdict(transitions.submit_batch(db, me, batch_id, desk, choice))


@router.get("/batches/{batch_id}/trips", response_model=list[TripOut], tags=["batches"])
def batch_trips(batch_id: PathId, me: Caller, db: ReadDB) -> list[dict[str, Any]]:
    return [present.trip_out(t, c) for t, c in screenings.batch_trips(db, me, batch_id)]


# -- trips ------------------------------------------------------------------------------


@router.get("/trips/{trip_id}", response_model=TripDetailOut, tags=["trips"])
def get_trip(trip_id: PathId, me: Caller, db: ReadDB, desk: DeskDep, lang: Lang) -> dict[str, Any]:
    trip = screenings.get_trip(db, me, trip_id)
    case = screenings.case_of_trip(db, trip)
    return _trip_detail(trip, case.id if case else None, me, desk.policy, lang)


def _trip_detail(
    trip: Trip, case_id: int | None, me: Principal, policy: Policy, lang: str
) -> dict[str, Any]:
    return {
        **present.trip_out(trip, case_id),
        "facts": dict(trip.facts),
        "screening": present.screening_out(trip, policy, lang, counsel=me.is_desk),
        "questions": present.questions_out(trip, lang),
    }


@router.post("/trips/{trip_id}/facts", response_model=TripDetailOut, tags=["trips"])
def answer_facts(
    trip_id: PathId, body: AnswersIn, me: Caller, db: WriteDB, desk: DeskDep, lang: Lang
) -> dict[str, Any]:
    """Answer missing facts of one person (roster column -> value, checked as a roster
    cell is); the trip is screened again and returned. Only while its batch is open and
    its case a draft."""
    done = answers.answer_facts(
        db, me, trip_id, body.answers, policy=desk.policy, as_of=desk.today()
    )
    return _trip_detail(done.trip, done.case_id, me, desk.policy, lang)


@router.post("/trips/{trip_id}/cases", response_model=CaseOut, status_code=201, tags=["trips"])
def open_case(
    trip_id: PathId, body: OpenCaseIn, me: Caller, db: WriteDB, desk: DeskDep
) -> dict[str, Any]:
    """Open (or re-point) the trip's draft case for a category the filer chooses."""
    case = screenings.open_case(
        db, me, trip_id, category=body.category, policy=desk.policy, as_of=desk.today()
    )
    return present.case_out(case, screenings.get_trip(db, me, case.trip_id))


# -- the roster template ----------------------------------------------------------------


@router.get(
    "/roster-template",
    tags=["batches"],
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
def get_roster_template(me: Caller, lang: Lang) -> Response:
    """The roster template (XLSX) in ``?lang=`` (``en`` or ``ko``): localised headers the
    reader accepts, drop-down lists, a guide sheet with every column, example rows."""
    template = roster_template(lang)
    disposition = f'attachment; filename="{template.filename}"'
    return Response(
        template.data, media_type=template.media_type, headers={"Content-Disposition": disposition}
    )
