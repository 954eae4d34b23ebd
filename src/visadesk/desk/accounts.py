"""Organizations, users, passwords, tokens and login rate limiting.

Passwords are hashed with argon2id. A login gives either a bearer token (API
clients) or a browser session (cookie + CSRF token); either way only the
SHA-256 of the secret is stored, so a copy of the database holds no usable
token. Failed logins are recorded; too many for one e-mail address or from
one client in the window gives 429 with the seconds to wait.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from typing import Final, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk import audit
from visadesk.desk.authz import ROLE_ORG_KIND, Principal, require
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import add_unique, locked
from visadesk.desk.models import ApiToken, LoginAttempt, Organization, SponsorLink, User, utcnow
from visadesk.desk.workflow import ROLES, Role

__all__ = [
    "LOGIN_WINDOW",
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_EMAIL",
    "Issued",
    "add_user",
    "authenticate",
    "create_org",
    "hash_password",
    "link_subcontractor",
    "login",
    "principal_of",
    "resolve_token",
    "revoke_token",
]

_HASHER: Final = PasswordHasher()
#: Password checks at once: one per CPU. More gain nothing and starve every other request.
_HASHING: Final = threading.BoundedSemaphore(os.cpu_count() or 1)
LOGIN_WINDOW: Final = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL: Final = 5
MAX_FAILURES_PER_CLIENT: Final = 30
TOKEN_LIFETIME: Final = {"bearer": dt.timedelta(hours=12), "session": dt.timedelta(hours=8)}
MIN_PASSWORD: Final = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DeskError("weak_password", 422, min=MIN_PASSWORD)
    return _HASHER.hash(password)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_org(
    session: Session,
    actor: Principal | None,
    *,
    kind: str,
    name: str,
    name_ko: str | None = None,
    sponsor_id: int | None = None,
) -> Organization:
    """A desk, sponsor or subcontractor organization (``actor`` None: the CLI)."""
    if kind not in {"desk", "sponsor", "subcontractor"}:
        raise DeskError("invalid_value", 422, field="kind", value=kind)
    if actor is not None:
        if kind == "subcontractor" and actor.role == "sponsor_admin":
            sponsor_id = actor.org_id
        else:
            require(actor, "org.create")
    if session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise DeskError("duplicate", 409, field="name", value=name)
    org = Organization(kind=kind, name=name, name_ko=name_ko)
    add_unique(session, org, field="name", value=name)
    if kind == "subcontractor" and sponsor_id is not None:
        link_subcontractor(session, actor, sponsor_id=sponsor_id, subcontractor_id=org.id)
    audit.append(
        session,
        actor_id=actor.user_id if actor else None,
        action="org.create",
        entity="organization",
        entity_id=org.id,
        data={"kind": kind},
    )
    return org


def link_subcontractor(
    session: Session, actor: Principal | None, *, sponsor_id: int, subcontractor_id: int
) -> SponsorLink:
    sponsor = session.get(Organization, sponsor_id)
    sub = session.get(Organization, subcontractor_id)
    if sponsor is None or sponsor.kind != "sponsor":
        raise DeskError("not_found", 404, entity="organization", id=sponsor_id)
    if sub is None or sub.kind != "subcontractor":
        raise DeskError("not_found", 404, entity="organization", id=subcontractor_id)
    link = session.scalar(
        select(SponsorLink).where(
            SponsorLink.sponsor_id == sponsor_id, SponsorLink.subcontractor_id == subcontractor_id
        )
    )
    if link is None:
        link = SponsorLink(sponsor_id=sponsor_id, subcontractor_id=subcontractor_id)
        session.add(link)
        session.flush()
        audit.append(
            session,
            actor_id=actor.user_id if actor else None,
            action="org.link",
            entity="organization",
            entity_id=subcontractor_id,
            data={"sponsor": sponsor_id},
        )
    return link


def add_user(
    session: Session,
    actor: Principal | None,
    *,
    org_id: int,
    email: str,
    name: str,
    role: str,
    password: str,
    lang: str = "en",
) -> User:
    if role not in ROLES:
        raise DeskError("invalid_value", 422, field="role", value=role)
    org = session.get(Organization, org_id)
    if org is None:
        raise DeskError("not_found", 404, entity="organization", id=org_id)
    if org.kind != ROLE_ORG_KIND[role]:
        raise DeskError("role_org_mismatch", 422, role=role, kind=org.kind)
    if actor is not None:
        require(actor, "user.manage")
        if actor.role == "sponsor_admin":
            own = org_id == actor.org_id
            linked = session.scalar(
                select(SponsorLink.id).where(
                    SponsorLink.sponsor_id == actor.org_id, SponsorLink.subcontractor_id == org_id
                )
            )
            if not own and linked is None:
                raise DeskError("not_found", 404, entity="organization", id=org_id)
    email = email.strip().lower()
    if "@" not in email:
        raise DeskError("invalid_value", 422, field="email", value=email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DeskError("duplicate", 409, field="email", value=email)
    user = User(
        org_id=org_id,
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        lang=lang if lang in {"en", "ko"} else "en",
    )
    add_unique(session, user, field="email", value=email)
    audit.append(
        session,
        actor_id=actor.user_id if actor else None,
        action="user.create",
        entity="user",
        entity_id=user.id,
        data={"role": role, "org": org_id},
    )
    return user


@dataclass(frozen=True)
class Issued:
    token: str
    csrf_token: str | None
    expires_at: dt.datetime
    user: User


def _check_rate(session: Session, email: str, client: str) -> None:
    since = utcnow() - LOGIN_WINDOW
    failed = (LoginAttempt.ok.is_(False), LoginAttempt.at >= since)
    by_email = session.scalar(select(func.count()).where(LoginAttempt.email == email, *failed))
    by_client = session.scalar(select(func.count()).where(LoginAttempt.client == client, *failed))
    if (by_email or 0) >= MAX_FAILURES_PER_EMAIL or (by_client or 0) >= MAX_FAILURES_PER_CLIENT:
        raise DeskError("too_many_attempts", 429, seconds=int(LOGIN_WINDOW.total_seconds()))


def _password_ok(stored_hash: str | None, password: str) -> bool:
    """Check ``password`` against ``stored_hash`` (argon2: slow on purpose).

    ``None`` (no such user, or inactive) spends the same time as a real check so
    that timing does not reveal accounts.
    """
    with _HASHING:
        if stored_hash is None:
            _HASHER.hash(password or "-")
            return False
        try:
            return _HASHER.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _record(
    session: Session, *, email: str, client: str, user: User | None, ok: bool, kind: str
) -> Issued:
    """Keep the attempt; on success issue the token (in ``session``'s write transaction)."""
    session.add(LoginAttempt(email=email, client=client, ok=ok))
    if not ok or user is None:
        # Committed before raising: the caller's transaction is rolled back on the error,
        # and a failure that is not kept would never count towards the rate limit.
        session.commit()
        raise DeskError("bad_credentials", 401)
    # A successful login clears that address's failures.
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.ok.is_(False))
    )
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    expires = utcnow() + TOKEN_LIFETIME[kind]
    session.add(
        ApiToken(
            user_id=user.id,
            kind=kind,
            token_hash=_digest(secret),
            csrf_token=csrf,
            expires_at=expires,
        )
    )
    audit.append(
        session,
        actor_id=user.id,
        action="auth.login",
        entity="user",
        entity_id=user.id,
        data={"kind": kind},
    )
    return Issued(secret, csrf, expires, user)


