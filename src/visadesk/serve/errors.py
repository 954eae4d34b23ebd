"""What went wrong, as an HTTP answer: one mapping for both front doors.

:func:`failure` turns an exception into a :class:`Failure`: the status, the
stable code, the message in the reader's language, details and, for 429 and
503, the seconds to wait. The API answers it as JSON (:func:`json_response`:
``{"error": {"code", "message", "details"}}``), the web app as a page
(:mod:`visadesk.web.app`); a server error never shows a traceback.

- :class:`~visadesk.desk.errors.DeskError`: its own status and code;
- :class:`~visadesk.roster.model.RosterError`: 422 ``invalid_roster``, one detail a problem;
- a request that does not validate: 422 ``invalid_request`` (a control character named);
- an HTTP error of the router: 404 ``not_found_path``, 405 ``method_not_allowed``,
  else ``http_error``;
- a value the database refuses: 422 ``invalid_data``; a uniqueness taken first
  or a lock lost to a simultaneous transaction: 409 ``conflict``;
- the database's write lock or a pooled connection not free in time: 503 ``busy``;
- anything else: 500 ``internal``, logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import control_problem
from visadesk.desk.locking import lost_race
from visadesk.i18n import t
from visadesk.roster.model import RosterError
from visadesk.serve.request import get_desk, request_lang

__all__ = ["HANDLED", "Failure", "busy", "failure", "is_busy", "json_response"]

log = logging.getLogger("visadesk.desk")

#: The exception classes :func:`failure` answers (``Exception``: all the others).
HANDLED: Final = (
    DeskError,
    RosterError,
    RequestValidationError,
    StarletteHTTPException,
    DataError,
    IntegrityError,
    OperationalError,
    PoolTimeout,
    Exception,
)
#: Seconds a client locked out of signing in waits when the desk does not say.
_DEFAULT_RETRY: Final = 900


@dataclass(frozen=True)
class Failure:
    """How a request failed, in the reader's language, whichever door answers it."""

    status: int
    code: str
    message: str
    details: tuple[Mapping[str, Any], ...] = ()
    #: ``Retry-After`` seconds (429, 503).
    retry_after: int | None = None
    #: A fuller account than ``message`` for a reader (a roster's problems line by
    #: line, the control character a field holds); the pages show it.
    account: str | None = None


def busy(lang: str, retry_after: int) -> Failure:
    """503: the stable code ``busy``, ``Retry-After`` seconds."""
    message = t("serving.error.busy", lang, seconds=retry_after)
    return Failure(503, "busy", message, retry_after=retry_after)


def is_busy(exc: OperationalError) -> bool:
    """SQLite's write lock was not free within the lock timeout: the desk is busy."""
    text = str(exc.orig or exc).lower()
    return "database is locked" in text or "database is busy" in text or "table is locked" in text


def failure(request: Request, exc: Exception) -> Failure:
    """The answer to ``exc`` raised while serving ``request`` (see the module's list)."""
    lang = request_lang(request)
    match exc:
        case DeskError():
            seconds = exc.params.get("seconds")
            retry = int(str(seconds or _DEFAULT_RETRY)) if exc.status == 429 else None
            return Failure(
                exc.status, exc.code, exc.message(lang), tuple(exc.details_in(lang)), retry
            )
        case RosterError():
            return _roster(exc, lang)
        case RequestValidationError():
            return _invalid(exc, lang)
        case StarletteHTTPException():
            code = {404: "not_found_path", 405: "method_not_allowed"}.get(
                exc.status_code, "http_error"
            )
            message = t(f"desk.error.{code}", lang, status=exc.status_code)
            return Failure(exc.status_code, code, message)
        case SQLAlchemyError() if (answer := _database(request, exc, lang)) is not None:
            return answer
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Failure(500, "internal", t("desk.error.internal", lang))


def _database(request: Request, exc: SQLAlchemyError, lang: str) -> Failure | None:
    """A database error that is not the server's fault: the request's, a race's, a burst's."""
    match exc:
        case DataError():
            # A value the database refuses (a NUL in PostgreSQL text, a text too long): the
            # request's fault, not the server's. The transaction has been rolled back.
            return Failure(422, "invalid_data", t("desk.error.invalid_data", lang))
        case IntegrityError():
            # A uniqueness a simultaneous request took first, past the services' own checks
            # and locks (desk.locking): the loser of a race, told so. Rolled back already.
            return _conflict(lang)
        case OperationalError() if is_busy(exc):
            # SQLite's whole-database write lock not free in time: overload, 503.
            log.warning("busy: write lock not free for %s %s", request.method, request.url.path)
            return busy(lang, get_desk(request).settings.retry_after)
        case OperationalError() if lost_race(exc):
            # PostgreSQL gave up a row lock, or found a deadlock: the loser of a race, 409.
            return _conflict(lang)
        case PoolTimeout():
            log.warning("busy: no pooled connection for %s %s", request.method, request.url.path)
            return busy(lang, get_desk(request).settings.retry_after)
    return None


def _conflict(lang: str) -> Failure:
    return Failure(409, "conflict", t("desk.error.conflict", lang))


def _roster(exc: RosterError, lang: str) -> Failure:
    details = tuple(
        {
            "code": p.code,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "message": p.message(lang),
        }
        for p in exc.problems
    )
    message = t("desk.error.invalid_roster", lang, count=len(details))
    return Failure(422, "invalid_roster", message, details, account=exc.render(lang))


def _invalid(exc: RequestValidationError, lang: str) -> Failure:
    details = []
    controls = []
    for error in exc.errors():
        control = control_problem(error, lang)
        if control:
            controls.append(control)
        location = ".".join(str(x) for x in error.get("loc", ()))
        details.append({"location": location, "problem": control or error.get("msg", "")})
    message = t("desk.error.invalid_request", lang)
    return Failure(
        422, "invalid_request", message, tuple(details), account=next(iter(controls), None)
    )


def json_response(failure: Failure, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The API's answer: ``{"error": {"code", "message", "details"}}`` (+ ``Retry-After``)."""
    error = {"code": failure.code, "message": failure.message, "details": list(failure.details)}
    all_headers = dict(headers or {})
    if failure.retry_after is not None:
        all_headers["Retry-After"] = str(failure.retry_after)
    return JSONResponse({"error": error}, status_code=failure.status, headers=all_headers or None)
