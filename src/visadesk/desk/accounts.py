"""Organizations, users, passwords, tokens and login rate limiting.

Passwords are hashed with argon2id. A login gives either a bearer token (API
clients) or a browser session (cookie + CSRF token); either way only the
SHA-256 of the secret is stored, so a copy of the database holds no usable
token. Every token is bound to the password it was issued under (a digest of
the stored hash), so a password changed by any means ends the old tokens.
Failed logins are recorded and slow the next ones down (:class:`RateLimits`):
429 with the seconds to wait, without letting an attacker lock out the owner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import os
import secrets
import threading
from dataclasses import dataclass
from typing import Final, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk import audit
from visadesk.desk.authz import DESK_ROLES, ROLE_ORG_KIND, Principal, require, scope_users
from visadesk.desk.db import write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import add_unique, locked
from visadesk.desk.models import ApiToken, LoginAttempt, Organization, SponsorLink, User, utcnow
from visadesk.desk.workflow import ROLES, Role

__all__ = [
    "LIMITS",
    "LOGIN_WINDOW",
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_EMAIL",
    "RESET_LIFETIME",
    "Issued",
    "RateLimits",
    "ResetIssued",
    "add_user",
    "authenticate",
    "change_password",
    "create_org",
    "hash_password",
    "issue_reset",
    "link_subcontractor",
    "login",
    "password_tag",
    "principal_of",
    "resolve_token",
    "revoke_token",
    "set_active",
    "set_password",
    "use_reset",
]

_HASHER: Final = PasswordHasher()
#: Password checks at once: one per CPU. More gain nothing and starve every other request.
_HASHING: Final = threading.BoundedSemaphore(os.cpu_count() or 1)
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
        # The value is not echoed: the name may belong to another tenant.
        raise DeskError("duplicate", 409, field="name")
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
        # Not echoed, and no hint of whose it is: the address may be another tenant's.
        raise DeskError("duplicate", 409, field="email")
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


# -- login rate limits ----------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimits:
    """How failed logins slow the next ones down (see docs/api.md, "Login rate limits").

    - Per (address, client) pair: ``pair_free`` failures in the window are answered
      normally; after that the pair waits ``delay_base * 2**k`` seconds after its last
      failure (k = failures beyond ``pair_free``, the wait capped at ``delay_cap``).
    - Per client: ``client_max`` failures in the window, across all addresses.
    - Per address: ``address_max`` failures in the window from all clients stop every
      client that has itself failed for that address; a client with no failure for it
      (the account's owner, elsewhere) still gets in with the right password.
    """

    window: dt.timedelta = dt.timedelta(minutes=15)
    pair_free: int = 5
    delay_base: int = 5
    delay_cap: int = 900
    client_max: int = 30
    address_max: int = 100
    #: Failed uses of reset links per client in the window.
    reset_max: int = 10


LIMITS: Final = RateLimits()
LOGIN_WINDOW: Final = LIMITS.window
MAX_FAILURES_PER_EMAIL: Final = LIMITS.pair_free
MAX_FAILURES_PER_CLIENT: Final = LIMITS.client_max
#: The rate-limit key of reset-link uses (no address is known before the token is checked).
RESET_KEY: Final = "#reset"
RESET_LIFETIME: Final = dt.timedelta(hours=24)


def _lock(session: Session, email: str, client: str) -> None:
    """Serialize counting and recording attempts for one address and for one client.

    PostgreSQL: transaction-scoped advisory locks, always address first, then client
    (one order everywhere: no deadlock). SQLite: the write transaction began IMMEDIATE,
    which already holds the database's write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(7301, hashtext(:k))"), {"k": email})
    session.execute(text("SELECT pg_advisory_xact_lock(7302, hashtext(:k))"), {"k": client})


def _commit(session: Session) -> None:
    """Commit, and begin the next write transaction the way write_session does."""
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_immediate": True})


def _retry(seconds: float) -> DeskError:
    return DeskError("too_many_attempts", 429, seconds=max(1, math.ceil(seconds)))


def _check_rate(session: Session, email: str, client: str, now: dt.datetime) -> None:
    limits = LIMITS
    since = now - limits.window
    failed = (LoginAttempt.ok.is_(False), LoginAttempt.at >= since)
    pair, pair_last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.client == client, *failed
        )
    ).one()
    if pair >= limits.pair_free and pair_last is not None:
        wait = min(limits.delay_base * 2 ** (pair - limits.pair_free), limits.delay_cap)
        left = (_aware(pair_last) + dt.timedelta(seconds=wait) - now).total_seconds()
        if left > 0:
            raise _retry(left)
    by_client, client_first = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.client == client, *failed
        )
    ).one()
    if by_client >= limits.client_max and client_first is not None:
        raise _retry((_aware(client_first) + limits.window - now).total_seconds())
    if pair > 0:
        by_email, email_first = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                LoginAttempt.email == email, *failed
            )
        ).one()
        if by_email >= limits.address_max and email_first is not None:
            raise _retry((_aware(email_first) + limits.window - now).total_seconds())


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _reserve(session: Session, email: str, client: str) -> int:
    """Check the limits and record the attempt as failed, atomically, and commit it.

    The attempt counts from here on, whatever happens next; a success marks it ok.
    The password is verified after the commit, so the locks are never held while
    argon2 works.
    """
    _lock(session, email, client)
    now = utcnow()
    _check_rate(session, email, client, now)
    attempt = LoginAttempt(email=email, client=client, ok=False, at=now)
    session.add(attempt)
    session.flush()
    attempt_id = attempt.id
    _commit(session)
    return attempt_id


