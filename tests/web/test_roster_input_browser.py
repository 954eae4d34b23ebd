"""The refused-roster page in chromium: choices in the grid, a missing column added,
and a page that fits a phone (issue #12, sections 2 and 7).

The roster keeps the sample's Hanbit people but has no ``paid_by`` column, a role
nobody knows ("wizard") and a mistyped activity; the Korean clerk's own labels
("설비 설치·시운전", "기술자") are read as they are. The grid offers the enumerated
fields as lists labelled in the page's language, adds the missing column as a list
to pick from, and the corrected grid files the roster.
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from tests.web.conftest import Live, hanbit_rows, log_in, new_page, shot
from visadesk.desk import projects
from visadesk.desk.db import write_session
from visadesk.i18n import t
from visadesk.roster.choices import choice_label

LANGS = ["en", "ko"]
PHONE = 390
DESKTOP = 1280

pytestmark = pytest.mark.usefixtures("live_keys", "people_free")


def _batch(live: Live, name: str) -> int:
    sponsor = live.world.users["hanbit_admin"]
    with write_session(live.desk.sessions) as s:
        project = live.world.projects["hanbit"]
        return projects.create_batch(s, sponsor, project_id=project, name=name).id


def _roster() -> bytes:
    """Three Hanbit people, no paid_by column, Korean labels, one unknown role and one
    mistyped activity."""
    rows = [dict(r) for r in hanbit_rows()[:3]]
    for r in rows:
        del r["paid_by"]
    rows[0]["activities"] = "설비 설치·시운전; 미국 근로자 교육"
    rows[0]["role"] = "기술자"
    rows[1]["role"] = "wizard"
    rows[2]["activities"] = "업무 회의·협의; 골프"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _refused(page: Page, live: Live, batch: int) -> None:
    page.goto(live.url(f"/batches/{batch}"))
    payload: FilePayload = {"name": "hanbit.csv", "mimeType": "text/csv", "buffer": _roster()}
    page.set_input_files("#roster-file", payload)
    page.get_by_test_id("upload-button").click()
    expect(page.get_by_test_id("roster-refused")).to_be_visible()


def _page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("lang", LANGS)
def test_grid_offers_choices_and_adds_the_missing_column(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    page = new_page(browser, contexts, DESKTOP)
    log_in(page, live, "hanbit_admin", lang)
    batch = _batch(live, f"labels-{lang}")
    _refused(page, live, batch)
    grid = page.get_by_test_id("grid")
    # every row lacks paid_by: all three are in the grid, with the column added
    expect(grid.locator("tbody tr")).to_have_count(3)
    added = page.get_by_test_id("grid-added")
    expect(added).to_contain_text(t("roster_input.column.paid_by", lang))
    paid_by = grid.locator('select[data-column="paid_by"]')
    expect(paid_by).to_have_count(3)
    expect(paid_by.first.locator("option")).to_have_count(4)  # "choose" and three values
    expect(paid_by.first.locator('option[value="home_employer"]')).to_have_text(
        choice_label("paid_by", "home_employer", lang)
    )
    # the role typed as a Korean label is read; the unknown one is shown as typed
    roles = grid.locator('select[data-column="role"]')
    expect(roles.nth(0)).to_have_value("technician")
    expect(roles.nth(1)).to_have_value("wizard")
    expect(roles.nth(1).locator("option:checked")).to_have_text(
        t("web.grid_input.typed", lang, value="wizard")
    )
    expect(roles.nth(1).locator('option[value="technician"]')).to_have_text(
        choice_label("role", "technician", lang)
    )
    # activities: several choices, the known ones selected, the unknown one as typed
    activities = grid.locator('select[data-column="activities"]')
    chosen = activities.nth(0).evaluate("s => [...s.selectedOptions].map(o => o.value)")
    assert chosen == ["install_equipment", "train_us_workers"]
    chosen = activities.nth(2).evaluate("s => [...s.selectedOptions].map(o => o.value)")
    assert chosen == ["meetings", "골프"]
    assert _page_width(page) <= DESKTOP  # no sideways scroll into blank space
    shot(page, f"input-grid-{lang}-{DESKTOP}", full=True)

    # the clerk picks from the lists and sends the grid
    for i in range(3):
        paid_by.nth(i).select_option("home_employer")
    roles.nth(1).select_option("specialist")
    activities.nth(2).select_option(["meetings", "site_survey"])
    page.get_by_test_id("grid-submit").click()
    expect(page.get_by_test_id("upload-result")).to_be_visible()
    expect(page.locator("[data-testid=people] tbody tr")).to_have_count(3)


@pytest.mark.parametrize("lang", LANGS)
def test_refused_roster_page_fits_a_phone(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    page = new_page(browser, contexts, PHONE)
    log_in(page, live, "hanbit_admin", lang)
    batch = _batch(live, f"phone-{lang}")
    _refused(page, live, batch)
    expect(page.get_by_test_id("grid")).to_be_visible()
    assert _page_width(page) <= PHONE
    # the grid scrolls inside its own box instead
    wrap = page.locator(".grid-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    shot(page, f"input-grid-{lang}-{PHONE}", full=True)


@pytest.mark.parametrize("lang", LANGS)
def test_upload_form_links_the_template(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    page = new_page(browser, contexts, DESKTOP)
    log_in(page, live, "hanbit_admin", lang)
    batch = _batch(live, f"template-{lang}")
    page.goto(live.url(f"/batches/{batch}"))
    link = page.get_by_test_id(f"roster-template-{lang}")
    expect(link).to_have_text(t(f"web.roster_template.{lang}", lang))
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == f"visadesk-roster-template-{lang}.xlsx"
    assert download.path().read_bytes()[:2] == b"PK"
