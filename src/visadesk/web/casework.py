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
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import cases, documents, transitions, uploads
from visadesk.desk.authz import Principal, scope_organizations, scope_projects
from visadesk.desk.crypto import mask
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MULTI_LINE, SINGLE_LINE
from visadesk.desk.models import Organization, Project
from visadesk.desk.workflow import OPEN_STATES as UPLOAD_STATES
from visadesk.desk.workflow import STATES
from visadesk.roster.schema import SECTORS
from visadesk.web import views
from visadesk.web.docreq_parts import case_parts
from visadesk.web.forms import Csrf, Page, redirect, submit
from visadesk.web.templating import (
    KST,
    check_csrf,
    desk_of,
    is_htmx,
    lang_of,
    render,
    require_user,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PER_PAGE: Final = 25
#: Sort orders offered in the queue (a subset of ``cases.SORTS``).
QUEUE_SORTS: Final = ("urgency", "trip_start", "-updated", "id")


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
    lang = lang_of(request)
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
        found = cases.queue(session, user, f, sort=sort, page=page, per_page=PER_PAGE)
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
        org_names = views.names_of(session, [i.case.sponsor_id for i in found.items])
        items = [
            {
                "case": i.case,
                "worker_id": i.trip.worker_id,
                "name": f"{i.trip.person.family_name} {i.trip.person.given_name}",
                "name_ko": i.trip.person.name_ko,
                "sponsor": org_names.get(i.case.sponsor_id, ""),
                "project": projects.get(i.case.project_id, ""),
            }
            for i in found.items
        ]
        total = found.total
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
    detail = cases.case_detail(session, user, case_id)
    case, trip, events, steps = detail.case, detail.trip, detail.events, detail.next_states
    person = trip.person
    checklist = documents.checklist_with_uploads(session, case, desk.checklist, lang)
    uploaders = [d.uploaded_by for item in checklist for d in item["uploads"]]
    actors = views.user_names(session, [e.actor_id for e in events] + uploaders)
    orgs = views.names_of(session, [case.sponsor_id, case.org_id])
    project = session.get_one(Project, case.project_id)
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
        **case_parts(session, user, case, desk.checklist, checklist),
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
    lang = lang_of(request)
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


def _again(request: Request, case_id: int, form: dict[str, str] | None = None) -> Page:
    """The case's page again, with the reason a form on it was refused."""
    return lambda user, error, status: _case_page(
        request, user, case_id, error=error, status=status, form=form
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
    desk = desk_of(request)

    def move(session: Session, user: Principal) -> None:
        asked = transitions.Move(
            to, comment.strip(), _interview_time(interview_at), _int_or_none(version)
        )
        transitions.take_transition(session, user, case_id, asked, desk)

    form = {"comment": comment, "interview_at": interview_at}
    return submit(
        request, csrf_token, move, f"/cases/{case_id}?done=moved", _again(request, case_id, form)
    )


@router.post("/cases/{case_id}/documents", response_class=HTMLResponse)
def upload_document(
    request: Request,
    case_id: int,
    kind: Annotated[str, Form(max_length=64), SINGLE_LINE] = "",
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Csrf = "",
) -> Response:
    desk = desk_of(request)

    def add(session: Session, user: Principal) -> None:
        if file is None or not file.filename:
            raise DeskError("empty_file", 422)
        documents.upload(
            session,
            user,
            case_id,
            kind=kind,
            filename=file.filename,
            data=uploads.read_upload(file.file, documents.MAX_DOCUMENT_BYTES),
            checklist=desk.checklist,
            documents_dir=desk.settings.documents_dir,
        )

    return submit(
        request,
        csrf_token,
        add,
        f"/cases/{case_id}?done=uploaded_document#documents",
        _again(request, case_id),
    )


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
    lang = lang_of(request)
    error: DeskError | None = None
    with read_session(desk.sessions) as session:
        case_id = documents.get_document(session, user, document_id).case_id
    try:
        with write_session(desk.sessions) as session:
            documents.review(
                session,
                user,
                document_id,
                status=status,
                comment=comment.strip(),
                checklist=desk.checklist,
            )
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
    return redirect(f"/cases/{case_id}?done=reviewed#documents")
