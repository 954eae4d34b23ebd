"""The decisions pages without a browser (issue #12), on SQLite and PostgreSQL: a final
step is a GET to its confirm page, never a one-click POST; the forms are refused
without their confirmation; the submit step lists every person with the reason."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.desk.fixtures import World, file_roster, first_case, hanbit_batch
from tests.desk.test_decisions import AMBER_1, CASE, COVERED, RED, three_lights_rows
from tests.web.conftest import csrf_of
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Batch, Case
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

Browser = Callable[..., TestClient]


def _batch(desk: Desk, world: World) -> int:
    batch = hanbit_batch(desk, world, name="pages")
    file_roster(desk, world, batch, three_lights_rows())
    return batch


def test_the_submit_step_lists_everyone_and_refuses_without_confirmation(
    browser_for: Browser, desk: Desk, world: World
) -> None:
    batch = _batch(desk, world)
    sponsor = browser_for("hanbit_admin", "ko")
    page = sponsor.get(f"/batches/{batch}")
    # The batch page no longer submits in one click: it opens the submit step (a GET).
    assert f'<form method="get" action="/batches/{batch}/submit"' in page.text
    step = sponsor.get(f"/batches/{batch}/submit")
    assert step.status_code == 200
    outcomes = dict(re.findall(r'data-worker="([^"]+)" data-outcome="(\w+)"', step.text))
    assert outcomes == {
        CASE: "case",
        COVERED: "covered",
        AMBER_1: "decide",
        "HB-0033": "decide",
        RED: "not_filed",
    }
    assert t("decisions.group.decide", "ko", count=2) in step.text
    assert t("decisions.guidance", "ko") in step.text
    refused = sponsor.post(
        f"/batches/{batch}/submit", data={"amber": "hold", "csrf_token": csrf_of(step.text)}
    )
    assert refused.status_code == 422
    assert t("desk.error.confirm_required", "ko") in html.unescape(refused.text)
    assert "checked>" in refused.text.split('id="amber-hold"')[1][:40]  # the choice is kept
    with read_session(desk.sessions) as s:
        assert s.get_one(Batch, batch).state == "open"
    done = sponsor.post(
        f"/batches/{batch}/submit",
        data={"amber": "hold", "confirm": "yes", "csrf_token": csrf_of(step.text)},
    )
    assert done.status_code == 200 and t("web.flash.submitted", "ko") in done.text
    # Staff may see the batch but not submit it.
    staff = browser_for("hanbit_staff")
    assert staff.get(f"/batches/{batch}/submit").status_code == 403


def test_a_final_step_goes_through_its_confirm_page(
    browser_for: Browser, desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, name="final")
    file_roster(desk, world, batch, [r for r in three_lights_rows() if r["worker_id"] == CASE])
    case = first_case(desk, batch)
    with write_session(desk.sessions) as s:
        s.execute(update(Case).where(Case.id == case).values(state="interview_scheduled"))
    officer = browser_for("officer")
    page = officer.get(f"/cases/{case}")
    # Refuse and approve are buttons of a GET form to the confirm page; administrative
    # processing (reversible) stays a POST on the case page.
    final = page.text.split('data-testid="final-steps"')[1].split("</form>")[0]
    assert 'data-to="refused"' in final and 'data-to="approved"' in final
    posted = page.text.split('data-testid="transition-form"')[1].split("</form>")[0]
    assert 'data-to="administrative_processing"' in posted and "refused" not in posted
    # Posting a final step without its confirmation: refused back to the confirm page.
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    r = officer.post(
        f"/cases/{case}/transition",
        data={"to": "approved", "version": version.group(1), "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 422
    assert t("desk.error.confirm_required", "en") in html.unescape(r.text)
    assert 'data-testid="confirm-form"' in r.text
    # A refusal without a ground or comment names both problems at once.
    confirm = officer.get(f"/cases/{case}/confirm?to=refused")
    r = officer.post(
        f"/cases/{case}/transition",
        data={
            "to": "refused",
            "confirm": "yes",
            "version": version.group(1),
            "csrf_token": csrf_of(confirm.text),
        },
    )
    assert r.status_code == 422
    for problem in ("ground_required", "comment_required"):
        text = t(f"decisions.problem.{problem}", "en", choices="ina_214b, ina_221g, ina_212a")
        assert text in html.unescape(r.text), problem
    with read_session(desk.sessions) as s:
        assert s.scalar(select(Case.state).where(Case.id == case)) == "interview_scheduled"
    # A step that is not final has no confirm page.
    assert officer.get(f"/cases/{case}/confirm?to=administrative_processing").status_code == 409
