"""The audit log: every change is in it, tampering shows, and it holds no personal data.

Each state-changing call adds entries to the keyed hash chain; :func:`audit.verify`
names the entry where an edit, a deletion, an insertion or a cut tail breaks
it; threads moving cases at once (SQLite and PostgreSQL) extend one unbroken
chain; no entry holds a passport number or a birth date.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text, update

from tests.desk.fixtures import PASSWORD, SUBMIT_ALL, TODAY, World, roster_csv, roster_rows
from visadesk.desk import audit, documents, projects, requesting, transitions, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import AuditEntry, AuditHead, Case
from visadesk.desk.runtime import Desk
from visadesk.desk.transitions import Move

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROJECT = "Hanbit GA Cell Plant"


def _entries(desk: Desk, after: int = 0) -> list[AuditEntry]:
    with read_session(desk.sessions) as s:
        entries = list(
            s.scalars(select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq))
        )
        s.expunge_all()  # kept loaded: the read session's rollback would expire them
        return entries


def _head(desk: Desk) -> int:
    with read_session(desk.sessions) as s:
        return s.get_one(AuditHead, 1).seq


def _verify(desk: Desk) -> tuple[int, list[audit.AuditProblem]]:
    with read_session(desk.sessions) as s:
        return audit.verify(s)


def _sejin_rows() -> list[dict[str, str]]:
    return [
        r for r in roster_rows(PROJECT) if r["employer"] == "Sejin Plant Engineering & Construction"
    ]


# -- every change is recorded ------------------------------------------------------------


def test_every_state_change_writes_an_audit_entry(
    client: TestClient, desk: Desk, world: World
) -> None:
    admin, officer = world.auth("hanbit_admin"), world.auth("officer")
    state: dict[str, Any] = {}

    def step(action: str, entity: str, call: Callable[[], Any], status: int = 200) -> Any:
        before = _head(desk)
        r = call()
        assert r.status_code == status, (action, r.text)
        new = _entries(desk, before)
        assert new, f"{action}: no audit entry"
        assert action in {e.action for e in new}, (action, [e.action for e in new])
        assert all(e.entity == entity for e in new if e.action == action)
        return r

    r = step(
        "project.create",
        "project",
        lambda: client.post(
            "/api/v1/projects",
            json={"name": "Audit", "worksite": "Savannah, GA", "state": "GA", "sector": "energy"},
            headers=admin,
        ),
        201,
    )
    r = step(
        "batch.create",
        "batch",
        lambda: client.post(
            "/api/v1/batches",
            json={"project_id": world.projects["hanbit"], "name": "audited"},
            headers=admin,
        ),
        201,
    )
    state["batch"] = r.json()["id"]
    step(
        "batch.invite",
        "batch",
        lambda: client.post(
            f"/api/v1/batches/{state['batch']}/members",
            json={"org_id": world.subs["sejin"]},
            headers=admin,
        ),
    )
    step(
        "batch.roster_upload",
        "batch",
        lambda: client.post(
            f"/api/v1/batches/{state['batch']}/roster",
            files={"file": ("sejin.csv", roster_csv(_sejin_rows()))},
            headers=world.auth("sejin_staff"),
        ),
    )
    trips = client.get(f"/api/v1/batches/{state['batch']}/trips", headers=admin).json()
    # A trip with a recommendation has its draft case: choosing another category changes it.
    first = next(t for t in trips if t["recommended"])
    state["trip"] = first["id"]
    step(
        "case.category",
        "case",
        lambda: client.post(
            f"/api/v1/trips/{state['trip']}/cases",
            json={"category": "L1A" if first["recommended"] != "L1A" else "B1"},
            headers=world.auth("sejin_staff"),
        ),
        201,
    )
    before = _head(desk)
    step(
        "batch.submit",
        "batch",
        lambda: client.post(
            f"/api/v1/batches/{state['batch']}/submit", json=SUBMIT_ALL, headers=admin
        ),
    )
    submitted = [e for e in _entries(desk, before) if e.action == "case.transition"]
    with read_session(desk.sessions) as s:
        in_batch = s.scalar(select(func.count()).where(Case.batch_id == state["batch"]))
    assert len(submitted) == in_batch  # one entry per case filed
    queue = client.get("/api/v1/cases", params={"batch_id": state["batch"]}, headers=officer).json()
    state["case"] = cid = queue["items"][0]["id"]
    step(
        "case.transition",
        "case",
        lambda: client.post(
            f"/api/v1/cases/{cid}/transitions", json={"to": "in_review"}, headers=officer
        ),
    )
    with read_session(desk.sessions) as s:
        kind = documents.required_kinds(s, s.get_one(Case, cid), desk.checklist)[0]
    r = step(
        "document.upload",
        "document",
        lambda: client.post(
            f"/api/v1/cases/{cid}/documents",
            data={"kind": kind},
            files={"file": ("x.pdf", PDF)},
            headers=world.auth("sejin_staff"),
        ),
        201,
    )
    doc = r.json()["id"]
    step(
        "document.review",
        "document",
        lambda: client.post(
            f"/api/v1/documents/{doc}/review", json={"status": "rejected"}, headers=officer
        ),
    )
    step(
        "org.create",
        "organization",
        lambda: client.post(
            "/api/v1/organizations",
            json={"kind": "subcontractor", "name": "Audit Sub"},
            headers=admin,
        ),
        201,
    )
    step(
        "user.create",
        "user",
        lambda: client.post(
            "/api/v1/users",
            json={
                "org_id": world.sponsors["hanbit"],
                "email": "new@example.test",
                "name": "New",
                "role": "sponsor_staff",
                "password": PASSWORD,
            },
            headers=admin,
        ),
        201,
    )
    step(
        "auth.login",
        "user",
        lambda: client.post(
            "/api/v1/auth/token", json={"email": "new@example.test", "password": PASSWORD}
        ),
    )
    step("auth.logout", "user", lambda: client.post("/api/v1/auth/logout", headers=admin), 204)
    # Refused calls change nothing and record nothing.
    before = _head(desk)
    r = client.post(f"/api/v1/cases/{cid}/transitions", json={"to": "closed"}, headers=officer)
    assert r.status_code == 409
    assert _head(desk) == before
    checked, problems = _verify(desk)
    assert problems == [] and checked == _head(desk)
    r = client.get("/api/v1/audit/verify", headers=world.auth("auditor"))
    assert r.json() == {
        "checked": checked,
        "problems": [],
        "keyed": checked,
        "legacy": 0,
        "by_key": {audit.key_id(desk.settings.audit_keys[0]): checked},
    }
    # Only the roles that read the log may verify it.
    assert client.get("/api/v1/audit/verify", headers=world.auth("hanbit_staff")).status_code == 403


# -- tampering is found, and named ---------------------------------------------------------


@pytest.fixture
def chain(desk: Desk, world: World) -> int:
    """A chain of a few dozen entries (the world's, and a batch's); its length."""
    with write_session(desk.sessions) as s:
        for i in range(10):
            projects.create_batch(
                s, world.users["hanbit_admin"], project_id=world.projects["hanbit"], name=f"b{i}"
            )
    count, problems = _verify(desk)
    assert problems == [] and count == _head(desk) >= 30
    return count


def _sql(desk: Desk, statement: Any, **params: Any) -> None:
    with desk.engine.begin() as conn:
        conn.execute(statement, params)


def _problems(desk: Desk) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in _verify(desk)[1]]


def _forge(desk: Desk, prev_hash: str, canonical: dict[str, Any]) -> tuple[str, str]:
    """(hash, key id) of a forged entry as someone holding the desk's audit key makes it."""
    keys = audit.AuditKeys(desk.settings.audit_keys)
    canonical["key"] = keys.newest
    return audit.keyed_hash(keys, keys.newest, prev_hash, canonical), keys.newest


