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
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import update

from tests.desk.fixtures import PASSWORD, SAMPLE, TODAY, World, roster_csv, roster_rows
from tests.harness import DEMO_PASSWORD, DemoWorld, seed_demo, serve
from visadesk.desk import projects, transitions, uploads
from visadesk.desk.config import Settings
from visadesk.desk.crypto import use_keys
from visadesk.desk.db import write_session
from visadesk.desk.models import Batch, Case
from visadesk.desk.runtime import Desk, build_desk
from visadesk.desk.workflow import OPEN_STATES
from visadesk.server import create_app

HANBIT: str = "Hanbit GA Cell Plant"
SEJIN: str = "Sejin Plant Engineering & Construction"
#: Hanbit's other subcontractor: the web tests' batches do not invite it, so the sample's
#: Hanbit rows they file leave its staff out (a batch refuses an uninvited employer's rows).
DAESEONG: str = "Daeseong Precision Machinery"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How long a browser test waits for a page or an element.
TIMEOUT_MS = 15_000


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


def hanbit_rows(*, without: tuple[str, ...] = (SEJIN, DAESEONG)) -> list[dict[str, str]]:
    """The sample roster's rows of the Hanbit project, less the named employers' staff."""
    return [r for r in roster_rows(HANBIT) if r["employer"] not in without]


def employer_rows(employer: str) -> list[dict[str, str]]:
    return [r for r in roster_rows(HANBIT) if r["employer"] == employer]


def sample_xlsx(project: str = HANBIT, without: tuple[str, ...] = (SEJIN, DAESEONG)) -> bytes:
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


# -- a live server and a browser (test_browser.py, test_account_pages.py) ----------------


@dataclass
class Live:
    """A desk served by uvicorn in a thread (SQLite in a temporary folder)."""

    base: str
    desk: Desk
    world: DemoWorld
    keys: tuple[str, ...]

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """The tests' small seeded desk (``tests/harness.py``), served; one per test module."""
    with tempfile.TemporaryDirectory(prefix="visadesk-web-") as folder:
        keys = (Fernet.generate_key().decode(),)
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'desk.db'}",
            data_dir=Path(folder),
            data_keys=keys,
            secret_key="browser-tests",  # noqa: S106 - test settings
            secure_cookies=False,
        )
        desk = build_desk(settings, today=lambda: TODAY)
        world = seed_demo(desk, DEMO_PASSWORD)
        with serve(create_app(desk)) as base:
            yield Live(base, desk, world, keys)
        desk.engine.dispose()


@pytest.fixture
def live_keys(live: Live) -> Live:
    """Other tests' desks install their own data keys: this desk's come back first."""
    use_keys(live.keys)
    return live


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """The browser contexts a journey opens (:func:`new_page`), closed after it."""
    opened: list[BrowserContext] = []
    yield opened
    for c in opened:
        c.close()


def new_page(
    browser: Browser, contexts: list[BrowserContext], width: int = 1280, height: int = 800
) -> Page:
    """A page in a context of its own (its own cookies: one signed-in person), downloads
    accepted, closed with ``contexts``."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    contexts.append(context)
    return context.new_page()


def log_in(page: Page, live: Live, key: str, lang: str) -> None:
    """Sign the demo user ``key`` in through the login form, in ``lang``."""
    page.goto(live.url(f"/login?lang={lang}"))
    page.fill("#email", DemoWorld.email(key))
    page.fill("#password", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=who]")


def filed_batch(live: Live, name: str, *, submit: bool) -> int:
    """A Hanbit batch with the sample's Hanbit rows, made through the services."""
    sponsor = live.world.users["hanbit_admin"]
    with write_session(live.desk.sessions) as s:
        batch = projects.create_batch(
            s, sponsor, project_id=live.world.projects["hanbit"], name=name
        )
        uploads.upload_roster(
            s,
            sponsor,
            batch.id,
            data=roster_csv(hanbit_rows()),
            filename="hanbit.csv",
            policy=live.desk.policy,
            as_of=live.desk.today(),
        )
        if submit:
            transitions.submit_batch(
                s, sponsor, batch.id, live.desk, transitions.SubmitChoice(True, "hold")
            )
        return batch.id


@pytest.fixture
def people_free(live: Live) -> None:
    """The journeys of a module file the same sample people again and again into one
    live desk (each language, each test): the earlier journeys' open cases are closed
    and their open batches submitted first, since a person has one open case per trip
    (a batch refuses a second for overlapping dates: ``desk.integrity``)."""
    with write_session(live.desk.sessions) as s:
        s.execute(update(Case).where(Case.state.in_(OPEN_STATES)).values(state="closed"))
        s.execute(update(Batch).where(Batch.state == "open").values(state="submitted"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium through Playwright; skipped without it unless
    ``VISADESK_REQUIRE_BROWSER=1``."""
    path = chromium_path()
    if path is None:
        reason = "no /usr/bin/chromium: install Debian's chromium (make services)"
        if os.environ.get("VISADESK_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and VISADESK_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def shot(page: Page, name: str, *, full: bool = False) -> None:
    """A screenshot into test-artifacts/screenshots/ (the whole page with ``full``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


__all__ = [
    "ARTIFACTS",
    "HANBIT",
    "SEJIN",
    "TIMEOUT_MS",
    "TODAY",
    "Live",
    "broken_csv",
    "chromium_path",
    "csrf_of",
    "employer_rows",
    "hanbit_rows",
    "login",
    "roster_csv",
    "sample_xlsx",
    "shot",
]
