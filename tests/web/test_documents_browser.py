"""Issue #12 section 6 in a real browser (Debian's chromium, both languages): the batch
page's workbook download is in the reader's language with its traffic light and legend;
the case's traveller sheet is in the reader's language first, without notes for counsel,
and its PDF embeds its Korean font."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from tests.web.conftest import TIMEOUT_MS, Live, filed_batch, log_in
from visadesk.desk.db import read_session
from visadesk.desk.models import Case, Trip
from visadesk.i18n import t

pytestmark = pytest.mark.usefixtures("live_keys", "people_free")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_workbook_download_and_traveller_sheet(
    lang: str, live: Live, page: Page, tmp_path: Path
) -> None:
    batch = filed_batch(live, f"documents-{lang}", submit=True)
    log_in(page, live, "hanbit_admin", lang)

    # The batch page's workbook link: the file is in the reader's language.
    page.goto(live.url(f"/batches/{batch}"))
    with page.expect_download() as info:
        page.click("[data-testid=workbook]")
    path = tmp_path / "workbook.xlsx"
    info.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames[-1] == t("workbook.sheet.legend", lang)
    sheet = book.worksheets[0]
    head = [c.value for c in sheet[1]]
    assert head[:4] == [
        t(f"workbook.col.{k}", lang) for k in ("light", "worker_id", "name_en", "name_ko")
    ]
    lights = {t(f"workbook.light.{x}", lang) for x in ("green", "amber", "red")}
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} <= lights
    assert sheet.freeze_panes == "E2" and sheet.auto_filter.ref

    # A case's traveller sheet, reached from the case page.
    with read_session(live.desk.sessions) as s:
        case_id = s.scalars(
            select(Case.id)
            .join(Trip, Trip.id == Case.trip_id)
            .where(Trip.batch_id == batch, Case.decision.is_(None))
            .order_by(Case.id)
        ).first()
    assert case_id is not None
    page.goto(live.url(f"/cases/{case_id}"))
    page.click(f"[data-testid=traveller-links] a[href='/cases/{case_id}/traveller']")
    page.wait_for_selector("footer.notice")
    assert page.get_attribute("html", "lang") == lang
    first = page.locator("h1 .pri").inner_text()
    assert first == t("traveller.title", lang)
    text = page.locator("body").inner_text()
    for marker in ("verify", "Roster proxy", "not encoded", "확인 필요"):
        assert marker not in text
    notice = live.desk.policy.notice
    assert notice.en in text and notice.ko in text

    # Its PDF, fetched with the browser's session: the Korean font is embedded.
    pdf = page.request.get(live.url(f"/cases/{case_id}/traveller.pdf?lang={lang}"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        pytest.skip("poppler-utils missing: tools/ci/ensure-services.sh")
    file = tmp_path / "sheet.pdf"
    file.write_bytes(pdf.body())
    out = subprocess.run(  # noqa: S603 - poppler's pdffonts on a file we wrote
        [pdffonts, str(file)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"\+VisadeskGothic-Regular\s+TrueType\s+\S+\s+yes\s+yes\s+yes", out), out
