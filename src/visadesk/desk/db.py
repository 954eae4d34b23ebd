"""Opening the database and migrating it.

SQLite (a file, WAL journal, foreign keys on, a busy timeout) is the default;
PostgreSQL is used by URL (``postgresql+psycopg://...``; a plain
``postgresql://`` URL is taken to mean psycopg 3). The schema is owned by the
Alembic migrations in ``visadesk/desk/migrations``: :func:`upgrade` brings any
database to the newest revision.

Write transactions on SQLite begin ``IMMEDIATE`` (see :func:`write_session`),
so two writers queue on the lock instead of one failing after reading a
snapshot the other has since changed. They queue for ``lock_timeout`` seconds
at most (5 by default): a writer that cannot get the lock by then fails with
"database is locked", which the API answers with 503 and ``Retry-After``.
The SQLite file (and its ``-wal``/``-shm`` files, which SQLite creates with
the file's mode) is made 0600 in a 0700 folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk.private import FILE_MODE, private_dir, private_file, tighten

__all__ = [
    "current_revision",
    "head_revision",
    "is_sqlite",
    "make_engine",
    "normalize_url",
    "read_session",
    "session_factory",
    "upgrade",
    "write_session",
]


def normalize_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


#: Seconds a SQLite writer waits for the write lock before "database is locked".
DEFAULT_LOCK_TIMEOUT = 5.0


def make_engine(url: str, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, **kwargs: Any) -> Engine:
    """An engine for ``url``; ``kwargs`` go to :func:`sqlalchemy.create_engine` (pool sizes)."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(Path(parsed.database))
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": lock_timeout}, **kwargs
        )
        _sqlite_setup(engine, lock_timeout)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _private_sqlite_file(path: Path) -> None:
    """The database file 0600 (SQLite gives its -wal and -shm files the same mode)."""
    private_dir(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        tighten(path.with_name(path.name + suffix), FILE_MODE)


def _sqlite_setup(engine: Engine, lock_timeout: float) -> None:
    busy_ms = max(0, int(lock_timeout * 1000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is switched off so that BEGIN is ours.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def session_factory(engine: Engine, audit_keys: Sequence[str] = ()) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``audit_keys`` (newest first) key the audit entries they write.

    A session without audit keys can read, but appending to the audit log or
    verifying it raises :class:`visadesk.desk.audit.AuditKeyError`.
    """
    # The keys go in as given; visadesk.desk.audit checks them where they are used.
    return sessionmaker(
        engine, expire_on_commit=False, info={"visadesk.audit_keys": tuple(audit_keys)}
    )


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one write transaction: committed at the end, rolled back on error."""
    with factory() as session:
        if session.bind is not None and session.get_bind().dialect.name == "sqlite":
            session.connection(execution_options={"sqlite_immediate": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        try:
            yield session
        finally:
            session.rollback()


def _alembic_config(url: str) -> Config:
    folder = resources.files("visadesk.desk") / "migrations"
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default)."""
    config = _alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    config = _alembic_config("sqlite://")
    return ScriptDirectory.from_config(config).get_current_head()
