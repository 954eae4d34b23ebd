"""The desk queue, the case page, its documents and its transitions.

The queue is :func:`visadesk.desk.cases.queue` (most urgent first, scoped to
what the user may see); its filter form works as a plain GET form and, with
htmx, refreshes only the results. The case page shows the stored screening
in the reader's language with citations, the document checklist with uploads
and reviews, the transitions the user's role allows and the case's timeline.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import cases, documents
from visadesk.desk.authz import Principal, scope_organizations, scope_projects
from visadesk.desk.crypto import mask
from visadesk.desk.db import read_session, write_session
from visadesk.desk.documents import _UPLOAD_STATES as UPLOAD_STATES
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MULTI_LINE, SINGLE_LINE
from visadesk.desk.models import CaseEvent, Organization, Project, Trip
from visadesk.desk.workflow import STATES
from visadesk.roster.schema import SECTORS
from visadesk.serve.request import request_lang
from visadesk.web import views
from visadesk.web.templating import KST, check_csrf, desk_of, is_htmx, render, require_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PER_PAGE: Final = 25
#: Sort orders offered in the queue (a subset of ``cases.SORTS``).
QUEUE_SORTS: Final = ("urgency", "trip_start", "-updated", "id")
Csrf = Annotated[str, Form(max_length=200), SINGLE_LINE]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _int_or_none(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


# -- queue --------------------------------------------------------------------------------


@router.get("/queue", response_class=HTMLResponse)
def queue_page(  # noqa: PLR0917 - the filter form's fields
    request: Request,
    q: str = "",
    sponsor: str = "",
    project: str = "",
    sector: str = "",
    category: str = "",
    state: str = "",
    sort: str = "urgency",
    page: int = 1,
) -> Response:
    user = require_user(request)
    desk = desk_of(request)
    lang = request_lang(request)
    q = q.strip()[:100]
    sort = sort if sort in QUEUE_SORTS else "urgency"
    sector = sector if sector in SECTORS else ""
    category = category if category in desk.policy.categories else ""
    state = state if state in STATES else ""
    page = max(1, min(page, 100_000))
    f = cases.QueueFilter(
        sponsor_id=_int_or_none(sponsor),
        project_id=_int_or_none(project),
        sector=sector or None,
        category=category or None,
        state=(state,) if state else (),
        q=q or None,
    )
    with read_session(desk.sessions) as session:
        rows, total = cases.queue(session, user, f, sort=sort, page=page, per_page=PER_PAGE)
        trips = {
            t.id: t
            for t in session.scalars(select(Trip).where(Trip.id.in_([c.trip_id for c in rows])))
        }
        sponsors = dict(
            session.execute(
                scope_organizations(select(Organization.id, Organization.name), user)
                .where(Organization.kind == "sponsor")
                .order_by(Organization.name)
            ).all()
        )
        projects = dict(
            session.execute(
                scope_projects(select(Project.id, Project.name), user).order_by(Project.name)
            ).all()
        )
        org_names = views.names_of(session, [c.sponsor_id for c in rows])
        items = []
        for c in rows:
            person = trips[c.trip_id].person
            items.append(
                {
                    "case": c,
                    "worker_id": trips[c.trip_id].worker_id,
                    "name": f"{person.family_name} {person.given_name}",
                    "name_ko": person.name_ko,
                    "sponsor": org_names.get(c.sponsor_id, ""),
                    "project": projects.get(c.project_id, ""),
                }
            )
        pages = max(1, math.ceil(total / PER_PAGE))
        params = {
            "q": q,
            "sponsor": sponsor,
            "project": project,
            "sector": sector,
            "category": category,
            "state": state,
            "sort": sort,
        }
        kept = {k: v for k, v in params.items() if v and not (k == "sort" and v == "urgency")}

        def page_url(n: int) -> str:
            return "/queue?" + urlencode({**kept, "page": n})

        hx_target = request.headers.get("hx-target", "")
        template = (
            "partials/queue_results.html"
            if is_htmx(request) and hx_target == "queue-results"
            else "queue.html"
        )
        return render(
            request,
            template,
            items=items,
            total=total,
            page=page,
            pages=pages,
            page_url=page_url,
            filters=params,
            sponsors=sponsors,
            projects=projects,
            sectors=SECTORS,
            categories=[
                (cid, views.category_label(desk.policy, cid, lang))
                for cid in desk.policy.categories
            ],
            states=STATES,
            sorts=QUEUE_SORTS,
            short_category=views.short_category,
        )


# -- the case page -----------------------------------------------------------------------


def _case_context(
    session: Session, user: Principal, case_id: int, lang: str, desk: Any
) -> dict[str, Any]:
    case = cases.get_case(session, user, case_id)
    trip = session.get_one(Trip, case.trip_id)
    person = trip.person
    checklist = documents.checklist_with_uploads(session, case, desk.checklist, lang)
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    uploaders = [d.uploaded_by for item in checklist for d in item["uploads"]]
    actors = views.user_names(session, [e.actor_id for e in events] + uploaders)
    orgs = views.names_of(session, [case.sponsor_id, case.org_id])
    project = session.get_one(Project, case.project_id)
    steps = cases.next_steps(case, user)
    return {
        "case": case,
        "trip": trip,
        "person": {
            "name": f"{person.family_name} {person.given_name}".strip(),
            "name_ko": person.name_ko,
            "nationality": person.nationality,
            "passport": mask(person.passport_number),
            "birth_date": mask(person.birth_date),
        },
        "facts": dict(trip.facts),
        "project": project,
        "sponsor": orgs.get(case.sponsor_id, ""),
        "filer": orgs.get(case.org_id, ""),
        "checklist": checklist,
        "events": events,
        "actors": actors,
        "steps": steps,
        "needs_interview": "interview_scheduled" in steps,
        "can_upload": user.can("document.upload") and case.state in UPLOAD_STATES,
        "can_review": user.can("document.review"),
        "explained": views.explanation(trip.screening, desk.policy, lang, first=case.category),
        "category_label": views.category_label(desk.policy, case.category, lang),
        "short_category": views.short_category,
        "annotation": case.annotation_ko
        if lang == "ko" and case.annotation_ko
        else case.annotation_en,
    }


def _case_page(
    request: Request,
    user: Principal,
    case_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    desk = desk_of(request)
    lang = request_lang(request)
    with read_session(desk.sessions) as session:
        context = _case_context(session, user, case_id, lang, desk)
        return render(
            request,
            "case.html",
            status_code=status,
            canonical_url=f"/cases/{case_id}",
            error=error,
            form=form or {},
            fact_label=lambda name: views.fact_label(name, lang),
            **context,
        )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int) -> Response:
    return _case_page(request, require_user(request), case_id)


def _interview_time(value: str) -> dt.datetime | None:
    """A ``datetime-local`` value, taken as Korean time."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise DeskError("invalid_value", 422, field="interview_at", value=value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=KST)


