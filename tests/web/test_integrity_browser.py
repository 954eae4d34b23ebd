"""A refused roster and the upload summary in a real browser (issue #12, section 1).

A sponsor's clerk uploads a roster that holds people already filed in another
batch (an open case for overlapping dates) and another sponsor's employee: the
page lists each refused row with its reason and a link to the existing case, and
files nothing; ticking "file only the rows that belong" files the rest, and the
summary counts new, updated, unchanged and refused people. In English and Korean,
at desktop and phone widths (screenshots in ``test-artifacts/screenshots/``, and in
``$VISADESK_SHOTS`` when set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect
from sqlalchemy import select

from tests.desk.fixtures import roster_rows
from tests.harness import DEMO_PASSWORD, DemoWorld
from tests.web.conftest import TIMEOUT_MS, Live, roster_csv, shot
from visadesk.desk import projects, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case, Trip
from visadesk.i18n import t
from visadesk.web.templating import format_number

pytestmark = pytest.mark.usefixtures("live_keys")

HAEON_PROJECT = "Haeon Philadelphia Shipyard Modernization"
HANBIT = "Hanbit Energy Solutions"


@pytest.fixture
def page_of(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def _own() -> list[dict[str, str]]:
    return [r for r in roster_rows("Hanbit GA Cell Plant") if r["employer"] == HANBIT][:5]


def _batches(live: Live, lang: str) -> tuple[int, int]:
    """Batch A with the first three people filed, and an empty batch B."""
    admin = live.world.users["hanbit_admin"]
    project = live.world.projects["hanbit"]
    with write_session(live.desk.sessions) as s:
        first = projects.create_batch(s, admin, project_id=project, name=f"Wave 1 ({lang})").id
        second = projects.create_batch(s, admin, project_id=project, name=f"Wave 2 ({lang})").id
        uploads.upload_roster(
            s,
            admin,
            first,
            data=roster_csv(_own()[:3]),
            filename="wave1.csv",
            policy=live.desk.policy,
            as_of=live.desk.today(),
        )
    return first, second


def _photograph(page: Page, name: str) -> None:
    """The page at 1280 px and at 390 px (a phone), whole; it must not scroll sideways."""
    folder = os.environ.get("VISADESK_SHOTS")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)
        shot(page, f"{name}-{width}", full=True)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.usefixtures("people_free")
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_refused_roster_lists_each_row_then_files_the_rest_when_asked(
    live: Live, page_of: BrowserContext, lang: str
) -> None:
    first, second = _batches(live, lang)
    with read_session(live.desk.sessions) as s:
        case_id, worker = s.execute(
            select(Case.id, Trip.worker_id)
            .join(Trip, Trip.id == Case.trip_id)
            .where(Case.batch_id == first)
            .order_by(Case.id)
        ).first() or (None, None)
    assert case_id is not None
    other = {**roster_rows(HAEON_PROJECT, limit=1)[0], "project": ""}
    rows = [*_own(), other]
    data: FilePayload = {"name": "wave2.csv", "mimeType": "text/csv", "buffer": roster_csv(rows)}

    page = page_of.new_page()
    page.goto(live.url(f"/login?lang={lang}"))
    page.fill("#email", DemoWorld.email("hanbit_admin"))
    page.fill("#password", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=who]")
    page.goto(live.url(f"/batches/{second}"))

    # All or nothing: the roster is refused, every refused row listed, nothing filed.
    page.set_input_files("#roster-file", data)
    page.get_by_test_id("upload-button").click()
    expect(page.get_by_test_id("roster-refused")).to_be_visible()
    assert page.title().startswith(t("integrity.refused.page_title", lang))
    table = page.get_by_test_id("refused-rows")
    other_row = table.locator('li[data-row="7"]')
    expect(other_row).to_contain_text(t("roster.where.row", lang, row=7))
    expect(other_row).to_contain_text("Haeon Marine Industries")
    expect(other_row.locator("li")).to_have_count(2)  # its employer and its sponsor
    link = page.locator(f'[data-testid=existing-case][href="/cases/{case_id}"]')
    expect(link).to_have_text(t("integrity.case_link", lang, case=case_id))
    _photograph(page, f"integrity-refused-{lang}")
    with read_session(live.desk.sessions) as s:
        assert not s.scalars(select(Trip.id).where(Trip.batch_id == second)).all()

    # The explicit choice: the rows that belong are filed, the refused ones listed.
    page.set_input_files("#roster-file", data)
    page.get_by_test_id("skip-refused").check()
    page.get_by_test_id("upload-button").click()
    result = page.get_by_test_id("upload-result")
    expect(result).to_be_visible()
    summary = t(
        "integrity.summary",
        lang,
        rows=format_number(6, lang),
        created=format_number(2, lang),
        updated=format_number(0, lang),
        unchanged=format_number(0, lang),
        refused=format_number(4, lang),
    )
    expect(page.get_by_test_id("upload-summary")).to_have_text(summary)
    assert t("roster.where.row", lang, row=6) not in summary  # no count reads as a row
    expect(result.get_by_test_id("refused-rows")).to_contain_text(worker or "")
    _photograph(page, f"integrity-summary-{lang}")
    with read_session(live.desk.sessions) as s:
        filed = set(s.scalars(select(Trip.worker_id).where(Trip.batch_id == second)))
    assert filed == {r["worker_id"] for r in _own()[3:]}

    # The link opens the case already filed.
    result.locator(f'[data-testid=existing-case][href="/cases/{case_id}"]').click()
    page.wait_for_url(f"**/cases/{case_id}")
