"""Desk fixtures: a migrated database on every backend, the app, users of every role.

Registered for the whole suite by ``tests/conftest.py`` (``pytest_plugins``), so the
desk's, the web app's and the reports' tests share one database per backend.

Backends: SQLite always; PostgreSQL when a server answers at
``VISADESK_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
Without one the PostgreSQL runs are skipped with that reason, unless
``VISADESK_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) makes its absence a failure.
Each backend's database is migrated once per session (in a throwaway PostgreSQL
database, one per pytest-xdist worker). Every test starts with no rows: on SQLite
the migrated, empty database is saved once and copied back page by page (SQLite's
backup API); on PostgreSQL the tables are emptied. The ``world`` (organizations,
projects, a logged-in user per role) is seeded and saved once on SQLite and copied
back the same way; on PostgreSQL it is seeded for each test.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from tests.harness import DEMO_PASSWORD, DEMO_USERS, DemoWorld, seed_demo
from visadesk.desk import documents, projects, transitions, uploads
from visadesk.desk.authz import Principal
from visadesk.desk.config import Settings
from visadesk.desk.db import normalize_url, read_session, write_session
from visadesk.desk.models import Base, Case
from visadesk.desk.runtime import Desk, build_desk
from visadesk.server import create_app

HANBIT = "Hanbit GA Cell Plant"
#: A filed document's content: the smallest file that passes for a PDF.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Issue #12: submitting a batch through the API confirms it and decides for the people
#: who need information (held back, as before the submit step existed).
SUBMIT_ALL: dict[str, Any] = {"confirm": True, "amber": "hold"}
#: The confirmation (and, for a refusal, a ground) a final move needs through the API.
FINAL: dict[str, dict[str, Any]] = {
    target: {"confirm": True} for target in ("approved", "issued", "travelled", "closed")
} | {"refused": {"confirm": True, "refusal": {"ground": "ina_214b"}}}
#: The screening date the desk tests run at (the sample roster's trips are after it).
TODAY = dt.date(2026, 11, 27)
PASSWORD = DEMO_PASSWORD
#: The tests' audit chain key (VISADESK_AUDIT_KEYS of the commands they run, too).
AUDIT_KEY = "tests-audit-key-" + "0123456789abcdef" * 3
POSTGRES_URL = os.environ.get(
    "VISADESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_database() -> Iterator[str]:
    admin_url = normalize_url(POSTGRES_URL)
    try:
        admin = create_engine(
            admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as error:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL} ({type(error).__name__})"
        if os.environ.get("VISADESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " and VISADESK_REQUIRE_POSTGRES=1")
        pytest.skip(reason + "; set VISADESK_TEST_POSTGRES_URL to test on PostgreSQL")
    name = f"visadesk_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'desk.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def settings_base(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        data_keys=(Fernet.generate_key().decode(),),
        secret_key="test-secret",  # noqa: S106 - test settings
        secure_cookies=False,
        audit_keys=(AUDIT_KEY,),
    )


@pytest.fixture(scope="session")
def migrated(settings_base: Settings) -> Iterator[Desk]:
    desk = build_desk(settings_base, today=lambda: TODAY)
    yield desk
    # Closed before the test database is dropped: a pooled connection left open warns.
    desk.engine.dispose()


def _empty(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Table names come from the models' metadata, not from input.
            truncate = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
            conn.execute(text(truncate))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # The pragma is a no-op inside a transaction: break the trip <-> screening cycle.
            conn.exec_driver_sql("UPDATE trip SET screening_id = NULL")
            for name in tables:
                conn.exec_driver_sql(f"DELETE FROM {name}")  # noqa: S608 - names from metadata
            if _has_sequence(conn):
                conn.exec_driver_sql("DELETE FROM sqlite_sequence")
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )


def _has_sequence(conn: Any) -> bool:
    return bool(
        conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'").first()
    )


@dataclass(frozen=True)
class Snapshot:
    """A SQLite desk database saved to ``path``, copied back page by page with SQLite's
    backup API: a whole database in a millisecond, while the desk's pooled connections
    stay open (they see the copy as any other writer's commit)."""

    path: Path

    @staticmethod
    def _copy(source: Path | str, target: Path | str) -> None:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)

    @classmethod
    def take(cls, desk: Desk, path: Path) -> Snapshot:
        cls._copy(_sqlite_file(desk), path)
        return cls(path)

    def restore(self, desk: Desk) -> None:
        self._copy(self.path, _sqlite_file(desk))


def _sqlite_file(desk: Desk) -> str:
    database = desk.engine.url.database
    assert desk.engine.dialect.name == "sqlite" and database, desk.engine.url
    return database


@pytest.fixture(scope="session")
def blank(migrated: Desk, tmp_path_factory: pytest.TempPathFactory) -> Snapshot | None:
    """SQLite: the migrated database with no rows, saved once; None on PostgreSQL."""
    _empty(migrated.engine)
    if migrated.engine.dialect.name != "sqlite":
        return None
    return Snapshot.take(migrated, tmp_path_factory.mktemp("snapshot") / "blank.db")


@pytest.fixture
def desk(migrated: Desk, blank: Snapshot | None) -> Desk:
    """The session's desk with no rows: the blank copy back (SQLite), or emptied."""
    if blank is None:
        _empty(migrated.engine)
    else:
        blank.restore(migrated)
    return migrated


