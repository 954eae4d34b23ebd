"""Document requests, the to-do and notifications as pages, in process (SQLite and
PostgreSQL): the officer ticks items, the filer sees them by state and progress, cannot
send the case back with items missing, and reads and marks notifications (CSRF)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.desk.fixtures import PDF, World, employer_rows, file_roster, hanbit_batch
from tests.web.conftest import csrf_of
from visadesk.desk import documents, transitions
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

Browse = Callable[..., TestClient]


@pytest.fixture
def case_id(desk: Desk, world: World) -> int:
    """A case of Hanbit's own staff, in review."""
    batch = hanbit_batch(desk, world)
    rows = employer_rows("Hanbit Energy Solutions", 4)
    file_roster(desk, world, batch, rows, submit=True)
    with write_session(desk.sessions) as s:
        found = s.scalars(select(Case.id).where(Case.batch_id == batch).order_by(Case.id)).first()
        assert found is not None
        move = transitions.Move("in_review")
        transitions.take_transition(s, world.users["officer"], found, move, desk)
    return found


def _kinds(desk: Desk, case_id: int) -> list[str]:
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        return [i.id for i in documents.case_checklist(s, case, desk.checklist)]


def _request_two(officer: TestClient, desk: Desk, case_id: int) -> list[str]:
    page = officer.get(f"/cases/{case_id}")
    assert 'data-testid="docreq-form"' in page.text
    # The bare "request documents" button gives way to the form with ticked items.
    assert 'data-to="documents_requested"' not in page.text
    kinds = _kinds(desk, case_id)[:2]
    r = officer.post(
        f"/cases/{case_id}/document-request",
        data={"kinds": kinds, "note": "Please", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 200, r.text[-2000:]
    assert t("web.flash.requested_documents", "en") in r.text
    return kinds


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_requested_items_show_their_state_in_words_and_the_progress(
    browser_for: Browse, desk: Desk, case_id: int, lang: str
) -> None:
    officer = browser_for("officer")
    first, second = _request_two(officer, desk, case_id)
    sponsor = browser_for("hanbit_staff", lang)
    page = sponsor.get(f"/cases/{case_id}")
    items = re.findall(r'data-kind="([^"]+)" data-state="([^"]+)"', page.text)
    assert items == [(first, "not_uploaded"), (second, "not_uploaded")]
    assert t("docreq.progress", lang, done=0, total=2) in page.text
    r = sponsor.post(
        f"/cases/{case_id}/documents",
        data={"kind": first, "csrf_token": csrf_of(page.text)},
        files={"file": ("a.pdf", PDF)},
    )
    assert r.status_code == 200
    page = sponsor.get(f"/cases/{case_id}")
    items = re.findall(r'data-kind="([^"]+)" data-state="([^"]+)"', page.text)
    assert items == [(first, "awaiting_review"), (second, "not_uploaded")]
    # The checklist itself says each item's state too.
    tags = re.compile(r'data-kind="([^"]+)">\s*<h3>.*?data-state="([^"]+)"', re.S)
    checklist = dict(tags.findall(page.text))
    assert (checklist[first], checklist[second]) == ("awaiting_review", "not_uploaded")
    # The two states differ in words, not only in colour.
    assert t("docreq.state.awaiting_review", lang) in page.text
    assert t("docreq.state.not_uploaded", lang) in page.text
    assert t("docreq.progress", lang, done=1, total=2) in page.text
    todo = sponsor.get("/todo")
    assert f'data-case="{case_id}" data-uploaded="1" data-total="2"' in todo.text
    assert t("docreq.progress", lang, done=1, total=2) in todo.text
    # Sending the case back with an item missing is refused, naming the item.
    r = sponsor.post(
        f"/cases/{case_id}/transition",
        data={"to": "in_review", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 409
    title = desk.checklist.item(second).title.get(lang)
    assert title in r.text
    assert t("desk.error.requested_items_missing", lang, id=case_id, count=1, items=title) in r.text
    # The officer sees the same progress.
    assert t("docreq.progress", "en", done=1, total=2) in officer.get(f"/cases/{case_id}").text


def test_notifications_page_header_count_and_mark_read_with_csrf(
    browser_for: Browse, desk: Desk, case_id: int
) -> None:
    officer = browser_for("officer")
    _request_two(officer, desk, case_id)
    sponsor = browser_for("hanbit_admin", "ko")
    home = sponsor.get("/todo")
    assert 'data-testid="nav-notifications" data-unread="1"' in home.text
    assert t("notify.nav_unread", "ko", count=1) in home.text
    page = sponsor.get("/notifications")
    assert "데스크가 사건" in page.text and 'data-read="false"' in page.text
    note = re.search(r'data-id="(\d+)"', page.text)
    assert note is not None
    refused = sponsor.post(f"/notifications/{note.group(1)}/read", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    r = sponsor.post(
        f"/notifications/{note.group(1)}/read", data={"csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 200 and 'data-read="true"' in r.text
    assert 'data-unread="0"' in r.text
    # Another user's notification is not found for this one.
    other = browser_for("haeon_admin")
    mine = other.get("/notifications")
    assert t("notify.empty", "en") in mine.text
    r = other.post(f"/notifications/{note.group(1)}/read", data={"csrf_token": csrf_of(mine.text)})
    assert r.status_code == 404


def test_the_todo_is_scoped_and_says_when_empty(
    browser_for: Browse, desk: Desk, case_id: int
) -> None:
    _request_two(browser_for("officer"), desk, case_id)
    assert f'data-case="{case_id}"' in browser_for("hanbit_admin").get("/todo").text
    haeon = browser_for("haeon_admin", "ko").get("/todo")
    assert f'data-case="{case_id}"' not in haeon.text
    assert t("docreq.todo.empty", "ko") in haeon.text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_bare_move_to_documents_requested_is_refused_on_the_page(
    browser_for: Browse, desk: Desk, case_id: int, lang: str
) -> None:
    """Issue #12: the transition form cannot ask for documents with a comment alone; the
    page says, in the reader's language, to ask with the items (the request form)."""
    officer = browser_for("officer", lang)
    page = officer.get(f"/cases/{case_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    r = officer.post(
        f"/cases/{case_id}/transition",
        data={
            "to": "documents_requested",
            "comment": "Please send the employment letter",
            "version": version.group(1),
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 422, r.text[-2000:]
    assert t("desk.error.request_needs_request", lang, id=case_id) in r.text
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, case_id).state == "in_review"
    # The request form, with its ticked items, takes the same move.
    page = officer.get(f"/cases/{case_id}")
    r = officer.post(
        f"/cases/{case_id}/document-request",
        data={"kinds": _kinds(desk, case_id)[:2], "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 200, r.text[-2000:]
    assert t("web.flash.requested_documents", lang) in r.text
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, case_id).state == "documents_requested"
