"""Rendering pages: templates, the reader's language, the signed-in user, CSRF.

Every page handler renders through :func:`render`, which gives each template

- ``t(key, **params)``: a catalog message in the reader's language,
- ``lang`` and ``other_lang`` (``en``/``ko``) and ``lang_url`` (this page in the other;
  a page rendered in answer to a POST passes ``canonical_url``, its GET address),
- ``user``: the signed-in :class:`~visadesk.desk.authz.Principal`, or ``None``,
- ``viewer``: the user's name, e-mail and organization for the header,
- ``csrf_token``: the session's CSRF token, for the hidden ``csrf_token`` field
  of every POST form (htmx sends it as the ``X-CSRF-Token`` header),
- ``format_date``, ``format_datetime`` and ``format_number``: Babel, in the
  reader's locale (``en_US`` or ``ko_KR``); times are shown in Korean time,
  where the desk works,
- ``request``.

The reader's language is ``?lang=``, then the ``visadesk_lang`` cookie (set
whenever ``?lang=`` is given, see :mod:`visadesk.web.app`), then the browser's
Accept-Language; it and the signed-in user are resolved as for the API
(:mod:`visadesk.serve.request`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from visadesk.desk import notifications
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.serve.request import CSRF_HEADER, csrf_ok, request_lang, signed_in
from visadesk.serve.request import get_desk as desk_of

__all__ = [
    "KST",
    "LOCALES",
    "LoginRequired",
    "check_csrf",
    "current_user",
    "desk_of",
    "env",
    "format_date",
    "format_datetime",
    "format_number",
    "is_htmx",
    "render",
    "require_user",
    "session_csrf",
]

TEMPLATES: Final = Path(__file__).parent / "templates"
LOCALES: Final = {"en": "en_US", "ko": "ko_KR"}
#: The desk works in Seoul: times are entered and shown in Korean time (no daylight saving).
KST: Final = dt.timezone(dt.timedelta(hours=9), "KST")

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html", "xml"), default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequired(Exception):  # noqa: N818 - control flow (a redirect), not a failure
    """Raised by :func:`require_user`; the app answers with a redirect to the login page."""

    def __init__(self, next_url: str = "/") -> None:
        super().__init__(next_url)
        self.next_url = next_url


def current_user(request: Request, desk: Desk | None = None) -> Principal | None:
    """The user of the browser session (cookie ``visadesk_session``), or ``None``."""
    viewer = signed_in(request, desk)
    return viewer.principal if viewer else None


def require_user(request: Request, desk: Desk | None = None) -> Principal:
    """The signed-in user; without one, :class:`LoginRequired` (a redirect to /login)."""
    user = current_user(request, desk)
    if user is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        raise LoginRequired(path)
    return user


def session_csrf(request: Request) -> str:
    viewer = signed_in(request)
    return viewer.csrf_token if viewer else ""


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a POST whose form field (or ``X-CSRF-Token`` header) is not the session's token."""
    given = submitted or request.headers.get(CSRF_HEADER)
    if not csrf_ok(session_csrf(request), given):
        raise DeskError("csrf_failed", 403)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def lang_of(request: Request) -> str:
    return request_lang(request)


def format_date(value: dt.date | dt.datetime | str | None, lang: str = "en") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.astimezone(KST).date() if value.tzinfo else value.date()
    return str(babel_date(value, "medium", locale=LOCALES.get(lang, "en_US")))


def format_datetime(value: dt.datetime | None, lang: str = "en") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    shown = babel_datetime(value.astimezone(KST), "medium", tzinfo=KST, locale=LOCALES[lang])
    return f"{shown} KST"


def format_number(value: float | None, lang: str = "en") -> str:
    if value is None:
        return ""
    return str(format_decimal(value, locale=LOCALES.get(lang, "en_US")))


#: ``?done=<key>`` after a redirect shows ``web.flash.<key>``; only these keys.
FLASH_KEYS: Final = frozenset(
    {
        "logged_out",
        "project_created",
        "batch_created",
        "invited",
        "submitted",
        "moved",
        "uploaded_document",
        "reviewed",
        "answered",
        "assigned",
        "bulk_done",
        "requested_documents",  # document requests and notifications (web.docreq)
        "notifications_read",
    }
)


def _flash(request: Request, lang: str) -> str | None:
    done = request.query_params.get("done", "")
    return t(f"web.flash.{done}", lang) if done in FLASH_KEYS else None


def _unread(request: Request, user: Principal | None) -> int:
    """The header's count of the reader's unread notifications (read when shown)."""
    if user is None:
        return 0
    with read_session(desk_of(request).sessions) as session:
        return notifications.unread_count(session, user)


def _url_with_lang(request: Request, lang: str, canonical: str | None) -> str:
    """This page in ``lang``; a page shown in answer to a POST links to its GET address."""
    if canonical is None and request.method not in {"GET", "HEAD"}:
        canonical = "/"
    if canonical is not None:
        separator = "&" if "?" in canonical else "?"
        return f"{canonical}{separator}lang={lang}"
    url = request.url.include_query_params(lang=lang)
    return f"{url.path}?{url.query}"


def render(
    request: Request, template_name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template_name`` with the page context described in the module docstring."""
    lang = lang_of(request)
    viewer = signed_in(request)
    other = "ko" if lang == "en" else "en"
    base: dict[str, Any] = {
        "request": request,
        "t": lambda key, **p: t(key, lang, **p),
        "lang": lang,
        "other_lang": other,
        "lang_url": _url_with_lang(request, other, context.pop("canonical_url", None)),
        "user": viewer.principal if viewer else None,
        "viewer": viewer,
        "csrf_token": viewer.csrf_token if viewer else "",
        "format_date": lambda d: format_date(d, lang),
        "format_datetime": lambda d: format_datetime(d, lang),
        "format_number": lambda n: format_number(n, lang),
        "quote": quote,
        "htmx": is_htmx(request),
        "path": request.url.path,
        "error": None,
        "flash": _flash(request, lang),
        "unread_notifications": lambda: _unread(request, viewer.principal if viewer else None),
    }
    base.update(context)
    html = env.get_template(template_name).render(base)
    return HTMLResponse(html, status_code=status_code)
