"""Tokens and browser sessions: issuing, resolving and revoking them, and who holds one.

A login gives either a bearer token (API clients) or a browser session (cookie +
CSRF token); a reset link is a token too (:mod:`visadesk.desk.lifecycle`). Only
the SHA-256 of a secret is stored, so a copy of the database holds no usable
token. Every token is bound to the password it was issued under
(:func:`password_tag`, a digest of the stored hash), so a password changed by any
means ends the old tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal
from visadesk.desk.locking import locked
from visadesk.desk.models import ApiToken, User, utcnow
from visadesk.desk.workflow import Role

__all__ = [
    "TOKEN_LIFETIME",
    "Issued",
    "digest",
    "issue",
    "password_tag",
    "principal_of",
    "resolve_token",
    "revoke_all",
    "revoke_token",
]

TOKEN_LIFETIME: Final = {"bearer": dt.timedelta(hours=12), "session": dt.timedelta(hours=8)}


@dataclass(frozen=True)
class Issued:
    token: str
    csrf_token: str | None
    expires_at: dt.datetime
    user: User


def digest(secret: str) -> str:
    """What is stored of a secret: its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def password_tag(user: User) -> str:
    """What a token is bound to: any change of the stored hash invalidates the token."""
    return digest(user.password_hash)


def issue(session: Session, user: User, kind: str) -> Issued:
    """A token (or browser session) for ``user``, bound to the password, audited."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    expires = utcnow() + TOKEN_LIFETIME[kind]
    session.add(
        ApiToken(
            user_id=user.id,
            kind=kind,
            token_hash=digest(secret),
            csrf_token=csrf,
            expires_at=expires,
            password_tag=password_tag(user),
        )
    )
    audit.record(session, user.id, "auth.login", "user", user.id, kind=kind)
    return Issued(secret, csrf, expires, user)


def resolve_token(session: Session, secret: str, kind: str) -> tuple[User, ApiToken] | None:
    """The live token's user: not revoked, not expired, the user active, the password the same."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret), ApiToken.kind == kind)
    )
    if token is None or token.revoked or token.expires_at <= utcnow():
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    tag = token.password_tag
    if tag is None or not hmac.compare_digest(tag, password_tag(user)):
        return None
    return user, token


def revoke_token(session: Session, secret: str) -> None:
    # Locked: of two logouts with one token at once, one revokes it and is audited.
    token = session.scalar(locked(select(ApiToken).where(ApiToken.token_hash == digest(secret))))
    if token is not None and not token.revoked:
        token.revoked = True
        audit.record(session, token.user_id, "auth.logout", "user", token.user_id)


def revoke_all(session: Session, user_id: int, *, keep: int | None = None) -> int:
    """Revoke every live token (bearer, session, reset) of a user but ``keep``; how many."""
    stmt = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
    if keep is not None:
        stmt = stmt.where(ApiToken.id != keep)
    result = session.execute(stmt.values(revoked=True))
    return int(getattr(result, "rowcount", 0) or 0)


def principal_of(user: User) -> Principal:
    # Stored roles come from ROLES (add_user checks).
    return Principal(
        user_id=user.id, org_id=user.org_id, role=cast(Role, user.role), lang=user.lang
    )
