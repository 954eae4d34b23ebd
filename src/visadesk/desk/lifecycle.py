"""The account lifecycle: disabling and enabling a user, and changing a password (the
user's own change, an administrator's, and reset links).

``actor`` is the principal who acts (``None``: the command line, anyone); others'
accounts are out of reach (404). Disabling a user or changing a password ends
the user's other tokens and sessions (they are bound to the old password:
:func:`visadesk.desk.tokens.password_tag`). A reset link is a single-use token
valid :data:`RESET_LIFETIME`; only its digest is stored. The user's own change
and the use of a reset link are rate limited like a login
(:mod:`visadesk.desk.accounts`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.accounts import (
    hash_password,
    password_matches,
    reserve,
    reserve_reset,
    succeeded,
)
from visadesk.desk.authz import DESK_ROLES, Principal, require, scope_users
from visadesk.desk.errors import DeskError
from visadesk.desk.models import ApiToken, User, utcnow
from visadesk.desk.tokens import digest, password_tag, resolve_token, revoke_all

__all__ = [
    "RESET_LIFETIME",
    "ResetIssued",
    "change_password",
    "issue_reset",
    "managed_user",
    "set_active",
    "set_password",
    "use_reset",
]

RESET_LIFETIME: Final = dt.timedelta(hours=24)


def managed_user(session: Session, actor: Principal | None, user_id: int) -> User:
    """A user the actor may manage (``None``: the CLI, anyone); others are 404."""
    if actor is None:
        user = session.get(User, user_id)
    else:
        require(actor, "user.manage")
        user = session.scalar(scope_users(select(User), actor).where(User.id == user_id))
        if user is not None and not actor.is_desk and user.role in DESK_ROLES:
            user = None
    if user is None:
        raise DeskError("not_found", 404, entity="user", id=user_id)
    return user


def set_active(session: Session, actor: Principal | None, user_id: int, active: bool) -> User:
    """Disable (every token revoked at once) or enable a user."""
    user = managed_user(session, actor, user_id)
    if actor is not None and user.id == actor.user_id and not active:
        raise DeskError("cannot_disable_self", 422)
    user.active = active
    revoked = 0 if active else revoke_all(session, user.id)
    action = "user.enable" if active else "user.disable"
    audit.record(session, actor, action, "user", user.id, revoked=revoked)
    return user


def change_password(
    session: Session,
    me: Principal,
    *,
    current: str,
    new: str,
    client: str,
    keep_secret: str | None,
) -> int:
    """The user's own change, proven by the current password (rate limited like a login).

    Every other session and token of the user is revoked; the one the request came
    with (``keep_secret``) stays and is bound to the new password. Returns how many
    were revoked.
    """
    user = session.get_one(User, me.user_id)
    email, client = user.email, client[:64]
    new_hash = hash_password(new)  # a weak new password is refused before anything counts
    attempt_id = reserve(session, email, client)
    user = session.get_one(User, me.user_id)
    if not password_matches(user, current):
        raise DeskError("wrong_password", 403)
    succeeded(session, attempt_id, email, client)
    user.password_hash = new_hash
    keep = None
    if keep_secret:
        kept = session.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == digest(keep_secret), ApiToken.user_id == user.id
            )
        )
        if kept is not None:
            kept.password_tag = password_tag(user)
            keep = kept.id
    revoked = revoke_all(session, user.id, keep=keep)
    audit.record(session, user.id, "user.password_change", "user", user.id, revoked=revoked)
    return revoked


def set_password(session: Session, actor: Principal | None, user_id: int, new: str) -> User:
    """An administrator sets a password (the CLI); every token of the user is revoked."""
    user = managed_user(session, actor, user_id)
    user.password_hash = hash_password(new)
    revoked = revoke_all(session, user.id)
    audit.record(session, actor, "user.password_set", "user", user.id, revoked=revoked)
    return user


@dataclass(frozen=True)
class ResetIssued:
    token: str
    expires_at: dt.datetime
    user: User


def issue_reset(session: Session, actor: Principal | None, user_id: int) -> ResetIssued:
    """A single-use reset token for the user, valid 24 hours; only its digest is stored.

    An earlier unused reset token of the user stops working.
    """
    user = managed_user(session, actor, user_id)
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.kind == "reset", ApiToken.revoked.is_(False))
        .values(revoked=True)
    )
    secret = secrets.token_urlsafe(32)
    expires = utcnow() + RESET_LIFETIME
    session.add(
        ApiToken(
            user_id=user.id,
            kind="reset",
            token_hash=digest(secret),
            expires_at=expires,
            password_tag=password_tag(user),
        )
    )
    stamp = expires.isoformat(timespec="seconds")
    audit.record(session, actor, "user.reset_issue", "user", user.id, expires_at=stamp)
    return ResetIssued(secret, expires, user)


def use_reset(session: Session, *, secret: str, new: str, client: str) -> User:
    """Set a new password with a reset token: once only; every token of the user revoked."""
    client = client[:64]
    new_hash = hash_password(new)
    attempt_id = reserve_reset(session, client)
    # The row is locked (PostgreSQL) so that two uses at once cannot both pass.
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == digest(secret), ApiToken.kind == "reset")
        .with_for_update()
    )
    found = resolve_token(session, secret, "reset") if token is not None else None
    if found is None:
        raise DeskError("reset_invalid", 400)
    user, _ = found
    user.password_hash = new_hash
    revoked = revoke_all(session, user.id)
    # The use counts as good, and the owner's own delays from this client end with it.
    succeeded(session, attempt_id, user.email, client)
    audit.record(session, user.id, "user.password_reset", "user", user.id, revoked=revoked)
    return user
