"""Passwords, tokens, sessions, rate limiting and CSRF.

Passwords are stored as argon2id hashes; a wrong password and an unknown
address get the same 401; five failures for one address give 429 with
Retry-After; tokens are stored as SHA-256 digests only; logout revokes; an
expired token is refused; a browser session writes only with its CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from argon2 import PasswordHasher, Type
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.desk.fixtures import PASSWORD, World
from visadesk.desk import accounts, tokens
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import ApiToken, LoginAttempt, User, utcnow
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.serve.request import CSRF_HEADER, SESSION_COOKIE

PRODUCTION_HASHER: PasswordHasher = vars(accounts)["_HASHER"]


def _login(client: TestClient, email: str, password: str, **headers: str) -> Any:
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, headers=headers
    )


def test_production_hasher_is_argon2id() -> None:
    # The module's own hasher, taken at import, before tests/conftest.py's session fixture
    # swaps in the cheapest parameters.
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.memory_cost >= 19 * 1024
    assert PRODUCTION_HASHER.time_cost >= 2


def test_passwords_are_stored_as_argon2_hashes(desk: Desk, world: World) -> None:
    with read_session(desk.sessions) as s:
        hashes = list(s.scalars(select(User.password_hash)))
    assert len(hashes) == len(world.users)
    for h in hashes:
        assert h.startswith("$argon2id$")
        assert PASSWORD not in h
        assert PasswordHasher().verify(h, PASSWORD)
    assert len(set(hashes)) == len(hashes)  # salted


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, world: World) -> None:
    wrong = _login(client, "officer@example.test", "not the password")
    unknown = _login(client, "nobody@example.test", "not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "bad_credentials"
    assert wrong.json() == unknown.json()
    ko = _login(client, "nobody@example.test", "x", **{"Accept-Language": "ko"})
    assert ko.json()["error"]["message"] == t("desk.error.bad_credentials", "ko")
    # An address spelt differently is the same account.
    assert _login(client, "  Officer@Example.TEST ", PASSWORD).status_code == 200


def test_five_failures_for_one_address_give_429(
    client: TestClient, desk: Desk, world: World
) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_EMAIL):
        assert _login(client, "officer@example.test", "wrong password").status_code == 401
    r = _login(client, "officer@example.test", "wrong password")
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "too_many_attempts"
    assert int(r.headers["Retry-After"]) > 0
    # Even the right password waits: the limit is checked before the password.
    r = _login(client, "officer@example.test", PASSWORD)
    assert r.status_code == 429
    # Another address is not locked out by it.
    assert _login(client, "supervisor@example.test", PASSWORD).status_code == 200
    # When the window has passed, the address logs in again (and its failures are cleared).
    with write_session(desk.sessions) as s:
        s.execute(
            update(LoginAttempt).values(
                at=utcnow() - accounts.LOGIN_WINDOW - dt.timedelta(seconds=1)
            )
        )
    assert _login(client, "officer@example.test", PASSWORD).status_code == 200


def test_tokens_are_stored_hashed(client: TestClient, desk: Desk, world: World) -> None:
    r = _login(client, "auditor@example.test", PASSWORD)
    token = r.json()["access_token"]
    with read_session(desk.sessions) as s:
        stored = list(s.scalars(select(ApiToken.token_hash)))
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert not any(world.tokens[k] in stored for k in world.tokens)


def test_logout_revokes_the_token(client: TestClient, world: World) -> None:
    headers = world.auth("hanbit_admin")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    # The others' tokens still work.
    assert client.get("/api/v1/me", headers=world.auth("haeon_admin")).status_code == 200


def test_expired_and_forged_tokens_are_refused(
    client: TestClient, desk: Desk, world: World
) -> None:
    headers = world.auth("officer")
    digest = hashlib.sha256(world.tokens["officer"].encode()).hexdigest()
    with write_session(desk.sessions) as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == digest)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    for bad in ("", "not-a-token", digest):
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401, bad
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_user_is_refused(client: TestClient, desk: Desk, world: World) -> None:
    with write_session(desk.sessions) as s:
        s.execute(update(User).where(User.email == "officer@example.test").values(active=False))
    assert client.get("/api/v1/me", headers=world.auth("officer")).status_code == 401
    r = _login(client, "officer@example.test", PASSWORD)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_credentials"


def _session(desk: Desk, who: str) -> tokens.Issued:
    with write_session(desk.sessions) as s:
        return accounts.authenticate(
            s, email=f"{who}@example.test", password=PASSWORD, client="test", kind="session"
        )


def test_session_cookie_writes_need_the_csrf_header(
    client: TestClient, desk: Desk, world: World
) -> None:
    issued = _session(desk, "hanbit_admin")
    assert issued.csrf_token
    body = {"project_id": world.projects["hanbit"], "name": "by cookie"}
    client.cookies.set(SESSION_COOKIE, issued.token)
    try:
        # Reads need no CSRF token.
        assert client.get("/api/v1/me").status_code == 200
        for headers in ({}, {CSRF_HEADER: "forged"}, {CSRF_HEADER: ""}):
            r = client.post("/api/v1/batches", json=body, headers=headers)
            assert r.status_code == 403, (headers, r.text)
            assert r.json()["error"]["code"] == "csrf_failed"
        assert client.get("/api/v1/batches").json() == []
        # Another session's token is no better.
        other = _session(desk, "hanbit_staff")
        assert other.csrf_token
        r = client.post("/api/v1/batches", json=body, headers={CSRF_HEADER: other.csrf_token})
        assert r.status_code == 403
        r = client.post("/api/v1/batches", json=body, headers={CSRF_HEADER: issued.csrf_token})
        assert r.status_code == 201, r.text
        # Logging out ends the session.
        r = client.post("/api/v1/auth/logout", headers={CSRF_HEADER: issued.csrf_token})
        assert r.status_code == 204
        client.cookies.set(SESSION_COOKIE, issued.token)
        assert client.get("/api/v1/me").status_code == 401
    finally:
        client.cookies.clear()


def test_session_secret_is_not_a_bearer_token(client: TestClient, desk: Desk, world: World) -> None:
    issued = _session(desk, "officer")
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.token}"})
    assert r.status_code == 401
