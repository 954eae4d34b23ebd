"""The queue's forms and downloads as pages (issue #12, section 5), in process on SQLite
and PostgreSQL: the bulk form (CSRF, all or nothing, each refused case listed), the
case page's deadline card and its take/assign forms, the export links."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.desk.fixtures import TODAY, World, employer_rows, file_roster, hanbit_batch
from tests.web.conftest import csrf_of
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

Browser = Callable[..., TestClient]


def _filed(desk: Desk, world: World) -> list[int]:
    batch = hanbit_batch(desk, world, name="pages")
    file_roster(desk, world, batch, employer_rows("Hanbit Energy Solutions", 12), submit=True)
    with read_session(desk.sessions) as s:
        return list(s.scalars(select(Case.id).where(Case.batch_id == batch).order_by(Case.id)))


def _state(desk: Desk, case_id: int) -> str:
    with read_session(desk.sessions) as s:
        return s.get_one(Case, case_id).state


def test_bulk_form_needs_its_csrf_token(desk: Desk, world: World, browser_for: Browser) -> None:
    ids = _filed(desk, world)
    officer = browser_for("officer")
    r = officer.post(
        "/queue/bulk",
        data={"action": "move:in_review", "case": [str(i) for i in ids[:2]]},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert {_state(desk, i) for i in ids[:2]} == {"submitted"}


def test_bulk_form_moves_the_ticked_cases(desk: Desk, world: World, browser_for: Browser) -> None:
    ids = _filed(desk, world)
    officer = browser_for("officer")
    token = csrf_of(officer.get("/queue").text)
    r = officer.post(
        "/queue/bulk",
        data={
            "action": "move:in_review",
            "case": [str(i) for i in ids[:2]],
            "comment": "Starting on these",
            "back": "q=hb-",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/queue?q=hb-&done=bulk_done"
    assert [_state(desk, i) for i in ids[:3]] == ["in_review", "in_review", "submitted"]


def test_a_refused_bulk_lists_each_case_and_changes_nothing(
    desk: Desk, world: World, browser_for: Browser
) -> None:
    ids = _filed(desk, world)
    with write_session(desk.sessions) as s:
        s.execute(update(Case).where(Case.id == ids[1]).values(state="approved"))
    officer = browser_for("officer", "ko")
    token = csrf_of(officer.get("/queue").text)
    r = officer.post(
        "/queue/bulk",
        data={"action": "move:in_review", "case": [str(ids[0]), str(ids[1])], "csrf_token": token},
    )
    assert r.status_code == 409
    assert t("desk.error.bulk_refused", "ko", count=1, selected=2) in r.text
    assert 'data-testid="bulk-refused"' in r.text and f"사건 {ids[1]}(" in r.text
    assert _state(desk, ids[0]) == "submitted"  # all or nothing


def test_sponsors_get_no_assignment_and_cannot_post_one(
    desk: Desk, world: World, browser_for: Browser
) -> None:
    ids = _filed(desk, world)
    sponsor = browser_for("hanbit_admin")
    page = sponsor.get(f"/cases/{ids[0]}").text
    assert 'data-testid="case-assignee"' not in page and "assign-form" not in page
    queue = sponsor.get("/queue?state=all").text
    assert 'data-testid="assignee"' not in queue
    r = sponsor.post(
        f"/cases/{ids[0]}/assign", data={"assignee": "me", "csrf_token": csrf_of(page)}
    )
    assert r.status_code == 403
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, ids[0]).assignee_id is None


def test_the_officer_takes_a_case_from_its_page_and_the_supervisor_reassigns_it(
    desk: Desk, world: World, browser_for: Browser
) -> None:
    ids = _filed(desk, world)
    officer = browser_for("officer")
    page = officer.get(f"/cases/{ids[0]}").text
    assert 'data-testid="take-form"' in page
    r = officer.post(
        f"/cases/{ids[0]}/assign",
        data={"assignee": "me", "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=assigned")
    page = officer.get(f"/cases/{ids[0]}?done=assigned").text
    assert t("web.flash.assigned", "en") in page and 'data-testid="release-form"' in page
    supervisor = browser_for("supervisor")
    page = supervisor.get(f"/cases/{ids[0]}").text
    assert 'data-testid="assign-form"' in page
    me = world.users["supervisor"].user_id
    r = supervisor.post(
        f"/cases/{ids[0]}/assign",
        data={"assignee": str(me), "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, ids[0]).assignee_id == me


def test_the_case_page_warns_when_the_visa_cannot_be_in_hand_in_time(
    desk: Desk, world: World, browser_for: Browser
) -> None:
    ids = _filed(desk, world)
    with write_session(desk.sessions) as s:
        case = s.get_one(Case, ids[0])
        start = case.trip_start
        case.ready_by = start + dt.timedelta(days=36)
    page = browser_for("hanbit_admin").get(f"/cases/{ids[0]}").text
    assert 'data-testid="too-late-warning"' in page
    assert t("queue.case.days", "en", days=(start - TODAY).days) in page


def test_the_export_links_keep_the_pages_filters(
    desk: Desk, world: World, browser_for: Browser
) -> None:
    ids = _filed(desk, world)
    officer = browser_for("officer", "ko")
    page = officer.get("/queue?state=all&q=hb-").text
    assert 'href="/queue/export.xlsx?q=hb-&amp;state=all"' in page
    r = officer.get("/queue/export.xlsx?q=hb-&state=all")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert sheet.cell(1, 1).value == "사건"
    got = [
        row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if isinstance(row[0], int)
    ]
    assert sorted(got) == ids
    csv = officer.get("/queue/export.csv?q=nobody-at-all")
    assert csv.status_code == 200 and desk.policy.notice.get("ko") in csv.content.decode(
        "utf-8-sig"
    )
    assert officer.get("/queue/export.pdf").status_code == 422
