"""Sign-in, projects, batches, roster uploads and the people of a batch.

Handlers call the desk's services (:mod:`visadesk.desk.filing`, ...) in one
read or write transaction each. A POST that succeeds redirects (303) to the
page it changed with ``?done=<what>``; one that fails shows the same page
again with the reason in the reader's language. Every POST form carries the
session's CSRF token (the login form a token of its own, double-submitted in
a cookie).
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
from pathlib import PurePath
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from visadesk.desk import accounts, filing, tokens
from visadesk.desk.authz import (
    Principal,
    scope_batches,
    scope_cases,
    scope_organizations,
    scope_projects,
    scope_trips,
)
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import SINGLE_LINE
from visadesk.desk.models import (
    Batch,
    BatchMember,
    Case,
    Organization,
    Project,
    Screening,
    SponsorLink,
    Trip,
)
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.roster.model import RosterError
from visadesk.roster.schema import SECTORS
from visadesk.serve.request import SESSION_COOKIE, client_of, request_lang
from visadesk.web import rostergrid, views
from visadesk.web.templating import (
    check_csrf,
    current_user,
    desk_of,
    is_htmx,
    render,
    require_user,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE: Final = "visadesk_login_csrf"
#: The most problems the problems table lists (the count says how many more).
MAX_PROBLEMS: Final = 500
#: People per page of a batch.
PEOPLE_PER_PAGE: Final = 100

Text = Annotated[str, Form(max_length=2000), SINGLE_LINE]
Csrf = Annotated[str, Form(max_length=200), SINGLE_LINE]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _home(user: Principal) -> str:
    return "/queue" if user.is_desk else "/projects"


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site (no scheme, no ``//host``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def _client(request: Request) -> str:
    return client_of(request)


def _pending(desk: Desk) -> rostergrid.PendingStore:
    return rostergrid.PendingStore(desk.settings.data_dir / "web-pending")


# -- sign-in ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = current_user(request)
    return _redirect(_home(user) if user else "/login")


def _login_page(
    request: Request,
    *,
    next_url: str | None,
    email: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    desk = desk_of(request)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status_code=status,
        canonical_url="/login?next=" + quote(next_url, safe="") if next_url else "/login",
        next_url=next_url or "",
        login_csrf=token,
        email=email,
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=desk.settings.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    user = current_user(request)
    if user is not None:
        return _redirect(_safe_next(next) or _home(user))
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254), SINGLE_LINE],
    password: Annotated[str, Form(max_length=1000), SINGLE_LINE],
    csrf_token: Csrf = "",
    next: Annotated[str, Form(max_length=2000), SINGLE_LINE] = "",
) -> Response:
    desk = desk_of(request)
    lang = request_lang(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (expected and csrf_token and hmac.compare_digest(expected, csrf_token)):
        error = DeskError("csrf_failed", 403)
        return _login_page(
            request, next_url=_safe_next(next), email=email, error=error.message(lang), status=403
        )
    failure: DeskError | None = None
    # The failed attempt is committed: it counts towards the rate limit.
    try:
        issued = accounts.login(
            desk.sessions, email=email, password=password, client=_client(request), kind="session"
        )
    except DeskError as error:
        failure = error
    if failure is not None:
        page = _login_page(
            request,
            next_url=_safe_next(next),
            email=email,
            error=failure.message(lang),
            status=failure.status,
        )
        if failure.status == 429:
            page.headers["Retry-After"] = str(failure.params.get("seconds", 1))
        return page
    user = tokens.principal_of(issued.user)
    response = _redirect(_safe_next(next) or _home(user))
    lifetime = int((issued.expires_at - dt.datetime.now(dt.UTC)).total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=max(lifetime, 60),
        httponly=True,
        samesite="lax",
        secure=desk.settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request) -> Response:
    if current_user(request) is None:
        return _redirect("/login")
    return render(request, "logout.html")


@router.post("/logout")
def logout(request: Request, csrf_token: Csrf = "") -> Response:
    desk = desk_of(request)
    if current_user(request) is not None:
        check_csrf(request, csrf_token)
        secret = request.cookies.get(SESSION_COOKIE, "")
        with write_session(desk.sessions) as session:
            tokens.revoke_token(session, secret)
    response = _redirect("/login?done=logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- projects -----------------------------------------------------------------------------


def _projects_page(
    request: Request,
    user: Principal,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    desk = desk_of(request)
    with read_session(desk.sessions) as session:
        projects = session.scalars(scope_projects(select(Project), user).order_by(Project.id)).all()
        batch_counts = dict(
            session.execute(
                scope_batches(select(Batch.project_id, func.count(Batch.id)), user).group_by(
                    Batch.project_id
                )
            ).all()
        )
        sponsors = views.names_of(session, [p.sponsor_id for p in projects])
        return render(
            request,
            "projects.html",
            status_code=status,
            canonical_url="/projects",
            projects=projects,
            batch_counts=batch_counts,
            sponsors=sponsors,
            sectors=SECTORS,
            can_create=user.can("project.write"),
            form=form or {},
            error=error,
        )


@router.get("/projects", response_class=HTMLResponse)
def projects(request: Request) -> Response:
    return _projects_page(request, require_user(request))


def _optional_date(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DeskError("invalid_value", 422, field=field, value=value) from None


def _optional_int(value: str, field: str) -> int | None:
    cleaned = value.replace(",", "").replace("_", "").strip()
    if not cleaned:
        return None
    try:
        number = int(cleaned)
    except ValueError:
        raise DeskError("invalid_value", 422, field=field, value=value) from None
    if number < 0:
        raise DeskError("invalid_value", 422, field=field, value=value)
    return number


@router.post("/projects", response_class=HTMLResponse)
def create_project(  # noqa: PLR0917 - the form's fields
    request: Request,
    name: Annotated[str, Form(max_length=200), SINGLE_LINE] = "",
    worksite: Annotated[str, Form(max_length=300), SINGLE_LINE] = "",
    state: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    sector: Annotated[str, Form(max_length=40), SINGLE_LINE] = "",
    investment_usd: Annotated[str, Form(max_length=40), SINGLE_LINE] = "",
    start_date: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    end_date: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    form = {
        "name": name,
        "worksite": worksite,
        "state": state,
        "sector": sector,
        "investment_usd": investment_usd,
        "start_date": start_date,
        "end_date": end_date,
    }
    try:
        if not name.strip():
            raise DeskError("invalid_value", 422, field="name", value=name)
        if not worksite.strip():
            raise DeskError("invalid_value", 422, field="worksite", value=worksite)
        with write_session(desk.sessions) as session:
            project = filing.create_project(
                session,
                user,
                name=name.strip(),
                worksite=worksite.strip(),
                state=state,
                sector=sector,
                investment_usd=_optional_int(investment_usd, "investment_usd"),
                start_date=_optional_date(start_date, "start_date"),
                end_date=_optional_date(end_date, "end_date"),
            )
            project_id = project.id
    except DeskError as error:
        message = error.message(request_lang(request))
        return _projects_page(request, user, error=message, form=form, status=error.status)
    return _redirect(f"/projects/{project_id}?done=project_created")


def _project_page(
    request: Request,
    user: Principal,
    project_id: int,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    desk = desk_of(request)
    with read_session(desk.sessions) as session:
        project = filing.get_project(session, user, project_id)
        batches = session.scalars(
            scope_batches(select(Batch), user)
            .where(Batch.project_id == project.id)
            .order_by(Batch.id.desc())
        ).all()
        trip_counts = dict(
            session.execute(
                scope_trips(select(Trip.batch_id, func.count(Trip.id)), user)
                .where(Trip.project_id == project.id)
                .group_by(Trip.batch_id)
            ).all()
        )
        sponsor = views.names_of(session, [project.sponsor_id]).get(project.sponsor_id, "")
        return render(
            request,
            "project.html",
            status_code=status,
            canonical_url=f"/projects/{project_id}",
            project=project,
            sponsor=sponsor,
            batches=batches,
            trip_counts=trip_counts,
            can_create=user.can("batch.create") and user.org_id == project.sponsor_id,
            error=error,
        )


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: int) -> Response:
    return _project_page(request, require_user(request), project_id)


@router.post("/projects/{project_id}/batches", response_class=HTMLResponse)
def create_batch(
    request: Request,
    project_id: int,
    name: Annotated[str, Form(max_length=200), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    try:
        if not name.strip():
            raise DeskError("invalid_value", 422, field="name", value=name)
        with write_session(desk.sessions) as session:
            batch = filing.create_batch(session, user, project_id=project_id, name=name.strip())
            batch_id = batch.id
    except DeskError as error:
        message = error.message(request_lang(request))
        return _project_page(request, user, project_id, error=message, status=error.status)
    return _redirect(f"/batches/{batch_id}?done=batch_created")


# -- batches ------------------------------------------------------------------------------


def _can_file(session: Session, user: Principal, batch: Batch) -> bool:
    """Whether ``user`` may upload a roster into ``batch`` (the sponsor or an invited sub)."""
    if batch.state != "open" or not user.can("roster.upload"):
        return False
    if user.kind == "sponsor":
        return batch.sponsor_id == user.org_id
    if user.kind == "subcontractor":
        member = session.scalar(
            select(BatchMember.id).where(
                BatchMember.batch_id == batch.id, BatchMember.org_id == user.org_id
            )
        )
        return member is not None
    return False


def _batch_context(
    session: Session,
    desk: Desk,
    user: Principal,
    batch_id: int,
    *,
    light: str = "",
    page: int = 1,
) -> dict[str, Any]:
    batch = filing.get_batch(session, user, batch_id)
    project = batch.project
    member_ids = list(
        session.scalars(select(BatchMember.org_id).where(BatchMember.batch_id == batch.id))
    )
    visible_orgs = set(session.scalars(scope_organizations(select(Organization.id), user))) | {
        batch.sponsor_id
    }
    members = views.names_of(session, [m for m in member_ids if m in visible_orgs or user.is_desk])
    invitable: dict[int, str] = {}
    can_invite = (
        user.can("batch.invite") and batch.state == "open" and user.org_id == batch.sponsor_id
    )
    if can_invite:
        linked = session.scalars(
            select(SponsorLink.subcontractor_id).where(SponsorLink.sponsor_id == batch.sponsor_id)
        )
        invitable = views.names_of(session, [o for o in linked if o not in member_ids])
    # Counts by light for everyone visible, then the ids of one page: both in SQL, so a
    # batch of 45,000 trips costs two indexed queries, not 45,000 decoded rows.
    visible = (
        scope_trips(select(Trip.id, Trip.worker_id, views.light_sql().label("light")), user)
        .outerjoin(Screening, Screening.id == Trip.screening_id)
        .where(Trip.batch_id == batch.id)
        .subquery()
    )
    counts = dict.fromkeys(views.LIGHTS, 0)
    for value, count in session.execute(
        select(visible.c.light, func.count()).group_by(visible.c.light)
    ):
        counts[value] = count
    shown = counts[light] if light else sum(counts.values())
    pages = max(1, math.ceil(shown / PEOPLE_PER_PAGE))
    page = min(max(page, 1), pages)
    if light:
        wanted = select(visible.c.id).where(visible.c.light == light)
        wanted = wanted.order_by(visible.c.worker_id, visible.c.id)
    else:  # no light asked for: the trip table alone orders the page
        wanted = scope_trips(select(Trip.id), user).where(Trip.batch_id == batch.id)
        wanted = wanted.order_by(Trip.worker_id, Trip.id)
    ids = list(session.scalars(wanted.limit(PEOPLE_PER_PAGE).offset((page - 1) * PEOPLE_PER_PAGE)))
    position = {trip_id: n for n, trip_id in enumerate(ids)}
    trips = sorted(
        session.scalars(select(Trip).where(Trip.id.in_(ids))).all(),
        key=lambda t: position[t.id],
    )
    case_rows = session.execute(
        scope_cases(select(Case.trip_id, Case.id, Case.state, Case.category), user).where(
            Case.batch_id == batch.id, Case.trip_id.in_(ids)
        )
    ).all()
    by_trip = {r[0]: (r[1], r[2], r[3]) for r in case_rows}
    rows = [views.person_row(t, desk.policy, by_trip.get(t.id)) for t in trips]
    drafts = session.scalar(
        select(func.count(Case.id)).where(Case.batch_id == batch.id, Case.state == "draft")
    )
    return {
        "batch": batch,
        "project": project,
        "members": members,
        "invitable": invitable,
        "can_invite": can_invite,
        "can_upload": _can_file(session, user, batch),
        "can_submit": user.can("batch.submit")
        and batch.state == "open"
        and user.org_id == batch.sponsor_id,
        "drafts": drafts or 0,
        "rows": rows,
        "counts": counts,
        "shown": shown,
        "light": light,
        "page": page,
        "pages": pages,
        "sponsor": views.names_of(session, [batch.sponsor_id]).get(batch.sponsor_id, ""),
    }


def _batch_page(
    request: Request,
    user: Principal,
    batch_id: int,
    *,
    error: str | None = None,
    report: filing.UploadReport | None = None,
    status: int = 200,
    light: str = "",
    page: int = 1,
) -> Response:
    desk = desk_of(request)
    lang = request_lang(request)
    light = light if light in views.LIGHTS else ""
    with read_session(desk.sessions) as session:
        context = _batch_context(session, desk, user, batch_id, light=light, page=page)
        return render(
            request,
            "batch.html",
            status_code=status,
            canonical_url=f"/batches/{batch_id}",
            error=error,
            report=report,
            short_category=views.short_category,
            category_label=lambda cid: views.category_label(desk.policy, cid, lang),
            fact_label=lambda name: views.fact_label(name, lang),
            **context,
        )


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: int, light: str = "", page: int = 1) -> Response:
    """The batch; its people ``PEOPLE_PER_PAGE`` at a time, optionally of one light."""
    return _batch_page(request, require_user(request), batch_id, light=light, page=page)


def _read_upload(file: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := file.file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise DeskError("file_too_large", 413, size=size, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _upload(
    request: Request, user: Principal, batch_id: int, data: bytes, filename: str
) -> Response:
    """Run the upload; success shows the batch with the result, refusal the problems."""
    desk = desk_of(request)
    lang = request_lang(request)
    as_of = desk.today()
    try:
        # Read and screened before the write transaction: no write lock while parsing.
        with read_session(desk.sessions) as session:
            filing.upload_target(session, user, batch_id)
        prepared = filing.prepare_upload(
            data=data,
            filename=filename,
            policy=desk.policy,
            as_of=as_of,
            budget=desk.settings.roster_budget,
        )
        with write_session(desk.sessions) as session:
            report = filing.upload_roster(
                session,
                user,
                batch_id,
                data=data,
                filename=filename,
                policy=desk.policy,
                as_of=as_of,
                prepared=prepared,
            )
    except RosterError as refused:
        return _problems_page(
            request, user, batch_id=batch_id, refused=refused, data=data, filename=filename
        )
    except DeskError as error:
        return _batch_page(request, user, batch_id, error=error.message(lang), status=error.status)
    return _batch_page(request, user, batch_id, report=report)


def _problems_page(
    request: Request,
    user: Principal,
    *,
    batch_id: int,
    refused: RosterError,
    data: bytes,
    filename: str,
) -> Response:
    desk = desk_of(request)
    lang = request_lang(request)
    # A file refused for its size is not parsed again to show it.
    over = "limit_exceeded" in refused.codes
    grid = None if over else rostergrid.read_grid(data, filename)
    view = rostergrid.grid_view(grid, refused.problems, lang) if grid else None
    pending_id = (
        _pending(desk).save(grid, user_id=user.user_id, batch_id=batch_id, filename=filename)
        if grid is not None and view is not None
        else ""
    )
    problems = [
        {
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "message": p.message(lang),
        }
        for p in refused.problems[:MAX_PROBLEMS]
    ]
    with read_session(desk.sessions) as session:
        context = _batch_context(session, desk, user, batch_id)
        return render(
            request,
            "roster_errors.html",
            status_code=422,
            canonical_url=f"/batches/{batch_id}",
            problems=problems,
            more=max(0, len(refused.problems) - MAX_PROBLEMS),
            total=len(refused.problems),
            filename=PurePath(filename.replace("\\", "/")).name,
            grid=view,
            pending_id=pending_id,
            **context,
        )


@router.post("/batches/{batch_id}/roster", response_class=HTMLResponse)
def upload_roster(
    request: Request,
    batch_id: int,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    if file is None or not file.filename:
        message = DeskError("empty_file", 422).message(request_lang(request))
        return _batch_page(request, user, batch_id, error=message, status=422)
    try:
        data = _read_upload(file, desk.settings.max_upload_bytes)
    except DeskError as error:
        message = error.message(request_lang(request))
        return _batch_page(request, user, batch_id, error=message, status=error.status)
    return _upload(request, user, batch_id, data, file.filename)


@router.post("/batches/{batch_id}/roster/fix", response_class=HTMLResponse)
async def fix_roster(request: Request, batch_id: int) -> Response:
    """The corrected grid: rebuild the whole roster as CSV and upload it again."""
    form = await request.form(max_files=0, max_fields=20_000)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_fix_roster, request, batch_id, fields)


def _fix_roster(request: Request, batch_id: int, fields: dict[str, str]) -> Response:
    user = require_user(request)
    check_csrf(request, fields.get("csrf_token", ""))
    desk = desk_of(request)
    store = _pending(desk)
    pending_id = fields.get("pending", "")
    found = store.load(pending_id, user_id=user.user_id, batch_id=batch_id)
    if found is None:
        message = t("web.grid.expired", request_lang(request))
        return _batch_page(request, user, batch_id, error=message, status=410)
    grid, filename = found
    corrected = rostergrid.apply_edits(grid, fields)
    data = rostergrid.to_csv(corrected)
    name = f"{PurePath(filename).stem or 'roster'}.csv"
    response = _upload(request, user, batch_id, data, name)
    store.drop(pending_id)
    return response


@router.post("/batches/{batch_id}/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    batch_id: int,
    org_id: Annotated[int, Form()],
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    try:
        with write_session(desk.sessions) as session:
            filing.invite(session, user, batch_id, org_id)
    except DeskError as error:
        message = error.message(request_lang(request))
        return _batch_page(request, user, batch_id, error=message, status=error.status)
    return _redirect(f"/batches/{batch_id}?done=invited")


@router.post("/batches/{batch_id}/submit", response_class=HTMLResponse)
def submit(request: Request, batch_id: int, csrf_token: Csrf = "") -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    try:
        with write_session(desk.sessions) as session:
            filing.submit_batch(session, user, batch_id)
    except DeskError as error:
        message = error.message(request_lang(request))
        return _batch_page(request, user, batch_id, error=message, status=error.status)
    return _redirect(f"/batches/{batch_id}?done=submitted")


# -- one person's screening ---------------------------------------------------------------


def _trip(session: Session, user: Principal, trip_id: int) -> Trip:
    trip = session.scalar(scope_trips(select(Trip), user).where(Trip.id == trip_id))
    if trip is None:
        raise DeskError("not_found", 404, entity="trip", id=trip_id)
    return trip


@router.get("/trips/{trip_id}", response_class=HTMLResponse)
def trip_page(request: Request, trip_id: int) -> Response:
    """A person's whole screening: every status with its reasons and citations."""
    user = require_user(request)
    desk = desk_of(request)
    lang = request_lang(request)
    with read_session(desk.sessions) as session:
        trip = _trip(session, user, trip_id)
        case = session.execute(
            select(Case.id, Case.state, Case.category).where(Case.trip_id == trip.id)
        ).first()
        row = views.person_row(trip, desk.policy, (case[0], case[1], case[2]) if case else None)
        explained = views.explanation(trip.screening, desk.policy, lang)
        batch = filing.get_batch(session, user, trip.batch_id)
        facts = dict(trip.facts)
        template = "partials/screening.html" if is_htmx(request) else "trip.html"
        return render(
            request,
            template,
            row=row,
            trip=trip,
            batch=batch,
            facts=facts,
            explained=explained,
            fact_label=lambda name: views.fact_label(name, lang),
        )
