"""Document requests in a real browser (Debian's chromium), in English and Korean: the
officer ticks two items, the sponsor is notified, sees the to-do, uploads one and reads
"1 of 2"; screenshots of the to-do and the case's documents at 1280 and 390 px."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from tests.web.conftest import Live, hanbit_rows, log_in, new_page, roster_csv, shot
from visadesk.desk import documents, projects, transitions, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case
from visadesk.i18n import t

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Where the screenshots also go for a person to look at (not committed), when it exists.
SHOTS = Path(os.environ.get("VISADESK_DOCREQ_SHOTS", "/work/shots/docreq"))

pytestmark = pytest.mark.usefixtures("live_keys", "people_free")


def case_in_review(live: Live, name: str, first: int = 0) -> tuple[int, list[str]]:
    """A Hanbit case in review (filed and submitted through the services), and its
    checklist's kinds. ``first``: where the four people filed start in the sample's
    Hanbit rows (the live desk is shared: a person already with an open case on the
    trip is refused, issue #12 section 1)."""
    sponsor = live.world.users["hanbit_admin"]
    with write_session(live.desk.sessions) as s:
        batch = projects.create_batch(
            s, sponsor, project_id=live.world.projects["hanbit"], name=name
        )
        uploads.upload_roster(
            s,
            sponsor,
            batch.id,
            data=roster_csv(hanbit_rows()[first : first + 4]),
            filename="hanbit.csv",
            policy=live.desk.policy,
            as_of=live.desk.today(),
        )
        transitions.submit_batch(
            s, sponsor, batch.id, live.desk, transitions.SubmitChoice(True, "hold")
        )
        case = s.scalars(select(Case).where(Case.batch_id == batch.id).order_by(Case.id)).first()
        assert case is not None
        move = transitions.Move("in_review")
        transitions.take_transition(s, live.world.users["officer"], case.id, move, live.desk)
        case_id = case.id
    with read_session(live.desk.sessions) as s:
        case = s.get_one(Case, case_id)
        kinds = [i.id for i in documents.case_checklist(s, case, live.desk.checklist)]
    return case_id, kinds


def photograph(page: Page, name: str, selector: str | None = None) -> None:
    shot(page, name, full=True)
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        if selector is None:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        else:
            page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_officer_requests_two_items_and_the_sponsor_uploads_one(  # noqa: PLR0915 - one journey
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    case_id, kinds = case_in_review(live, f"Docreq {lang}", first=4 * ("en", "ko").index(lang))
    wanted = kinds[:2]
    officer = new_page(browser, contexts)
    log_in(officer, live, "officer", lang)
    officer.goto(live.url(f"/cases/{case_id}"))
    form = officer.get_by_test_id("docreq-form")
    expect(officer.locator('button[data-to="documents_requested"]')).to_have_count(0)
    for kind in wanted:
        form.locator(f"#req-{kind}").check()
    officer.fill("#docreq-note", "Please send these two.")
    officer.get_by_test_id("docreq-submit").click()
    expect(officer.get_by_test_id("flash")).to_have_text(t("web.flash.requested_documents", lang))
    expect(officer.locator(".lead .state")).to_have_text(t("web.state.documents_requested", lang))
    expect(officer.get_by_test_id("docreq-progress")).to_have_text(
        t("docreq.progress", lang, done=0, total=2)
    )

    for width in (390, 1280):  # the phone looks first, before the upload
        sponsor = new_page(browser, contexts, width)
        log_in(sponsor, live, "hanbit_admin", lang)
        bell = sponsor.get_by_test_id("nav-notifications")
        expect(bell).not_to_have_attribute("data-unread", "0")
        bell.click()
        notices = sponsor.get_by_test_id("notifications")
        notice = notices.locator('li[data-message="documents_requested"]')
        expect(notice.first).to_contain_text(str(case_id))
        photograph(sponsor, f"notifications-{lang}-{width}", "main")
        sponsor.get_by_test_id("nav-todo").click()
        row = sponsor.locator(f'[data-testid=todo] li[data-case="{case_id}"]')
        expect(row).to_have_attribute("data-total", "2")
        states = row.locator(".docreq-item .item-state")
        expect(states).to_have_text([t("docreq.state.not_uploaded", lang)] * 2)
        photograph(sponsor, f"todo-{lang}-{width}-before", "main")
        if width == 390:
            continue
        row.get_by_role("link", name=t("docreq.todo.open", lang)).click()
        sponsor.select_option("#doc-kind", wanted[0])
        sponsor.set_input_files(
            "#doc-file", {"name": "first.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        sponsor.get_by_role("button", name=t("web.doc.upload", lang)).click()
        expect(sponsor.get_by_test_id("flash")).to_have_text(t("web.flash.uploaded_document", lang))
        expect(sponsor.get_by_test_id("docreq-progress")).to_have_text(
            t("docreq.progress", lang, done=1, total=2)
        )
        items = sponsor.locator("[data-testid=docreq-items] .docreq-item")
        expect(items.nth(0)).to_have_attribute("data-state", "awaiting_review")
        expect(items.nth(0).locator(".item-state")).to_have_text(
            t("docreq.state.awaiting_review", lang)
        )
        expect(items.nth(1).locator(".item-state")).to_have_text(
            t("docreq.state.not_uploaded", lang)
        )
        # Sending it back with one missing is refused, naming what is missing.
        sponsor.locator('button[data-to="in_review"]').click()
        missing = live.desk.checklist.item(wanted[1]).title.get(lang)
        expect(sponsor.locator(".notice-error")).to_contain_text(missing)
        sponsor.goto(live.url(f"/cases/{case_id}"))
        photograph(sponsor, f"case-documents-{lang}-{width}", "#documents")

    phone = new_page(browser, contexts, 390)
    log_in(phone, live, "hanbit_admin", lang)
    phone.goto(live.url("/todo"))
    row = phone.locator(f'[data-testid=todo] li[data-case="{case_id}"]')
    expect(row.get_by_test_id("todo-progress")).to_have_text(
        t("docreq.progress", lang, done=1, total=2)
    )
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    photograph(phone, f"todo-{lang}-390", "main")
    phone.goto(live.url(f"/cases/{case_id}"))
    photograph(phone, f"case-documents-{lang}-390", "#documents")
    officer.reload()
    expect(officer.get_by_test_id("docreq-progress")).to_have_text(
        t("docreq.progress", lang, done=1, total=2)
    )
    photograph(officer, f"case-documents-officer-{lang}-1280", "#documents")
