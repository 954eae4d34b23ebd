"""The FastAPI application: API under /api/v1, OpenAPI at /openapi.json.

Errors are JSON ``{"error": {"code", "message", "details"}}`` with a stable
code and the message in the request's language (``?lang=``, the language
cookie, or Accept-Language). A server error never shows a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from visadesk import __version__
from visadesk.desk import bounded
from visadesk.desk.api import middleware
from visadesk.desk.api.accounts_routes import router as accounts_router
from visadesk.desk.api.cases_routes import router as cases_router
from visadesk.desk.api.deps import request_lang
from visadesk.desk.api.routes import router
from visadesk.desk.api.schemas import control_problem
from visadesk.desk.api.state import Desk
from visadesk.desk.audit import AuditKeys
from visadesk.desk.config import Settings
from visadesk.desk.crypto import use_keys
from visadesk.desk.db import make_engine, session_factory, upgrade
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import lost_race
from visadesk.i18n import t
from visadesk.policy.documents import load_checklist
from visadesk.policy.load import load_policy
from visadesk.roster.model import RosterError
from visadesk.web.app import mount_web

__all__ = ["build_desk", "create_app"]

log = logging.getLogger("visadesk.desk")


def build_desk(
    settings: Settings,
    *,
    policy_spec: str = "baseline",
    migrate: bool = True,
    today: Callable[[], dt.date] | None = None,
) -> Desk:
    use_keys(settings.data_keys)
    AuditKeys(settings.audit_keys)  # unusable audit keys stop the desk before it starts
    engine = make_engine(
        settings.database_url,
        lock_timeout=settings.db_lock_timeout,
        **middleware.engine_options(settings),
    )
    if migrate:
        upgrade(engine)
    policy = load_policy(policy_spec)
    sessions = session_factory(engine, settings.audit_keys)
    desk = Desk(settings, engine, sessions, policy, load_checklist(policy))
    if today is not None:
        desk.today = today
    return desk


def _error(
    status: int, code: str, message: str, details: list[Any] | None = None, retry: object = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    headers = {"Retry-After": str(retry or 900)} if status == 429 else None
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(desk: Desk) -> FastAPI:
    app = FastAPI(
        title="visadesk",
        version=__version__,
        description=(
            "The visa desk's API: batches, screening, cases, documents, decisions. "
            "Screening results are guidance, not legal advice."
        ),
        openapi_url="/openapi.json",
    )
    app.state.desk = desk
    bounded.warm()  # the roster worker's server, started before the first upload needs it

    @app.exception_handler(DeskError)
    async def desk_error(request: Request, exc: DeskError) -> JSONResponse:
        message = exc.message(request_lang(request))
        retry = exc.params.get("seconds")
        return _error(exc.status, exc.code, message, list(exc.details), retry)

    @app.exception_handler(RosterError)
    async def roster_error(request: Request, exc: RosterError) -> JSONResponse:
        lang = request_lang(request)
        details = [
            {
                "code": p.code,
                "row": p.row,
                "column": p.column,
                "value": p.value,
                "message": p.message(lang),
            }
            for p in exc.problems
        ]
        return _error(
            422, "invalid_roster", t("desk.error.invalid_roster", lang, count=len(details)), details
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_lang(request)
        details = [
            {
                "location": ".".join(str(x) for x in e.get("loc", ())),
                "problem": control_problem(e, lang) or e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        return _error(422, "invalid_request", t("desk.error.invalid_request", lang), details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = request_lang(request)
        code = {404: "not_found_path", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, t(f"desk.error.{code}", lang, status=exc.status_code))

    @app.exception_handler(DataError)
    async def invalid_data(request: Request, exc: DataError) -> JSONResponse:
        # A value the database refuses (a NUL in PostgreSQL text, a text too long): the
        # request's fault, not the server's. The transaction has been rolled back.
        return _error(422, "invalid_data", t("desk.error.invalid_data", request_lang(request)))

    @app.exception_handler(IntegrityError)
    async def conflicting_write(request: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness a simultaneous request took first, past the services' own checks
        # and locks (desk.locking): the loser of a race, told so. Rolled back already.
        return _error(409, "conflict", t("desk.error.conflict", request_lang(request)))

    @app.exception_handler(OperationalError)
    async def busy(request: Request, exc: OperationalError) -> JSONResponse:
        # SQLite's whole-database write lock not free in time: overload, 503 + Retry-After.
        if middleware.is_busy(exc):
            log.warning("busy: write lock not free for %s %s", request.method, request.url.path)
            return middleware.busy_response(request_lang(request), desk.settings.retry_after)
        # PostgreSQL gave up a row lock, or found a deadlock: the loser of a race, 409.
        if lost_race(exc):
            return _error(409, "conflict", t("desk.error.conflict", request_lang(request)))
        return await server_error(request, exc)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal", t("desk.error.internal", request_lang(request)))

    # Async: it needs no worker thread and no database, so it answers during a burst.
    @app.get("/healthz", tags=["service"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "policy": desk.policy.version}

    app.include_router(router)
    app.include_router(cases_router)
    app.include_router(accounts_router)
    mount_web(app, desk)
    middleware.install(app, desk.settings)
    return app