def authenticate(
    session: Session, *, email: str, password: str, client: str, kind: str = "bearer"
) -> Issued:
    """Check the password and issue a token; every failure looks the same to the caller.

    All in ``session``'s transaction: the servers use :func:`login`, which checks the
    password outside the write transaction.
    """
    email = email.strip().lower()
    client = client[:64]
    _check_rate(session, email, client)
    user = session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None and user.active else None
    ok = _password_ok(stored, password)
    return _record(session, email=email, client=client, user=user, ok=ok, kind=kind)


def login(
    sessions: sessionmaker[Session],
    *,
    email: str,
    password: str,
    client: str,
    kind: str = "bearer",
) -> Issued:
    """:func:`authenticate` without holding the write lock across the password check.

    The rate limit and the stored hash are read in a read transaction; argon2 runs
    outside any transaction; the attempt and the token are written in a short write
    transaction that checks the rate limit and the account again. A burst of logins
    so queues for milliseconds of writing each, not for a password hash each.
    """
    email = email.strip().lower()
    client = client[:64]
    with read_session(sessions) as session:
        _check_rate(session, email, client)
        user = session.scalar(select(User).where(User.email == email))
        user_id = user.id if user is not None and user.active else None
        stored = user.password_hash if user is not None and user.active else None
    ok = _password_ok(stored, password)
    with write_session(sessions) as session:
        _check_rate(session, email, client)
        found = session.get(User, user_id) if user_id is not None else None
        if found is None or not found.active or found.password_hash != stored:
            ok = False  # changed while the password was checked: count it as a failure
        return _record(session, email=email, client=client, user=found, ok=ok, kind=kind)


def resolve_token(session: Session, secret: str, kind: str) -> tuple[User, ApiToken] | None:
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret), ApiToken.kind == kind)
    )
    if token is None or token.revoked or token.expires_at <= utcnow():
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return user, token


def revoke_token(session: Session, secret: str) -> None:
    # Locked: of two logouts with one token at once, one revokes it and is audited.
    token = session.scalar(locked(select(ApiToken).where(ApiToken.token_hash == _digest(secret))))
    if token is not None and not token.revoked:
        token.revoked = True
        audit.append(
            session,
            actor_id=token.user_id,
            action="auth.logout",
            entity="user",
            entity_id=token.user_id,
        )


def principal_of(user: User) -> Principal:
    # Stored roles come from ROLES (add_user checks).
    return Principal(
        user_id=user.id, org_id=user.org_id, role=cast(Role, user.role), lang=user.lang
    )