@router.post("/cases/{case_id}/transition", response_class=HTMLResponse)
def transition(  # noqa: PLR0917 - the form's fields
    request: Request,
    case_id: int,
    to: Annotated[str, Form(max_length=40), SINGLE_LINE],
    comment: Annotated[str, Form(max_length=2000), MULTI_LINE] = "",
    interview_at: Annotated[str, Form(max_length=40), SINGLE_LINE] = "",
    version: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    try:
        when = _interview_time(interview_at)
        with write_session(desk.sessions) as session:
            case = cases.get_case(session, user, case_id)
            required = documents.required_kinds(session, case, desk.checklist)
            cases.take_transition(
                session,
                user,
                case_id,
                target=to,
                comment=comment.strip(),
                interview_at=when,
                expected_version=_int_or_none(version),
                required_documents=required,
                policy=desk.policy,
            )
    except DeskError as error:
        message = error.message(request_lang(request))
        form = {"comment": comment, "interview_at": interview_at}
        return _case_page(request, user, case_id, error=message, status=error.status, form=form)
    return _redirect(f"/cases/{case_id}?done=moved")


@router.post("/cases/{case_id}/documents", response_class=HTMLResponse)
def upload_document(
    request: Request,
    case_id: int,
    kind: Annotated[str, Form(max_length=64), SINGLE_LINE] = "",
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    try:
        if file is None or not file.filename:
            raise DeskError("empty_file", 422)
        data = _read_limited(file, documents.MAX_DOCUMENT_BYTES)
        with write_session(desk.sessions) as session:
            documents.upload(
                session,
                user,
                case_id,
                kind=kind,
                filename=file.filename,
                data=data,
                checklist=desk.checklist,
                documents_dir=desk.settings.documents_dir,
            )
    except DeskError as error:
        message = error.message(request_lang(request))
        return _case_page(request, user, case_id, error=message, status=error.status)
    return _redirect(f"/cases/{case_id}?done=uploaded_document#documents")


def _read_limited(file: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := file.file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise DeskError("file_too_large", 413, size=size, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/documents/{document_id}/review", response_class=HTMLResponse)
def review_document(
    request: Request,
    document_id: int,
    status: Annotated[str, Form(max_length=20), SINGLE_LINE],
    comment: Annotated[str, Form(max_length=2000), MULTI_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    lang = request_lang(request)
    error: DeskError | None = None
    with read_session(desk.sessions) as session:
        case_id = documents.get_document(session, user, document_id).case_id
    try:
        with write_session(desk.sessions) as session:
            documents.review(session, user, document_id, status=status, comment=comment.strip())
    except DeskError as refused:
        error = refused
    if is_htmx(request):
        with read_session(desk.sessions) as session:
            doc = documents.get_document(session, user, document_id)
            actors = views.user_names(session, [doc.uploaded_by])
            return render(
                request,
                "partials/document.html",
                doc=doc,
                actors=actors,
                can_review=user.can("document.review"),
                doc_error=error.message(lang) if error else None,
                just_reviewed=error is None,
            )
    if error is not None:
        return _case_page(request, user, case_id, error=error.message(lang), status=error.status)
    return _redirect(f"/cases/{case_id}?done=reviewed#documents")
