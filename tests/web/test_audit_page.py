"""The audit page (/audit): in process (SQLite and PostgreSQL) and in Debian's chromium.

In process: who may open it, the filter and its problems, the verify button (CSRF, the
result in the reader's language, a tampered chain named), the exports. In the browser
(a live server, like ``test_browser.py``), in English and Korean: the auditor filters
the log, verifies the chain and downloads both exports; the page fits a phone; a reset
link issued and used shows up in the log. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select, text

from tests.harness import DEMO_PASSWORD, DemoWorld
from tests.web.conftest import TIMEOUT_MS, Live, csrf_of, shot
from visadesk.desk import audit_view
from visadesk.desk.db import read_session
from visadesk.desk.models import AuditEntry
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

Client = Callable[..., TestClient]
NEW = "a brand new passphrase"


# -- in process ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "lang"), [("auditor", "en"), ("admin", "ko")])
def test_the_auditor_and_the_desk_admin_open_the_audit_page(
    browser_for: Client, who: str, lang: str
) -> None:
    c = browser_for(who, lang)
    r = c.get("/audit")
    assert r.status_code == 200
    assert t("audit_view.title", lang) in r.text
    assert 'data-testid="nav-audit"' in r.text
    rows = r.text.count('data-testid="audit-row"')
    assert 0 < rows <= audit_view.PER_PAGE
    assert 'data-testid="export-csv"' in r.text and 'data-testid="export-jsonl"' in r.text
    # People are masked: the e-mail's first characters and its domain, never the whole.
    assert "hanbi*******@example.test" in c.get("/audit?action=auth").text
    assert "hanbit_admin@example.test" not in c.get("/audit?action=auth").text
    assert t("notice.guidance", lang) in r.text


@pytest.mark.parametrize("who", ["supervisor", "officer", "hanbit_admin", "sejin_staff"])
def test_no_other_role_opens_the_audit_page(browser_for: Client, who: str) -> None:
    c = browser_for(who)
    page = c.get("/account/password")
    assert 'href="/audit"' not in page.text
    assert c.get("/audit").status_code == 403
    assert c.get("/audit/export?format=csv").status_code == 403
    r = c.post("/audit/verify", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 403


def test_the_audit_page_needs_a_session(client: TestClient) -> None:
    r = client.get("/audit", follow_redirects=False)
    assert r.status_code in {302, 303} and "/login" in r.headers["location"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_filter_narrows_the_log_and_names_its_problems(browser_for: Client, lang: str) -> None:
    c = browser_for("auditor", lang)
    logins = c.get("/audit?action=auth")
    assert logins.status_code == 200
    assert set(_attr(logins.text, "data-action")) == {"auth.login"}
    assert 'value="auth" selected' in logins.text  # the filter is kept on the page
    r = c.get("/audit?since=2026-13-01&actor=a%20b&entity_id=x%20y")
    assert r.status_code == 422
    assert 'data-testid="filter-problems"' in r.text
    assert _attr(r.text, "data-field") == ["since", "actor", "entity_id"]
    assert t("audit_view.expected.date", lang) in r.text
    assert 'value="2026-13-01"' in r.text  # what was typed stays, to be corrected


def _attr(html: str, name: str) -> list[str]:
    return re.findall(rf'{name}="([^"]*)"', html)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_verify_needs_csrf_and_names_an_edited_entry(
    browser_for: Client, desk: Desk, lang: str
) -> None:
    c = browser_for("auditor", lang)
    page = c.get("/audit?action=auth")
    assert c.post("/audit/verify", data={"csrf_token": "forged"}).status_code == 403
    r = c.post("/audit/verify", data={"csrf_token": csrf_of(page.text), "action": "auth"})
    assert r.status_code == 200
    assert 'data-intact="yes"' in r.text
    with read_session(desk.sessions) as s:
        checked = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    assert t("audit_view.verify.intact", lang, count=f"{checked:,}") in r.text
    assert set(_attr(r.text, "data-action")) == {"auth.login"}  # the filter is kept
    with desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET entity_id = 'x' WHERE seq = 3"))
    r = c.post("/audit/verify", data={"csrf_token": csrf_of(page.text)})
    assert 'data-intact="no"' in r.text
    assert t("desk_cli.audit.edited", lang, seq=3) in r.text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_exports_follow_the_filter(browser_for: Client, lang: str) -> None:
    c = browser_for("admin", lang)
    page = c.get("/audit?action=auth")
    total = len(set(_attr(page.text, "data-seq")))
    r = c.get("/audit/export?format=csv&action=auth")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == t("audit_view.col.seq", lang)
    assert len(rows) - 1 == total
    r = c.get("/audit/export?format=jsonl&action=auth")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert {line["action"] for line in lines} == {"auth.login"} and len(lines) == total
    assert c.get("/audit/export?format=pdf").status_code == 422


# -- in the browser --------------------------------------------------------------------------


@pytest.fixture
def pages(browser: Browser) -> Iterator[Callable[..., Page]]:
    opened: list[BrowserContext] = []

    def make(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context.new_page()

    yield make
    for c in opened:
        c.close()


def _log_in(page: Page, live: Live, key: str, password: str, lang: str) -> bool:
    page.goto(live.url(f"/login?lang={lang}"))
    page.fill("#email", DemoWorld.email(key))
    page.fill("#password", password)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=who], [data-testid=error]")
    return page.locator("[data-testid=who]").count() == 1


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_auditor_filters_verifies_and_exports(
    live_keys: Live, pages: Callable[..., Page], lang: str, tmp_path: Path
) -> None:
    live = live_keys
    page = pages()
    assert _log_in(page, live, "auditor", DEMO_PASSWORD, lang)
    page.get_by_test_id("nav-audit").click()
    expect(page.locator("h1")).to_have_text(t("audit_view.title", lang))
    shot(page, f"audit-{lang}", full=True)
    # Filter: every sign-in.
    page.select_option("#a-action", "auth")
    page.get_by_test_id("apply-filter").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_be_visible()
    actions = rows.evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert set(actions) == {"auth.login"}
    assert "action=auth" in page.url
    # Verify: the result on the answer, the filter kept.
    page.get_by_test_id("verify-chain").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-intact", "yes")
    expect(page.get_by_test_id("verify-result")).to_contain_text(
        t("audit_view.verify.intact", lang, count="X").split("X")[0].strip()
    )
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.action)")) == {"auth.login"}
    shot(page, f"audit-verified-{lang}", full=True)
    # Export: both files hold the filtered log.
    with page.expect_download() as got:
        page.get_by_test_id("export-csv").click()
    saved = tmp_path / "audit.csv"
    got.value.save_as(saved)
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert table[0][0] == t("audit_view.col.seq", lang)
    action = table[0].index(t("audit_view.col.action", lang))
    assert {row[action] for row in table[1:]} == {"auth.login"}
    with page.expect_download() as got:
        page.get_by_test_id("export-jsonl").click()
    lines = got.value.path().read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(table) - 1
    assert {json.loads(line)["action"] for line in lines} == {"auth.login"}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_audit_page_fits_a_phone(
    live_keys: Live, pages: Callable[..., Page], lang: str
) -> None:
    page = pages(width=390, height=844)
    assert _log_in(page, live_keys, "auditor", DEMO_PASSWORD, lang)
    page.goto(live_keys.url("/audit"))
    expect(page.get_by_test_id("audit-row").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, f"audit-phone-{lang}", full=True)


@pytest.mark.parametrize(("lang", "admin_key", "user_key"), [("en", "admin", "officer")])
def test_a_reset_link_is_issued_used_once_and_audited(
    live_keys: Live, pages: Callable[..., Page], lang: str, admin_key: str, user_key: str
) -> None:
    """The whole reset flow in English (test_account_pages.py walks it in Korean), then the
    auditor finds both steps in the log."""
    live = live_keys
    admin = pages()
    assert _log_in(admin, live, admin_key, DEMO_PASSWORD, lang)
    admin.goto(live.url("/users"))
    row = admin.locator(f"[data-testid=user-row][data-email='{DemoWorld.email(user_key)}']")
    user_id = (row.get_attribute("id") or "").removeprefix("user-")
    row.get_by_test_id("issue-reset").click()
    link = admin.get_by_test_id("reset-link").inner_text().strip()
    assert link.startswith(live.base + "/reset/")

    user = pages()
    user.goto(link + f"?lang={lang}")
    expect(user.locator("h1")).to_have_text(t("web.reset.title", lang))
    user.fill("#f-new_password", NEW)
    user.fill("#f-new_password_again", NEW)
    user.get_by_role("button", name=t("web.reset.submit", lang)).click()
    expect(user.get_by_test_id("reset-done")).to_have_text(t("web.reset.done", lang))
    user.goto(link + f"?lang={lang}")
    user.fill("#f-new_password", "yet another passphrase")
    user.fill("#f-new_password_again", "yet another passphrase")
    user.get_by_role("button", name=t("web.reset.submit", lang)).click()
    expect(user.get_by_test_id("error")).to_have_text(t("desk.error.reset_invalid", lang))
    assert not _log_in(user, live, user_key, DEMO_PASSWORD, lang)
    assert _log_in(user, live, user_key, NEW, lang)

    auditor = pages()
    assert _log_in(auditor, live, "auditor", DEMO_PASSWORD, lang)
    auditor.goto(live.url(f"/audit?entity=user&entity_id={user_id}&action=user"))
    actions = auditor.get_by_test_id("audit-row").evaluate_all(
        "rows => rows.map(r => r.dataset.action)"
    )
    assert actions[:2] == ["user.password_reset", "user.reset_issue"]
