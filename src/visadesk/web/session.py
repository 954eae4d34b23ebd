"""Signing in and out of the pages: the browser session's cookie.

The login form carries a CSRF token of its own, double-submitted in a cookie
(there is no session yet to hold one); a failed attempt counts towards the
sign-in rate limit, and a locked-out one says when to try again.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from visadesk.desk import accounts, tokens
from visadesk.desk.authz import Principal
from visadesk.desk.db import write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import SINGLE_LINE
from visadesk.serve.request import SESSION_COOKIE, client_of, request_lang
from visadesk.web.forms import Csrf, keep_own_token, own_token, own_token_ok, redirect
from visadesk.web.templating import check_csrf, current_user, desk_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE: Final = "visadesk_login_csrf"


def _home(user: Principal) -> str:
    return "/queue" if user.is_desk else "/projects"


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site (no scheme, no ``//host``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    user = current_user(request)
    return redirect(_home(user) if user else "/login")


def _login_page(
    request: Request,
    *,
    next_url: str | None,
    email: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    token = own_token(request, LOGIN_CSRF_COOKIE)
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
    keep_own_token(request, response, LOGIN_CSRF_COOKIE, token, path="/login", samesite="lax")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    user = current_user(request)
    if user is not None:
        return redirect(_safe_next(next) or _home(user))
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
    if not own_token_ok(request, LOGIN_CSRF_COOKIE, csrf_token):
        error = DeskError("csrf_failed", 403)
        return _login_page(
            request, next_url=_safe_next(next), email=email, error=error.message(lang), status=403
        )
    # The failed attempt is committed: it counts towards the rate limit.
    try:
        issued = accounts.login(
            desk.sessions, email=email, password=password, client=client_of(request), kind="session"
        )
    except DeskError as failure:
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
    response = redirect(_safe_next(next) or _home(user))
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
        return redirect("/login")
    return render(request, "logout.html")


@router.post("/logout")
def logout(request: Request, csrf_token: Csrf = "") -> Response:
    desk = desk_of(request)
    if current_user(request) is not None:
        check_csrf(request, csrf_token)
        secret = request.cookies.get(SESSION_COOKIE, "")
        with write_session(desk.sessions) as session:
            tokens.revoke_token(session, secret)
    response = redirect("/login?done=logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
