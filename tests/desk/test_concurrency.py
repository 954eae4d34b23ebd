"""One decision per case under races: simultaneous conflicting writes, one effect.

A real uvicorn server on loopback serves the desk; each racer is a thread with
its own HTTP client (its own connection), all released together by a barrier,
so the requests reach the database at once, on SQLite and on PostgreSQL
(where they really run in parallel: the row locks of :mod:`visadesk.desk.locking`
are what decides). Exactly one request wins; every other one is a clean 409
with a stable code; the database holds exactly one effect and the audit chain
verifies.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update

from tests.desk.fixtures import (
    FINAL,
    PDF,
    SUBMIT_ALL,
    World,
    accept_documents,
    employer_rows,
    file_roster,
    first_case,
    hanbit_batch,
    roster_csv,
)
from visadesk.desk import audit, documents
from visadesk.desk.db import make_engine, read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import flush_versioned
from visadesk.desk.models import (
    AuditEntry,
    AuditHead,
    Case,
    CaseEvent,
    Document,
    Organization,
    Person,
    Trip,
)
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.server import create_app

#: Racers per race.
N: Final = 20
SEJIN: Final = "Sejin Plant Engineering & Construction"


@pytest.fixture
def server(desk: Desk) -> Iterator[str]:
    """The desk served by uvicorn on a free loopback port; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(desk), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.025)
        assert server.started, "uvicorn did not start"
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


Racer = Callable[[httpx.Client, int], httpx.Response]


def race(base: str, racer: Racer, n: int = N) -> list[tuple[int, dict[str, Any]]]:
    """Run ``racer(client, i)`` for i in 0..n-1 at once (each thread its own client and
    connection, released together); each answer's status and JSON body."""
    barrier = threading.Barrier(n, timeout=20)

    def one(i: int) -> tuple[int, dict[str, Any]]:
        with httpx.Client(base_url=base, timeout=30) as c:
            assert c.get("/healthz").status_code == 200  # connected before the start
            barrier.wait()
            r = racer(c, i)
            body = r.json() if r.content else {}
            return r.status_code, body

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def _outcome(answers: list[tuple[int, dict[str, Any]]]) -> Counter[tuple[int, str]]:
    """(status, error code or "") -> how many answers."""
    return Counter((s, b.get("error", {}).get("code", "")) for s, b in answers)


def _batch(desk: Desk, world: World) -> int:
    return hanbit_batch(desk, world, "sejin", name="race")


def _sejin_rows(limit: int = 4) -> list[dict[str, str]]:
    """Some of Sejin's staff in Hanbit's project, from the third on (SJ-0003 installs
    equipment: a B-1 case)."""
    return employer_rows(SEJIN)[2 : 2 + limit]


def _sejin_case(desk: Desk, world: World) -> tuple[int, int]:
    """(batch, case): a B-1 draft case of Sejin's staff, its required documents accepted."""
    batch = _batch(desk, world)
    file_roster(desk, world, batch, _sejin_rows(), who="sejin_staff", filename="sejin.csv")
    case = first_case(desk, batch, "B1")
    accept_documents(desk, world, case, who="sejin_staff")
    return batch, case


def _put(desk: Desk, case_id: int, state: str) -> int:
    """Put the case in ``state`` directly (setup, not a transition); its version."""
    with write_session(desk.sessions) as s:
        s.execute(update(Case).where(Case.id == case_id).values(state=state))
        return s.get_one(Case, case_id).version


def _audited(desk: Desk, action: str, entity_id: object | None = None) -> int:
    with read_session(desk.sessions) as s:
        stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        if entity_id is not None:
            stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
        return s.scalar(stmt) or 0


def _chain_intact(desk: Desk) -> None:
    with read_session(desk.sessions) as s:
        _, problems = audit.verify(s)
    assert problems == []


