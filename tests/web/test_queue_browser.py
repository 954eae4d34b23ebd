"""The officer's queue in a real browser (issue #12, section 5), in English and Korean:
the default queue is the officer's open work, two ticked rows are assigned in one go,
and the export link downloads the filtered queue as a workbook in the page's language.

Debian's chromium through Playwright against the tests' small seeded desk (SQLite),
on the day the desk tests pin (27 November 2026).
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from sqlalchemy import select, update

from tests.web.conftest import Live, filed_batch, log_in, new_page, shot
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case
from visadesk.desk.workflow import actionable_states
from visadesk.i18n import t

LANGS = ["en", "ko"]

pytestmark = pytest.mark.usefixtures("live_keys", "people_free")


def _filed(live: Live, name: str) -> list[int]:
    """A submitted Hanbit batch and a batch of drafts; some submitted cases moved on to
    states that are not an officer's work. The submitted cases' ids."""
    batch = filed_batch(live, name, submit=True)
    with write_session(live.desk.sessions) as s:
        ids = list(s.scalars(select(Case.id).where(Case.batch_id == batch).order_by(Case.id)))
        s.execute(update(Case).where(Case.id.in_(ids[:2])).values(state="issued"))
        s.execute(update(Case).where(Case.id.in_(ids[2:3])).values(state="closed"))
    return ids[3:]


@pytest.mark.parametrize("lang", LANGS)
def test_officer_default_queue_bulk_assign_and_export(  # noqa: PLR0915 - one journey
    live: Live, browser: Browser, contexts: list[BrowserContext], lang: str
) -> None:
    submitted = _filed(live, f"Queue {lang}")
    work = actionable_states("desk_officer")

    # The officer's default queue: only states an officer can act on.
    officer = new_page(browser, contexts)
    log_in(officer, live, "officer", lang)
    assert officer.url.endswith("/queue")
    rows = officer.locator("[data-testid=queue] tbody tr")
    expect(rows.first).to_be_visible()
    states = set(rows.evaluate_all("rs => rs.map(r => r.dataset.state)"))
    assert states and states <= work
    expect(officer.locator("#f-state")).to_have_value("")
    # Days left on every row (the sample's trips start after the desk's day).
    expect(officer.get_by_test_id("days-left").first).to_contain_text(
        t("queue.days_left", lang, days="").strip()
    )
    # "All states" reaches every case, the issued and closed ones too.
    with read_session(live.desk.sessions) as s:
        everything = len(s.scalars(select(Case.id)).all())
        open_work = len(s.scalars(select(Case.id).where(Case.state.in_(work))).all())
    total = officer.get_by_test_id("queue-total")
    expect(total).to_contain_text(str(open_work))
    officer.select_option("#f-state", "all")
    expect(officer).to_have_url(re.compile(r"state=all"))
    expect(total).to_contain_text(str(everything))
    assert everything > open_work

    # The supervisor ticks two rows and assigns both to the officer in one go.
    supervisor = new_page(browser, contexts)
    log_in(supervisor, live, "supervisor", lang)
    supervisor.goto(live.url("/queue?q=hb-"))
    two = [c for c in submitted if supervisor.locator(f'tr[data-case="{c}"]').count()][:2]
    assert len(two) == 2
    for case_id in two:
        supervisor.check(f"#pick-{case_id}")
    officer_id = live.world.users["officer"].user_id
    supervisor.select_option("#bulk-action", f"assign:{officer_id}")
    supervisor.get_by_role("button", name=t("queue.bulk.apply", lang)).click()
    expect(supervisor.get_by_test_id("flash")).to_have_text(t("web.flash.bulk_done", lang))
    expect(supervisor).to_have_url(live.url("/queue?q=hb-&done=bulk_done"))
    for case_id in two:
        expect(
            supervisor.locator(f'tr[data-case="{case_id}"] [data-testid=assignee]')
        ).to_have_text("Officer")
    with read_session(live.desk.sessions) as s:
        assigned = set(s.scalars(select(Case.assignee_id).where(Case.id.in_(two))))
    assert assigned == {officer_id}
    shot(supervisor, f"queue-bulk-{lang}")

    # "My cases": the officer's own open work (these two, and any an earlier run
    # assigned that is still open: the default view is open work).
    with read_session(live.desk.sessions) as s:
        own = set(
            s.scalars(select(Case.id).where(Case.assignee_id == officer_id, Case.state.in_(work)))
        )
    assert set(two) <= own
    officer.goto(live.url("/queue?assignee=me"))
    mine = officer.locator("[data-testid=queue] tbody tr")
    expect(mine).to_have_count(len(own))
    assert set(mine.evaluate_all("rs => rs.map(r => +r.dataset.case)")) == own

    # The export link downloads the filtered queue, headed in the page's language.
    with officer.expect_download() as download:
        officer.get_by_test_id("export-xlsx").click()
    data = download.value.path().read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[0] == t("queue.export.col.case", lang)
    assert t("queue.export.col.assignee", lang) in header
    ids = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert set(ids) == own
