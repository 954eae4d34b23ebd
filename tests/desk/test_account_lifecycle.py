"""Account lifecycle through the API, on SQLite and PostgreSQL.

Changing a password revokes every other session and token (the current one
stays); disabling a user ends their tokens at once; a reset token works once
and expires; a password changed directly in the database ends old tokens;
only the right administrators may manage a user; a duplicate never echoes
another tenant's data. Also the ``visadesk user`` commands.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.desk.fixtures import PASSWORD, World
from visadesk.cli import app as cli_app
from visadesk.desk import accounts, crypto
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import ApiToken, AuditEntry, User, utcnow
from visadesk.desk.runtime import Desk
from visadesk.serve.request import CSRF_HEADER, SESSION_COOKIE

NEW = "a brand new passphrase"


def _email(key: str) -> str:
    return f"{key}@example.test"


def _login(client: TestClient, key: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/token", json={"email": _email(key), "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _user_id(world: World, key: str) -> int:
    return world.users[key].user_id


def _actions(desk: Desk, entity_id: int) -> list[str]:
    with read_session(desk.sessions) as s:
        rows = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(entity_id))
        ).all()
    return list(rows)


def test_change_password_revokes_other_sessions_and_keeps_the_current(
    client: TestClient, desk: Desk, world: World
) -> None:
    other_token = world.tokens["hanbit_staff"]
    current = _login(client, "hanbit_staff").json()["access_token"]
    with write_session(desk.sessions) as s:
        session = accounts.authenticate(
            s, email=_email("hanbit_staff"), password=PASSWORD, client="elsewhere", kind="session"
        )
    body = {"current_password": PASSWORD, "new_password": NEW}
    r = client.post("/api/v1/me/password", json=body, headers=_bearer(current))
    assert r.status_code == 200, r.text
    assert r.json() == {"revoked": 2}
    # The other bearer token and the browser session are dead; this one lives on.
    r = client.get("/api/v1/me", headers=_bearer(other_token))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    client.cookies.set(SESSION_COOKIE, session.token)
    try:
        assert client.get("/api/v1/me").status_code == 401
    finally:
        client.cookies.clear()
    assert client.get("/api/v1/me", headers=_bearer(current)).status_code == 200
    assert _login(client, "hanbit_staff").status_code == 401
    assert _login(client, "hanbit_staff", NEW).status_code == 200
    # Someone else's token is untouched.
    assert client.get("/api/v1/me", headers=world.auth("hanbit_admin")).status_code == 200
    assert "user.password_change" in _actions(desk, _user_id(world, "hanbit_staff"))


def test_change_password_from_a_browser_session_keeps_that_session(
    client: TestClient, desk: Desk, world: World
) -> None:
    with write_session(desk.sessions) as s:
        session = accounts.authenticate(
            s, email=_email("officer"), password=PASSWORD, client="desk-pc", kind="session"
        )
    assert session.csrf_token
    client.cookies.set(SESSION_COOKIE, session.token)
    try:
        body = {"current_password": PASSWORD, "new_password": NEW}
        # A write by cookie needs the CSRF header, as every other.
        assert client.post("/api/v1/me/password", json=body).status_code == 403
        r = client.post("/api/v1/me/password", json=body, headers={CSRF_HEADER: session.csrf_token})
        assert r.status_code == 200, r.text
        assert client.get("/api/v1/me").status_code == 200
    finally:
        client.cookies.clear()
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 401


def test_wrong_current_password_or_weak_new_one_changes_nothing(
    client: TestClient, desk: Desk, world: World
) -> None:
    headers = world.auth("sejin_staff")
    r = client.post(
        "/api/v1/me/password",
        json={"current_password": "not my password", "new_password": NEW},
        headers=headers,
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_password"
    r = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "weak_password"
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _login(client, "sejin_staff").status_code == 200


def test_disable_ends_tokens_at_once_and_enable_lets_the_user_in_again(
    client: TestClient, desk: Desk, world: World
) -> None:
    officer = _user_id(world, "officer")
    admin = world.auth("admin")
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 200
    r = client.post(f"/api/v1/users/{officer}/disable", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 401
    with read_session(desk.sessions) as s:
        live = s.scalars(
            select(ApiToken).where(ApiToken.user_id == officer, ApiToken.revoked.is_(False))
        ).all()
    assert live == []
    r = _login(client, "officer")
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"
    r = client.post(f"/api/v1/users/{officer}/enable", headers=admin)
    assert r.status_code == 200 and r.json()["active"] is True
    fresh = _login(client, "officer")
    assert fresh.status_code == 200
    assert (
        client.get("/api/v1/me", headers=_bearer(fresh.json()["access_token"])).status_code == 200
    )
    # Enabling does not revive the tokens that disabling revoked.
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 401
    assert {"user.disable", "user.enable"} <= set(_actions(desk, officer))


def test_an_admin_cannot_disable_themselves(client: TestClient, world: World) -> None:
    me = _user_id(world, "admin")
    r = client.post(f"/api/v1/users/{me}/disable", headers=world.auth("admin"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "cannot_disable_self"
    assert client.get("/api/v1/me", headers=world.auth("admin")).status_code == 200


def test_reset_token_works_once(client: TestClient, desk: Desk, world: World) -> None:
    kukje = _user_id(world, "kukje_staff")
    r = client.post(f"/api/v1/users/{kukje}/reset", headers=world.auth("haeon_admin"))
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert r.json()["path"] == f"/reset/{token}"
    with read_session(desk.sessions) as s:
        stored = s.scalars(select(ApiToken.token_hash).where(ApiToken.kind == "reset")).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    r = client.post("/api/v1/reset", json={"token": token, "new_password": NEW})
    assert r.status_code == 204, r.text
    r = client.post("/api/v1/reset", json={"token": token, "new_password": "another new one"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "reset_invalid"
    assert _login(client, "kukje_staff").status_code == 401
    assert _login(client, "kukje_staff", NEW).status_code == 200
    assert _login(client, "kukje_staff", "another new one").status_code == 401
    # The tokens issued before the reset are revoked.
    assert client.get("/api/v1/me", headers=world.auth("kukje_staff")).status_code == 401
    assert "user.password_reset" in _actions(desk, kukje)


def test_reset_token_expires_and_a_newer_one_replaces_it(
    client: TestClient, desk: Desk, world: World
) -> None:
    officer = _user_id(world, "officer")
    admin = world.auth("admin")
    first = client.post(f"/api/v1/users/{officer}/reset", headers=admin).json()["token"]
    second = client.post(f"/api/v1/users/{officer}/reset", headers=admin).json()["token"]
    r = client.post("/api/v1/reset", json={"token": first, "new_password": NEW})
    assert r.status_code == 400 and r.json()["error"]["code"] == "reset_invalid"
    with write_session(desk.sessions) as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hashlib.sha256(second.encode()).hexdigest())
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    r = client.post("/api/v1/reset", json={"token": second, "new_password": NEW})
    assert r.status_code == 400 and r.json()["error"]["code"] == "reset_invalid"
    for bad in ("", "not-a-token"):
        r = client.post("/api/v1/reset", json={"token": bad, "new_password": NEW})
        assert r.status_code in {400, 422}
    # A weak password is refused before the token is spent.
    third = client.post(f"/api/v1/users/{officer}/reset", headers=admin).json()["token"]
    r = client.post("/api/v1/reset", json={"token": third, "new_password": "short"})
    assert r.status_code == 422
    assert (
        client.post("/api/v1/reset", json={"token": third, "new_password": NEW}).status_code == 204
    )
    assert _login(client, "officer", NEW).status_code == 200


def test_a_password_changed_in_the_database_ends_old_tokens(
    client: TestClient, desk: Desk, world: World
) -> None:
    headers = world.auth("auditor")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with write_session(desk.sessions) as s:
        s.execute(
            update(User)
            .where(User.email == _email("auditor"))
            .values(password_hash=PasswordHasher().hash(NEW))
        )
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    fresh = _login(client, "auditor", NEW).json()["access_token"]
    assert client.get("/api/v1/me", headers=_bearer(fresh)).status_code == 200
    # Other users' tokens are bound to their own passwords: untouched.
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 200


def test_a_token_without_a_password_tag_is_refused(
    client: TestClient, desk: Desk, world: World
) -> None:
    # Tokens issued before migration 0002 carry no tag: they are not trusted.
    digest = hashlib.sha256(world.tokens["officer"].encode()).hexdigest()
    with write_session(desk.sessions) as s:
        s.execute(update(ApiToken).where(ApiToken.token_hash == digest).values(password_tag=None))
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 401


@pytest.mark.parametrize("action", ["disable", "enable", "reset"])
def test_who_may_manage_whom(client: TestClient, world: World, action: str) -> None:
    def status(actor: str, target: str) -> int:
        url = f"/api/v1/users/{_user_id(world, target)}/{action}"
        r = client.post(url, headers=world.auth(actor))
        return r.status_code

    # A sponsor admin: not the desk, not another sponsor or its subcontractors (404).
    assert status("hanbit_admin", "officer") == 404
    assert status("hanbit_admin", "admin") == 404
    assert status("hanbit_admin", "haeon_admin") == 404
    assert status("hanbit_admin", "kukje_staff") == 404
    # Staff and subcontractors may manage no one (403).
    for actor in ("sejin_staff", "hanbit_staff", "officer", "supervisor", "auditor"):
        assert status(actor, "sejin_staff") == 403, actor
        assert status(actor, "daeseong_staff") == 403, actor
    # Out-of-range and unknown ids are refused cleanly.
    assert client.post(f"/api/v1/users/0/{action}", headers=world.auth("admin")).status_code == 422
    r = client.post(f"/api/v1/users/999999/{action}", headers=world.auth("admin"))
    assert r.status_code == 404
    # Their own staff and their subcontractors' staff: yes; the desk admin: anyone.
    ok = 201 if action == "reset" else 200
    assert status("hanbit_admin", "hanbit_staff") == ok
    assert status("hanbit_admin", "sejin_staff") == ok
    assert status("admin", "kukje_staff") == ok


def test_duplicates_do_not_echo_another_tenants_data(client: TestClient, world: World) -> None:
    other_email = _email("kukje_staff")
    r = client.post(
        "/api/v1/users",
        headers=world.auth("hanbit_admin"),
        json={
            "org_id": world.subs["sejin"],
            "email": other_email,
            "name": "Someone",
            "role": "subcontractor_staff",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "duplicate"
    assert "kukje" not in r.text.lower()
    r = client.post(
        "/api/v1/organizations",
        headers=world.auth("hanbit_admin"),
        json={"kind": "subcontractor", "name": "Kukje Marine Electric"},
    )
    assert r.status_code == 409, r.text
    assert "kukje" not in r.text.lower()
    for lang in ("en", "ko"):
        r = client.post(
            "/api/v1/organizations",
            headers={**world.auth("admin"), "Accept-Language": lang},
            json={"kind": "sponsor", "name": "Haeon Marine Industries"},
        )
        assert r.status_code == 409
        assert "Haeon" not in r.json()["error"]["message"]


# -- the command line ---------------------------------------------------------------------


def test_user_commands_disable_enable_reset_and_passwd(
    client: TestClient, desk: Desk, world: World, tmp_path: Path
) -> None:
    saved = list(crypto._KEYRING)
    s = desk.settings
    env = {
        "VISADESK_DATABASE_URL": s.database_url,
        "VISADESK_DATA_DIR": str(tmp_path),
        "VISADESK_DATA_KEYS": ",".join(s.data_keys),
        "VISADESK_SECRET_KEY": "test-secret",
        "VISADESK_AUDIT_KEYS": ",".join(s.audit_keys),
        "VISADESK_LANG": None,
        "VISADESK_NEW_PASSWORD": NEW,
    }
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli_app, ["user", *args], env=env)

    try:
        result = run("disable", "--email", _email("officer"))
        assert result.exit_code == 0, result.output
        assert _email("officer") in result.stdout
        assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 401
        assert run("enable", "--email", _email("officer")).exit_code == 0
        assert _login(client, "officer").status_code == 200

        result = run("reset", "--email", _email("officer"), "--lang", "ko")
        assert result.exit_code == 0, result.output
        token = result.stdout.split("/reset/")[1].split()[0]
        r = client.post("/api/v1/reset", json={"token": token, "new_password": "reset by link"})
        assert r.status_code == 204
        assert _login(client, "officer", "reset by link").status_code == 200

        assert run("passwd", "--email", _email("hanbit_staff")).exit_code == 0
        assert _login(client, "hanbit_staff", NEW).status_code == 200
        assert client.get("/api/v1/me", headers=world.auth("hanbit_staff")).status_code == 401

        result = run("disable", "--email", "nobody@example.test")
        assert result.exit_code == 2
        assert "nobody@example.test" in result.stderr
        assert "Traceback" not in result.output
    finally:
        crypto._KEYRING[:] = saved


def test_a_bad_trusted_proxies_setting_is_a_clear_error(desk: Desk, tmp_path: Path) -> None:
    s = desk.settings
    env = {
        "VISADESK_DATABASE_URL": s.database_url,
        "VISADESK_DATA_DIR": str(tmp_path),
        "VISADESK_DATA_KEYS": ",".join(s.data_keys),
        "VISADESK_SECRET_KEY": "test-secret",
        "VISADESK_AUDIT_KEYS": ",".join(s.audit_keys),
        "VISADESK_TRUSTED_PROXIES": "10.0.0.1, proxy.internal",
    }
    for lang in ("en", "ko"):
        result = CliRunner().invoke(
            cli_app, ["user", "enable", "--email", _email("officer"), "--lang", lang], env=env
        )
        assert result.exit_code == 2
        assert "proxy.internal" in result.stderr
        assert "Traceback" not in result.output
