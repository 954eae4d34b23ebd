"""The web app in a real browser: Debian's chromium driven by Playwright.

A live uvicorn server (a background thread) serves a demo desk on a temporary
SQLite file, screening as of 27 November 2026. Each journey runs in English
and in Korean. The browser tests use SQLite only; the same pages and service
calls are tested on PostgreSQL by ``test_pages.py`` and the desk's tests.
Without /usr/bin/chromium the tests are skipped (a failure when
``VISADESK_REQUIRE_BROWSER=1``, as in CI). Screenshots of the main pages go
to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    expect,
)
from sqlalchemy import select

from tests.harness import DEMO_PASSWORD, DemoWorld
from tests.web.conftest import (
    HANBIT,
    SEJIN,
    Live,
    broken_csv,
    employer_rows,
    filed_batch,
    hanbit_rows,
    log_in,
    new_page,
    roster_csv,
    sample_xlsx,
    shot,
)
from visadesk.desk import documents, projects
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case, Trip
from visadesk.desk.workflow import FINAL_STATES
from visadesk.i18n import t
from visadesk.server import create_app

LANGS = ["en", "ko"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.usefixtures("live_keys", "people_free")


def html_lang(page: Page) -> str:
    return str(page.get_attribute("html", "lang"))


def file_payload(name: str, data: bytes, mime: str = "text/csv") -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": data}


# -- journeys ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_sponsor_and_subcontractor_file_a_batch(  # noqa: PLR0915 - one journey
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    page = new_page(browser, contexts)
    log_in(page, live, "hanbit_admin", lang)
    assert page.url.endswith("/projects") and html_lang(page) == lang
    shot(page, f"projects-{lang}")
    page.get_by_role("link", name=HANBIT).click()
    page.fill("#f-name", f"Q1 2027 ({lang})")
    page.get_by_role("button", name=t("web.batches.create_button", lang)).click()
    expect(page.get_by_test_id("flash")).to_have_text(t("web.flash.batch_created", lang))
    batch_url = page.url.split("?")[0]

    # Upload through the file picker: the result, then a traffic light per person.
    own = hanbit_rows()
    page.set_input_files("#roster-file", file_payload("hanbit.csv", roster_csv(own)))
    page.get_by_test_id("upload-button").click()
    expect(page.get_by_test_id("upload-result")).to_be_visible()
    people = page.locator("[data-testid=people] tbody tr")
    expect(people).to_have_count(len(own))
    assert page.locator('tr[data-light="green"]').count() > 0
    amber = page.locator('tr[data-worker="HB-0020"]')
    expect(amber.locator(".light")).to_have_text(t("web.light.amber", lang))
    # The reasons load into the row when asked for (htmx), with citations and missing facts.
    amber.locator("details.explain summary").click()
    expect(amber.get_by_test_id("screening")).to_contain_text(t("verdicts.questions.title", lang))
    expect(amber.locator("cite").first).to_be_visible()
    shot(page, f"batch-{lang}")

    # A broken roster: the problems per row and column, fixed in the page's grid.
    page.set_input_files("#roster-file", file_payload("broken.csv", broken_csv(own[:5])))
    page.get_by_test_id("upload-button").click()
    expect(page.get_by_test_id("roster-refused")).to_be_visible()
    expect(page.locator("[data-testid=problems] tbody tr")).to_have_count(2)
    expect(page.locator("[data-testid=grid] tbody tr")).to_have_count(2)
    shot(page, f"roster-problems-{lang}")
    page.locator('input[aria-invalid="true"][data-column="trip_end"]').fill(own[1]["trip_end"])
    page.locator('select[aria-invalid="true"][data-column="role"]').select_option("technician")
    page.get_by_test_id("grid-submit").click()
    expect(page.get_by_test_id("upload-result")).to_be_visible()
    expect(people).to_have_count(len(own))

    # Invite the subcontractor, who files its own staff and sees only them.
    page.select_option("#invite-org", label=SEJIN)
    page.get_by_role("button", name=t("web.invite.submit", lang)).click()
    expect(page.get_by_test_id("members")).to_contain_text(SEJIN)
    sub = new_page(browser, contexts)
    log_in(sub, live, "sejin_staff", lang)
    sub.get_by_role("link", name=HANBIT).click()
    sub.get_by_role("link", name=f"Q1 2027 ({lang})").click()
    staff = employer_rows(SEJIN)
    sub.set_input_files("#roster-file", file_payload("sejin.csv", roster_csv(staff)))
    sub.get_by_test_id("upload-button").click()
    expect(sub.get_by_test_id("upload-result")).to_be_visible()
    workers = sub.locator("[data-testid=people] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.worker)"
    )
    assert set(workers) == {r["worker_id"] for r in staff}
    expect(sub.locator('tr[data-light="red"] .light').first).to_have_text(t("web.light.red", lang))
    assert "submit-form" not in sub.content()  # only the sponsor files the batch

    # The sponsor sees everyone and submits the batch whole.
    page.goto(batch_url)
    expect(people).to_have_count(len(own) + len(staff))
    page.get_by_test_id("submit-form").get_by_role("button").click()
    # Issue #12: the submit step; the people who need information are held back here.
    page.get_by_test_id("amber-all").locator("#amber-hold").check()
    page.check("#confirm")
    page.get_by_test_id("submit-confirm").click()
    expect(page.get_by_test_id("flash")).to_have_text(t("web.flash.submitted", lang))
    expect(page.get_by_test_id("batch-state")).to_have_text(t("web.batch_state.submitted", lang))
    assert page.locator("[data-testid=upload-form]").count() == 0


def test_xlsx_sample_dropped_on_the_drop_zone(
    live: Live, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = new_page(browser, contexts)
    log_in(page, live, "hanbit_admin", "ko")
    with write_session(live.desk.sessions) as s:
        batch = projects.create_batch(
            s, live.world.users["hanbit_admin"], project_id=live.world.projects["hanbit"], name="X"
        ).id
    page.goto(live.url(f"/batches/{batch}"))
    expect(page.locator("[data-drop-hint]")).to_be_visible()
    data = base64.b64encode(sample_xlsx()).decode()
    page.evaluate(
        """([b64, name]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const file = new File([bytes], name);
            const transfer = new DataTransfer();
            transfer.items.add(file);
            const zone = document.querySelector("[data-dropzone-area]");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true,
                                                      cancelable: true}));
        }""",
        [data, "출장자명단.xlsx"],
    )
    expect(page.locator("[data-chosen]")).to_have_text("출장자명단.xlsx")
    page.get_by_test_id("upload-button").click()
    expect(page.get_by_test_id("upload-result")).to_be_visible()
    expect(page.locator("[data-testid=people] tbody tr")).to_have_count(len(hanbit_rows()))


@pytest.mark.parametrize("lang", LANGS)
def test_officer_moves_a_case_to_issued(  # noqa: PLR0915 - one journey
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    batch = filed_batch(live, f"Officer {lang}", submit=True)
    with read_session(live.desk.sessions) as s:
        case = s.scalars(
            select(Case)
            .where(Case.batch_id == batch, Case.category == "B1")
            .order_by(Case.urgency_date, Case.id)
        ).first()
        assert case is not None
        case_id = case.id
        worker = s.get_one(Trip, case.trip_id).worker_id
        required = documents.required_kinds(s, case, live.desk.checklist)
    assert required

    officer = new_page(browser, contexts)
    log_in(officer, live, "officer", lang)
    assert officer.url.endswith("/queue")
    shot(officer, f"queue-{lang}")
    # Filters and search refresh the results (htmx) and stay in the address.
    officer.select_option("#f-category", "B1")
    expect(officer).to_have_url(re.compile(r"category=B1"))
    # The 5th cell: the officer's rows open with a checkbox for the bulk actions.
    categories = officer.locator("[data-testid=queue] tbody tr td:nth-child(5)")
    assert set(categories.all_inner_texts()) == {"B-1"}
    officer.fill("#q", worker.lower())
    expect(officer).to_have_url(re.compile(rf"q={re.escape(worker.lower())}"))
    rows = officer.locator("[data-testid=queue] tbody tr")
    expect(rows.first).to_have_attribute("data-worker", worker)
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.worker)")) == {worker}
    officer.locator(f'tr[data-case="{case_id}"] a').click()
    expect(officer.locator("h1")).to_be_visible()

    def step(page: Page, target: str, **fields: str) -> None:
        for selector, value in fields.items():
            page.fill(selector, value)
        page.locator(f'button[data-to="{target}"]').click()
        if target in FINAL_STATES:  # issue #12: its confirm page first
            page.check("#confirm")
            page.get_by_test_id("confirm-button").click()
        expect(page.get_by_test_id("flash")).to_have_text(t("web.flash.moved", lang))

    step(officer, "in_review")
    # A request is the checklist's items ticked (web/docreq.py), not a comment.
    for kind in required:
        officer.locator(f"#req-{kind}").check()
    officer.fill("#docreq-note", "Please send the documents.")
    officer.get_by_test_id("docreq-submit").click()
    expect(officer.get_by_test_id("flash")).to_have_text(t("web.flash.requested_documents", lang))

    sponsor = new_page(browser, contexts)
    log_in(sponsor, live, "hanbit_admin", lang)
    sponsor.goto(live.url(f"/cases/{case_id}"))
    expect(sponsor.get_by_test_id("timeline")).to_contain_text("Please send the documents.")
    for kind in required:
        sponsor.select_option("#doc-kind", kind)
        sponsor.set_input_files("#doc-file", file_payload(f"{kind}.pdf", PDF, "application/pdf"))
        sponsor.get_by_role("button", name=t("web.doc.upload", lang)).click()
        expect(sponsor.get_by_test_id("flash")).to_have_text(t("web.flash.uploaded_document", lang))
    step(sponsor, "in_review")

    officer.reload()
    forms = officer.get_by_test_id("review-form")
    for remaining in range(len(required), 0, -1):
        expect(forms).to_have_count(remaining)  # each is swapped out in place by htmx
        forms.first.get_by_role("button", name=t("web.review.accept", lang)).click()
    expect(forms).to_have_count(0)
    expect(officer.locator('[data-testid=document][data-status="accepted"]')).to_have_count(
        len(required)
    )
    officer.reload()
    step(officer, "ready_for_interview")
    step(officer, "interview_scheduled", **{"#interview_at": "2026-12-10T09:30"})
    expect(officer.get_by_test_id("interview")).to_contain_text("KST")
    step(officer, "approved")
    annotation = officer.get_by_test_id("annotation")
    expect(annotation).to_contain_text("B-1")
    expect(annotation).to_contain_text(HANBIT)
    step(officer, "issued")
    expect(officer.locator(".lead .state")).to_have_text(t("web.state.issued", lang))
    expect(officer.locator("[data-testid=timeline] li").last).to_have_attribute("data-to", "issued")
    shot(officer, f"case-{lang}", full=True)
    # The sponsor sees the annotation too.
    sponsor.reload()
    expect(sponsor.get_by_test_id("annotation")).to_contain_text("B-1")


def test_language_switch_on_every_page(
    live: Live, browser: Browser, contexts: list[BrowserContext]
) -> None:
    """Each page is opened in one language and switched to the other; the starting
    language alternates from page to page, so both directions are tried throughout."""
    batch = filed_batch(live, "Languages", submit=False)
    with read_session(live.desk.sessions) as s:
        trip = s.scalars(select(Trip.id).where(Trip.batch_id == batch)).first()
        case = s.scalars(select(Case.id).where(Case.batch_id == batch)).first()
    sponsor = new_page(browser, contexts)
    officer = new_page(browser, contexts)
    anonymous = new_page(browser, contexts)
    log_in(sponsor, live, "hanbit_admin", "en")
    log_in(officer, live, "officer", "ko")
    pages: list[tuple[Page, str]] = [
        (anonymous, "/login"),
        (anonymous, "/login?next=/queue"),
        (sponsor, "/projects"),
        (sponsor, f"/projects/{live.world.projects['hanbit']}"),
        (sponsor, f"/batches/{batch}"),
        (sponsor, f"/trips/{trip}"),
        (sponsor, f"/cases/{case}"),
        (officer, "/queue"),
        (officer, f"/cases/{case}"),
        (officer, "/cases/999999"),  # an error page
        (sponsor, "/logout"),
    ]
    if any(getattr(r, "path", "") == "/dashboard" for r in create_app(live.desk).routes):
        pages.append((officer, "/dashboard"))
    chosen: dict[int, str] = {}
    for number, (page, path) in enumerate(pages):
        lang, other = ("en", "ko") if number % 2 == 0 else ("ko", "en")
        page.goto(live.url(f"{path}{'&' if '?' in path else '?'}lang={lang}"))
        assert html_lang(page) == lang, path
        assert t("notice.guidance", lang) in page.inner_text("footer"), path
        page.get_by_test_id("lang-switch").click()
        page.wait_for_function(f"document.documentElement.lang === '{other}'")
        assert t("notice.guidance", other) in page.inner_text("footer"), path
        assert page.url.split("?")[0] == live.url(path.split("?")[0]), path
        chosen[id(page)] = other
    # The choice is remembered: a page opened without ?lang= comes in the language chosen last.
    for page in (sponsor, officer):
        page.goto(live.url("/queue"))
        assert html_lang(page) == chosen[id(page)]


@pytest.mark.parametrize("lang", LANGS)
def test_batch_page_fits_a_phone(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    batch = filed_batch(live, f"Phone {lang}", submit=False)
    page = new_page(browser, contexts, width=390, height=844)
    log_in(page, live, "hanbit_admin", lang)
    for path in (f"/batches/{batch}", "/projects"):
        page.goto(live.url(path))
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (path, widths)
    page.goto(live.url(f"/batches/{batch}"))
    shot(page, f"batch-phone-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_only_login_and_skip_link(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    page = new_page(browser, contexts)
    page.goto(live.url(f"/login?lang={lang}"))
    shot(page, f"login-{lang}")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(DemoWorld.email("officer"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live.url("/queue"))
    # The first Tab reaches the skip link, which is then visible and moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Every form control on the queue page has a label.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.name)"""
    )
    assert unlabelled == []
