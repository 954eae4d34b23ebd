"""Account pages: change your password, manage users (admins), set a password by reset link.

- ``/account/password``: every signed-in user; the current password proves it is
  them; every other session and token of theirs ends, this browser stays signed in.
- ``/users``: administrators (``user.manage``: the desk admin for everyone, a
  sponsor admin for their own staff and their subcontractors'): disable, enable,
  issue a reset link (shown once).
- ``/reset/<token>``: no sign-in; the form carries a CSRF token of its own,
  double-submitted in a cookie, like the login form.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import lifecycle
from visadesk.desk.authz import DESK_ROLES, Principal, require, scope_users
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MAX_ID
from visadesk.desk.models import Organization, User
from visadesk.serve.request import SESSION_COOKIE, client_of, request_lang
from visadesk.web.forms import Page, keep_own_token, own_token, own_token_ok, redirect, submit
from visadesk.web.templating import check_csrf, desk_of, render, require_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

RESET_CSRF_COOKIE: Final = "visadesk_reset_csrf"
Password = Annotated[str, Form(max_length=200)]
Csrf = Annotated[str, Form(max_length=200)]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _same(new: str, again: str) -> None:
    if new != again:
        raise DeskError("passwords_differ", 422)


# -- change password ------------------------------------------------------------------------


def _password_page(
    request: Request, *, error: str | None = None, done: bool = False, status: int = 200
) -> Response:
    return render(
        request,
        "account_password.html",
        status_code=status,
        canonical_url="/account/password",
        error=error,
        done=done,
    )


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request) -> Response:
    require_user(request)
    return _password_page(request, done=request.query_params.get("done") == "changed")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    current_password: Password = "",
    new_password: Password = "",
    new_password_again: Password = "",
    csrf_token: Csrf = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    failure: DeskError | None = None
    # A wrong current password is committed as a failed attempt (it counts, like a login).
    with write_session(desk.sessions) as session:
        try:
            _same(new_password, new_password_again)
            lifecycle.change_password(
                session,
                user,
                current=current_password,
                new=new_password,
                client=client_of(request),
                keep_secret=request.cookies.get(SESSION_COOKIE),
            )
        except DeskError as error:
            failure = error
            session.rollback()
    if failure is not None:
        message = failure.message(request_lang(request))
        return _password_page(request, error=message, status=failure.status)
    return redirect("/account/password?done=changed")


# -- users (administrators) -------------------------------------------------------------------


def _users_page(
    request: Request,
    me: Principal,
    *,
    error: str | None = None,
    reset_link: str | None = None,
    reset_for: str | None = None,
    status: int = 200,
) -> Response:
    require(me, "user.manage")
    desk = desk_of(request)
    with read_session(desk.sessions) as session:
        stmt = scope_users(select(User), me)
        if not me.is_desk:
            stmt = stmt.where(User.role.not_in(DESK_ROLES))
        users = session.scalars(stmt.order_by(User.org_id, User.email)).all()
        orgs = dict(
            session.execute(
                select(Organization.id, Organization.name).where(
                    Organization.id.in_({u.org_id for u in users})
                )
            ).all()
        )
        done = request.query_params.get("done", "")
        return render(
            request,
            "users.html",
            status_code=status,
            canonical_url="/users",
            users=users,
            orgs=orgs,
            me=me,
            error=error,
            reset_link=reset_link,
            reset_for=reset_for,
            done=done if done in {"disabled", "enabled"} else "",
        )


@router.get("/users", response_class=HTMLResponse)
def users(request: Request) -> Response:
    return _users_page(request, require_user(request))


def _again(request: Request) -> Page:
    return lambda me, error, status: _users_page(request, me, error=error, status=status)


def _manage(request: Request, user_id: int, csrf_token: str, active: bool) -> Response:
    done = f"/users?done={'enabled' if active else 'disabled'}#user-{user_id}"
    return submit(
        request,
        csrf_token,
        lambda session, me: lifecycle.set_active(session, me, user_id, active),
        done,
        _again(request),
    )


@router.post("/users/{user_id}/disable", response_class=HTMLResponse)
def disable(request: Request, user_id: UserId, csrf_token: Csrf = "") -> Response:
    return _manage(request, user_id, csrf_token, False)


@router.post("/users/{user_id}/enable", response_class=HTMLResponse)
def enable(request: Request, user_id: UserId, csrf_token: Csrf = "") -> Response:
    return _manage(request, user_id, csrf_token, True)


@router.post("/users/{user_id}/reset", response_class=HTMLResponse)
def issue_reset(request: Request, user_id: UserId, csrf_token: Csrf = "") -> Response:
    """The link is shown once, on this answer (never on a page that can be reloaded)."""

    def issue(session: Session, me: Principal) -> tuple[Principal, str, str]:
        issued = lifecycle.issue_reset(session, me, user_id)
        return me, issued.token, issued.user.email

    def show(issued: tuple[Principal, str, str]) -> Response:
        me, token, email = issued
        link = str(request.base_url).rstrip("/") + f"/reset/{token}"
        return _users_page(request, me, reset_link=link, reset_for=email)

    return submit(request, csrf_token, issue, show, _again(request))


# -- reset link ---------------------------------------------------------------------------------


def _reset_page(
    request: Request, token: str, *, error: str | None = None, status: int = 200
) -> Response:
    form_token = own_token(request, RESET_CSRF_COOKIE)
    response = render(
        request,
        "reset.html",
        status_code=status,
        canonical_url=f"/reset/{token}",
        token=token,
        reset_csrf=form_token,
        error=error,
    )
    keep_own_token(
        request, response, RESET_CSRF_COOKIE, form_token, path="/reset", samesite="strict"
    )
    return response


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, token: str) -> Response:
    return _reset_page(request, token[:200])


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset(
    request: Request,
    token: str,
    new_password: Password = "",
    new_password_again: Password = "",
    csrf_token: Csrf = "",
) -> Response:
    desk = desk_of(request)
    lang = request_lang(request)
    token = token[:200]
    if not own_token_ok(request, RESET_CSRF_COOKIE, csrf_token):
        return _reset_page(
            request, token, error=DeskError("csrf_failed", 403).message(lang), status=403
        )
    failure: DeskError | None = None
    # A bad token is committed as a failed attempt (it counts towards the reset limit).
    with write_session(desk.sessions) as session:
        try:
            _same(new_password, new_password_again)
            lifecycle.use_reset(session, secret=token, new=new_password, client=client_of(request))
        except DeskError as error:
            failure = error
            session.rollback()
    if failure is not None:
        return _reset_page(request, token, error=failure.message(lang), status=failure.status)
    response = render(request, "reset_done.html", canonical_url="/login")
    response.delete_cookie(RESET_CSRF_COOKIE, path="/reset")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
