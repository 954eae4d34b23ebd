"""Decisions (issue #12, section 5): confirmations on final moves, refusal grounds as
data, and the batch submit step, through the desk's API (each rule on SQLite and
PostgreSQL through the desk fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, inspect, select, update

from tests.desk.fixtures import (
    World,
    file_roster,
    first_case,
    hanbit_batch,
    roster_rows,
)
from visadesk.desk import db
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import AuditEntry, AuditHead, Batch, Case, CaseEvent, CaseRefusal, Trip
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

API: Final = "/api/v1"
#: Rows of the bundled sample with a known screening as of the tests' day: HB-0001 travels
#: on ESTA (green, VWP), HB-0003 is a B-1 case (green), HB-0020 and HB-0033 need
#: information (amber); the red row is SJ-0001's construction work filed as Hanbit's.
COVERED, CASE, AMBER_1, AMBER_2, RED = "HB-0001", "HB-0003", "HB-0020", "HB-0033", "HB-0901"


def three_lights_rows() -> list[dict[str, str]]:
    sample = {r["worker_id"]: r for r in roster_rows()}
    hanbit = sample[CASE]
    red = {
        **sample["SJ-0001"],
        "worker_id": RED,
        "passport_number": "M99000901",
        **{k: hanbit[k] for k in ("employer", "sponsor", "project", "worksite", "us_entity")},
    }
    return [sample[w] for w in (COVERED, CASE, AMBER_1, AMBER_2)] + [red]


def _three_lights(desk: Desk, world: World) -> int:
    batch = hanbit_batch(desk, world, name="lights")
    file_roster(desk, world, batch, three_lights_rows())
    return batch


def _put(desk: Desk, case_id: int, state: str) -> int:
    with write_session(desk.sessions) as s:
        s.execute(update(Case).where(Case.id == case_id).values(state=state))
        return s.get_one(Case, case_id).version


def _snapshot(desk: Desk, case_id: int) -> tuple[str, int, int, int]:
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        events = s.scalar(select(func.count()).where(CaseEvent.case_id == case_id)) or 0
        return case.state, case.version, events, s.get_one(AuditHead, 1).seq


def _decided_case(desk: Desk, world: World) -> int:
    """A B-1 case waiting for its decision (interview held)."""
    batch = hanbit_batch(desk, world, name="decide")
    file_roster(desk, world, batch, [r for r in three_lights_rows() if r["worker_id"] == CASE])
    case = first_case(desk, batch, "B1")
    _put(desk, case, "interview_scheduled")
    return case


def _move(client: TestClient, world: World, case: int, body: dict[str, Any], **kw: Any) -> Any:
    headers = {**world.auth(kw.get("who", "officer")), **kw.get("headers", {})}
    return client.post(f"{API}/cases/{case}/transitions", json=body, headers=headers)


# -- confirmations -------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["approved", "refused"])
def test_a_final_move_without_confirm_is_refused_and_changes_nothing(
    client: TestClient, desk: Desk, world: World, target: str
) -> None:
    case = _decided_case(desk, world)
    before = _snapshot(desk, case)
    body: dict[str, Any] = {"to": target, "comment": "Decided.", "refusal": {"ground": "ina_214b"}}
    if target == "approved":
        del body["refusal"]
    for confirm in ({}, {"confirm": False}):
        r = _move(client, world, case, body | confirm, headers={"Accept-Language": "ko"})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "confirm_required"
        assert error["message"] == t("desk.error.confirm_required", "ko")
        assert _snapshot(desk, case) == before
    r = _move(client, world, case, body | {"confirm": True})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == target


def test_issuing_and_closing_need_confirm_too(client: TestClient, desk: Desk, world: World) -> None:
    case = _decided_case(desk, world)
    _put(desk, case, "approved")
    r = _move(client, world, case, {"to": "issued"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "confirm_required")
    # A move that can be undone needs no confirmation.
    _put(desk, case, "submitted")
    assert _move(client, world, case, {"to": "in_review"}).status_code == 200


# -- refusal grounds -----------------------------------------------------------------------


def test_the_grounds_are_listed_with_citations_and_counsel_notes_for_the_desk_only(
    client: TestClient, world: World
) -> None:
    officer = client.get(f"{API}/refusal-grounds", headers=world.auth("officer")).json()
    assert [(g["id"], g["citation"]) for g in officer] == [
        ("ina_214b", "INA 214(b)"),
        ("ina_221g", "INA 221(g)"),
        ("ina_212a", "INA 212(a)"),
    ]
    by_id = {g["id"]: g for g in officer}
    assert by_id["ina_221g"]["requires_items"] is True
    assert [s["citation"] for s in by_id["ina_212a"]["sub_grounds"]] == [
        "INA 212(a)(9)(B)",
        "INA 212(a)",
    ]
    assert all(g["verify"] for g in officer)  # beyond the reference text: for counsel
    ko = client.get(
        f"{API}/refusal-grounds", headers={**world.auth("hanbit_admin"), "Accept-Language": "ko"}
    ).json()
    assert [g["label"] for g in ko] == [t(f"refusal.ground.{g['id']}", "ko") for g in ko]
    assert all(g["verify"] is None for g in ko)  # counsel's notes are not the sponsor's


def test_a_refusal_without_ground_or_comment_is_refused_with_every_problem(
    client: TestClient, desk: Desk, world: World
) -> None:
    case = _decided_case(desk, world)
    before = _snapshot(desk, case)
    r = _move(client, world, case, {"to": "refused", "confirm": True})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "refusal_incomplete"
    assert [d["problem"] for d in error["details"]] == ["ground_required", "comment_required"]
    assert t("decisions.problem.comment_required", "en") in error["message"]
    # A ground alone is not enough: the comment says why.
    body = {"to": "refused", "confirm": True, "refusal": {"ground": "ina_214b"}}
    r = _move(client, world, case, body)
    assert [d["problem"] for d in r.json()["error"]["details"]] == ["comment_required"]
    r = _move(client, world, case, body | {"comment": "  "})
    assert [d["problem"] for d in r.json()["error"]["details"]] == ["comment_required"]
    # A ground that is not in the rule data is named, with the choices.
    body = {"to": "refused", "confirm": True, "comment": "x", "refusal": {"ground": "ina_999"}}
    r = _move(client, world, case, body, headers={"Accept-Language": "ko"})
    (detail,) = r.json()["error"]["details"]
    assert detail["problem"] == "ground_unknown" and detail["value"] == "ina_999"
    assert "ina_999" in r.json()["error"]["message"] and "거절" in r.json()["error"]["message"]
    assert _snapshot(desk, case) == before


def test_a_221g_refusal_needs_the_items_missing(
    client: TestClient, desk: Desk, world: World
) -> None:
    case = _decided_case(desk, world)
    before = _snapshot(desk, case)
    body: dict[str, Any] = {
        "to": "refused",
        "confirm": True,
        "comment": "Send the letters.",
        "refusal": {"ground": "ina_221g"},
    }
    r = _move(client, world, case, body)
    assert r.status_code == 422, r.text
    assert [d["problem"] for d in r.json()["error"]["details"]] == ["items_required"]
    body["refusal"] = {"ground": "ina_221g", "items": ["tax_return"]}
    r = _move(client, world, case, body)
    (detail,) = r.json()["error"]["details"]
    assert detail["problem"] == "item_unknown" and detail["value"] == "tax_return"
    assert "employer_letter" in detail["choices"]  # the case's own checklist
    assert _snapshot(desk, case) == before
    body["refusal"] = {
        "ground": "ina_221g",
        "items": ["employer_letter"],
        "other_items": ["Bank statement for 3 months", "  "],
    }
    r = _move(client, world, case, body)
    assert r.status_code == 200, r.text
    refusal = r.json()["refusal"]
    assert refusal["ground"] == "ina_221g" and refusal["citation"] == "INA 221(g)"
    assert [i["title"] for i in refusal["items"]] == [
        "Employment verification letter",
        "Bank statement for 3 months",
    ]
    assert refusal["comment"] == "Send the letters."
    assert refusal["verify"]  # the officer reads the note for counsel
    with read_session(desk.sessions) as s:
        stored = s.scalars(select(CaseRefusal).where(CaseRefusal.case_id == case)).one()
        event = s.get_one(CaseEvent, stored.event_id)
        assert (event.to_state, event.comment) == ("refused", "Send the letters.")
        assert stored.items == ["employer_letter"]
        audited = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert audited is not None and audited.action == "case.transition"
        assert audited.data == {"from": "interview_scheduled", "to": "refused"} | {
            "ground": "ina_221g",
            "items": 2,
        }
    # The sponsor reads the same refusal, in Korean, without the note for counsel.
    r = client.get(
        f"{API}/cases/{case}", headers={**world.auth("hanbit_admin"), "Accept-Language": "ko"}
    )
    seen = r.json()["refusal"]
    assert seen["label"] == t("refusal.ground.ina_221g", "ko") and seen["verify"] is None
    assert seen["items"][0]["title"] == "재직 증명 및 출장 확인서"


def test_a_212a_refusal_needs_its_sub_ground(client: TestClient, desk: Desk, world: World) -> None:
    case = _decided_case(desk, world)
    _put(desk, case, "administrative_processing")
    body: dict[str, Any] = {
        "to": "refused",
        "confirm": True,
        "comment": "Unlawful presence on an earlier stay.",
        "refusal": {"ground": "ina_212a"},
    }
    r = _move(client, world, case, body)
    assert [d["problem"] for d in r.json()["error"]["details"]] == ["sub_ground_required"]
    body["refusal"] = {"ground": "ina_212a", "sub_ground": "a9c"}
    r = _move(client, world, case, body)
    assert [d["problem"] for d in r.json()["error"]["details"]] == ["sub_ground_unknown"]
    body["refusal"] = {"ground": "ina_212a", "sub_ground": "a9b"}
    r = _move(client, world, case, body)
    assert r.status_code == 200, r.text
    refusal = r.json()["refusal"]
    assert (refusal["sub_ground"], refusal["citation"]) == ("a9b", "INA 212(a)(9)(B)")
    assert refusal["label"] == (
        f"{t('refusal.ground.ina_212a', 'en')} — {t('refusal.sub_ground.ina_212a.a9b', 'en')}"
    )


# -- the batch submit step -----------------------------------------------------------------


def _preview(client: TestClient, world: World, batch: int, lang: str = "en") -> dict[str, Any]:
    headers = {**world.auth("hanbit_admin"), "Accept-Language": lang}
    r = client.get(f"{API}/batches/{batch}/submit", headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_submit_step_says_what_happens_to_each_person(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = _three_lights(desk, world)
    shown = _preview(client, world, batch)
    rows = {r["worker_id"]: r for r in shown["rows"]}
    assert {w: (r["light"], r["outcome"]) for w, r in rows.items()} == {
        COVERED: ("green", "covered"),
        CASE: ("green", "case"),
        AMBER_1: ("amber", "decide"),
        AMBER_2: ("amber", "decide"),
        RED: ("red", "not_filed"),
    }
    assert shown["counts"] == {"case": 1, "decide": 2, "covered": 1, "not_filed": 1}
    assert rows[CASE]["category"] == "B1" and rows[CASE]["case_id"] is not None
    # Only the person ESTA covers is told no desk case is needed, and why (the verdict).
    assert rows[COVERED]["category"] == "VWP"
    assert rows[COVERED]["explanation"].startswith("No desk case: Visa Waiver Program (ESTA)")
    assert "stay within its limit" in rows[COVERED]["explanation"]
    for worker in (AMBER_1, AMBER_2):
        amber = rows[worker]
        assert amber["reason"] == "needs_info" and amber["missing"]
        assert amber["explanation"].startswith("Needs information")
        assert amber["category"] not in (None, "VWP")
        assert "no desk case" not in amber["explanation"].lower()
        assert "no visa" not in amber["explanation"].lower()
    assert rows[RED]["reason"] == "no_status"
    assert rows[RED]["explanation"].startswith("Not filed")
    assert shown["notice"] == t("decisions.guidance", "en")
    ko = {r["worker_id"]: r for r in _preview(client, world, batch, "ko")["rows"]}
    assert ko[AMBER_1]["explanation"].startswith("정보 필요")
    assert ko[COVERED]["explanation"].startswith("데스크 사건 불필요")


def test_submitting_needs_confirm_and_a_decision_for_each_amber_person(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = _three_lights(desk, world)
    admin = world.auth("hanbit_admin")
    url = f"{API}/batches/{batch}/submit"
    for body in (None, {}, {"confirm": False, "amber": "hold"}):
        r = client.post(url, json=body, headers=admin)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "confirm_required"), body
    r = client.post(url, json={"confirm": True}, headers=admin)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "amber_undecided")
    assert AMBER_1 in r.json()["error"]["message"] and AMBER_2 in r.json()["error"]["message"]
    trips = {r["worker_id"]: r["trip_id"] for r in _preview(client, world, batch)["rows"]}
    r = client.post(
        url, json={"confirm": True, "decisions": {str(trips[AMBER_1]): "include"}}, headers=admin
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "amber_undecided")
    assert AMBER_2 in r.json()["error"]["message"] and AMBER_1 not in r.json()["error"]["message"]
    # A decision about someone the step does not ask about is refused, not ignored.
    r = client.post(
        url,
        json={"confirm": True, "amber": "hold", "decisions": {str(trips[CASE]): "include"}},
        headers=admin,
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "amber_not_pending")
    with read_session(desk.sessions) as s:
        assert s.get_one(Batch, batch).state == "open"
        assert s.scalar(select(func.count()).where(Case.batch_id == batch)) == 1


def test_amber_decisions_are_honoured(client: TestClient, desk: Desk, world: World) -> None:
    batch = _three_lights(desk, world)
    shown = {r["worker_id"]: r for r in _preview(client, world, batch)["rows"]}
    body = {
        "confirm": True,
        "amber": "hold",
        "decisions": {str(shown[AMBER_1]["trip_id"]): "include"},
    }
    r = client.post(f"{API}/batches/{batch}/submit", json=body, headers=world.auth("hanbit_admin"))
    assert r.status_code == 200, r.text
    assert r.json() == {"batch_id": batch, "submitted": 2, "included": 1, "held": 1}
    with read_session(desk.sessions) as s:
        filed = dict(
            s.execute(
                select(Trip.worker_id, Case.category)
                .join(Case, Case.trip_id == Trip.id)
                .where(Case.batch_id == batch, Case.state == "submitted")
            ).all()
        )
        assert filed == {CASE: "B1", AMBER_1: shown[AMBER_1]["category"]}
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "batch.submit").order_by(AuditEntry.seq)
        ).all()[-1]
        assert entry.data == {
            "cases": 2,
            "included": [shown[AMBER_1]["trip_id"]],
            "held": [shown[AMBER_2]["trip_id"]],
        }


def test_including_every_amber_person(client: TestClient, desk: Desk, world: World) -> None:
    batch = _three_lights(desk, world)
    body = {"confirm": True, "amber": "include"}
    r = client.post(f"{API}/batches/{batch}/submit", json=body, headers=world.auth("hanbit_admin"))
    assert r.status_code == 200, r.text
    assert (r.json()["submitted"], r.json()["included"], r.json()["held"]) == (3, 2, 0)
    # The officer sees the included cases as needing information (their screening says so).
    queue = client.get(f"{API}/cases", params={"batch_id": batch}, headers=world.auth("officer"))
    workers = {c["worker_id"] for c in queue.json()["items"]}
    assert workers == {CASE, AMBER_1, AMBER_2}


def test_the_preview_is_the_sponsors_admins(client: TestClient, desk: Desk, world: World) -> None:
    batch = _three_lights(desk, world)
    for who in ("hanbit_staff", "officer"):
        r = client.get(f"{API}/batches/{batch}/submit", headers=world.auth(who))
        assert r.status_code == 403, (who, r.text)
    r = client.get(f"{API}/batches/{batch}/submit", headers=world.auth("haeon_admin"))
    assert r.status_code == 404


# -- the migration -------------------------------------------------------------------------


def test_the_decisions_migration_goes_up_and_down(tmp_path: Path) -> None:
    """``0004`` adds ``case_refusal`` and takes it away again (reversible)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        db.upgrade(engine, "0004")
        assert "case_refusal" in inspect(engine).get_table_names()
        config = db._alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
        assert "case_refusal" not in inspect(engine).get_table_names()
        assert db.current_revision(engine) == "0003"
        db.upgrade(engine, "0004")
        assert db.current_revision(engine) == "0004"
    finally:
        engine.dispose()