def test_an_edited_entry_is_found(desk: Desk, chain: int) -> None:
    target = chain // 2
    data = json.dumps({"project": 999})
    _sql(
        desk,
        text("UPDATE audit_entry SET data = :d WHERE seq = :s"),
        d=data,
        s=target,
    )
    assert _problems(desk) == [(target, "edited")]
    assert str(_verify(desk)[1][0]).startswith(f"entry {target}: edited")


def test_an_edited_actor_is_found(desk: Desk, chain: int) -> None:
    _sql(desk, update(AuditEntry).where(AuditEntry.seq == 7).values(actor_id=1))
    assert (7, "edited") in _problems(desk)


def test_a_deleted_entry_is_found(desk: Desk, chain: int) -> None:
    target = chain // 3
    _sql(desk, delete(AuditEntry).where(AuditEntry.seq == target))
    found = _problems(desk)
    assert found[0] == (target, "deleted")
    assert all(kind == "deleted" for _, kind in found)


def test_an_inserted_entry_is_found(desk: Desk, chain: int) -> None:
    """A forged entry slipped into the middle, with a hash that fits its own content:
    the entry after it no longer links to its predecessor."""
    target = chain // 2
    with write_session(desk.sessions) as s:
        before = s.get_one(AuditEntry, target - 1)
        prev_hash = before.hash
        for seq in range(chain, target - 1, -1):  # make room: shift the tail by one
            s.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq + 1))
        at = before.at
        canonical = {
            "seq": target,
            "at": at.replace(tzinfo=None).isoformat(timespec="microseconds"),
            "actor": None,
            "action": "case.transition",
            "entity": "case",
            "entity_id": "1",
            "data": {"from": "in_review", "to": "approved"},
        }
        digest, kid = _forge(desk, prev_hash, canonical)
        s.add(
            AuditEntry(
                seq=target,
                at=at,
                actor_id=None,
                action="case.transition",
                entity="case",
                entity_id="1",
                data=canonical["data"],
                prev_hash=prev_hash,
                hash=digest,
                key_id=kid,
            )
        )
    found = _problems(desk)
    assert (target, "edited") not in found  # the forgery itself is self-consistent
    assert (target + 1, "inserted") in found


