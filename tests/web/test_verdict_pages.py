"""Issue #12, sections 3 and 4 on the pages, in process (SQLite and PostgreSQL): notes for
counsel for desk roles only and under their own label, the recommended status first, the
others folded, missing facts as questions answered for one person."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from tests.desk.fixtures import HANBIT, World, file_roster, hanbit_batch, roster_rows
from tests.web.conftest import csrf_of
from visadesk.desk.db import read_session
from visadesk.desk.models import Case, Trip
from visadesk.desk.runtime import Desk
from visadesk.i18n import t as text
from visadesk.web.templating import format_date

Browser = Callable[..., TestClient]


def t(key: str, lang: str, **params: object) -> str:
    """A message as a page shows it (HTML-escaped)."""
    return str(escape(text(key, lang, **params)))


LANGS = ["en", "ko"]
#: English rule-data notes for counsel that once reached sponsors' Korean pages.
NOTES = ("verify against the current FAM", "Roster proxy", "One year of unlawful presence")


def _filed(desk: Desk, world: World) -> int:
    batch = hanbit_batch(desk, world, "daeseong")
    rows = [r for r in roster_rows(HANBIT) if r["employer"] == "Hanbit Energy Solutions"]
    file_roster(desk, world, batch, rows)
    return batch


def _trip(desk: Desk, worker_id: str) -> tuple[int, int | None]:
    with read_session(desk.sessions) as s:
        trip = s.scalar(select(Trip.id).where(Trip.worker_id == worker_id))
        case = s.scalar(select(Case.id).where(Case.trip_id == trip))
    assert trip is not None
    return trip, case


def _screening(html: str) -> str:
    start = html.index('data-testid="screening"')
    return html[start:]


@pytest.mark.parametrize("lang", LANGS)
def test_counsel_notes_only_for_the_desk_under_their_label(
    browser_for: Browser, world: World, desk: Desk, lang: str
) -> None:
    _filed(desk, world)
    trip, case = _trip(desk, "HB-0003")
    for who in ("hanbit_admin", "hanbit_staff"):
        client = browser_for(who, lang)
        for path in (f"/cases/{case}", f"/trips/{trip}"):
            html = client.get(path).text
            assert not any(note in html for note in NOTES), (who, path)
            assert t("verdicts.counsel.title", lang) not in html
            assert 'data-testid="counsel-notes"' not in html
            assert t("documents.desk_procedure", lang) not in html
    officer = browser_for("officer", lang)
    html = officer.get(f"/cases/{case}").text
    notes = html[html.index('data-testid="counsel-notes"') :]
    assert t("verdicts.counsel.title", lang) in notes
    assert t("verdicts.verify", lang) in notes
    assert "One year of unlawful presence" in notes


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_and_to_be_verified_never_share_a_label(lang: str) -> None:
    unknown = {t("web.outcome.unknown", lang).rstrip(":"), t("verdicts.unknown", lang)}
    verify = {
        t("verdicts.verify", lang),
        t("web.screening.verify", lang),
        t("explain.verify", lang),
    }
    assert not {u.casefold() for u in unknown} & {v.casefold() for v in verify}
    if lang == "ko":
        assert unknown == {"정보 필요"} and verify == {"법률 검토 필요"}


@pytest.mark.parametrize("lang", LANGS)
def test_recommended_first_then_the_others_folded(
    browser_for: Browser, world: World, desk: Desk, lang: str
) -> None:
    _filed(desk, world)
    _, case = _trip(desk, "HB-0003")  # B-1 recommended; E-2 waits for essential_skills
    html = _screening(browser_for("hanbit_admin", lang).get(f"/cases/{case}").text)
    next_at = html.index('data-testid="next-steps"')
    lead_at = html.index('data-testid="lead-status"')
    folded_at = html.index('data-testid="other-statuses"')
    assert next_at < lead_at < folded_at
    lead = html[lead_at:folded_at]
    assert 'data-category="B1"' in lead and "<cite>" in lead
    folded = html[folded_at:]
    assert folded.lstrip().startswith('data-testid="other-statuses"')
    assert html[:folded_at].rstrip().endswith('<details class="other-statuses"')
    for cid in ("VWP", "E2", "L1A", "L1B", "H1B", "H2B"):
        assert f'data-category="{cid}"' in folded
    # A status is recommended: no question is asked up front; E-2's waits, folded with it.
    assert 'data-testid="questions"' not in html
    assert t("verdicts.question.essential_skills", lang) in folded


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_fact_is_a_question_answered_for_one_person(
    browser_for: Browser, world: World, desk: Desk, lang: str
) -> None:
    _filed(desk, world)
    trip, case = _trip(desk, "HB-0020")
    assert case is None
    sponsor = browser_for("hanbit_admin", lang)
    page = sponsor.get(f"/trips/{trip}").text
    questions = page[page.index('data-testid="questions"') :]
    assert t("verdicts.question.essential_skills", lang) in questions
    assert 'name="essential_skills" value="yes"' in questions
    assert t("verdicts.answer.yes", lang) in questions and ">essential_skills<" not in questions
    # A bad answer: the page again, naming the column, the value and what was expected.
    refused = sponsor.post(
        f"/trips/{trip}/facts",
        data={"csrf_token": csrf_of(page), "back": "trip", "essential_skills": "maybe"},
    )
    assert refused.status_code == 422
    assert "essential_skills" in refused.text and "maybe" in refused.text
    done = sponsor.post(
        f"/trips/{trip}/facts",
        data={"csrf_token": csrf_of(page), "back": "trip", "essential_skills": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/trips/{trip}?done=answered#verdict"
    again = sponsor.get(done.headers["location"]).text
    assert t("web.flash.answered", lang) in again
    assert 'data-testid="lead-status"' in again and 'data-category="E2"' in again
    _, opened = _trip(desk, "HB-0020")
    assert opened is not None
    # Without the session's CSRF token nothing is answered.
    forged = sponsor.post(f"/trips/{trip}/facts", data={"essential_skills": "no"})
    assert forged.status_code == 403


def test_the_desk_and_other_tenants_cannot_answer(
    browser_for: Browser, world: World, desk: Desk
) -> None:
    _filed(desk, world)
    trip, _ = _trip(desk, "HB-0020")
    officer = browser_for("officer")
    page = officer.get(f"/trips/{trip}").text
    assert 'data-testid="answer-form"' not in page
    r = officer.post(
        f"/trips/{trip}/facts", data={"csrf_token": csrf_of(page), "essential_skills": "yes"}
    )
    assert r.status_code == 403
    outsider = browser_for("haeon_admin")
    token = csrf_of(outsider.get("/projects").text)
    r = outsider.post(f"/trips/{trip}/facts", data={"csrf_token": token, "essential_skills": "yes"})
    assert r.status_code == 404


def test_batch_rows_show_the_recommendation_and_fold_the_rest(
    browser_for: Browser, world: World, desk: Desk
) -> None:
    batch = _filed(desk, world)
    html = browser_for("hanbit_admin", "ko").get(f"/batches/{batch}").text
    row = re.search(r'<tr data-worker="HB-0003".*?</tr>', html, re.S)
    assert row is not None
    text = row.group(0)
    assert text.count('data-testid="recommended-chip"') == 1
    assert 'data-testid="row-other-statuses"' in text and "row-questions" not in text
    amber = re.search(r'<tr data-worker="HB-0020".*?</tr>', html, re.S)
    assert amber is not None
    assert t("verdicts.question.essential_skills", "ko") in amber.group(0)


@pytest.mark.parametrize("worker_id", ["HB-0003", "HB-0020", "HB-0033"])
def test_a_korean_sponsor_reads_no_english_sentence(
    browser_for: Browser, world: World, desk: Desk, worker_id: str
) -> None:
    """Rule-data text for counsel is English only: none of it reaches a Korean page."""
    _filed(desk, world)
    trip, _ = _trip(desk, worker_id)
    html = _screening(browser_for("hanbit_admin", "ko").get(f"/trips/{trip}").text)
    html = html[: html.index("</main>")] if "</main>" in html else html
    shown = re.sub(r"<cite[^>]*>.*?</cite>", " ", html, flags=re.S)
    shown = re.sub(r"<[^>]+>", " ", shown)
    english = re.findall(r"[A-Za-z][a-z]+(?:[ ,;:'’-]+[A-Za-z][a-z]+){2,}", shown)
    assert english == []


@pytest.mark.parametrize("lang", LANGS)
def test_what_to_do_next_warns_when_the_visa_comes_too_late(
    browser_for: Browser, world: World, desk: Desk, lang: str
) -> None:
    batch = hanbit_batch(desk, world, "sejin")
    rows = [r for r in roster_rows(HANBIT) if r["worker_id"] == "SJ-0015"]
    file_roster(desk, world, batch, rows, who="sejin_staff")
    trip, _ = _trip(desk, "SJ-0015")
    with read_session(desk.sessions) as s:
        start = s.get_one(Trip, trip).trip_start
    html = _screening(browser_for("sejin_staff", lang).get(f"/trips/{trip}").text)
    steps = html[html.index('data-testid="next-steps"') : html.index('data-testid="lead-status"')]
    assert t("verdicts.next.late", lang, date=format_date(start, lang)) in steps
