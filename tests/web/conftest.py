"""Web app fixtures.

Page tests (``test_pages.py``) drive the app in process with Starlette's test
client over the desk fixtures of ``tests/desk/fixtures.py`` (SQLite and
PostgreSQL). Browser tests (``test_browser.py``) drive Debian's chromium with
Playwright against a live uvicorn server in a background thread; they run on
SQLite only (a temporary file) - the PostgreSQL behaviour of the same service
functions is covered by the desk's and the page tests.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.desk.fixtures import PASSWORD, SAMPLE, TODAY, World, roster_csv, roster_rows
from visadesk.desk.api.app import create_app
from visadesk.desk.api.state import Desk

HANBIT: str = "Hanbit GA Cell Plant"
SEJIN: str = "Sejin Plant Engineering & Construction"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def csrf_of(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(browser: TestClient, key: str, *, lang: str = "en") -> TestClient:
    page = browser.get(f"/login?lang={lang}")
    r = browser.post(
        "/login",
        data={
            "email": f"{key}@example.test",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return browser


@pytest.fixture
def browser_for(desk: Desk, world: World) -> Iterator[Callable[..., TestClient]]:
    """``browser_for("hanbit_admin")``: a test client with that user's browser session."""
    opened: list[TestClient] = []

    def make(key: str, lang: str = "en") -> TestClient:
        c = TestClient(create_app(desk), raise_server_exceptions=False)
        c.__enter__()
        opened.append(c)
        return login(c, key, lang=lang)

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def hanbit_rows(*, without: tuple[str, ...] = (SEJIN,)) -> list[dict[str, str]]:
    """The sample roster's rows of the Hanbit project, less the named employers' staff."""
    return [r for r in roster_rows(HANBIT) if r["employer"] not in without]


def employer_rows(employer: str) -> list[dict[str, str]]:
    return [r for r in roster_rows(HANBIT) if r["employer"] == employer]


def sample_xlsx(project: str = HANBIT, without: tuple[str, ...] = (SEJIN,)) -> bytes:
    """The bundled XLSX sample (Korean headers) cut down to one project's rows."""
    book = openpyxl.load_workbook(SAMPLE.with_suffix(".xlsx"))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    project_col = header.index("프로젝트") + 1
    employer_col = header.index("소속") + 1
    for row in range(sheet.max_row, 1, -1):
        if (
            sheet.cell(row, project_col).value != project
            or sheet.cell(row, employer_col).value in without
        ):
            sheet.delete_rows(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def broken_csv(rows: list[dict[str, str]]) -> bytes:
    """``rows`` as CSV, with the second row's trip end and the third's role made invalid."""
    broken = [dict(r) for r in rows]
    broken[1]["trip_end"] = "2027-02-31"
    broken[2]["role"] = "wizard"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(broken[0]))
    writer.writeheader()
    writer.writerows(broken)
    return out.getvalue().encode("utf-8")


def chromium_path() -> str | None:
    path = "/usr/bin/chromium"
    return path if os.access(path, os.X_OK) else None


__all__ = [
    "ARTIFACTS",
    "HANBIT",
    "SEJIN",
    "TODAY",
    "broken_csv",
    "chromium_path",
    "csrf_of",
    "employer_rows",
    "hanbit_rows",
    "login",
    "roster_csv",
    "sample_xlsx",
]
