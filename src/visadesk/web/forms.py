"""A POST form's answer, written once: who, CSRF, one write transaction, then where to.

Every form that changes something goes the same way (:func:`submit`): the
signed-in user (else a redirect to sign in), the session's CSRF token, the
desk operation in one write transaction; refused (a
:class:`~visadesk.desk.errors.DeskError`) it shows the same page again with the
reason in the reader's language and the error's status; done, it redirects
(303) to the page it changed with ``?done=<what>``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal
from visadesk.desk.db import write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import SINGLE_LINE
from visadesk.web.templating import check_csrf, desk_of, lang_of, require_user

__all__ = ["Csrf", "Page", "keep_own_token", "own_token", "own_token_ok", "redirect", "submit"]

_T = TypeVar("_T")

#: The hidden ``csrf_token`` field of every POST form.
Csrf = Annotated[str, Form(max_length=200), SINGLE_LINE]
#: The page a refused form shows again: for this user, with this message and status.
Page = Callable[[Principal, str, int], Response]


def redirect(url: str) -> RedirectResponse:
    """303 See Other: the browser GETs ``url`` (a reload does not post again)."""
    return RedirectResponse(url, status_code=303)


def submit(
    request: Request,
    csrf_token: str,
    operation: Callable[[Session, Principal], _T],
    done: str | Callable[[_T], str | Response],
    again: Page,
) -> Response:
    """Run ``operation`` for the signed-in user in one write transaction, then redirect to
    ``done`` (an address, or one made from what the operation returned; or the answer
    itself); refused, ``again``: the page with the reason in the reader's language."""
    user = require_user(request)
    check_csrf(request, csrf_token)
    try:
        with write_session(desk_of(request).sessions) as session:
            result = operation(session, user)
    except DeskError as error:
        return again(user, error.message(lang_of(request)), error.status)
    answer = done if isinstance(done, str) else done(result)
    return redirect(answer) if isinstance(answer, str) else answer


# -- forms signed by a token of their own (no session yet: sign-in, a reset link) ------------


def own_token(request: Request, cookie: str) -> str:
    """The form's CSRF token: the one its cookie holds, else a new one."""
    return request.cookies.get(cookie) or secrets.token_urlsafe(24)


def keep_own_token(
    request: Request,
    response: Response,
    cookie: str,
    token: str,
    *,
    path: str,
    samesite: Literal["lax", "strict"],
) -> None:
    """Double-submit ``token``: the form carries it, and so does this cookie (``path`` only)."""
    response.set_cookie(
        cookie,
        token,
        httponly=True,
        samesite=samesite,
        secure=desk_of(request).settings.secure_cookies,
        path=path,
    )


def own_token_ok(request: Request, cookie: str, submitted: str) -> bool:
    """Whether the form came back with the token its cookie holds."""
    expected = request.cookies.get(cookie, "")
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))
