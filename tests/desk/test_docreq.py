"""Document requests as ticked checklist items, the filer's to-do, the guard on sending a
case back, in-app notifications and plain-language file-type errors (issue #12, §5).

Through the desk's services and the API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import delete, inspect, select

from tests.desk.fixtures import (
    PDF,
    World,
    accept_documents,
    employer_rows,
    file_roster,
    hanbit_batch,
)
from visadesk.desk import audit, documents, filetypes, notifications, transitions
from visadesk.desk.db import _alembic_config, make_engine, read_session, upgrade, write_session
from visadesk.desk.models import AuditEntry, Case, Notification, Trip
from visadesk.desk.runtime import Desk
from visadesk.i18n import catalog, t

HANBIT_CO = "Hanbit Energy Solutions"
SEJIN_CO = "Sejin Plant Engineering & Construction"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture
def cases(desk: Desk, world: World) -> dict[str, int]:
    """A submitted Hanbit batch with Sejin invited: a case of Hanbit's own staff (``own``)
    and one of Sejin's (``sejin``), both in review."""
    batch = hanbit_batch(desk, world, "sejin")
    file_roster(desk, world, batch, employer_rows(HANBIT_CO, 3))
    file_roster(desk, world, batch, employer_rows(SEJIN_CO), who="sejin_staff", submit=True)
    found: dict[str, int] = {}
    with read_session(desk.sessions) as s:
        rows = s.execute(
            select(Case.id, Case.org_id).where(Case.batch_id == batch).order_by(Case.id)
        ).all()
    for case_id, org_id in rows:
        key = "sejin" if org_id == world.subs["sejin"] else "own"
        found.setdefault(key, case_id)
    assert set(found) == {"own", "sejin"}, rows
    for case_id in found.values():
        _move(desk, world, case_id, "in_review")
    return found


def _move(desk: Desk, world: World, case_id: int, to: str, who: str = "officer") -> None:
    with write_session(desk.sessions) as s:
        transitions.take_transition(s, world.users[who], case_id, transitions.Move(to), desk)


def _kinds(desk: Desk, case_id: int) -> list[str]:
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        return [i.id for i in documents.case_checklist(s, case, desk.checklist)]


def _ask(client: TestClient, world: World, case_id: int, who: str = "officer", **body: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/document-requests", json=body, headers=world.auth(who)
    )


def _upload(
    client: TestClient, world: World, case_id: int, kind: str, who: str = "hanbit_staff", **kw: Any
) -> Any:
    data = kw.get("data", PDF)
    name = kw.get("name", f"{kind}.pdf")
    lang = kw.get("lang", "en")
    return client.post(
        f"/api/v1/cases/{case_id}/documents?lang={lang}",
        data={"kind": kind},
        files={"file": (name, data, "application/pdf")},
        headers=world.auth(who),
    )


def _review(client: TestClient, world: World, doc_id: int, status: str, comment: str = "") -> Any:
    return client.post(
        f"/api/v1/documents/{doc_id}/review",
        json={"status": status, "comment": comment},
        headers=world.auth("officer"),
    )


def _states(client: TestClient, world: World, case_id: int, who: str = "hanbit_admin") -> Any:
    r = client.get(f"/api/v1/cases/{case_id}/document-requests", headers=world.auth(who))
    assert r.status_code == 200, r.text
    return r.json()


def _notices(client: TestClient, world: World, who: str, lang: str = "en") -> list[Any]:
    r = client.get(f"/api/v1/notifications?lang={lang}", headers=world.auth(who))
    assert r.status_code == 200, r.text
    body: list[Any] = r.json()
    return body


# -- 1. a request is ticked items, stored as data and audited --------------------------------


def test_a_request_stores_ticked_items_extras_and_note_and_moves_the_case(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["own"]
    kinds = _kinds(desk, case_id)[:2]
    r = _ask(client, world, case_id, kinds=kinds, extras=["Hotel booking"], note="Please send")
    assert r.status_code == 201, r.text
    body = r.json()
    assert [i["kind"] for i in body["items"]][:2] == kinds
    extra = body["items"][2]
    assert extra["extra"] and extra["title"] == "Hotel booking"
    assert extra["kind"].startswith("extra_")
    assert [i["state"] for i in body["items"]] == ["not_uploaded"] * 3
    assert (body["uploaded"], body["total"], body["progress"]) == (0, 3, "0 of 3 uploaded")
    assert body["note"] == "Please send"
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, case_id).state == "documents_requested"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.request")).one()
        assert entry.entity_id == str(case_id)
        assert entry.data["items"] == [*kinds, extra["kind"]]
        assert audit.check(s).problems == []
    # A second request adds to the open one; items already asked for are not doubled.
    r = _ask(client, world, case_id, kinds=[kinds[0], _kinds(desk, case_id)[2]])
    assert r.status_code == 201, r.text
    assert r.json()["total"] == 4


