"""Account pages: in a real browser (Debian's chromium) and in process.

Browser journeys (a live server on a temporary SQLite file, like
``test_browser.py``): a user changes their password in English and in Korean,
after which the old password fails and the new one works; an administrator
disables a user (whose open session ends at once) and enables them again; an
administrator issues a reset link and the user sets a new password through it.
Screenshots go to ``test-artifacts/screenshots/``. The in-process tests (SQLite
and PostgreSQL) check CSRF and who may open the users page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.desk.fixtures import World
from tests.harness import DEMO_PASSWORD, DemoWorld
from tests.web.conftest import TIMEOUT_MS, Live, csrf_of, shot
from visadesk.desk import accounts
from visadesk.i18n import t

NEW = "a brand new passphrase"


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    opened: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context.new_page()

    yield make
    for c in opened:
        c.close()


def try_login(page: Page, live: Live, key: str, password: str, lang: str = "en") -> bool:
    """Sign in through the form; whether it worked."""
    page.goto(live.url(f"/login?lang={lang}"))
    page.fill("#email", DemoWorld.email(key))
    page.fill("#password", password)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=who], [data-testid=error]")
    return page.locator("[data-testid=who]").count() == 1


# -- browser journeys ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "key"), [("en", "sejin_staff"), ("ko", "daeseong_staff")])
def test_a_user_changes_their_password(
    live_keys: Live, new_page: Callable[[], Page], lang: str, key: str
) -> None:
    live = live_keys
    page = new_page()
    assert try_login(page, live, key, DEMO_PASSWORD, lang)
    page.get_by_test_id("nav-password").click()
    expect(page.locator("h1")).to_have_text(t("web.account.password_title", lang))
    # A mistyped confirmation is refused, in the reader's language, and changes nothing.
    page.fill("#f-current_password", DEMO_PASSWORD)
    page.fill("#f-new_password", NEW)
    page.fill("#f-new_password_again", NEW + "x")
    page.get_by_role("button", name=t("web.account.change_button", lang)).click()
    expect(page.get_by_test_id("error")).to_have_text(t("desk.error.passwords_differ", lang))
    page.fill("#f-current_password", DEMO_PASSWORD)
    page.fill("#f-new_password", NEW)
    page.fill("#f-new_password_again", NEW)
    page.get_by_role("button", name=t("web.account.change_button", lang)).click()
    expect(page.get_by_test_id("password-changed")).to_have_text(
        t("web.account.password_changed", lang)
    )
    shot(page, f"account-password-{lang}", full=True)
    # This browser stays signed in; elsewhere the old password fails and the new one works.
    expect(page.get_by_test_id("who")).to_be_visible()
    other = new_page()
    assert not try_login(other, live, key, DEMO_PASSWORD, lang)
    expect(other.get_by_test_id("error")).to_have_text(t("desk.error.bad_credentials", lang))
    assert try_login(other, live, key, NEW, lang)


def test_an_admin_disables_and_enables_a_user(
    live_keys: Live, new_page: Callable[[], Page]
) -> None:
    live = live_keys
    officer = new_page()
    assert try_login(officer, live, "officer", DEMO_PASSWORD)
    admin = new_page()
    assert try_login(admin, live, "admin", DEMO_PASSWORD)
    admin.get_by_test_id("nav-users").click()
    row = admin.locator("[data-testid=user-row][data-email='officer@example.test']")
    row.get_by_test_id("disable").click()
    expect(admin.get_by_test_id("users-done")).to_have_text(t("web.users.done_disabled", "en"))
    row = admin.locator("[data-testid=user-row][data-email='officer@example.test']")
    expect(row).to_have_attribute("data-active", "no")
    shot(admin, "users-disabled-en", full=True)
    # The officer's open session is over at once; signing in again is refused.
    officer.goto(live.url("/queue"))
    expect(officer).to_have_url(f"{live.base}/login?next=%2Fqueue")
    assert not try_login(officer, live, "officer", DEMO_PASSWORD)
    row.get_by_test_id("enable").click()
    expect(admin.get_by_test_id("users-done")).to_have_text(t("web.users.done_enabled", "en"))
    assert try_login(officer, live, "officer", DEMO_PASSWORD)


def test_an_admin_issues_a_reset_link_and_the_user_sets_a_password(
    live_keys: Live, new_page: Callable[[], Page]
) -> None:
    live = live_keys
    admin = new_page()
    assert try_login(admin, live, "hanbit_admin", DEMO_PASSWORD, "ko")
    admin.goto(live.url("/users"))
    # A sponsor admin sees their own staff and their subcontractors', never the desk.
    emails = admin.locator("[data-testid=user-row]").evaluate_all(
        "rows => rows.map(r => r.dataset.email)"
    )
    assert "hanbit_staff@example.test" in emails and "sejin_staff@example.test" in emails
    assert not any(e.split("@")[0] in {"admin", "officer", "kukje_staff"} for e in emails)
    row = admin.locator("[data-testid=user-row][data-email='hanbit_staff@example.test']")
    row.get_by_test_id("issue-reset").click()
    link = admin.get_by_test_id("reset-link").inner_text().strip()
    assert link.startswith(live.base + "/reset/")
    shot(admin, "users-reset-link-ko", full=True)

    user = new_page()
    user.goto(link + "?lang=ko")
    expect(user.locator("h1")).to_have_text(t("web.reset.title", "ko"))
    user.fill("#f-new_password", NEW)
    user.fill("#f-new_password_again", NEW)
    shot(user, "reset-form-ko", full=True)
    user.get_by_role("button", name=t("web.reset.submit", "ko")).click()
    expect(user.get_by_test_id("reset-done")).to_have_text(t("web.reset.done", "ko"))
    # The link works once.
    user.goto(link + "?lang=ko")
    user.fill("#f-new_password", "yet another passphrase")
    user.fill("#f-new_password_again", "yet another passphrase")
    user.get_by_role("button", name=t("web.reset.submit", "ko")).click()
    expect(user.get_by_test_id("error")).to_have_text(t("desk.error.reset_invalid", "ko"))
    assert not try_login(user, live, "hanbit_staff", DEMO_PASSWORD, "ko")
    assert try_login(user, live, "hanbit_staff", NEW, "ko")


# -- in process (SQLite and PostgreSQL) ------------------------------------------------------


def test_account_forms_need_the_sessions_csrf_token(
    browser_for: Callable[..., TestClient], world: World
) -> None:
    admin = browser_for("admin")
    officer = world.users["officer"].user_id
    for path in (f"/users/{officer}/disable", f"/users/{officer}/reset"):
        r = admin.post(path, data={"csrf_token": "forged"})
        assert r.status_code == 403, path
    r = admin.post(
        "/account/password",
        data={"current_password": "x", "new_password": NEW, "new_password_again": NEW},
    )
    assert r.status_code == 403
    page = admin.get("/users")
    assert page.status_code == 200
    r = admin.post(
        f"/users/{officer}/disable", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303


def test_reset_form_needs_its_own_csrf_cookie(client: TestClient, world: World) -> None:
    r = client.post(
        "/reset/some-token",
        data={"csrf_token": "x", "new_password": NEW, "new_password_again": NEW},
    )
    assert r.status_code == 403
    page = client.get("/reset/some-token")
    # The token is in the address: pages never send it to another site as a referrer.
    assert page.headers["referrer-policy"] == "same-origin"
    r = client.post(
        "/reset/some-token",
        data={"csrf_token": csrf_of(page.text), "new_password": NEW, "new_password_again": NEW},
    )
    assert r.status_code == 400
    assert t("desk.error.reset_invalid", "en") in r.text


@pytest.mark.parametrize("key", ["sejin_staff", "hanbit_staff", "officer"])
def test_users_page_is_for_administrators_only(
    browser_for: Callable[..., TestClient], world: World, key: str
) -> None:
    c = browser_for(key)
    assert c.get("/users").status_code == 403
    assert 'href="/users"' not in c.get("/account/password").text
    r = c.post(
        f"/users/{world.users['kukje_staff'].user_id}/disable",
        data={"csrf_token": csrf_of(c.get("/account/password").text)},
    )
    assert r.status_code == 403


def test_web_login_is_limited_per_client_with_retry_after(client: TestClient, world: World) -> None:
    def attempt(password: str) -> Any:
        page = client.get("/login?lang=ko")
        return client.post(
            "/login",
            data={
                "email": "officer@example.test",
                "password": password,
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )

    for _ in range(accounts.LIMITS.pair_free):
        assert attempt("wrong password").status_code == 401
    r = attempt(DEMO_PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) == accounts.LIMITS.delay_base
    assert t("desk.error.too_many_attempts", "ko", seconds=accounts.LIMITS.delay_base) in r.text