def _succeeded(session: Session, attempt_id: int, email: str, client: str) -> None:
    """The attempt was good: it and this pair's failures no longer count.

    Other clients' failures for the address stay: a success by the owner must not
    give an attacker elsewhere a fresh allowance.
    """
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(ok=True))
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == email,
            LoginAttempt.client == client,
            LoginAttempt.ok.is_(False),
        )
    )


def password_tag(user: User) -> str:
    """What a token is bound to: any change of the stored hash invalidates the token."""
    return _digest(user.password_hash)


def _password_ok(stored_hash: str | None, password: str) -> bool:
    """Check ``password`` against ``stored_hash`` (argon2: slow on purpose), at most one
    per CPU at a time.

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


def _verify(user: User | None, password: str) -> bool:
    return _password_ok(user.password_hash if user is not None and user.active else None, password)


def _issue(session: Session, user: User, kind: str) -> Issued:
    """A token (or browser session) for ``user``, bound to the password, audited."""
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
            password_tag=password_tag(user),
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

    All in ``session``'s transaction (the attempt is reserved and committed first):
    the servers use :func:`login`, which checks the password outside any transaction.
    """
    email = email.strip().lower()
    client = client[:64]
    attempt_id = _reserve(session, email, client)
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not _verify(user, password):
        # The failure was committed by _reserve: the caller's rollback does not undo it.
        raise DeskError("bad_credentials", 401)
    _succeeded(session, attempt_id, email, client)
    return _issue(session, user, kind)


def login(
    sessions: sessionmaker[Session],
    *,
    email: str,
    password: str,
    client: str,
    kind: str = "bearer",
) -> Issued:
    """:func:`authenticate` without holding a lock across the password check.

    1. A short write transaction takes the attempt's locks (:func:`_lock`), checks
       the limits and records the attempt as failed, and commits: the count is
       exact under concurrency, and every attempt counts whatever happens next.
    2. argon2 runs outside any transaction (one per CPU at a time).
    3. On success a second short write marks the attempt good, clears this pair's
       failures and issues the token, if the account did not change meanwhile.

    A burst of logins so queues for milliseconds of writing each, not for a
    password hash each, and SQLite's write lock is never held while hashing.
    """
    email = email.strip().lower()
    client = client[:64]
    with write_session(sessions) as session:
        attempt_id = _reserve(session, email, client)
        user = session.scalar(select(User).where(User.email == email))
        user_id = user.id if user is not None and user.active else None
        stored = user.password_hash if user is not None and user.active else None
    if not _password_ok(stored, password) or user_id is None:
        raise DeskError("bad_credentials", 401)
    with write_session(sessions) as session:
        found = session.get(User, user_id)
        if found is None or not found.active or found.password_hash != stored:
            raise DeskError("bad_credentials", 401)  # changed while it was checked
        _succeeded(session, attempt_id, email, client)
        return _issue(session, found, kind)