@pytest.mark.parametrize("with_version", [True, False], ids=["version", "no_version"])
def test_simultaneous_decisions_take_exactly_one(
    desk: Desk, world: World, server: str, with_version: bool
) -> None:
    """Half approve, half refuse one case in administrative processing, all at once:
    one 200, every other answer 409 (``stale`` when the version was sent, else
    ``illegal_transition``), one event, one audit entry, the version moved by one."""
    _, case_id = _sejin_case(desk, world)
    version = _put(desk, case_id, "administrative_processing")
    transitions_before = _audited(desk, "case.transition", case_id)
    who = [world.auth("officer"), world.auth("supervisor")]

    def decide(c: httpx.Client, i: int) -> httpx.Response:
        to = ("approved", "refused")[i % 2]
        body: dict[str, Any] = {"to": to, "comment": f"racer {i}", **FINAL[to]}
        if with_version:
            body["version"] = version
        return c.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=who[i % 2])

    answers = race(server, decide)
    winners = [b for s, b in answers if s == 200]
    assert len(winners) == 1, _outcome(answers)
    loser_code = "stale" if with_version else "illegal_transition"
    assert _outcome(answers)[(409, loser_code)] == N - 1, _outcome(answers)
    for status, body in answers:
        if status == 409:
            assert set(body["error"]) == {"code", "message", "details"} and body["error"]["message"]
    decision = winners[0]["state"]
    assert decision in {"approved", "refused"} and winners[0]["version"] == version + 1
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        assert (case.state, case.decision, case.version) == (decision, decision, version + 1)
        decided = s.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.to_state.in_(["approved", "refused"])
            )
        ).all()
        assert [e.to_state for e in decided] == [decision]
    assert _audited(desk, "case.transition", case_id) == transitions_before + 1
    _chain_intact(desk)


def test_simultaneous_reviews_take_exactly_one(desk: Desk, world: World, server: str) -> None:
    """Half accept, half reject one pending document at once: one 200, the others
    409 ``already_reviewed``, one review recorded."""
    _, case_id = _sejin_case(desk, world)
    with write_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        kind = documents.required_kinds(s, case, desk.checklist)[0]
        doc_id = documents.upload(
            s,
            world.users["sejin_staff"],
            case_id,
            kind=kind,
            filename="again.pdf",
            data=PDF + b"% again\n",
            checklist=desk.checklist,
            documents_dir=desk.settings.documents_dir,
        ).id
    who = [world.auth("officer"), world.auth("supervisor")]

    def review(c: httpx.Client, i: int) -> httpx.Response:
        body = {"status": ("accepted", "rejected")[i % 2], "comment": f"racer {i}"}
        return c.post(f"/api/v1/documents/{doc_id}/review", json=body, headers=who[i % 2])

    answers = race(server, review)
    winners = [b for s, b in answers if s == 200]
    assert len(winners) == 1, _outcome(answers)
    assert _outcome(answers)[(409, "already_reviewed")] == N - 1, _outcome(answers)
    with read_session(desk.sessions) as s:
        doc = s.get_one(Document, doc_id)
        assert doc.status == winners[0]["status"]
        assert doc.review_comment == winners[0]["review_comment"]
    assert _audited(desk, "document.review", doc_id) == 1
    _chain_intact(desk)


def test_simultaneous_submissions_file_the_batch_once(
    desk: Desk, world: World, server: str
) -> None:
    """The sponsor's admin submits one batch from many tabs at once: one 200, the
    others 409 ``batch_not_open``; each case submitted once (one event each)."""
    batch, _ = _sejin_case(desk, world)
    with read_session(desk.sessions) as s:
        drafts = s.scalar(select(func.count()).where(Case.batch_id == batch)) or 0
    assert drafts > 0
    admin = world.auth("hanbit_admin")

    def submit(c: httpx.Client, _: int) -> httpx.Response:
        return c.post(f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=admin)

    answers = race(server, submit)
    winners = [b for s, b in answers if s == 200]
    assert len(winners) == 1, _outcome(answers)
    assert winners[0]["submitted"] == drafts
    assert _outcome(answers)[(409, "batch_not_open")] == N - 1, _outcome(answers)
    with read_session(desk.sessions) as s:
        states = s.scalars(select(Case.state).where(Case.batch_id == batch)).all()
        assert set(states) == {"submitted"}
        submitted = s.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.batch_id == batch, CaseEvent.to_state == "submitted")
        )
        assert submitted == drafts
        versions = s.scalars(select(Case.version).where(Case.batch_id == batch)).all()
        assert set(versions) == {2}
    assert _audited(desk, "batch.submit", batch) == 1
    _chain_intact(desk)


