"""Uploads through the API: rosters (all or nothing, idempotent) and documents (by content).

A roster with problems is 422 ``invalid_roster`` naming row, column, value and
what was wrong, and stores nothing; a resident registration number refuses
the file and is never echoed; uploading the same roster again updates and
never duplicates. A document's type is read from its bytes, not its name.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.desk.fixtures import (
    PDF,
    World,
    employer_rows,
    file_roster,
    first_case,
    first_required_kind,
    hanbit_batch,
    roster_csv,
    roster_rows,
)
from visadesk.desk import documents
from visadesk.desk.db import read_session
from visadesk.desk.models import AuditHead, Base, Case, Person
from visadesk.desk.runtime import Desk

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
RRN = "900101-1234567"


def _own(limit: int | None = None) -> list[dict[str, str]]:
    return employer_rows("Hanbit Energy Solutions", limit)


def _batch(desk: Desk, world: World, *invited: str) -> int:
    return hanbit_batch(desk, world, *invited, name="uploads")


def _counts(desk: Desk) -> tuple[Any, ...]:
    with read_session(desk.sessions) as s:
        rows = tuple(
            s.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        )
        return (*rows, s.get_one(AuditHead, 1).seq)


def _upload(
    client: TestClient,
    world: World,
    batch: int,
    data: bytes,
    *,
    who: str = "hanbit_admin",
    name: str = "roster.csv",
    lang: str = "en",
) -> Any:
    return client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": (name, data)},
        headers={**world.auth(who), "Accept-Language": lang},
    )


# -- rosters -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_roster_with_problems_is_422_and_stores_nothing(
    client: TestClient, desk: Desk, world: World, lang: str
) -> None:
    batch = _batch(desk, world)
    rows = _own(6)
    rows[1] = {**rows[1], "trip_start": "2027-02-30"}  # no such day
    rows[3] = {**rows[3], "nationality": "XX"}
    rows[4] = {**rows[4], "trip_end": "2020-01-01"}  # before the start
    before = _counts(desk)
    r = _upload(client, world, batch, roster_csv(rows), lang=lang)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_roster"
    details = {(d["row"], d["column"]): d for d in error["details"]}
    # Spreadsheet rows: the header is row 1, the first person row 2.
    assert details[(3, "trip_start")]["value"] == "2027-02-30"
    assert details[(5, "nationality")]["value"] == "XX"
    assert any(row == 6 for row, _ in details)
    for d in error["details"]:
        assert d["code"] and d["message"], d
    if lang == "ko":
        hangul = [ch for d in error["details"] for ch in d["message"] if "\uac00" <= ch <= "\ud7a3"]
        assert hangul and any("\uac00" <= ch <= "\ud7a3" for ch in error["message"])
    assert _counts(desk) == before


def test_roster_of_another_project_is_refused(client: TestClient, desk: Desk, world: World) -> None:
    batch = _batch(desk, world)
    rows = roster_rows("Haeon Philadelphia Shipyard Modernization", limit=2)
    before = _counts(desk)
    r = _upload(client, world, batch, roster_csv(rows))
    assert r.status_code == 422, r.text
    assert {d["code"] for d in r.json()["error"]["details"]} == {"project_mismatch"}
    assert _counts(desk) == before


@pytest.mark.parametrize("where", ["column", "cell"])
def test_resident_registration_numbers_are_refused_never_echoed(
    client: TestClient, desk: Desk, world: World, where: str
) -> None:
    batch = _batch(desk, world)
    rows = _own(3)
    if where == "column":
        rows = [{**r, "주민등록번호": RRN} for r in rows]
    else:
        rows[1] = {**rows[1], "role": f"engineer {RRN}"}
    before = _counts(desk)
    for lang in ("en", "ko"):
        r = _upload(client, world, batch, roster_csv(rows), lang=lang)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_roster"
        assert "rrn_present" in {d["code"] for d in r.json()["error"]["details"]}
        assert "1234567" not in r.text
        assert "9001011234567" not in r.text.replace("-", "")
    assert _counts(desk) == before


def test_value_the_database_cannot_hold_is_refused(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = _batch(desk, world)
    rows = _own(2)
    rows[1] = {**rows[1], "worker_id": "W" * 65}
    before = _counts(desk)
    r = _upload(client, world, batch, roster_csv(rows))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "value_not_storable"
    assert error["details"] == [{"row": 3, "column": "worker_id", "length": 65, "limit": 64}]
    assert _counts(desk) == before


def test_reuploading_updates_never_duplicates(client: TestClient, desk: Desk, world: World) -> None:
    batch = _batch(desk, world)
    rows = _own(8)
    r = _upload(client, world, batch, roster_csv(rows))
    assert r.status_code == 200, r.text
    first = r.json()
    assert (first["rows"], first["created"], first["updated"]) == (8, 8, 0)
    counts = _counts(desk)[:-1]
    r = _upload(client, world, batch, roster_csv(rows))
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 8)
    assert r.json()["cases"] == first["cases"]
    changed = [dict(row) for row in rows]
    changed[0]["trip_end"] = "2027-01-20"
    changed[5]["activities"] = "meetings"
    r = _upload(client, world, batch, roster_csv(changed), name="roster v2.csv")
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 2, 6)
    with read_session(desk.sessions) as s:
        people = s.scalar(select(func.count()).select_from(Person))
        cases = s.scalar(select(func.count()).where(Case.batch_id == batch))
    assert people == 8
    assert cases == first["cases"]
    # Only screenings (and the audit log) grow: a changed trip is screened again.
    after = _counts(desk)[:-1]
    tables = [t.name for t in Base.metadata.sorted_tables]
    grew = {tables[i] for i, (a, b) in enumerate(zip(counts, after, strict=True)) if a != b}
    assert grew <= {"screening", "audit_entry"}, grew
    # A new row appended is created; the others stay.
    more = [*changed, _own(9)[8]]
    r = _upload(client, world, batch, roster_csv(more))
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (1, 0, 8)


def test_subcontractor_uploads_only_where_invited(
    client: TestClient, desk: Desk, world: World
) -> None:
    invited = _batch(desk, world, "sejin")
    other = _batch(desk, world, "daeseong")
    sejin_rows = employer_rows("Sejin Plant Engineering & Construction", 3)
    before = _counts(desk)
    for who in ("sejin_staff", "kukje_staff"):
        r = _upload(client, world, other, roster_csv(sejin_rows), who=who)
        assert r.status_code == 404, (who, r.text)
        assert r.json()["error"]["code"] == "not_found"
    assert _counts(desk) == before
    r = _upload(client, world, invited, roster_csv(sejin_rows), who="sejin_staff")
    assert r.status_code == 200, r.text
    # Desk roles file nothing: they review.
    r = _upload(client, world, invited, roster_csv(sejin_rows), who="officer")
    assert r.status_code == 403


def test_roster_formats_are_checked(client: TestClient, desk: Desk, world: World) -> None:
    batch = _batch(desk, world)
    r = _upload(client, world, batch, roster_csv(_own(2)), name="roster.exe")
    assert r.status_code == 415, r.text
    assert r.json()["error"]["code"] == "unsupported_format"


# -- documents -------------------------------------------------------------------------------


@pytest.fixture
def case_kind(desk: Desk, world: World) -> tuple[int, str]:
    file_roster(desk, world, _batch(desk, world), _own(4))
    case = first_case(desk)
    return case, first_required_kind(desk, case)


def _files(desk: Desk) -> set[str]:
    return {p.name for p in desk.settings.documents_dir.rglob("*") if p.is_file()}


def _document(
    client: TestClient, world: World, case_id: int, kind: str, *, name: str, data: bytes
) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/documents",
        data={"kind": kind},
        files={"file": (name, data, "application/pdf")},
        headers=world.auth("hanbit_staff"),
    )


def test_document_type_is_read_from_its_bytes(
    client: TestClient, desk: Desk, world: World, case_kind: tuple[int, str]
) -> None:
    case_id, kind = case_kind
    r = _document(client, world, case_id, kind, name="passport.pdf", data=PNG)
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png"
    assert r.json()["filename"] == "passport.pdf"
    before, files = _counts(desk), _files(desk)
    for name, data in (("setup.exe", EXE), ("letter.pdf", EXE), ("notes.pdf", b"just text")):
        r = _document(client, world, case_id, kind, name=name, data=data)
        assert r.status_code == 415, (name, r.text)
        assert r.json()["error"]["code"] == "unsupported_document_type"
    assert (_counts(desk), _files(desk)) == (before, files)


def test_document_limits(
    client: TestClient, desk: Desk, world: World, case_kind: tuple[int, str]
) -> None:
    case_id, kind = case_kind
    before = _counts(desk)
    files = _files(desk)
    too_big = PDF + b"0" * documents.MAX_DOCUMENT_BYTES
    r = _document(client, world, case_id, kind, name="big.pdf", data=too_big)
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "file_too_large"
    r = _document(client, world, case_id, "no_such_kind", name="x.pdf", data=PDF)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_choice"
    r = _document(client, world, case_id, kind, name="empty.pdf", data=b"")
    assert r.status_code == 422, r.text
    assert _counts(desk) == before
    assert _files(desk) == files


def test_document_download_is_the_same_bytes(
    client: TestClient, world: World, case_kind: tuple[int, str]
) -> None:
    case_id, kind = case_kind
    data = PDF + bytes(range(256)) * 64
    r = _document(client, world, case_id, kind, name="../../etc/letter.pdf", data=data)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["size"] == len(data)
    assert doc["filename"] == "letter.pdf"  # no path from the client survives
    for who in ("hanbit_admin", "officer", "auditor"):
        r = client.get(f"/api/v1/documents/{doc['id']}/content", headers=world.auth(who))
        assert r.status_code == 200, (who, r.text)
        assert r.content == data
        assert hashlib.sha256(r.content).hexdigest() == doc["sha256"]
        assert r.headers["content-type"] == "application/pdf"
    listed = client.get(f"/api/v1/cases/{case_id}/uploads", headers=world.auth("hanbit_staff"))
    assert [d["id"] for d in listed.json()] == [doc["id"]]
