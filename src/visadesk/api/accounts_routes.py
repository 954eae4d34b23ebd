"""Account lifecycle under /api/v1: change password, disable/enable, reset links.

Disabling a user, changing or resetting a password revokes tokens at once (see
:mod:`visadesk.desk.lifecycle`). Reset tokens are shown once, to the
administrator who issues them; only their digest is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from visadesk.api import present
from visadesk.api.deps import Caller, WriteDB
from visadesk.api.schemas import ErrorOut, Strict, UserOut
from visadesk.desk import lifecycle
from visadesk.desk.inputs import MAX_ID
from visadesk.serve.request import SESSION_COOKIE, client_of

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 422, 429)
}
router = APIRouter(prefix="/api/v1", responses=_ERRORS, tags=["accounts"])
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class PasswordChangeOut(BaseModel):
    revoked: int = Field(description="How many other sessions and tokens were revoked.")


class ResetIssuedOut(BaseModel):
    user_id: int
    token: str = Field(description="Shown once; only its digest is stored.")
    path: str = Field(description="The reset page's path, e.g. /reset/<token>.")
    expires_at: dt.datetime


class ResetIn(Strict):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


def current_secret(request: Request) -> str | None:
    """The credential this request came with: its bearer token, or its session cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


@router.post("/me/password", response_model=PasswordChangeOut)
def change_password(
    body: PasswordChangeIn, request: Request, me: Caller, db: WriteDB
) -> dict[str, Any]:
    """Change your password (the current one proves it is you; rate limited like a login).

    Every other session and token of yours is revoked; this one stays.
    """
    revoked = lifecycle.change_password(
        db,
        me,
        current=body.current_password,
        new=body.new_password,
        client=client_of(request),
        keep_secret=current_secret(request),
    )
    return {"revoked": revoked}


@router.post("/users/{user_id}/disable", response_model=UserOut)
def disable_user(user_id: UserId, me: Caller, db: WriteDB) -> dict[str, Any]:
    """Disable a user: their tokens and sessions stop working at once; login is refused."""
    return present.user_out(lifecycle.set_active(db, me, user_id, False))


@router.post("/users/{user_id}/enable", response_model=UserOut)
def enable_user(user_id: UserId, me: Caller, db: WriteDB) -> dict[str, Any]:
    """Enable a disabled user again (they log in anew)."""
    return present.user_out(lifecycle.set_active(db, me, user_id, True))


@router.post("/users/{user_id}/reset", response_model=ResetIssuedOut, status_code=201)
def issue_reset(user_id: UserId, me: Caller, db: WriteDB) -> dict[str, Any]:
    """Issue a single-use reset token (24 hours); an earlier unused one stops working."""
    issued = lifecycle.issue_reset(db, me, user_id)
    return {
        "user_id": issued.user.id,
        "token": issued.token,
        "path": f"/reset/{issued.token}",
        "expires_at": issued.expires_at,
    }


@router.post("/reset", status_code=204)
def use_reset(body: ResetIn, request: Request, db: WriteDB) -> Response:
    """Set a new password with a reset token (no login; rate limited per client).

    The token works once; every session and token of the user is revoked.
    """
    lifecycle.use_reset(db, secret=body.token, new=body.new_password, client=client_of(request))
    return Response(status_code=204)