def test_simultaneous_uploads_of_one_roster_store_each_person_once(
    desk: Desk, world: World, server: str
) -> None:
    """The same roster sent into one batch, and into a second batch of the same filer,
    at once: the batch reached first files the people (its later uploads find them
    unchanged); the other refuses them all (one open case per person and trip), so each
    person, trip and case exists once."""
    first, second = _batch(desk, world), _batch(desk, world)
    rows = _sejin_rows(6)
    data = roster_csv(rows)
    sejin = world.auth("sejin_staff")
    n = 6

    def upload(c: httpx.Client, i: int) -> httpx.Response:
        batch = (first, second)[i % 2]
        files = {"file": ("sejin.csv", data)}
        return c.post(f"/api/v1/batches/{batch}/roster", files=files, headers=sejin)

    answers = race(server, upload, n)
    assert _outcome(answers) == {(200, ""): n // 2, (422, "roster_refused"): n // 2}
    filed = {b["batch_id"] for s, b in answers if s == 200}
    assert len(filed) == 1
    winner = filed.pop()
    created = sorted(b["created"] for s, b in answers if s == 200)
    assert created == [0] * (n // 2 - 1) + [len(rows)]
    with read_session(desk.sessions) as s:
        people = s.scalars(select(Person.worker_id).where(Person.org_id == world.subs["sejin"]))
        assert sorted(people) == sorted(r["worker_id"] for r in rows)
        trips = s.execute(select(Trip.batch_id, Trip.worker_id)).all()
        assert sorted(trips) == sorted((winner, r["worker_id"]) for r in rows)
        per_trip = s.execute(select(Case.trip_id, func.count()).group_by(Case.trip_id)).all()
        assert per_trip and all(count == 1 for _, count in per_trip)
    assert _audited(desk, "batch.roster_upload") == n // 2
    _chain_intact(desk)


def test_simultaneous_logouts_revoke_once(desk: Desk, world: World, server: str) -> None:
    """One token logged out from many places at once: revoked, one audit entry."""
    token = world.auth("officer")

    def logout(c: httpx.Client, _: int) -> httpx.Response:
        return c.post("/api/v1/auth/logout", headers=token)

    answers = race(server, logout, 10)
    # Each request was authenticated before any revocation committed, or after (401).
    assert {s for s, _ in answers} <= {204, 401}, _outcome(answers)
    assert _audited(desk, "auth.logout") == 1
    _chain_intact(desk)


def test_a_case_write_on_an_old_read_is_stale(desk: Desk, world: World) -> None:
    """Without the lock, the update itself names the version it read: a write on a
    read that another transaction has since overtaken changes nothing (409 ``stale``)."""
    _, case_id = _sejin_case(desk, world)
    version = _put(desk, case_id, "administrative_processing")
    with desk.sessions() as late:
        case = late.get_one(Case, case_id)  # read at `version`, no lock
        late.commit()
        with write_session(desk.sessions) as s:  # another writer gets there first
            s.execute(update(Case).where(Case.id == case_id).values(version=version + 1))
        case.state, case.version = "refused", version + 1
        with pytest.raises(DeskError) as refused:
            flush_versioned(late, case)
        late.rollback()
    assert (refused.value.code, refused.value.status) == ("stale", 409)
    assert refused.value.params["version"] == version + 1
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, case_id).state == "administrative_processing"


def test_simultaneous_organizations_of_one_name_create_one(
    desk: Desk, world: World, server: str
) -> None:
    """Nothing to lock for a name not stored yet: the unique constraint decides, and
    the losers get the same 409 ``duplicate`` as a request that came second."""
    admin = world.auth("admin")
    before = _audited(desk, "org.create")

    def create(c: httpx.Client, _: int) -> httpx.Response:
        body = {"kind": "sponsor", "name": "Racing Heavy Industries"}
        return c.post("/api/v1/organizations", json=body, headers=admin)

    answers = race(server, create, 10)
    assert _outcome(answers) == Counter({(201, ""): 1, (409, "duplicate"): 9}), _outcome(answers)
    assert _audited(desk, "org.create") == before + 1
    _chain_intact(desk)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_write_refused_for_a_simultaneous_one_is_409_conflict(desk: Desk, lang: str) -> None:
    """Past the services' locks, the database itself may refuse a write for a
    simultaneous transaction (a unique value taken, a row lock it gave up waiting for
    on PostgreSQL): the answer is 409 ``conflict`` in the reader's language, never 500;
    SQLite's whole-database lock given up is 503 ``busy`` with Retry-After. (Two routes
    added for the test make the database refuse for real.)"""
    app = create_app(desk)
    engine = make_engine(desk.settings.database_url)
    try:

        @app.post("/api/v1/_race/duplicate")
        def duplicate() -> None:
            with write_session(desk.sessions) as s:
                for _ in range(2):
                    s.execute(insert(Organization).values(kind="desk", name="Twice"))

        @app.post("/api/v1/_race/locked")
        def blocked() -> None:
            with engine.connect() as conn:
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET lock_timeout = 50")
                else:
                    conn.exec_driver_sql("PRAGMA busy_timeout = 50")
                conn.execute(update(AuditHead).values(seq=AuditHead.seq))

        expected = ("conflict", t("desk.error.conflict", lang))
        with engine.connect() as holder, TestClient(app, raise_server_exceptions=False) as c:
            r = c.post("/api/v1/_race/duplicate", headers={"Accept-Language": lang})
            assert r.status_code == 409, r.text
            assert (r.json()["error"]["code"], r.json()["error"]["message"]) == expected
            holder.execute(update(AuditHead).values(seq=AuditHead.seq))  # holds the row
            r = c.post("/api/v1/_race/locked", headers={"Accept-Language": lang})
            holder.rollback()
            if engine.dialect.name == "postgresql":
                assert r.status_code == 409, r.text
                assert (r.json()["error"]["code"], r.json()["error"]["message"]) == expected
            else:
                # SQLite's write lock is the whole database: waiting past the busy
                # timeout means the desk is busy, not that this row changed (see
                # test_burst): 503 with Retry-After.
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] == "busy"
                assert r.headers["retry-after"]
    finally:
        engine.dispose()


def test_simultaneous_uploads_of_one_file_store_it_once(
    desk: Desk, world: World, server: str
) -> None:
    """The same new file uploaded from many places at once: every upload is recorded
    (201), and the stored bytes are the file's, whole."""
    _, case_id = _sejin_case(desk, world)
    with read_session(desk.sessions) as s:
        kind = documents.required_kinds(s, s.get_one(Case, case_id), desk.checklist)[0]
    data = PDF + b"%" + b"x" * (8 << 20) + b"\n%%EOF\n"
    sejin = world.auth("sejin_staff")

    def upload(c: httpx.Client, i: int) -> httpx.Response:
        files = {"file": (f"copy-{i}.pdf", data)}
        return c.post(
            f"/api/v1/cases/{case_id}/documents", data={"kind": kind}, files=files, headers=sejin
        )

    answers = race(server, upload, 10)
    assert _outcome(answers) == Counter({(201, ""): 10}), _outcome(answers)
    sha = hashlib.sha256(data).hexdigest()
    assert documents.document_path(desk.settings.documents_dir, sha).read_bytes() == data
    with read_session(desk.sessions) as s:
        stored = s.scalar(select(func.count()).where(Document.sha256 == sha))
    assert stored == 10
    _chain_intact(desk)
