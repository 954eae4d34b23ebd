"""The workflow's rules through the API: who may move a case where, and what refuses.

Every transition of :data:`visadesk.desk.workflow.TRANSITIONS` is taken once by
a role it names (200) and tried once by a role it does not name (403
``forbidden``, nothing changed); the table is the workflow's own, so a new
transition is tested without editing this file. A move the workflow does not
have is 409 ``illegal_transition``, with its message in the request's
language. Guards, stale versions and batch rules follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tests.desk.fixtures import (
    FINAL,
    SUBMIT_ALL,
    World,
    accept_documents,
    employer_rows,
    file_roster,
    first_case,
    hanbit_batch,
    roster_csv,
    roster_rows,
)
from visadesk.desk import cases
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import AuditHead, Case, CaseEvent, Document, DocumentRequest
from visadesk.desk.runtime import Desk
from visadesk.desk.workflow import ROLES, TRANSITIONS, Transition
from visadesk.i18n import t

INTERVIEW = "2026-12-10T09:30:00+09:00"
#: A user of each role who can see a case Sejin filed into Hanbit's batch.
USER_OF: Final = {
    "desk_admin": "admin",
    "desk_supervisor": "supervisor",
    "desk_officer": "officer",
    "auditor": "auditor",
    "sponsor_admin": "hanbit_admin",
    "sponsor_staff": "hanbit_staff",
    "subcontractor_staff": "sejin_staff",
}
assert set(USER_OF) == set(ROLES)


def _batch(desk: Desk, world: World, *, invite: bool = True) -> int:
    return hanbit_batch(desk, world, *(["sejin"] if invite else []), name="rules")


def _sejin_case(desk: Desk, world: World, category: str = "B1") -> int:
    """A draft case of one of Sejin's staff in Hanbit's batch, with its required documents
    uploaded and accepted (so the documents guard holds)."""
    batch = _batch(desk, world)
    rows = employer_rows("Sejin Plant Engineering & Construction")
    file_roster(desk, world, batch, rows, who="sejin_staff", filename="sejin.csv")
    case = first_case(desk, batch, category)
    accept_documents(desk, world, case, who="sejin_staff")
    return case


def _put(desk: Desk, case_id: int, state: str) -> int:
    """Put the case in ``state`` directly (the test's setup, not a transition); its version."""
    with write_session(desk.sessions) as s:
        s.execute(update(Case).where(Case.id == case_id).values(state=state))
        return s.get_one(Case, case_id).version


def _state(desk: Desk, case_id: int) -> tuple[str, int, int, int]:
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        events = s.scalar(select(func.count()).where(CaseEvent.case_id == case_id)) or 0
        head = s.get_one(AuditHead, 1).seq
        return case.state, case.version, events, head


def _accepted_kind(desk: Desk, case_id: int) -> str:
    """A kind of the case's accepted documents (a request for it has nothing missing)."""
    with read_session(desk.sessions) as s:
        kind = s.scalars(
            select(Document.kind).where(Document.case_id == case_id, Document.status == "accepted")
        ).first()
    assert kind is not None
    return kind


def _body(step: Transition, version: int) -> dict[str, Any]:
    body: dict[str, Any] = {"to": step.target, "version": version, **FINAL.get(step.target, {})}
    if step.target == "refused":
        body["comment"] = "Refused in a test."
    if "interview_time" in step.guards:
        body["interview_at"] = INTERVIEW
    return body


def _move(client: TestClient, world: World, who: str, case_id: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=world.auth(who))


def test_every_transition_allows_its_roles_and_refuses_others(
    client: TestClient, desk: Desk, world: World
) -> None:
    case_id = _sejin_case(desk, world)
    for step in TRANSITIONS:
        allowed, refused = step.roles[0], next(r for r in ROLES if r not in step.roles)
        where = f"{step.source} -> {step.target}"
        version = _put(desk, case_id, step.source)
        before = _state(desk, case_id)
        r = _move(client, world, USER_OF[refused], case_id, _body(step, version))
        assert r.status_code == 403, (where, refused, r.text)
        assert r.json()["error"]["code"] == "forbidden", where
        assert _state(desk, case_id) == before, where
        if step.source == "draft":
            # A draft case is filed with its whole batch, never on its own.
            r = _move(client, world, USER_OF[allowed], case_id, _body(step, version))
            assert r.status_code == 409, (where, r.text)
            assert _state(desk, case_id) == before, where
            continue
        if "items_requested" in step.guards:
            # Documents are asked for with items (issue #12): a bare move is refused, the
            # request (its items stored first) takes the move and audits the request too.
            r = _move(client, world, USER_OF[allowed], case_id, _body(step, version))
            assert r.status_code == 422, (where, r.text)
            assert r.json()["error"]["code"] == "request_needs_request", where
            assert _state(desk, case_id) == before, where
            kinds = {"kinds": [_accepted_kind(desk, case_id)], "version": version}
            r = client.post(
                f"/api/v1/cases/{case_id}/document-requests",
                json=kinds,
                headers=world.auth(USER_OF[allowed]),
            )
            assert r.status_code == 201, (where, r.text)
            state, new_version, events, head = _state(desk, case_id)
            assert (state, new_version) == (step.target, version + 1), where
            assert (events, head) == (before[2] + 1, before[3] + 2), where
            continue
        r = _move(client, world, USER_OF[allowed], case_id, _body(step, version))
        assert r.status_code == 200, (where, allowed, r.text)
        body = r.json()
        assert (body["state"], body["version"]) == (step.target, version + 1), where
        assert body["events"][-1]["to_state"] == step.target, where
        _, _, events, head = _state(desk, case_id)
        assert (events, head) == (before[2] + 1, before[3] + 1), where


def test_draft_cases_are_submitted_with_their_batch(
    client: TestClient, desk: Desk, world: World
) -> None:
    step = next(s for s in TRANSITIONS if s.source == "draft")
    assert (step.target, step.roles) == ("submitted", ("sponsor_admin",))
    case_id = _sejin_case(desk, world)
    with read_session(desk.sessions) as s:
        batch = s.get_one(Case, case_id).batch_id
    for who in ("hanbit_staff", "sejin_staff", "officer"):
        r = client.post(f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=world.auth(who))
        assert r.status_code == 403, (who, r.text)
    r = client.post(
        f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=world.auth("hanbit_admin")
    )
    assert r.status_code == 200, r.text
    assert _state(desk, case_id)[0] == "submitted"


@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        ("en", {}),
        ("ko", {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}),
        ("ko", {"Accept-Language": "ko"}),
    ],
)
def test_illegal_transition_is_409_in_the_readers_language(
    client: TestClient, desk: Desk, world: World, lang: str, headers: dict[str, str]
) -> None:
    case_id = _sejin_case(desk, world)
    _put(desk, case_id, "submitted")
    before = _state(desk, case_id)
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": "approved"},
        headers={**world.auth("officer"), **headers},
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "illegal_transition"
    expected = t("desk.error.illegal_transition", lang, source="submitted", target="approved")
    assert error["message"] == expected
    if lang == "ko":
        assert any("\uac00" <= ch <= "\ud7a3" for ch in error["message"])  # Hangul
    assert _state(desk, case_id) == before
    # A state the workflow does not know at all is a bad request, also refused.
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": "teleported"},
        headers=world.auth("officer"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_choice"


@pytest.mark.parametrize(
    ("lang", "headers"), [("en", {}), ("ko", {"Accept-Language": "ko-KR,ko;q=0.9"})]
)
def test_a_bare_move_to_documents_requested_is_refused_in_the_readers_language(
    client: TestClient, desk: Desk, world: World, lang: str, headers: dict[str, str]
) -> None:
    """Issue #12: a document request is never just a comment. The bare transition
    answers 422 naming the endpoint that takes the items; the request itself moves it."""
    case_id = _sejin_case(desk, world)
    version = _put(desk, case_id, "in_review")
    before = _state(desk, case_id)
    asked = {"to": "documents_requested", "comment": "Please send the letter", "version": version}
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json=asked,
        headers={**world.auth("officer"), **headers},
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "request_needs_request"
    assert error["message"] == t("desk.error.request_needs_request", lang, id=case_id)
    assert f"POST /api/v1/cases/{case_id}/document-requests" in error["message"]
    if lang == "ko":
        assert any("\uac00" <= ch <= "\ud7a3" for ch in error["message"])  # Hangul
    assert _state(desk, case_id) == before
    with read_session(desk.sessions) as s:
        asked_for = select(DocumentRequest).where(DocumentRequest.case_id == case_id)
        assert not s.scalars(asked_for).all()
    # The request with its items takes the same move.
    r = client.post(
        f"/api/v1/cases/{case_id}/document-requests",
        json={"kinds": [_accepted_kind(desk, case_id)], "note": "Please send the letter"},
        headers={**world.auth("officer"), **headers},
    )
    assert r.status_code == 201, r.text
    assert _state(desk, case_id)[0] == "documents_requested"


def test_documents_guard(client: TestClient, desk: Desk, world: World) -> None:
    case_id = _sejin_case(desk, world)
    version = _put(desk, case_id, "in_review")
    with write_session(desk.sessions) as s:
        doc = s.scalars(select(Document).where(Document.case_id == case_id)).first()
        assert doc is not None
        doc.status = "rejected"
    before = _state(desk, case_id)
    r = _move(client, world, "officer", case_id, {"to": "ready_for_interview", "version": version})
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "documents_missing"
    assert _state(desk, case_id) == before


def test_interview_guard(client: TestClient, desk: Desk, world: World) -> None:
    case_id = _sejin_case(desk, world)
    _put(desk, case_id, "ready_for_interview")
    before = _state(desk, case_id)
    for extra, code in (
        ({}, "interview_time_required"),
        ({"interview_at": "2026-12-10T09:30:00"}, "invalid_value"),  # no time zone
    ):
        r = _move(client, world, "officer", case_id, {"to": "interview_scheduled", **extra})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == code
        assert _state(desk, case_id) == before
    r = _move(
        client, world, "officer", case_id, {"to": "interview_scheduled", "interview_at": INTERVIEW}
    )
    assert r.status_code == 200, r.text
    expected = dt.datetime(2026, 12, 10, 0, 30, tzinfo=dt.UTC)
    assert dt.datetime.fromisoformat(r.json()["interview_at"]) == expected
    r = client.get(f"/api/v1/cases/{case_id}", headers=world.auth("sejin_staff"))
    assert dt.datetime.fromisoformat(r.json()["interview_at"]) == expected  # read back, in UTC


def test_approval_writes_the_annotation(client: TestClient, desk: Desk, world: World) -> None:
    case_id = _sejin_case(desk, world)
    _put(desk, case_id, "interview_scheduled")
    r = client.get(f"/api/v1/cases/{case_id}/annotation", headers=world.auth("officer"))
    assert r.status_code == 404
    r = _move(client, world, "officer", case_id, {"to": "approved", **FINAL["approved"]})
    assert r.status_code == 200, r.text
    annotation = r.json()["annotation"]
    assert annotation["en"].startswith("B-1 | ") and annotation["ko"]
    assert "Hanbit GA Cell Plant" in annotation["en"]
    # Issue #11: it names the project's end date (the sample roster's project_end).
    assert annotation["en"].endswith(" | Project end: 2028-06-30")
    assert annotation["ko"].endswith(" | 프로젝트 종료일: 2028-06-30")
    r = client.get(f"/api/v1/cases/{case_id}/annotation", headers=world.auth("sejin_staff"))
    assert r.status_code == 200 and r.json()["en"] == annotation["en"]


def test_stale_version_is_409(client: TestClient, desk: Desk, world: World) -> None:
    case_id = _sejin_case(desk, world)
    version = _put(desk, case_id, "submitted")
    r = _move(client, world, "officer", case_id, {"to": "in_review", "version": version})
    assert r.status_code == 200, r.text
    before = _state(desk, case_id)
    # A second officer acting on the page they loaded before the first one's change.
    r = _move(
        client, world, "supervisor", case_id, {"to": "documents_requested", "version": version}
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "stale"
    assert _state(desk, case_id) == before
    r = client.post(
        f"/api/v1/cases/{case_id}/document-requests",
        json={"kinds": [_accepted_kind(desk, case_id)], "version": version + 1},
        headers=world.auth("supervisor"),
    )
    assert r.status_code == 201, r.text
    assert _state(desk, case_id)[0] == "documents_requested"


def test_submitting_an_empty_batch_is_409(client: TestClient, desk: Desk, world: World) -> None:
    batch = _batch(desk, world)
    r = client.post(
        f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=world.auth("hanbit_admin")
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "empty_batch"
    r = client.get(f"/api/v1/batches/{batch}", headers=world.auth("hanbit_admin"))
    assert r.json()["state"] == "open"


def test_a_submitted_batch_takes_no_more(client: TestClient, desk: Desk, world: World) -> None:
    case_id = _sejin_case(desk, world)
    with read_session(desk.sessions) as s:
        batch = s.get_one(Case, case_id).batch_id
    admin = world.auth("hanbit_admin")
    assert (
        client.post(f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=admin).status_code
        == 200
    )
    before = _state(desk, case_id)
    rows = [r for r in roster_rows("Hanbit GA Cell Plant") if r["worker_id"].startswith("HB")]
    for who in ("hanbit_admin", "sejin_staff"):
        r = client.post(
            f"/api/v1/batches/{batch}/roster",
            files={"file": ("late.csv", roster_csv(rows[:3]))},
            headers=world.auth(who),
        )
        assert r.status_code == 409, (who, r.text)
        assert r.json()["error"]["code"] == "batch_not_open"
    r = client.post(f"/api/v1/batches/{batch}/submit", json=SUBMIT_ALL, headers=admin)
    assert r.status_code == 409
    r = client.post(
        f"/api/v1/batches/{batch}/members", json={"org_id": world.subs["daeseong"]}, headers=admin
    )
    assert r.status_code == 409
    assert _state(desk, case_id) == before


def test_a_server_error_shows_no_details(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("passport M12345678 in a traceback")

    monkeypatch.setattr(cases, "stats", broken)
    r = client.get("/api/v1/stats", headers={**world.auth("officer"), "Accept-Language": "ko"})
    assert r.status_code == 500
    assert r.json() == {
        "error": {"code": "internal", "message": t("desk.error.internal", "ko"), "details": []}
    }
    assert "M12345678" not in r.text and "Traceback" not in r.text