def resolve_token(session: Session, secret: str, kind: str) -> tuple[User, ApiToken] | None:
    """The live token's user: not revoked, not expired, the user active, the password the same."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret), ApiToken.kind == kind)
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


def _revoke_all(session: Session, user_id: int, *, keep: int | None = None) -> int:
    """Revoke every live token (bearer, session, reset) of a user but ``keep``; how many."""
    stmt = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
    if keep is not None:
        stmt = stmt.where(ApiToken.id != keep)
    result = session.execute(stmt.values(revoked=True))
    return int(getattr(result, "rowcount", 0) or 0)


# -- account lifecycle ----------------------------------------------------------------------


def _managed_user(session: Session, actor: Principal | None, user_id: int) -> User:
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
    attempt_id = _reserve(session, email, client)
    user = session.get_one(User, me.user_id)
    if not _verify(user, current):
        raise DeskError("wrong_password", 403)
    _succeeded(session, attempt_id, email, client)
    user.password_hash = new_hash
    keep = None
    if keep_secret:
        kept = session.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == _digest(keep_secret), ApiToken.user_id == user.id
            )
        )
        if kept is not None:
            kept.password_tag = password_tag(user)
            keep = kept.id
    revoked = _revoke_all(session, user.id, keep=keep)
    audit.append(
        session,
        actor_id=user.id,
        action="user.password_change",
        entity="user",
        entity_id=user.id,
        data={"revoked": revoked},
    )
    return revoked


def set_password(session: Session, actor: Principal | None, user_id: int, new: str) -> User:
    """An administrator sets a password (the CLI); every token of the user is revoked."""
    user = _managed_user(session, actor, user_id)
    user.password_hash = hash_password(new)
    revoked = _revoke_all(session, user.id)
    audit.append(
        session,
        actor_id=actor.user_id if actor else None,
        action="user.password_set",
        entity="user",
        entity_id=user.id,
        data={"revoked": revoked},
    )
    return user


def set_active(session: Session, actor: Principal | None, user_id: int, active: bool) -> User:
    """Disable (every token revoked at once) or enable a user."""
    user = _managed_user(session, actor, user_id)
    if actor is not None and user.id == actor.user_id and not active:
        raise DeskError("cannot_disable_self", 422)
    user.active = active
    revoked = 0 if active else _revoke_all(session, user.id)
    audit.append(
        session,
        actor_id=actor.user_id if actor else None,
        action="user.enable" if active else "user.disable",
        entity="user",
        entity_id=user.id,
        data={"revoked": revoked},
    )
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
    user = _managed_user(session, actor, user_id)
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
            token_hash=_digest(secret),
            expires_at=expires,
            password_tag=password_tag(user),
        )
    )
    audit.append(
        session,
        actor_id=actor.user_id if actor else None,
        action="user.reset_issue",
        entity="user",
        entity_id=user.id,
        data={"expires_at": expires.isoformat(timespec="seconds")},
    )
    return ResetIssued(secret, expires, user)


def _check_reset_rate(session: Session, client: str, now: dt.datetime) -> None:
    since = now - LIMITS.window
    count, first = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.email == RESET_KEY,
            LoginAttempt.client == client,
            LoginAttempt.ok.is_(False),
            LoginAttempt.at >= since,
        )
    ).one()
    if count >= LIMITS.reset_max and first is not None:
        raise _retry((_aware(first) + LIMITS.window - now).total_seconds())


def use_reset(session: Session, *, secret: str, new: str, client: str) -> User:
    """Set a new password with a reset token: once only; every token of the user revoked."""
    client = client[:64]
    new_hash = hash_password(new)
    _lock(session, RESET_KEY, client)
    now = utcnow()
    _check_reset_rate(session, client, now)
    attempt = LoginAttempt(email=RESET_KEY, client=client, ok=False, at=now)
    session.add(attempt)
    session.flush()
    attempt_id = attempt.id
    _commit(session)
    # The row is locked (PostgreSQL) so that two uses at once cannot both pass.
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.kind == "reset")
        .with_for_update()
    )
    found = resolve_token(session, secret, "reset") if token is not None else None
    if found is None:
        raise DeskError("reset_invalid", 400)
    user, _ = found
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(ok=True))
    user.password_hash = new_hash
    revoked = _revoke_all(session, user.id)
    # The owner's own delays from this client end with the reset.
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == user.email,
            LoginAttempt.client == client,
            LoginAttempt.ok.is_(False),
        )
    )
    audit.append(
        session,
        actor_id=user.id,
        action="user.password_reset",
        entity="user",
        entity_id=user.id,
        data={"revoked": revoked},
    )
    return user


def principal_of(user: User) -> Principal:
    # Stored roles come from ROLES (add_user checks).
    return Principal(
        user_id=user.id, org_id=user.org_id, role=cast(Role, user.role), lang=user.lang
    )