def test_an_entry_appended_behind_the_heads_back_is_found(desk: Desk, chain: int) -> None:
    with write_session(desk.sessions) as s:
        last = s.get_one(AuditEntry, chain)
        canonical = {
            "seq": chain + 1,
            "at": last.at.replace(tzinfo=None).isoformat(timespec="microseconds"),
            "actor": None,
            "action": "batch.submit",
            "entity": "batch",
            "entity_id": "1",
            "data": {},
        }
        digest, kid = _forge(desk, last.hash, canonical)
        s.add(
            AuditEntry(
                seq=chain + 1,
                at=last.at,
                actor_id=None,
                action="batch.submit",
                entity="batch",
                entity_id="1",
                data={},
                prev_hash=last.hash,
                hash=digest,
                key_id=kid,
            )
        )
    assert _problems(desk) == [(chain, "inserted")]


def test_a_truncated_tail_is_found(desk: Desk, chain: int) -> None:
    _sql(desk, delete(AuditEntry).where(AuditEntry.seq > chain - 3))
    assert _problems(desk) == [(chain, "truncated")]
    assert "ends at" in str(_verify(desk)[1][0])


def test_the_api_names_the_broken_entry(
    client: TestClient, desk: Desk, world: World, chain: int
) -> None:
    _sql(desk, text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 5"))
    r = client.get("/api/v1/audit/verify", headers=world.auth("auditor"))
    assert r.status_code == 200
    assert r.json()["problems"] == ["entry 5: edited (content does not match its hash)"]


# -- concurrency ---------------------------------------------------------------------------


def test_concurrent_transitions_keep_one_chain(desk: Desk, world: World) -> None:
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(
            s, world.users["hanbit_admin"], project_id=world.projects["hanbit"], name="busy"
        ).id
        uploads.upload_roster(
            s,
            world.users["hanbit_admin"],
            batch,
            data=roster_csv(
                [r for r in roster_rows(PROJECT) if r["employer"].startswith("Hanbit")]
            ),
            filename="r.csv",
            policy=desk.policy,
            as_of=TODAY,
        )
        transitions.submit_batch(
            s, world.users["hanbit_admin"], batch, desk, transitions.SubmitChoice(True, "hold")
        )
        ids = list(s.scalars(select(Case.id).where(Case.batch_id == batch).order_by(Case.id)))
    assert len(ids) >= 12
    start = _head(desk)
    officers = [world.users["officer"], world.users["supervisor"]]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for cid in ids[n::4]:
                for target in ("in_review", "documents_requested", "in_review"):
                    with write_session(desk.sessions) as s:
                        if target == "documents_requested":  # asked with its items (#12)
                            case = s.get_one(Case, cid)
                            kind = documents.case_checklist(s, case, desk.checklist)[0].id
                            ask = requesting.Ask((kind,))
                            requesting.request_documents(s, officers[n % 2], cid, ask, desk)
                        else:
                            take = transitions.take_transition
                            take(s, officers[n % 2], cid, Move(target), desk)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    checked, problems = _verify(desk)
    assert problems == []
    # Three moves per case, and the request's own entry (document.request).
    assert checked == _head(desk) == start + 4 * len(ids)
    moved = [e for e in _entries(desk, start) if e.action == "case.transition"]
    assert len(moved) == 3 * len(ids)
    assert [e.seq for e in _entries(desk)] == list(range(1, checked + 1))


# -- no personal data ----------------------------------------------------------------------


def test_audit_and_logs_hold_no_personal_data(
    client: TestClient, desk: Desk, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rows = roster_rows(PROJECT)
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(
            s, world.users["hanbit_admin"], project_id=world.projects["hanbit"], name="pii"
        ).id
    admin = world.auth("hanbit_admin")
    changed = [{**r, "passport_number": f"M{i:08d}"} for i, r in enumerate(rows, 1)]
    for data in (rows, changed):  # and an update
        hanbit = [r for r in data if r["employer"] == "Hanbit Energy Solutions"]
        r = client.post(
            f"/api/v1/batches/{batch}/roster",
            files={"file": ("r.csv", roster_csv(hanbit))},
            headers=admin,
        )
        assert r.status_code == 200, r.text
    # A refused roster's problems are not logged with the values either.
    bad = [{**rows[0], "birth_date": "1966-13-45"}]
    assert (
        client.post(
            f"/api/v1/batches/{batch}/roster",
            files={"file": ("r.csv", roster_csv(bad))},
            headers=admin,
        ).status_code
        == 422
    )
    assert (
        client.post(f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=admin).status_code
        == 200
    )
    secrets_ = {r["passport_number"] for r in rows} | {r["birth_date"] for r in rows}
    secrets_ |= {"M00000001", "1966-13-45"}
    secrets_.discard("")
    with read_session(desk.sessions) as s:
        dumped = [
            json.dumps([e.action, e.entity, e.entity_id, e.data], ensure_ascii=False)
            for e in s.scalars(select(AuditEntry))
        ]
    assert len(dumped) > 20
    for entry in dumped:
        leaked = [v for v in secrets_ if v in entry]
        assert not leaked, (entry, leaked)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [v for v in secrets_ if v in logged]
