"""The web app's part of the desk's app: its routers, static files, page headers, error pages.

:mod:`visadesk.server` puts on the one app: :data:`ROUTERS` (sign-in, projects and
batches, casework, accounts, reports), the static files (:func:`static_files`,
under ``/static``), :class:`PageHeaders` (remembers ``?lang=`` in the
``visadesk_lang`` cookie, sets security headers on pages), and answers an error
on a page with :func:`error_page` (the reader's language; a request that needs a
signed-in user is sent to the login page) while ``/api/`` keeps its JSON errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visadesk.i18n import LANGUAGES, t
from visadesk.serve.errors import Failure
from visadesk.serve.request import LANG_COOKIE, is_page, request_lang
from visadesk.web import (
    accounts,
    answers,
    audit,
    batches,
    casework,
    decisions,
    docreq,
    projects,
    queuework,
    reports,
    rosters,
    session,
)
from visadesk.web.templating import LoginRequired, is_htmx, render

__all__ = ["ROUTERS", "PageHeaders", "error_page", "login_required", "static_files"]

STATIC: Final = Path(__file__).parent / "static"
#: Pages may load only what this server serves: no inline scripts, no third parties.
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: The web app's routers, in the order they are put on the app.
ROUTERS: Final = (
    session.router,
    projects.router,
    batches.router,
    rosters.router,
    queuework.router,
    casework.router,
    decisions.router,
    docreq.router,
    accounts.router,
    reports.router,
    audit.router,
    answers.router,
)
#: A page says these in its own words; any other failure with the API's message.
_PAGE_MESSAGES: Final = {
    "invalid_request": "web.error.invalid_request",
    "not_found_path": "web.error.not_found",
    "method_not_allowed": "web.error.method",
    "http_error": "web.error.http",
    "internal": "web.error.internal",
}


def static_files() -> StaticFiles:
    """The stylesheet, the script and the vendored htmx, for ``/static``."""
    return StaticFiles(directory=STATIC)


class PageHeaders:
    """ASGI middleware: ``?lang=`` is remembered in a cookie; pages get security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        lang = (query.get("lang") or [""])[0].lower()
        page = is_page(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if lang in LANGUAGES:
                    cookie = f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
                    headers.append((b"set-cookie", cookie.encode()))
                if page:
                    headers += [
                        (b"content-security-policy", CSP.encode()),
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"same-origin"),
                        (b"x-frame-options", b"DENY"),
                    ]
                    if not any(k.lower() == b"cache-control" for k, _ in headers):
                        headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _login_redirect(request: Request, next_url: str) -> Response:
    target = "/login?next=" + quote(next_url, safe="")
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def login_required(request: Request, exc: Exception) -> Response:
    """A page that needs a signed-in user (:class:`LoginRequired`): to the login page, and back."""
    assert isinstance(exc, LoginRequired), exc
    return _login_redirect(request, exc.next_url)


def error_page(request: Request, failure: Failure) -> Response:
    """``failure`` as a page in the reader's language (401: to the login page)."""
    if failure.status == 401:
        return _login_redirect(request, request.url.path)
    key = _PAGE_MESSAGES.get(failure.code)
    message = failure.account or (t(key, request_lang(request)) if key else failure.message)
    status = failure.status
    return render(request, "error.html", status_code=status, message=message, status=status)
