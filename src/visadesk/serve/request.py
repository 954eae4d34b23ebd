"""Request-scoped things both front doors need: the desk, the language, the caller.

The reader's language is ``?lang=``, then the :data:`LANG_COOKIE` cookie, then
Accept-Language. A caller is a bearer token (the API) or a browser session (the
cookie :data:`SESSION_COOKIE`, the API and the pages alike); a write with a browser
session carries the session's CSRF token (header :data:`CSRF_HEADER`, or a form
field on the pages).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request

from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.desk.proxies import client_address
from visadesk.desk.runtime import Desk
from visadesk.desk.tokens import principal_of, resolve_token
from visadesk.i18n import normalize_lang

__all__ = [
    "CSRF_HEADER",
    "LANG_COOKIE",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "DeskDep",
    "Lang",
    "SignedIn",
    "caller",
    "client_of",
    "csrf_ok",
    "get_desk",
    "is_page",
    "request_lang",
    "signed_in",
]

SESSION_COOKIE: Final = "visadesk_session"
CSRF_HEADER: Final = "X-CSRF-Token"
LANG_COOKIE: Final = "visadesk_lang"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def is_page(path: str) -> bool:
    """Whether ``path`` is a web page (not the API, its description, health or a static file)."""
    return not (path.startswith(("/api/", "/static/")) or path in {"/openapi.json", "/healthz"})


def request_lang(request: Request) -> str:
    """``?lang=`` first, then the ``visadesk_lang`` cookie, then Accept-Language."""
    explicit = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
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


def client_of(request: Request) -> str:
    """The client's address; X-Forwarded-For only from VISADESK_TRUSTED_PROXIES."""
    trusted = get_desk(request).settings.trusted_proxies
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted)


def csrf_ok(expected: str | None, submitted: str | None) -> bool:
    """Whether ``submitted`` is the session's CSRF token (both given, compared in constant time)."""
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))


@dataclass(frozen=True)
class SignedIn:
    """The user of a browser session, as the pages' header shows them."""

    principal: Principal
    name: str
    email: str
    org_name: str
    csrf_token: str


_UNSET: Final = object()


def signed_in(request: Request, desk: Desk | None = None) -> SignedIn | None:
    """The browser session's live user (looked up once per request), or ``None``.

    Looked up in its own short read transaction, so that the request's own
    session (read or write) stays untouched by it; ``desk`` is the request's,
    when the caller holds it already.
    """
    cached = getattr(request.state, "signed_in", _UNSET)
    if cached is None or isinstance(cached, SignedIn):
        return cached
    found: SignedIn | None = None
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with read_session((desk or get_desk(request)).sessions) as session:
            live = resolve_token(session, secret, "session")
            if live is not None:
                user, token = live
                found = SignedIn(
                    principal_of(user), user.name, user.email, user.org.name, token.csrf_token or ""
                )
    request.state.signed_in = found
    return found


def caller(request: Request) -> Principal:
    """The authenticated caller: a bearer token, or a browser session (+ CSRF on writes).

    401 ``unauthenticated`` without a live one, 403 ``csrf_failed`` for a write
    with a session cookie but not its CSRF token.
    """
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        with read_session(get_desk(request).sessions) as session:
            found = resolve_token(session, auth[7:].strip(), "bearer")
            if found is None:
                raise DeskError("unauthenticated", 401)
            return principal_of(found[0])
    if request.cookies.get(SESSION_COOKIE):
        user = signed_in(request)
        if user is None:
            raise DeskError("unauthenticated", 401)
        if request.method not in SAFE_METHODS and not csrf_ok(
            user.csrf_token, request.headers.get(CSRF_HEADER)
        ):
            raise DeskError("csrf_failed", 403)
        return user.principal
    raise DeskError("unauthenticated", 401)