def test_request_refusals(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["own"]
    r = _ask(client, world, case_id, kinds=["no_such_item"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_choice"
    assert "no_such_item" in r.json()["error"]["message"]
    r = _ask(client, world, case_id, kinds=[], extras=["  "])
    assert r.status_code == 422 and r.json()["error"]["code"] == "request_needs_items"
    r = _ask(client, world, case_id, who="hanbit_admin", kinds=_kinds(desk, case_id)[:1])
    assert r.status_code == 403
    # Another sponsor's user cannot even see the case.
    r = _ask(client, world, case_id, who="haeon_admin", kinds=_kinds(desk, case_id)[:1])
    assert r.status_code == 404
    # Nothing was stored by the refusals.
    r = client.get(f"/api/v1/cases/{case_id}/document-requests", headers=world.auth("officer"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_open_request"
    r = _ask(client, world, case_id, kinds=_kinds(desk, case_id)[:1], version=999)
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale"
    # A case not in review (here: submitted, not yet picked up) cannot be asked.
    with read_session(desk.sessions) as s:
        waiting = s.scalars(select(Case.id).where(Case.state == "submitted")).first()
    assert waiting is not None
    r = _ask(client, world, waiting, kinds=_kinds(desk, waiting)[:1])
    assert r.status_code == 409 and r.json()["error"]["code"] == "request_not_allowed"


# -- 2. item states and progress --------------------------------------------------------------


def test_item_states_not_uploaded_awaiting_review_accepted_rejected(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["own"]
    a, b, c = _kinds(desk, case_id)[:3]
    assert _ask(client, world, case_id, kinds=[a, b, c]).status_code == 201
    doc_a = _upload(client, world, case_id, a).json()["id"]
    doc_b = _upload(client, world, case_id, b).json()["id"]
    body = _states(client, world, case_id)
    assert [i["state"] for i in body["items"]] == [
        "awaiting_review",
        "awaiting_review",
        "not_uploaded",
    ]
    assert body["progress"] == "2 of 3 uploaded"
    assert _review(client, world, doc_a, "accepted").status_code == 200
    assert _review(client, world, doc_b, "rejected", "The scan is unreadable").status_code == 200
    body = _states(client, world, case_id)
    states = {i["kind"]: (i["state"], i["reason"]) for i in body["items"]}
    assert states == {
        a: ("accepted", ""),
        b: ("rejected", "The scan is unreadable"),
        c: ("not_uploaded", ""),
    }
    assert (body["uploaded"], body["accepted"], body["total"]) == (1, 1, 3)
    # In Korean the progress reads in Korean.
    r = client.get(
        f"/api/v1/cases/{case_id}/document-requests?lang=ko", headers=world.auth("hanbit_admin")
    )
    assert r.json()["progress"] == "3건 중 1건 업로드됨"


def test_an_extra_item_is_uploaded_against_and_the_request_closes_when_all_accepted(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["own"]
    kind = _kinds(desk, case_id)[0]
    body = _ask(client, world, case_id, kinds=[kind], extras=["Hotel booking"]).json()
    extra = body["items"][1]["kind"]
    docs = [_upload(client, world, case_id, k).json()["id"] for k in (kind, extra)]
    for doc in docs:
        assert _review(client, world, doc, "accepted").status_code == 200
    r = client.get(f"/api/v1/cases/{case_id}/document-requests", headers=world.auth("officer"))
    assert r.status_code == 404  # closed: every item accepted
    assert client.get("/api/v1/todo", headers=world.auth("hanbit_admin")).json() == []


# -- 3. the guard on sending the case back -----------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_filer_cannot_send_the_case_back_with_requested_items_missing(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int], lang: str
) -> None:
    case_id = cases["own"]
    a, b = _kinds(desk, case_id)[:2]
    assert _ask(client, world, case_id, kinds=[a, b]).status_code == 201
    assert _upload(client, world, case_id, a).status_code == 201
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions?lang={lang}",
        json={"to": "in_review"},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "requested_items_missing"
    assert error["details"] == [{"kind": b, "state": "not_uploaded"}]
    title = desk.checklist.item(b).title.get(lang)
    other = desk.checklist.item(a).title.get(lang)
    assert title in error["message"] and other not in error["message"]
    assert ("Upload them first" in error["message"]) == (lang == "en")
    assert ("먼저 올려 주십시오" in error["message"]) == (lang == "ko")
    # Once every item is uploaded, the case goes back; the desk is told.
    assert _upload(client, world, case_id, b).status_code == 201
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": "in_review"},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code == 200, r.text
    assert [n["message"] for n in _notices(client, world, "officer")] == ["case_sent_back"]
    assert [n["message"] for n in _notices(client, world, "supervisor")] == ["case_sent_back"]


def test_a_rejected_item_counts_as_missing_and_the_desk_may_take_the_case_back(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["own"]
    kind = _kinds(desk, case_id)[0]
    assert _ask(client, world, case_id, kinds=[kind]).status_code == 201
    doc = _upload(client, world, case_id, kind).json()["id"]
    assert _review(client, world, doc, "rejected", "Expired").status_code == 200
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": "in_review"},
        headers=world.auth("hanbit_staff"),
    )
    assert r.status_code == 409
    assert r.json()["error"]["details"] == [{"kind": kind, "state": "rejected"}]
    r = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"to": "in_review"},
        headers=world.auth("officer"),
    )
    assert r.status_code == 200, r.text


# -- tenant isolation: requests, the to-do, notifications --------------------------------------


def test_requests_and_the_todo_are_tenant_isolated(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    for key in ("own", "sejin"):
        kinds = _kinds(desk, cases[key])[:2]
        assert _ask(client, world, cases[key], kinds=kinds).status_code == 201

    def todo(who: str) -> set[int]:
        r = client.get("/api/v1/todo", headers=world.auth(who))
        assert r.status_code == 200, r.text
        return {d["case_id"] for d in r.json()}

    assert todo("hanbit_admin") == {cases["own"], cases["sejin"]}
    assert todo("hanbit_staff") == {cases["own"], cases["sejin"]}
    assert todo("sejin_staff") == {cases["sejin"]}
    assert todo("daeseong_staff") == set()
    assert todo("haeon_admin") == set()
    assert todo("kukje_staff") == set()
    assert todo("officer") == {cases["own"], cases["sejin"]}
    for who, case_id in (
        ("haeon_admin", cases["own"]),
        ("sejin_staff", cases["own"]),
        ("daeseong_staff", cases["sejin"]),
    ):
        r = client.get(f"/api/v1/cases/{case_id}/document-requests", headers=world.auth(who))
        assert r.status_code == 404, (who, r.text)


def test_notifications_go_to_the_users_who_may_act_and_nobody_else(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    own, sejin = cases["own"], cases["sejin"]
    assert _ask(client, world, own, kinds=_kinds(desk, own)[:1]).status_code == 201
    assert _ask(client, world, sejin, kinds=_kinds(desk, sejin)[:1]).status_code == 201

    def cases_of(who: str) -> list[int]:
        return [n["case_id"] for n in _notices(client, world, who)]

    # The sponsor's users hear of both; the subcontractor only of its own person.
    assert sorted(cases_of("hanbit_admin")) == sorted([own, sejin])
    assert sorted(cases_of("hanbit_staff")) == sorted([own, sejin])
    assert cases_of("sejin_staff") == [sejin]
    for nobody in ("daeseong_staff", "haeon_admin", "kukje_staff", "officer", "auditor", "admin"):
        assert cases_of(nobody) == [], nobody
    mine = _notices(client, world, "sejin_staff")[0]
    # Another user's notification cannot be read or marked: 404, unchanged.
    for who in ("hanbit_admin", "haeon_admin", "officer"):
        r = client.post(f"/api/v1/notifications/{mine['id']}/read", headers=world.auth(who))
        assert r.status_code == 404, who
    assert _notices(client, world, "sejin_staff")[0]["read"] is False
    unread = client.get("/api/v1/notifications/unread", headers=world.auth("hanbit_admin"))
    assert unread.json() == {"unread": 2}
    r = client.post(f"/api/v1/notifications/{mine['id']}/read", headers=world.auth("sejin_staff"))
    assert r.status_code == 204
    assert _notices(client, world, "sejin_staff")[0]["read"] is True
    r = client.post("/api/v1/notifications/read", headers=world.auth("hanbit_admin"))
    assert r.json() == {"unread": 0}
    assert all(n["read"] for n in _notices(client, world, "hanbit_admin"))
    assert not any(n["read"] for n in _notices(client, world, "hanbit_staff"))


def test_notifications_are_stored_as_message_ids_and_read_in_the_readers_language(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["own"]
    kind = _kinds(desk, case_id)[0]
    assert _ask(client, world, case_id, kinds=[kind]).status_code == 201
    doc = _upload(client, world, case_id, kind).json()["id"]
    assert _review(client, world, doc, "rejected", "Blurred").status_code == 200
    with read_session(desk.sessions) as s:
        mine = Notification.user_id == world.users["hanbit_admin"].user_id
        stored = [
            (n.message, dict(n.params))
            for n in s.scalars(select(Notification).where(mine).order_by(Notification.id))
        ]
        worker = s.scalar(
            select(Trip.worker_id).join(Case, Case.trip_id == Trip.id).where(Case.id == case_id)
        )
    assert [m for m, _ in stored] == ["documents_requested", "document_rejected"]
    assert stored[1][1]["kind"] == kind and stored[1][1]["reason"] == "Blurred"
    english = set(catalog("en").values())  # no message text is stored, only its id
    assert not any(str(v) in english for _, params in stored for v in params.values())
    title = desk.checklist.item(kind).title
    for lang in ("en", "ko"):
        texts = [n["text"] for n in _notices(client, world, "hanbit_admin", lang)]
        assert texts[0] == t(
            "notify.document_rejected",
            lang,
            item=title.get(lang),
            case=case_id,
            worker=worker,
            reason="Blurred",
        )
        assert texts[1] == t(
            "notify.documents_requested", lang, case=case_id, worker=worker, category="B-1"
        )


def test_decisions_notify_the_filers_once_from_the_transition_table(
    client: TestClient, desk: Desk, world: World, cases: dict[str, int]
) -> None:
    case_id = cases["sejin"]
    accept_documents(desk, world, case_id, who="sejin_staff")
    with write_session(desk.sessions) as s:
        s.execute(delete(Notification))
    when = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)
    with write_session(desk.sessions) as s:
        officer = world.users["officer"]
        for move in (
            transitions.Move("ready_for_interview"),
            transitions.Move("interview_scheduled", interview_at=when),
            transitions.Move("approved", confirmed=True),
            transitions.Move("issued", confirmed=True),
        ):
            transitions.take_transition(s, officer, case_id, move, desk)
    for who in ("hanbit_admin", "hanbit_staff", "sejin_staff"):
        notes = _notices(client, world, who, "ko")
        assert [n["params"]["state"] for n in notes] == ["issued", "approved"], who
        assert "비자 발급됨" in notes[0]["text"] and "승인됨" in notes[1]["text"]
    for nobody in ("daeseong_staff", "haeon_admin", "officer"):
        assert _notices(client, world, nobody) == []
    with read_session(desk.sessions) as s:
        assert notifications.unread_count(s, world.users["sejin_staff"]) == 2


# -- 5. file types in plain words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "This file is a Word document (.docx). Upload a PDF, PNG or JPEG."),
        ("ko", "이 파일은 Word 문서(.docx)입니다. PDF, PNG 또는 JPEG 파일을 올려 주십시오."),
    ],
)
def test_a_wrong_file_type_is_named_in_words_in_both_languages(  # noqa: PLR0917 - fixtures
    client: TestClient, desk: Desk, world: World, cases: dict[str, int], lang: str, expected: str
) -> None:
    case_id = cases["own"]
    kind = _kinds(desk, case_id)[0]
    r = _upload(client, world, case_id, kind, name="letter.pdf", data=_docx(), lang=lang)
    assert r.status_code == 415, r.text
    error = r.json()["error"]
    assert error["code"] == "unsupported_document_type"
    assert error["message"] == expected
    assert "application/" not in error["message"]


def _ole(*streams: str) -> bytes:
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return head + b"".join(s.encode("utf-16-le") + b"\x00" * 8 for s in streams)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 8, "jpeg"),
        (_docx(), "docx"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"xl/workbook.xml", "xlsx"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/hwp+zip", "hwpx"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"photos/a.jpg", "zip"),
        (_ole("Root Entry", "FileHeader", "BodyText") + b"HWP Document File", "hwp"),
        (_ole("Root Entry", "WordDocument"), "doc"),
        (_ole("Root Entry", "Workbook"), "xls"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 8, "heic"),
        (b"GIF89a" + b"\x00" * 8, "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "exe"),
        ("이름,여권\n홍길동,M1234567\n".encode(), "text"),
        (b"<!DOCTYPE html><html></html>", "html"),
        (b"\x00\x01\x02\x03garbage", "unknown"),
    ],
)
def test_file_kinds_are_told_from_the_bytes(data: bytes, kind: str) -> None:
    assert filetypes.kind_of(data) == kind
    assert kind in filetypes.KINDS


def test_every_file_kind_has_words_in_both_languages() -> None:
    for kind in filetypes.KINDS:
        for lang in ("en", "ko"):
            assert f"filetype.{kind}" in catalog(lang), (kind, lang)
    for message in notifications.MESSAGES:
        for lang in ("en", "ko"):
            assert f"notify.{message}" in catalog(lang)


# -- the migration -------------------------------------------------------------------------------


def test_the_docreq_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'steps.db'}")
    mine = {"document_request", "document_request_item", "notification"}
    try:
        upgrade(engine, "0007")
        assert mine <= set(inspect(engine).get_table_names())
        config = _alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0006")  # the revision before it
        assert not mine & set(inspect(engine).get_table_names())
        upgrade(engine, "0007")
        assert mine <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
