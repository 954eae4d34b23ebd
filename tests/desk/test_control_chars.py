"""NUL and control characters are refused in every text input, on every backend: API JSON
bodies, web forms, uploaded file names (documents, rosters) and roster cells; a multi-line
comment is still accepted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.desk.fixtures import (
    PASSWORD,
    PDF,
    World,
    employer_rows,
    file_roster,
    first_case,
    first_required_kind,
    hanbit_batch,
    roster_csv,
)
from tests.web.conftest import csrf_of
from visadesk.desk import documents
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Batch, Document, Project, Trip
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.safetext import control_character, escaped
from visadesk.server import create_app


def _own(limit: int) -> list[dict[str, str]]:
    return employer_rows("Hanbit Energy Solutions", limit)


def _batch(desk: Desk, world: World) -> int:
    return hanbit_batch(desk, world, name="controls")


@pytest.fixture
def submitted_case(desk: Desk, world: World) -> tuple[int, str]:
    """A submitted case and the first document kind its checklist asks for."""
    file_roster(desk, world, _batch(desk, world), _own(3), submit=True)
    case = first_case(desk)
    return case, first_required_kind(desk, case)


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand: clients percent-encode a control character in a
    file name (``%00``), but a hostile one sends the raw byte."""
    boundary = "visadesk-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    body = b"".join([*parts, head.encode(), data, f"\r\n--{boundary}--\r\n".encode()])
    return body, f"multipart/form-data; boundary={boundary}"


