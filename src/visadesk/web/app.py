"""Mounting the web pages on the desk's FastAPI app.

:func:`mount_web` adds the static files (``/static``), the page routers, the
reports router (dashboard, downloads, traveller sheet) when it is there, a
middleware that remembers ``?lang=`` in the ``visadesk_lang`` cookie and sets
security headers on pages, and exception handlers that answer page requests
with HTML (in the reader's language) while ``/api/`` keeps its JSON errors.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visadesk.desk.api.deps import request_lang
from visadesk.desk.api.schemas import control_problem
from visadesk.desk.api.state import Desk
from visadesk.desk.errors import DeskError
from visadesk.i18n import LANGUAGES, t
from visadesk.roster.model import RosterError
from visadesk.web import accounts, batches, casework, projects, rosters, session
from visadesk.web.templating import LANG_COOKIE, LoginRequired, is_htmx, render

__all__ = ["mount_web"]

log = logging.getLogger("visadesk.web")

STATIC: Final = Path(__file__).parent / "static"
#: Pages may load only what this server serves: no inline scripts, no third parties.
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
Handler = Callable[[Request, Any], Awaitable[Response]]


def _is_page(path: str) -> bool:
    return not (path.startswith(("/api/", "/static/")) or path in {"/openapi.json", "/healthz"})


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
        page = _is_page(scope.get("path", ""))

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


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status_code=status, message=message, status=status)


def _wrap(api_handler: Handler | None, page_handler: Handler) -> Handler:
    """Pages get ``page_handler``; the API keeps its own handler."""

    async def handle(request: Request, exc: Any) -> Response:
        if _is_page(request.url.path) or api_handler is None:
            return await page_handler(request, exc)
        return await api_handler(request, exc)

    return handle


def mount_web(app: FastAPI, desk: Desk) -> None:
    """Add the web pages to ``app`` (called at the end of ``create_app``)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for pages in (session, projects, batches, rosters):
        app.include_router(pages.router)
    app.include_router(casework.router)
    app.include_router(accounts.router)
    try:
        from visadesk.web import reports  # noqa: PLC0415 - optional until it exists
    except ImportError:  # pragma: no cover - the reports module ships with the web app
        log.info("visadesk.web.reports is not there: no dashboard")
        app.state.web_reports = False
    else:
        app.include_router(reports.router)
        app.state.web_reports = True
    app.add_middleware(PageHeaders)

    handlers: MutableMapping[Any, Handler] = app.exception_handlers  # type: ignore[assignment]

    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return _login_redirect(request, exc.next_url)

    async def desk_error(request: Request, exc: DeskError) -> Response:
        if exc.status == 401:
            return _login_redirect(request, request.url.path)
        return _error_page(request, exc.status, exc.message(_lang(request)))

    async def roster_error(request: Request, exc: RosterError) -> Response:
        return _error_page(request, 422, exc.render(_lang(request)))

    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        lang = _lang(request)
        controls = [m for e in exc.errors() if (m := control_problem(e, lang))]
        return _error_page(
            request, 422, controls[0] if controls else _t("web.error.invalid_request", request)
        )

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "web.error.not_found", 405: "web.error.method"}.get(exc.status_code)
        text = _t(key, request) if key else _t("web.error.http", request)
        return _error_page(request, exc.status_code, text)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_page(request, 500, _t("web.error.internal", request))

    pages_own: dict[Any, Handler] = {
        DeskError: desk_error,
        RosterError: roster_error,
        RequestValidationError: invalid,
        StarletteHTTPException: http_error,
        Exception: server_error,
    }
    for kind in {*handlers, *pages_own}:
        api = handlers.get(kind)
        page = pages_own.get(kind) or (_as_page(api) if api is not None else None)
        if page is not None:
            handlers[kind] = _wrap(api, page)
    handlers[LoginRequired] = login_required


def _as_page(api_handler: Handler) -> Handler:
    """Any other error the API answers in JSON: the same status and message, as a page."""

    async def handle(request: Request, exc: Any) -> Response:
        response = await api_handler(request, exc)
        message = _t("web.error.http", request)
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = json.loads(bytes(response.body))["error"]["message"]
        return _error_page(request, response.status_code, message)

    return handle


def _lang(request: Request) -> str:
    return request_lang(request)


def _t(key: str, request: Request) -> str:
    return t(key, _lang(request))
