"""The case page, its documents, its transitions and its assignment.

The desk queue is :mod:`visadesk.web.queuework`. The case page shows the stored screening
in the reader's language with citations, the document checklist with uploads
and reviews, the transitions the user's role allows and the case's timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from visadesk.desk import assignment, cases, documents, transitions, uploads
from visadesk.desk import decisions as decisions_desk
from visadesk.desk.authz import Principal
from visadesk.desk.crypto import mask
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MULTI_LINE, SINGLE_LINE
from visadesk.desk.models import Project
from visadesk.desk.workflow import FINAL_STATES
from visadesk.desk.workflow import OPEN_STATES as UPLOAD_STATES
from visadesk.report.verdicts import checklist_for_reader
from visadesk.web import decisions, queuework, verdicts, views
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


def _int_or_none(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


# -- the case page -----------------------------------------------------------------------


def _case_context(
    session: Session, user: Principal, case_id: int, lang: str, desk: Any
) -> dict[str, Any]:
    detail = cases.case_detail(session, user, case_id)
    case, trip, events, steps = detail.case, detail.trip, detail.events, detail.next_states
    person = trip.person
    checklist = checklist_for_reader(
        documents.checklist_with_uploads(session, case, desk.checklist, lang), counsel=user.is_desk
    )
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
        **verdicts.verdict_context(
            session, desk, user, trip, lang, case=case, first=case.category, back="case"
        ),
        "category_label": views.category_label(desk.policy, case.category, lang),
        "short_category": views.short_category,
        "annotation": case.annotation_ko
        if lang == "ko" and case.annotation_ko
        else case.annotation_en,
        # Issue #12: final moves go through a confirm page; a refusal shows its ground.
        "final_states": FINAL_STATES,
        "moves": [s for s in steps if s not in FINAL_STATES],
        "refusal": decisions_desk.refusal_of(
            session, case, desk.checklist, lang, desk_reader=user.is_desk
        ),
        **queuework.case_extras(session, user, case, desk.today()),
        **case_parts(session, user, case, desk.checklist, checklist),
    }


def _case_page(
    request: Request,
    user: Principal,
    case_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
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


#: The case's page for ``user``, with a form's refusal (:mod:`visadesk.web.answers`).
case_page_for = _case_page


def _again(request: Request, case_id: int, form: dict[str, Any] | None = None) -> Page:
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
    confirm: decisions.ConfirmField = "",
    ground: decisions.GroundField = "",
    sub_ground: decisions.GroundField = "",
    items: decisions.ItemsField | None = None,
    other_items: decisions.OtherItemsField = "",
    csrf_token: Csrf = "",
) -> Response:
    desk = desk_of(request)
    # A final move comes from its confirm page (web.decisions) and is refused back to it.
    final = to in FINAL_STATES
    refusal = decisions.refusal_from_form(ground, sub_ground, items or [], other_items)

    def move(session: Session, user: Principal) -> None:
        asked = transitions.Move(
            to,
            comment.strip(),
            _interview_time(interview_at),
            _int_or_none(version),
            confirmed=final and confirm == "yes",
            refusal=refusal if to == "refused" else None,
        )
        transitions.take_transition(session, user, case_id, asked, desk)

    form: dict[str, Any] = {"comment": comment, "interview_at": interview_at}
    if final:
        form |= {"ground": ground, "sub_ground": sub_ground, "items": items or []}
        again = decisions.again_confirm(request, case_id, to, form | {"other_items": other_items})
    else:
        again = _again(request, case_id, form)
    return submit(request, csrf_token, move, f"/cases/{case_id}?done=moved", again)


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


@router.post("/cases/{case_id}/assign", response_class=HTMLResponse)
def assign(
    request: Request,
    case_id: int,
    assignee: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Assign the case: ``me`` (take it), a desk user's id, or nothing (unassign)."""

    def change(session: Session, user: Principal) -> None:
        to = user.user_id if assignee == "me" else _int_or_none(assignee)
        assignment.assign(session, user, case_id, to)

    return submit(
        request, csrf_token, change, f"/cases/{case_id}?done=assigned", _again(request, case_id)
    )
