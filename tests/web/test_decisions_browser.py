"""Decisions in a real browser (issue #12): a sponsor submits a batch through its submit
step, deciding about the people who need information; an officer refuses a case with
a ground through its confirm page. In English and Korean, in Debian's chromium, at
desktop and phone widths (screenshots into test-artifacts/screenshots/)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from sqlalchemy import select, update

from tests.desk.test_decisions import AMBER_1, AMBER_2, CASE, COVERED, RED, three_lights_rows
from tests.web.conftest import Live, log_in, new_page, roster_csv, shot
from visadesk.desk import projects, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Batch, Case, CaseRefusal, Trip
from visadesk.i18n import t

pytestmark = pytest.mark.usefixtures("live_keys", "people_free")

LANGS = ["en", "ko"]
WIDTHS = {"desktop": 1280, "phone": 390}


def _batch(live: Live, name: str) -> int:
    """A Hanbit batch of five people: ESTA covers one, one B-1 case, two amber, one red."""
    sponsor = live.world.users["hanbit_admin"]
    with write_session(live.desk.sessions) as s:
        batch = projects.create_batch(
            s, sponsor, project_id=live.world.projects["hanbit"], name=name
        )
        uploads.upload_roster(
            s,
            sponsor,
            batch.id,
            data=roster_csv(three_lights_rows()),
            filename="lights.csv",
            policy=live.desk.policy,
            as_of=live.desk.today(),
        )
        return batch.id


@pytest.mark.parametrize("lang", LANGS)
def test_sponsor_submits_a_batch_deciding_about_amber_people(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    batch = _batch(live, f"Decide {lang}")
    page = new_page(browser, contexts)
    log_in(page, live, "hanbit_admin", lang)
    page.goto(live.url(f"/batches/{batch}"))
    page.get_by_test_id("submit-form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"/batches/{batch}/submit\??$"))
    # What happens to each person, by group, and why.
    expect(page.get_by_test_id("group-case").locator("li.outcome")).to_have_count(1)
    expect(page.get_by_test_id("group-decide").locator("li.outcome")).to_have_count(2)
    expect(page.get_by_test_id("group-covered").locator("li.outcome")).to_have_count(1)
    expect(page.get_by_test_id("group-not_filed").locator("li.outcome")).to_have_count(1)
    covered = page.locator(f'li.outcome[data-worker="{COVERED}"]')
    expect(covered).to_have_attribute("data-outcome", "covered")
    expect(covered.locator(".why")).to_contain_text("ESTA")
    for worker in (AMBER_1, AMBER_2):
        amber = page.locator(f'li.outcome[data-worker="{worker}"]')
        expect(amber).to_have_attribute("data-light", "amber")
        needs_info = t("decisions.preview.needs_info", lang).split(":")[0]  # 정보 필요
        expect(amber.locator(".why")).to_have_text(re.compile("^" + re.escape(needs_info)))
        assert t("decisions.group.covered", lang, count=1) not in amber.inner_text()
    expect(page.locator(f'li.outcome[data-worker="{RED}"]')).to_have_attribute(
        "data-outcome", "not_filed"
    )
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"decisions-submit-{name}-{lang}", full=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (name, wide)  # nothing runs off the side of a phone
    page.set_viewport_size({"width": 1280, "height": 900})

    # Confirmed without a decision about the amber people: refused, saying who.
    page.check("#confirm")
    page.get_by_test_id("submit-confirm").click()
    expect(page.get_by_test_id("error")).to_contain_text(AMBER_1)
    with read_session(live.desk.sessions) as s:
        assert s.get_one(Batch, batch).state == "open"
        trips = dict(s.execute(select(Trip.worker_id, Trip.id).where(Trip.batch_id == batch)).all())
    # Include one as a case needing information, hold the other back.
    page.check(f"#amber_{trips[AMBER_1]}-include")
    page.check(f"#amber_{trips[AMBER_2]}-hold")
    page.check("#confirm")
    page.get_by_test_id("submit-confirm").click()
    expect(page.get_by_test_id("flash")).to_have_text(t("web.flash.submitted", lang))
    expect(page.get_by_test_id("batch-state")).to_have_text(t("web.batch_state.submitted", lang))
    with read_session(live.desk.sessions) as s:
        filed = set(
            s.scalars(
                select(Trip.worker_id)
                .join(Case, Case.trip_id == Trip.id)
                .where(Case.batch_id == batch, Case.state == "submitted")
            )
        )
    assert filed == {CASE, AMBER_1}


@pytest.mark.parametrize("lang", LANGS)
def test_officer_refuses_a_case_with_a_ground(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    batch = _batch(live, f"Refuse {lang}")
    with write_session(live.desk.sessions) as s:
        case_id = s.scalars(select(Case.id).where(Case.batch_id == batch)).one()
        s.execute(update(Case).where(Case.id == case_id).values(state="interview_scheduled"))
    page = new_page(browser, contexts)
    log_in(page, live, "officer", lang)
    page.goto(live.url(f"/cases/{case_id}"))
    # Refusing is not one click: the button opens the confirm page.
    page.get_by_test_id("final-steps").locator('button[data-to="refused"]').click()
    expect(page.get_by_test_id("confirm-what")).to_contain_text(t("decisions.confirm.final", lang))
    expect(page.get_by_test_id("refusal-grounds")).to_contain_text("INA 221(g)")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"decisions-refusal-form-{name}-{lang}", full=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (name, wide)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 221(g) without the items missing: refused back to this page, the choices kept.
    page.check("#ground-ina_221g")
    page.fill("#comment", "Documents missing.")
    page.check("#confirm")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("error")).to_contain_text(
        t("decisions.problem.items_required", lang, ground="ina_221g")
    )
    expect(page.locator("#ground-ina_221g")).to_be_checked()
    page.check("#item-employer_letter")
    page.fill("#other-items", "Bank statement")
    page.check("#confirm")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("flash")).to_have_text(t("web.flash.moved", lang))
    refusal = page.get_by_test_id("refusal")
    expect(page.get_by_test_id("refusal-ground")).to_have_text(t("refusal.ground.ina_221g", lang))
    expect(page.get_by_test_id("refusal-items")).to_contain_text("Bank statement")
    expect(page.get_by_test_id("refusal-comment")).to_have_text("Documents missing.")
    expect(refusal).to_contain_text(t("decisions.counsel", lang))  # the officer's note
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"decisions-refused-case-{name}-{lang}", full=True)
    with read_session(live.desk.sessions) as s:
        stored = s.scalars(select(CaseRefusal).where(CaseRefusal.case_id == case_id)).one()
        assert (stored.ground, stored.items, stored.other_items) == (
            "ina_221g",
            ["employer_letter"],
            ["Bank statement"],
        )
    # The sponsor sees the ground and the items, not the note for counsel.
    sponsor = new_page(browser, contexts)
    log_in(sponsor, live, "hanbit_admin", lang)
    sponsor.goto(live.url(f"/cases/{case_id}"))
    expect(sponsor.get_by_test_id("refusal-ground")).to_have_text(
        t("refusal.ground.ina_221g", lang)
    )
    expect(sponsor.get_by_test_id("refusal")).not_to_contain_text(t("decisions.counsel", lang))