@pytest.fixture
def client(desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(desk), raise_server_exceptions=False) as c:
        yield c


@dataclass
class World:
    """Organizations and one user per role; ``tokens[email]`` is a bearer token."""

    desk_org: int
    sponsors: dict[str, int]
    subs: dict[str, int]
    projects: dict[str, int]
    users: dict[str, Principal] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


#: key, organization key, role: tests/harness.py's users, so browser and API tests agree
USERS = DEMO_USERS


def _seed_world(desk: Desk, client: TestClient) -> World:
    """Two sponsors: Hanbit (subcontractors Sejin and Daeseong) and Haeon (subcontractor
    Kukje); every user logged in through the API."""
    seeded = seed_demo(desk, PASSWORD)
    world = World(
        desk_org=seeded.orgs["desk"],
        sponsors={k: seeded.orgs[k] for k in ("hanbit", "haeon")},
        subs={k: seeded.orgs[k] for k in ("sejin", "daeseong", "kukje")},
        projects=seeded.projects,
        users=seeded.users,
    )
    for key, _, _ in USERS:
        r = client.post(
            "/api/v1/auth/token", json={"email": DemoWorld.email(key), "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        world.tokens[key] = r.json()["access_token"]
    return world


@pytest.fixture(scope="session")
def seeded_world(
    migrated: Desk, blank: Snapshot | None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Snapshot] | None:
    """SQLite: the world seeded and logged in once, and its database saved; None on
    PostgreSQL."""
    if blank is None:
        return None
    blank.restore(migrated)
    with TestClient(create_app(migrated), raise_server_exceptions=False) as c:
        world = _seed_world(migrated, c)
    return world, Snapshot.take(migrated, tmp_path_factory.mktemp("snapshot") / "world.db")


@pytest.fixture
def world(desk: Desk, client: TestClient, seeded_world: tuple[World, Snapshot] | None) -> World:
    """Two sponsors: Hanbit (subcontractors Sejin and Daeseong) and Haeon (subcontractor
    Kukje), one user per role with a bearer token."""
    if seeded_world is None:
        return _seed_world(desk, client)
    world, snapshot = seeded_world
    snapshot.restore(desk)
    return copy.deepcopy(world)


SAMPLE = Path(__file__).parents[2] / "src" / "visadesk" / "data" / "sample" / "roster.csv"


def roster_rows(project: str | None = None, *, limit: int | None = None) -> list[dict[str, str]]:
    """The bundled sample's rows (as CSV dicts), optionally only one project's."""
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if project is not None:
        rows = [r for r in rows if r["project"] == project]
    return rows[:limit] if limit else rows


def roster_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def employer_rows(employer: str, limit: int | None = None) -> list[dict[str, str]]:
    """The sample's rows of the Hanbit project whose employer is ``employer``."""
    rows = [r for r in roster_rows(HANBIT) if r["employer"] == employer]
    return rows[:limit] if limit else rows


# -- filing through the desk's service, for tests that need batches and cases ---------------


def hanbit_batch(desk: Desk, world: World, *invited: str, name: str = "batch") -> int:
    """A batch of Hanbit's project made by its admin, the named subcontractors invited."""
    admin = world.users["hanbit_admin"]
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(s, admin, project_id=world.projects["hanbit"], name=name).id
        for sub in invited:
            projects.invite(s, admin, batch, world.subs[sub])
    return batch


def file_roster(
    desk: Desk,
    world: World,
    batch: int,
    rows: list[dict[str, str]],
    *,
    who: str = "hanbit_admin",
    filename: str = "r.csv",
    submit: bool = False,
) -> None:
    """``rows`` uploaded into ``batch`` by ``who``, screened as of :data:`TODAY`; the batch
    submitted by Hanbit's admin with ``submit``."""
    with write_session(desk.sessions) as s:
        uploads.upload_roster(
            s,
            world.users[who],
            batch,
            data=roster_csv(rows),
            filename=filename,
            policy=desk.policy,
            as_of=TODAY,
        )
        if submit:
            transitions.submit_batch(
                s, world.users["hanbit_admin"], batch, desk, transitions.SubmitChoice(True, "hold")
            )


def first_case(desk: Desk, batch: int | None = None, category: str | None = None) -> int:
    """The first case (by id), of ``batch`` and ``category`` when given."""
    query = select(Case.id).order_by(Case.id)
    if batch is not None:
        query = query.where(Case.batch_id == batch)
    if category is not None:
        query = query.where(Case.category == category)
    with read_session(desk.sessions) as s:
        found = s.scalars(query).first()
    assert found is not None, (batch, category)
    return found


def first_required_kind(desk: Desk, case_id: int) -> str:
    """The first document kind the case's checklist asks for."""
    with read_session(desk.sessions) as s:
        return documents.required_kinds(s, s.get_one(Case, case_id), desk.checklist)[0]


def accept_documents(desk: Desk, world: World, case_id: int, *, who: str) -> None:
    """Every document the case's checklist requires, uploaded by ``who`` and accepted by
    the officer (so the documents guard holds)."""
    with write_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        for kind in documents.required_kinds(s, case, desk.checklist):
            doc = documents.upload(
                s,
                world.users[who],
                case_id,
                kind=kind,
                filename=f"{kind}.pdf",
                data=PDF,
                checklist=desk.checklist,
                documents_dir=desk.settings.documents_dir,
            )
            documents.review(s, world.users["officer"], doc.id, status="accepted")
