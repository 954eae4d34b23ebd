"""Document requests, the filer's to-do and notifications, as pages.

- ``POST /cases/{id}/document-request``: the officer's ticked items, other items
  (one a line) and a note (:func:`visadesk.desk.requesting.request_documents`);
- ``GET /todo``: the cases with open requests the reader may see, each with its
  progress (:func:`visadesk.desk.docrequests.todo`);
- ``GET /notifications``, ``POST /notifications/{id}/read``, ``POST
  /notifications/read``: the reader's own notices, read and marked read
  (:mod:`visadesk.desk.notifications`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from visadesk.desk import docrequests, notifications, requesting
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session
from visadesk.desk.inputs import MULTI_LINE, SINGLE_LINE
from visadesk.web import views
from visadesk.web.casework import _again, _int_or_none
from visadesk.web.forms import Csrf, Page, submit
from visadesk.web.templating import desk_of, lang_of, render, require_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/document-request", response_class=HTMLResponse)
def request_documents(  # noqa: PLR0917 - the form's fields
    request: Request,
    case_id: int,
    kinds: Annotated[list[str] | None, Form(max_length=100)] = None,
    extras: Annotated[str, Form(max_length=2200), MULTI_LINE] = "",
    note: Annotated[str, Form(max_length=2000), MULTI_LINE] = "",
    version: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    desk = desk_of(request)
    ask = requesting.Ask(
        tuple(k[:64] for k in kinds or ()),
        tuple(extras.splitlines()),
        note,
        _int_or_none(version),
    )

    def ask_for(session: Session, user: Principal) -> None:
        requesting.request_documents(session, user, case_id, ask, desk)

    form = {"extras": extras, "note": note}
    return submit(
        request,
        csrf_token,
        ask_for,
        f"/cases/{case_id}?done=requested_documents#documents",
        _again(request, case_id, form),
    )


@router.get("/todo", response_class=HTMLResponse)
def todo_page(request: Request) -> Response:
    user = require_user(request)
    desk = desk_of(request)
    with read_session(desk.sessions) as session:
        found = docrequests.todo(session, user, desk.checklist)
    return render(request, "todo.html", todo=found, short_category=views.short_category)


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request) -> Response:
    user = require_user(request)
    desk = desk_of(request)
    with read_session(desk.sessions) as session:
        found = notifications.listing(session, user, lang_of(request), desk.checklist)
    return render(request, "notifications.html", notices=found)


def _notices_again(request: Request) -> Page:
    """The notifications page again, with the reason a mark-as-read was refused."""
    desk = desk_of(request)

    def again(user: Principal, error: str, status: int) -> Response:
        with read_session(desk.sessions) as session:
            found = notifications.listing(session, user, lang_of(request), desk.checklist)
        return render(request, "notifications.html", status_code=status, notices=found, error=error)

    return again


@router.post("/notifications/{notification_id}/read", response_class=HTMLResponse)
def mark_read(request: Request, notification_id: int, csrf_token: Csrf = "") -> Response:
    def mark(session: Session, user: Principal) -> None:
        notifications.mark_read(session, user, notification_id)

    done = "/notifications?done=notifications_read"
    return submit(request, csrf_token, mark, done, _notices_again(request))


@router.post("/notifications/read", response_class=HTMLResponse)
def mark_all_read(request: Request, csrf_token: Csrf = "") -> Response:
    def mark(session: Session, user: Principal) -> None:
        notifications.mark_all_read(session, user)

    done = "/notifications?done=notifications_read"
    return submit(request, csrf_token, mark, done, _notices_again(request))