def _count(desk: Desk, table: Any) -> int:
    with read_session(desk.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_control_characters_are_found() -> None:
    assert control_character("KI\x00M") == (3, "\x00")
    assert control_character("a\x85b") == (2, "\x85")  # C1 (NEL)
    assert control_character("a\x7f") == (2, "\x7f")
    assert control_character("line\nline") == (5, "\n")
    assert control_character("line\r\nline\tend", multiline=True) is None
    assert control_character("a\x0bb", multiline=True) == (2, "\x0b")
    assert control_character("김민수 Hanbit-GA, Bryan County") is None
    assert escaped("KI\x00M\n김") == "KI\\x00M\\x0a김"


# -- API JSON bodies ---------------------------------------------------------------------


def test_api_body_refuses_nul_naming_the_field(
    client: TestClient, desk: Desk, world: World
) -> None:
    before = _count(desk, Batch)
    for lang in ("en", "ko"):
        r = client.post(
            "/api/v1/batches",
            json={"project_id": world.projects["hanbit"], "name": "Q1\x00 2027"},
            headers={**world.auth("hanbit_admin"), "Accept-Language": lang},
        )
        assert r.status_code == 422, r.text
        (detail,) = r.json()["error"]["details"]
        assert detail["location"] == "body.name"
        expected = t("safety.control_character", lang, field="name", char="U+0000", position=3)
        assert detail["problem"] == expected
    assert _count(desk, Batch) == before  # nothing half-written


def test_api_body_refuses_control_characters_and_line_breaks_in_single_line_text(
    client: TestClient, world: World
) -> None:
    for name in ("Plant\x1b[31m", "Plant\nTwo", "Plant\x9b", "Plant\x7f"):
        r = client.post(
            "/api/v1/projects",
            json={"name": name, "worksite": "Bryan County", "state": "GA", "sector": "energy"},
            headers=world.auth("hanbit_admin"),
        )
        assert r.status_code == 422, (name, r.text)
        assert "control character" in r.json()["error"]["details"][0]["problem"]


def test_api_comment_may_span_lines_but_holds_no_nul(
    client: TestClient, desk: Desk, world: World, submitted_case: tuple[int, str]
) -> None:
    case_id, _ = submitted_case
    officer = world.auth("officer")
    url = f"/api/v1/cases/{case_id}/transitions"
    r = client.post(url, json={"to": "in_review", "comment": "a\x00b"}, headers=officer)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["location"] == "body.comment"
    comment = "Checked with the sponsor.\r\nSecond line:\tpassport copy due"
    r = client.post(url, json={"to": "in_review", "comment": comment}, headers=officer)
    assert r.status_code == 200, r.text
    events = client.get(f"/api/v1/cases/{case_id}", headers=officer).json()["events"]
    assert events[-1]["comment"] == comment


# -- uploaded file names -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["pass\x00port.pdf", "pass\x01port.pdf", "passport\x85.pdf"])
def test_document_file_name_with_a_control_character_is_refused(
    client: TestClient, desk: Desk, world: World, submitted_case: tuple[int, str], name: str
) -> None:
    case_id, kind = submitted_case
    body, content_type = _multipart({"kind": kind}, name, PDF)
    r = client.post(
        f"/api/v1/cases/{case_id}/documents",
        content=body,
        headers={
            **world.auth("hanbit_staff"),
            "Accept-Language": "ko",
            "Content-Type": content_type,
        },
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "control_character"
    assert error["message"].startswith("filename: ") and "제어 문자" in error["message"]
    assert _count(desk, Document) == 0


def test_document_service_refuses_nul_in_the_file_name(
    desk: Desk, world: World, submitted_case: tuple[int, str]
) -> None:
    """The service itself refuses it, whatever adapter calls it (web page, API, CLI)."""
    case_id, kind = submitted_case
    with write_session(desk.sessions) as s, pytest.raises(DeskError) as raised:
        documents.upload(
            s,
            world.users["hanbit_staff"],
            case_id,
            kind=kind,
            filename="a\x00.pdf",
            data=PDF,
            checklist=desk.checklist,
            documents_dir=desk.settings.documents_dir,
        )
    assert (raised.value.code, raised.value.status) == ("control_character", 422)
    assert raised.value.params == {"field": "filename", "char": "U+0000", "position": 2}


def test_roster_file_name_with_nul_is_refused(client: TestClient, desk: Desk, world: World) -> None:
    batch = _batch(desk, world)
    body, content_type = _multipart({}, "ros\x00ter.csv", roster_csv(_own(2)))
    r = client.post(
        f"/api/v1/batches/{batch}/roster",
        content=body,
        headers={**world.auth("hanbit_admin"), "Content-Type": content_type},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "control_character"
    assert _count(desk, Trip) == 0


# -- roster cells ------------------------------------------------------------------------


def test_roster_cells_with_control_characters_are_problems(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = _batch(desk, world)
    rows = _own(3)
    rows[0]["family_name"] = "KI\x00M"
    rows[1]["worksite"] = "Bryan County\x1b[2J"
    rows[2]["worksite"] = "Hanbit-GA Battery Plant\nBryan County, GA"  # a line break is fine
    r = client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": ("r.csv", roster_csv(rows))},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["code"] == "invalid_roster"
    found = [(d["code"], d["row"], d["column"], d["value"]) for d in body["details"]]
    assert found == [
        ("control_character", 2, "family_name", "KI\\x00M"),
        ("control_character", 3, "worksite", "Bryan County\\x1b[2J"),
    ]
    assert "U+0000" in body["details"][0]["message"]
    assert _count(desk, Trip) == 0


def test_roster_cell_with_a_line_break_is_accepted(
    client: TestClient, desk: Desk, world: World
) -> None:
    batch = _batch(desk, world)
    rows = _own(2)
    rows[0]["worksite"] = "Hanbit-GA Battery Plant\nBryan County, GA"
    r = client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": ("r.csv", roster_csv(rows))},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code in (200, 201), r.text
    assert _count(desk, Trip) == 2


# -- web forms ---------------------------------------------------------------------------


@pytest.fixture
def browser(desk: Desk, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(desk), raise_server_exceptions=False) as c:
        page = c.get("/login?lang=ko")
        r = c.post(
            "/login",
            data={
                "email": "hanbit_admin@example.test",
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        yield c


def test_web_form_refuses_control_characters_naming_the_field(
    browser: TestClient, desk: Desk, world: World
) -> None:
    before = (_count(desk, Batch), _count(desk, Project))
    page = browser.get(f"/projects/{world.projects['hanbit']}")
    r = browser.post(
        f"/projects/{world.projects['hanbit']}/batches",
        data={"name": "Q1\x00", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    expected = t("safety.control_character", "ko", field="name", char="U+0000", position=3)
    assert expected in r.text
    page = browser.get("/projects")
    r = browser.post(
        "/projects",
        data={
            "name": "Plant",
            "worksite": "Bryan\x07 County",
            "state": "GA",
            "sector": "energy",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 422, r.text
    assert "worksite" in r.text and "U+0007" in r.text
    assert (_count(desk, Batch), _count(desk, Project)) == before
