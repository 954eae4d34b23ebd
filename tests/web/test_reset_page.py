"""Password reset through the web pages, in process (SQLite and PostgreSQL): a link an
administrator issues lives 24 hours, is audited, and an expired one is refused on the page
in the reader's language without changing the password. The whole flow in chromium is in
``test_account_pages.py`` (Korean) and ``test_audit_page.py`` (English, then audited)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.desk.fixtures import PASSWORD, World
from tests.web.conftest import csrf_of
from visadesk.desk.db import read_session, write_session
from visadesk.desk.lifecycle import RESET_LIFETIME
from visadesk.desk.models import ApiToken, AuditEntry, utcnow
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

Client = Callable[..., TestClient]
NEW = "a brand new passphrase"
LINK = re.compile(r'data-testid="reset-link">[^<]*(/reset/[^<]+)</code>')


def _issue(admin: TestClient, user_id: int) -> str:
    page = admin.get("/users")
    r = admin.post(f"/users/{user_id}/reset", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200
    found = LINK.search(r.text)
    assert found, "no reset link on the answer"
    return found.group(1)


def _login_status(client: TestClient, email: str, password: str) -> int:
    r = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    return r.status_code


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_expired_reset_link_is_refused_on_the_page(
    browser_for: Client, client: TestClient, desk: Desk, world: World, lang: str
) -> None:
    officer = world.users["officer"].user_id
    path = _issue(browser_for("admin", lang), officer)
    with write_session(desk.sessions) as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.user_id == officer, ApiToken.kind == "reset")
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    form = client.get(f"{path}?lang={lang}")
    assert form.status_code == 200 and t("web.reset.title", lang) in form.text
    r = client.post(
        path,
        data={
            "csrf_token": csrf_of(form.text),
            "new_password": NEW,
            "new_password_again": NEW,
        },
    )
    assert r.status_code == 400
    assert t("desk.error.reset_invalid", lang) in r.text
    assert _login_status(client, "officer@example.test", NEW) == 401
    assert _login_status(client, "officer@example.test", PASSWORD) == 200


def test_a_reset_link_lives_24_hours_and_its_issue_and_use_are_audited(
    browser_for: Client, client: TestClient, desk: Desk, world: World
) -> None:
    staff = world.users["hanbit_staff"].user_id
    before = utcnow()
    path = _issue(browser_for("hanbit_admin"), staff)
    with read_session(desk.sessions) as s:
        token = s.scalars(
            select(ApiToken).where(ApiToken.user_id == staff, ApiToken.kind == "reset")
        ).one()
        assert before + RESET_LIFETIME <= token.expires_at <= utcnow() + RESET_LIFETIME
        assert dt.timedelta(hours=24) == RESET_LIFETIME
    form = client.get(path)
    data = {"csrf_token": csrf_of(form.text), "new_password": NEW, "new_password_again": NEW}
    assert client.post(path, data=data).status_code == 200
    again = client.get(path)  # a fresh form: the link itself is spent
    data = {**data, "csrf_token": csrf_of(again.text), "new_password": "yet another passphrase"}
    data["new_password_again"] = data["new_password"]
    refused = client.post(path, data=data)
    assert refused.status_code == 400 and t("desk.error.reset_invalid", "en") in refused.text
    with read_session(desk.sessions) as s:
        trail = s.execute(
            select(AuditEntry.action, AuditEntry.actor_id)
            .where(AuditEntry.entity == "user", AuditEntry.entity_id == str(staff))
            .order_by(AuditEntry.seq)
        ).all()
    admin = world.users["hanbit_admin"].user_id
    assert [tuple(row) for row in trail][-2:] == [
        ("user.reset_issue", admin),
        ("user.password_reset", staff),
    ]
