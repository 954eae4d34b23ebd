"""Request dependencies: the database session, the caller, the language, CSRF."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Final

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from visadesk.desk.api.state import Desk
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.tokens import principal_of, resolve_token
from visadesk.i18n import normalize_lang

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Caller",
    "DeskDep",
    "Lang",
    "ReadDB",
    "WriteDB",
    "request_lang",
]

SESSION_COOKIE: Final = "visadesk_session"
CSRF_HEADER: Final = "X-CSRF-Token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def _read(desk: DeskDep) -> Iterator[Session]:
    with read_session(desk.sessions) as session:
        yield session


def _write(desk: DeskDep) -> Iterator[Session]:
    with write_session(desk.sessions) as session:
        yield session


ReadDB = Annotated[Session, Depends(_read, scope="function")]
WriteDB = Annotated[Session, Depends(_write, scope="function")]


def request_lang(request: Request) -> str:
    """``?lang=`` first, then the ``visadesk_lang`` cookie, then Accept-Language."""
    explicit = request.query_params.get("lang") or request.cookies.get("visadesk_lang")
    if explicit:
        return normalize_lang(explicit)
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip()
        if code:
            lang = normalize_lang(code)
            if lang != "en" or code.lower().startswith("en"):
                return lang
    return "en"


Lang = Annotated[str, Depends(request_lang)]


def csrf_ok(request: Request, expected: str | None, submitted: str | None) -> bool:
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


def caller(request: Request, desk: DeskDep) -> Principal:
    """The authenticated caller: a bearer token, or a browser session (+ CSRF on writes).

    Authentication is looked up in its own short read transaction so that the
    request's own session (read or write) stays untouched by it.
    """
    auth = request.headers.get("authorization", "")
    with read_session(desk.sessions) as session:
        if auth.lower().startswith("bearer "):
            found = resolve_token(session, auth[7:].strip(), "bearer")
            if found is None:
                raise DeskError("unauthenticated", 401)
            return principal_of(found[0])
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = resolve_token(session, cookie, "session")
            if found is None:
                raise DeskError("unauthenticated", 401)
            user, token = found
            if request.method not in SAFE_METHODS:
                submitted = request.headers.get(CSRF_HEADER)
                if not csrf_ok(request, token.csrf_token, submitted):
                    raise DeskError("csrf_failed", 403)
            principal = principal_of(user)
            request.state.csrf_token = token.csrf_token
            return principal
    raise DeskError("unauthenticated", 401)


Caller = Annotated[Principal, Depends(caller)]
