"""Issue #12, sections 3 and 4 in Debian's chromium, in English and Korean: a sponsor never
sees the notes for counsel and an officer sees them under their own label; the
recommended status comes first and the others are folded; answering a missing fact for
one person screens that person again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from sqlalchemy import select

from tests.desk.fixtures import roster_rows
from tests.web.conftest import HANBIT, Live, log_in, new_page, roster_csv, shot
from visadesk.desk import projects, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case, Trip
from visadesk.i18n import t

LANGS = ["en", "ko"]
OWN = "Hanbit Energy Solutions"

pytestmark = pytest.mark.usefixtures("live_keys")


def _file(live: Live, name: str, rows: list[dict[str, str]]) -> int:
    sponsor = live.world.users["hanbit_admin"]
    with write_session(live.desk.sessions) as s:
        batch = projects.create_batch(
            s, sponsor, project_id=live.world.projects["hanbit"], name=name
        )
        uploads.upload_roster(
            s,
            sponsor,
            batch.id,
            data=roster_csv(rows),
            filename="hanbit.csv",
            policy=live.desk.policy,
            as_of=live.desk.today(),
        )
        return batch.id


def _ids(live: Live, batch: int, worker_id: str) -> tuple[int, int | None]:
    with read_session(live.desk.sessions) as s:
        trip = s.scalar(select(Trip.id).where(Trip.batch_id == batch, Trip.worker_id == worker_id))
        case = s.scalar(select(Case.id).where(Case.trip_id == trip))
    assert trip is not None
    return trip, case


@pytest.fixture(scope="module")
def recommended_case(live: Live) -> int:
    """HB-0003's draft case: B-1 recommended, E-2 waiting for essential_skills."""
    rows = [r for r in roster_rows(HANBIT) if r["worker_id"] == "HB-0003"]
    batch = _file(live, "verdicts", rows)
    _, case = _ids(live, batch, "HB-0003")
    assert case is not None
    return case


@pytest.mark.parametrize("lang", LANGS)
def test_a_sponsor_never_sees_notes_for_counsel(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str, recommended_case: int
) -> None:
    for width in (1280, 390):
        page = new_page(browser, contexts, width)
        log_in(page, live, "hanbit_admin", lang)
        page.goto(live.url(f"/cases/{recommended_case}"))
        screening = page.get_by_test_id("screening")
        expect(screening).to_be_visible()
        expect(page.get_by_test_id("counsel-notes")).to_have_count(0)
        body = page.locator("body").inner_text()
        assert t("verdicts.counsel.title", lang) not in body
        for note in ("verify against", "Roster proxy", "One year of unlawful presence"):
            assert note not in body
        shot(page, f"verdicts-case-sponsor-{lang}-{width}", full=True)


@pytest.mark.parametrize("lang", LANGS)
def test_an_officer_sees_notes_for_counsel_under_their_label(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str, recommended_case: int
) -> None:
    for width in (1280, 390):
        page = new_page(browser, contexts, width)
        log_in(page, live, "officer", lang)
        page.goto(live.url(f"/cases/{recommended_case}"))
        notes = page.get_by_test_id("counsel-notes")
        expect(notes.get_by_role("heading")).to_have_text(t("verdicts.counsel.title", lang))
        expect(notes).to_contain_text(t("verdicts.verify", lang))
        expect(notes).to_contain_text("One year of unlawful presence")
        shot(page, f"verdicts-case-officer-{lang}-{width}", full=True)


@pytest.mark.parametrize("lang", LANGS)
def test_recommended_first_and_the_others_folded(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str, recommended_case: int
) -> None:
    page = new_page(browser, contexts)
    log_in(page, live, "hanbit_admin", lang)
    page.goto(live.url(f"/cases/{recommended_case}"))
    lead = page.get_by_test_id("lead-status")
    expect(lead).to_have_count(1)
    expect(lead).to_have_attribute("data-category", "B1")
    expect(lead).to_contain_text(t("web.screening.recommended", lang))
    next_box = page.get_by_test_id("next-steps").bounding_box()
    lead_box = lead.bounding_box()
    assert next_box is not None and lead_box is not None and next_box["y"] < lead_box["y"]
    folded = page.get_by_test_id("other-statuses")
    expect(folded.locator("section[data-category=E2]")).to_be_hidden()
    folded.locator("summary").click()
    e2 = folded.locator("section[data-category=E2]")
    expect(e2).to_be_visible()
    expect(e2).to_contain_text(t("verdicts.question.essential_skills", lang))
    expect(e2.locator("cite").first).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_answering_a_missing_fact_for_one_person_screens_again(
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    [row] = [dict(r) for r in roster_rows(HANBIT) if r["worker_id"] == "HB-0020"]
    worker = f"HB-9{LANGS.index(lang)}20"
    row.update(worker_id=worker, passport_number=f"M9{LANGS.index(lang)}000020")
    batch = _file(live, f"answers {lang}", [row])
    trip, case = _ids(live, batch, worker)
    assert case is None
    page = new_page(browser, contexts)
    log_in(page, live, "hanbit_admin", lang)
    page.goto(live.url(f"/batches/{batch}"))
    person = page.locator(f'tr[data-worker="{worker}"]')
    expect(person.get_by_test_id("row-questions")).to_contain_text(
        t("verdicts.question.essential_skills", lang)
    )
    person.get_by_role("link", name=worker).click()
    form = page.get_by_test_id("answer-form")
    question = form.locator('[data-fact="essential_skills"]')
    expect(question).to_contain_text(t("verdicts.question.essential_skills", lang))
    phone = new_page(browser, contexts, 390)
    log_in(phone, live, "hanbit_admin", lang)
    phone.goto(live.url(f"/trips/{trip}"))
    expect(phone.get_by_test_id("answer-form")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(phone, f"verdicts-questions-{lang}-390", full=True)
    question.get_by_label(t("verdicts.answer.yes", lang), exact=True).check()
    shot(page, f"verdicts-questions-{lang}", full=True)
    form.get_by_role("button", name=t("verdicts.questions.submit", lang)).click()
    expect(page.get_by_test_id("flash")).to_have_text(t("web.flash.answered", lang))
    expect(page.get_by_test_id("lead-status")).to_have_attribute("data-category", "E2")
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    _, opened = _ids(live, batch, worker)
    assert opened is not None
