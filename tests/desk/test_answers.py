"""Issue #12, sections 3 and 4 through the API: notes for counsel for desk roles only, and
one person's missing facts answered without uploading the roster again."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.desk.fixtures import (
    HANBIT,
    SUBMIT_ALL,
    World,
    file_roster,
    hanbit_batch,
    roster_rows,
)
from visadesk.desk.db import read_session
from visadesk.desk.models import AuditEntry, Case, Trip
from visadesk.desk.runtime import Desk

API = "/api/v1"
#: A Hanbit person no status can be recommended for yet: E-2 waits for essential_skills.
AMBER = "HB-0020"


def _hanbit(desk: Desk, world: World, *, submit: bool = False) -> int:
    batch = hanbit_batch(desk, world, "daeseong")
    rows = [r for r in roster_rows(HANBIT) if r["employer"] == "Hanbit Energy Solutions"]
    file_roster(desk, world, batch, rows, submit=submit)
    return batch


def _trip(desk: Desk, worker_id: str) -> int:
    with read_session(desk.sessions) as s:
        found = s.scalar(select(Trip.id).where(Trip.worker_id == worker_id))
    assert found is not None
    return found


def _notes(body: Any) -> list[str]:
    """Every ``verify`` value anywhere in a JSON body."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "verify" and inner:
                    found.append(str(inner))
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(body)
    return found


def test_counsel_notes_reach_desk_roles_only(desk: Desk, world: World, client: TestClient) -> None:
    _hanbit(desk, world)
    trip = _trip(desk, "HB-0003")
    with read_session(desk.sessions) as s:
        case_id = s.scalar(select(Case.id).where(Case.trip_id == trip))
    assert case_id is not None
    paths = [f"{API}/trips/{trip}", f"{API}/cases/{case_id}", f"{API}/cases/{case_id}/documents"]
    for path in paths:
        for who in ("hanbit_admin", "hanbit_staff"):
            r = client.get(path, headers=world.auth(who))
            assert r.status_code == 200, r.text
            assert _notes(r.json()) == [], (who, path)
            assert "Roster proxy" not in r.text and "verify against" not in r.text
        for who in ("officer", "supervisor", "auditor"):
            r = client.get(path, headers=world.auth(who))
            assert r.status_code == 200, r.text
            assert _notes(r.json()), (who, path)


def test_a_missing_fact_answered_screens_the_person_again(
    desk: Desk, world: World, client: TestClient
) -> None:
    _hanbit(desk, world)
    trip = _trip(desk, AMBER)
    before = client.get(f"{API}/trips/{trip}?lang=ko", headers=world.auth("hanbit_admin")).json()
    assert before["recommended"] is None and before["case_id"] is None
    asked = {q["fact"]: q for q in before["questions"]}
    assert set(asked) >= {"essential_skills"}
    skills = asked["essential_skills"]
    assert skills["kind"] == "yes_no" and [c["value"] for c in skills["choices"]] == ["yes", "no"]
    assert "필수" in skills["question"] and skills["question"] != "essential_skills"

    r = client.post(
        f"{API}/trips/{trip}/facts",
        json={"answers": {"essential_skills": "예"}},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["statuses"]["E2"] == "eligible"
    assert after["recommended"] is not None and after["case_id"] is not None
    assert after["facts"]["essential_skills"] is True
    with read_session(desk.sessions) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "trip.answer_facts")).one()
        data = dict(entry.data)
        assert (entry.entity, entry.entity_id) == ("trip", str(trip))
        case = s.get_one(Case, after["case_id"])
        assert case.state == "draft" and case.category == after["recommended"]
    # The audit names the facts answered, never their values.
    assert data == {"facts": ["essential_skills"], "recommended": after["recommended"]}


def test_answers_are_checked_as_roster_cells_all_at_once(
    desk: Desk, world: World, client: TestClient
) -> None:
    _hanbit(desk, world)
    trip = _trip(desk, AMBER)
    r = client.post(
        f"{API}/trips/{trip}/facts",
        json={"answers": {"essential_skills": "maybe", "months_with_employer_last_3y": "48"}},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_roster"
    by_column = {d["column"]: d for d in error["details"]}
    assert by_column["essential_skills"]["value"] == "maybe"
    assert "yes or no" in by_column["essential_skills"]["message"]
    assert by_column["months_with_employer_last_3y"]["code"] == "out_of_range"
    unknown = client.post(
        f"{API}/trips/{trip}/facts",
        json={"answers": {"passport_number": "M1"}},
        headers=world.auth("hanbit_admin"),
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_choice"
    after = client.get(f"{API}/trips/{trip}", headers=world.auth("hanbit_admin")).json()
    assert "essential_skills" not in after["facts"] or after["facts"]["essential_skills"] is None


def test_only_the_filer_answers_and_only_before_submission(
    desk: Desk, world: World, client: TestClient
) -> None:
    batch = _hanbit(desk, world)
    trip = _trip(desk, AMBER)
    body = {"answers": {"essential_skills": "yes"}}
    url = f"{API}/trips/{trip}/facts"
    assert client.post(url, json=body, headers=world.auth("officer")).status_code == 403
    for outsider in ("haeon_admin", "kukje_staff", "daeseong_staff"):
        r = client.post(url, json=body, headers=world.auth(outsider))
        assert r.status_code == 404, (outsider, r.text)
    r = client.post(
        f"{API}/batches/{batch}/submit", json=SUBMIT_ALL, headers=world.auth("hanbit_admin")
    )
    assert r.status_code == 200, r.text
    r = client.post(url, json=body, headers=world.auth("hanbit_admin"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "batch_not_open"


def test_a_json_true_is_a_yes_and_a_desk_reader_keeps_the_notes(
    desk: Desk, world: World, client: TestClient
) -> None:
    _hanbit(desk, world)
    trip = _trip(desk, AMBER)
    r = client.post(
        f"{API}/trips/{trip}/facts",
        json={"answers": {"essential_skills": True}},
        headers=world.auth("hanbit_staff"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["facts"]["essential_skills"] is True
    assert _notes(r.json()) == []
    officer = client.get(f"{API}/trips/{trip}", headers=world.auth("officer")).json()
    assert officer["statuses"]["E2"] == "eligible" and _notes(officer)
