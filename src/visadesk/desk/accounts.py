"""Passwords and login: argon2id hashing, the login rate limits, and signing in.

Passwords are hashed with argon2id, at most one check per CPU at a time. A login
(:func:`login` for the servers, :func:`authenticate` within one transaction)
issues a token or a browser session (:mod:`visadesk.desk.tokens`). Failed logins
are recorded and slow the next ones down (:class:`RateLimits`): 429 with the
seconds to wait, without letting an attacker lock out the owner. The same
records limit failed uses of reset links (:mod:`visadesk.desk.lifecycle`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
from dataclasses import dataclass
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk.db import write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import LoginAttempt, User, utcnow
from visadesk.desk.tokens import Issued, issue

__all__ = [
    "LIMITS",
    "LOGIN_WINDOW",
    "MAX_FAILURES_PER_CLIENT",
    "MAX_FAILURES_PER_EMAIL",
    "MIN_PASSWORD",
    "RESET_KEY",
    "RateLimits",
    "authenticate",
    "clear_failures",
    "hash_password",
    "login",
    "password_matches",
    "reserve",
    "reserve_reset",
    "succeeded",
]

_HASHER: Final = PasswordHasher()
#: Password checks at once: one per CPU. More gain nothing and starve every other request.
_HASHING: Final = threading.BoundedSemaphore(os.cpu_count() or 1)
MIN_PASSWORD: Final = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DeskError("weak_password", 422, min=MIN_PASSWORD)
    return _HASHER.hash(password)


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


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is the active user's (as slow for no user as for a wrong one)."""
    return _password_ok(user.password_hash if user is not None and user.active else None, password)


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


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _failed(session: Session, since: dt.datetime, *where: Any) -> tuple[int, dt.datetime | None]:
    """How many failed attempts matching ``where`` there were since ``since``; the first's time."""
    count, first = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.ok.is_(False), LoginAttempt.at >= since, *where
        )
    ).one()
    return int(count), first


def _at_most(failed: tuple[int, dt.datetime | None], most: int, now: dt.datetime) -> None:
    """429 while ``most`` failures or more are in the window (until the first leaves it)."""
    count, first = failed
    if count >= most and first is not None:
        raise _retry((_aware(first) + LIMITS.window - now).total_seconds())


def _check_rate(session: Session, email: str, client: str, now: dt.datetime) -> None:
    limits = LIMITS
    since = now - limits.window
    pair, pair_last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email,
            LoginAttempt.client == client,
            LoginAttempt.ok.is_(False),
            LoginAttempt.at >= since,
        )
    ).one()
    if pair >= limits.pair_free and pair_last is not None:
        wait = min(limits.delay_base * 2 ** (pair - limits.pair_free), limits.delay_cap)
        left = (_aware(pair_last) + dt.timedelta(seconds=wait) - now).total_seconds()
        if left > 0:
            raise _retry(left)
    _at_most(_failed(session, since, LoginAttempt.client == client), limits.client_max, now)
    if pair > 0:
        by_email = _failed(session, since, LoginAttempt.email == email)
        _at_most(by_email, limits.address_max, now)


def _check_reset_rate(session: Session, client: str, now: dt.datetime) -> None:
    since = now - LIMITS.window
    failed = _failed(session, since, LoginAttempt.email == RESET_KEY, LoginAttempt.client == client)
    _at_most(failed, LIMITS.reset_max, now)


def _record_failed(session: Session, email: str, client: str, now: dt.datetime) -> int:
    """Record the attempt as failed and commit it: it counts whatever happens next."""
    attempt = LoginAttempt(email=email, client=client, ok=False, at=now)
    session.add(attempt)
    session.flush()
    attempt_id = attempt.id
    _commit(session)
    return attempt_id


def reserve(session: Session, email: str, client: str) -> int:
    """Check the limits and record the attempt as failed, atomically, and commit it.

    The attempt counts from here on, whatever happens next; a success marks it ok.
    The password is verified after the commit, so the locks are never held while
    argon2 works.
    """
    _lock(session, email, client)
    now = utcnow()
    _check_rate(session, email, client, now)
    return _record_failed(session, email, client, now)


def reserve_reset(session: Session, client: str) -> int:
    """:func:`reserve` for a use of a reset link: limited per client (:data:`RESET_KEY`)."""
    _lock(session, RESET_KEY, client)
    now = utcnow()
    _check_reset_rate(session, client, now)
    return _record_failed(session, RESET_KEY, client, now)


def clear_failures(session: Session, email: str, client: str) -> None:
    """This pair's failures no longer count (other clients' failures for the address stay)."""
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == email,
            LoginAttempt.client == client,
            LoginAttempt.ok.is_(False),
        )
    )


def succeeded(session: Session, attempt_id: int, email: str, client: str) -> None:
    """The attempt was good: it and this pair's failures no longer count.

    Other clients' failures for the address stay: a success by the owner must not
    give an attacker elsewhere a fresh allowance.
    """
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(ok=True))
    clear_failures(session, email, client)


# -- login ----------------------------------------------------------------------------------


def authenticate(
    session: Session, *, email: str, password: str, client: str, kind: str = "bearer"
) -> Issued:
    """Check the password and issue a token; every failure looks the same to the caller.

    All in ``session``'s transaction (the attempt is reserved and committed first):
    the servers use :func:`login`, which checks the password outside any transaction.
    """
    email = email.strip().lower()
    client = client[:64]
    attempt_id = reserve(session, email, client)
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not password_matches(user, password):
        # The failure was committed by reserve: the caller's rollback does not undo it.
        raise DeskError("bad_credentials", 401)
    succeeded(session, attempt_id, email, client)
    return issue(session, user, kind)


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
        attempt_id = reserve(session, email, client)
        user = session.scalar(select(User).where(User.email == email))
        user_id = user.id if user is not None and user.active else None
        stored = user.password_hash if user is not None and user.active else None
    if not _password_ok(stored, password) or user_id is None:
        raise DeskError("bad_credentials", 401)
    with write_session(sessions) as session:
        found = session.get(User, user_id)
        if found is None or not found.active or found.password_hash != stored:
            raise DeskError("bad_credentials", 401)  # changed while it was checked
        succeeded(session, attempt_id, email, client)
        return issue(session, found, kind)
