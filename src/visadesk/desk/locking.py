"""Row locks for the desk's read-modify-writes.

Every write that reads a row, decides on what it read and writes back (a case
transition, a document review, a batch submission, a roster upload...) first
reads that row through :func:`locked`: ``SELECT ... FOR NO KEY UPDATE`` on
PostgreSQL, so a second writer of the same row waits for the first to commit
and then decides on what the first one wrote (in PostgreSQL's default READ
COMMITTED a locking read always sees the newest committed row). The lock is
the weakest that excludes another writer of the row: rows that merely point
at it (a new document of a case, a new case of a batch) are not held up.

On SQLite the clause is not rendered: there a write transaction begins
``IMMEDIATE`` (:func:`visadesk.desk.db.write_session`) and holds the only
write lock from its first statement, so writers are already serialized.

``populate_existing`` makes the locked read refresh an object the session
had loaded before the lock (an unlocked read earlier in the request), instead
of keeping the values read before another writer committed.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case

__all__ = ["LOST_RACE_STATES", "add_unique", "flush_versioned", "locked", "lost_race", "shared"]

_S = TypeVar("_S", bound=Select[Any])


def locked(stmt: _S, *of: Any) -> _S:
    """``stmt`` locking the rows it reads against other writers (of ``of``, if named)."""
    return stmt.with_for_update(key_share=True, of=of or None).execution_options(
        populate_existing=True
    )


def shared(stmt: _S, *of: Any) -> _S:
    """``stmt`` locking the rows it reads against writers, not against other readers."""
    return stmt.with_for_update(read=True, of=of or None).execution_options(populate_existing=True)


def flush_versioned(session: Session, case: Case) -> None:
    """Write the session's changes; a case changed since it was read is 409 ``stale``.

    The case's UPDATE names the version it was read at (``version_id_col``): no row
    updated means another transaction changed it first.
    """
    case_id = case.id
    try:
        session.flush()
    except StaleDataError as error:
        # Nothing of this transaction stands: roll it back and say what the case is at now.
        session.rollback()
        now = session.scalar(select(Case.version).where(Case.id == case_id))
        shown = "-" if now is None else now
        raise DeskError("stale", 409, id=case_id, version=shown) from error


def add_unique(session: Session, row: object, *, field: str, value: object) -> None:
    """Insert ``row``, whose ``field`` must be unique: taken meanwhile is 409 ``duplicate``.

    The caller has checked that ``value`` is free, but a simultaneous request may
    have taken it since (nothing to lock for a value not stored yet): the unique
    constraint decides, inside a savepoint, and the loser gets the same answer as
    if it had come second.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        raise DeskError("duplicate", 409, field=field, value=value) from error


#: PostgreSQL's answers to a transaction that lost a race: serialization failure,
#: deadlock detected, lock not available.
LOST_RACE_STATES: Final = frozenset({"40001", "40P01", "55P03"})


def lost_race(error: DBAPIError) -> bool:
    """Whether the database refused the statement for a simultaneous transaction (a
    retry can succeed), not for the statement itself: PostgreSQL's serialization
    failures and deadlocks, SQLite's busy timeout running out."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) in LOST_RACE_STATES:
        return True
    return getattr(orig, "sqlite_errorname", None) in {"SQLITE_BUSY", "SQLITE_LOCKED"}
