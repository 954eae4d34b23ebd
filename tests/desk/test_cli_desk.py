"""`visadesk db | serve | user | audit` through the real command runner, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner, Result

from tests.desk.fixtures import AUDIT_KEY, PASSWORD
from visadesk.cli import app, serve_cmd
from visadesk.desk import crypto, demo_world, keys
from visadesk.desk.config import Settings
from visadesk.desk.db import head_revision, write_session
from visadesk.desk.models import AuditEntry, User
from visadesk.desk.runtime import Desk

runner = CliRunner()
#: The newest migration (each new one must not break these tests).
HEAD = head_revision()


def desk_env(
    database_url: str | None, data_dir: Path, keys: str | None, **extra: str | None
) -> dict[str, str | None]:
    """The environment a desk command reads; None unsets a variable."""
    env: dict[str, str | None] = {
        "VISADESK_DATABASE_URL": database_url,
        "VISADESK_DATA_DIR": str(data_dir),
        "VISADESK_DATA_KEYS": keys,
        "VISADESK_SECRET_KEY": "test-secret",
        "VISADESK_AUDIT_KEYS": AUDIT_KEY,
        "VISADESK_AUDIT_ANCHOR": None,
        "VISADESK_LANG": None,
        "VISADESK_DEMO_PASSWORD": None,
        "VISADESK_NEW_PASSWORD": None,
    }
    env.update(extra)
    return env


def run(env: dict[str, str | None], *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), env=env, input=stdin)


@pytest.fixture
def keep_keyring() -> Iterator[None]:
    """Commands that open the app install their keys process-wide: put the tests' back."""
    saved = list(crypto._KEYRING)
    yield
    crypto._KEYRING[:] = saved


@pytest.fixture
def env(desk: Desk, tmp_path: Path, keep_keyring: None) -> dict[str, str | None]:
    """The test database (emptied), a fresh data folder, the tests' keys."""
    s = desk.settings
    return desk_env(s.database_url, tmp_path / "data", ",".join(s.data_keys))


def test_the_demo_defaults_shown_in_help_are_the_demos() -> None:
    result = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    shown = " ".join(result.stdout.split())
    assert "(YYYY-MM-DD; default today)" in shown
    assert f"({demo_world.MIN_TRIPS} to {demo_world.MAX_TRIPS})" in shown
    assert f"[default: {demo_world.DEFAULT_TRIPS}]" in shown
    assert f"[default: {demo_world.DEMO_SEED}]" in shown


def test_every_desk_command_is_listed() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for command in ("db", "serve", "demo", "user", "audit", "keys", "backup", "restore"):
        assert command in result.stdout


# -- db upgrade ---------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_in_a_new_sqlite_file(
    tmp_path: Path, keep_keyring: None
) -> None:
    data = tmp_path / "var"
    env = desk_env(None, data, None)
    result = run(env, "db", "upgrade")
    assert result.exit_code == 0, result.output
    head = head_revision()
    assert f"revision {head} (was -)" in result.stdout
    assert (data / "desk.db").is_file()
    # Without keys in the environment a development secrets file is made, owner-only.
    assert (data / "secrets.json").stat().st_mode & 0o777 == 0o600
    again = run(env, "db", "upgrade")
    assert f"revision {head} (was {head})" in again.stdout


def test_db_upgrade_on_the_configured_database(env: dict[str, str | None]) -> None:
    result = run(env, "db", "upgrade")
    assert result.exit_code == 0, result.output
    head = head_revision()
    assert f"revision {head} (was {head})" in result.stdout
    assert "test-secret" not in result.stdout


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path, keep_keyring: None) -> None:
    url = "postgresql://nobody:secret-pw@127.0.0.1:1/none?connect_timeout=2"
    env = desk_env(url, tmp_path, keys.new_key())
    result = run(env, "db", "upgrade")
    assert result.exit_code == 2
    assert "The database cannot be used:" in result.stderr
    assert "secret-pw" not in result.output
    assert "Traceback" not in result.output


# -- user add -----------------------------------------------------------------------------


def test_user_add_from_the_environment_then_log_in(
    env: dict[str, str | None], client: TestClient
) -> None:
    env["VISADESK_NEW_PASSWORD"] = PASSWORD
    result = run(
        env,
        "user",
        "add",
        "--org",
        "Visa Desk Seoul",
        "--email",
        "Chief@Desk.Example",
        "--role",
        "desk_admin",
        "--name",
        "Chief Admin",
        "--create-org",
    )
    assert result.exit_code == 0, result.output
    assert "Created the organization Visa Desk Seoul (desk)." in result.stdout
    assert "Added chief@desk.example (desk_admin) to Visa Desk Seoul." in result.stdout
    assert PASSWORD not in result.output
    r = client.post(
        "/api/v1/auth/token", json={"email": "chief@desk.example", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    # An existing organization is found whatever the case of its name.
    result = run(
        env, "user", "add", "--org", "visa desk seoul", "--email", "b@desk.example",
        "--role", "auditor", "--lang", "ko",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "추가했습니다" in result.stdout


def test_user_add_asks_for_the_password_twice(env: dict[str, str | None], desk: Desk) -> None:
    args = ("user", "add", "--org", "Haeon Marine Industries", "--email", "x@haeon.example")
    result = run(
        env, *args, "--role", "sponsor_admin", "--create-org",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Password for x@haeon.example" in result.output
    assert "Repeat the password" in result.output
    assert PASSWORD not in result.output
    with write_session(desk.sessions) as s:
        user = s.scalars(select(User)).one()
        assert user.role == "sponsor_admin" and user.org.kind == "sponsor"
        assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("args", "extra", "message"),
    [
        (("--role", "desk_wizard"), {}, "desk_wizard"),
        (("--role", "desk_admin"), {}, "No organization is named 'Nowhere Ltd'"),
        (
            ("--role", "subcontractor_staff", "--create-org"),
            {},
            "A subcontractor belongs to a sponsor",
        ),
        (("--role", "desk_admin", "--create-org"), {"VISADESK_NEW_PASSWORD": "short"}, "at least"),
    ],
)
def test_user_add_refuses_bad_input(
    env: dict[str, str | None], args: tuple[str, ...], extra: dict[str, str], message: str
) -> None:
    env["VISADESK_NEW_PASSWORD"] = extra.get("VISADESK_NEW_PASSWORD", PASSWORD)
    result = run(env, "user", "add", "--org", "Nowhere Ltd", "--email", "a@b.example", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_user_add_refuses_a_duplicate_email_in_korean(env: dict[str, str | None]) -> None:
    env["VISADESK_NEW_PASSWORD"] = PASSWORD
    args = ("user", "add", "--org", "Desk", "--email", "a@desk.example", "--role", "desk_officer")
    assert run(env, *args, "--create-org").exit_code == 0
    result = run(env, *args, "--lang", "ko")
    assert result.exit_code == 2
    # The field is named; the value is not echoed (on the API it may be another tenant's).
    assert "email" in result.stderr
    assert any("\uac00" <= ch <= "\ud7a3" for ch in result.stderr)


# -- audit verify -------------------------------------------------------------------------


def _users(env: dict[str, str | None], count: int) -> None:
    env["VISADESK_NEW_PASSWORD"] = PASSWORD
    for n in range(count):
        args = ("--email", f"u{n}@desk.example", "--role", "desk_officer", "--create-org")
        result = run(env, "user", "add", "--org", "Visa Desk Seoul", *args)
        assert result.exit_code == 0, result.output


def test_audit_verify_an_intact_chain(env: dict[str, str | None]) -> None:
    _users(env, 2)
    result = run(env, "audit", "verify")
    assert result.exit_code == 0, result.output
    # org.create, then user.create twice
    assert result.stdout.strip() == "3 entries, chain intact."
    assert run(env, "audit", "verify", "--lang", "ko").stdout.strip() == "항목 3개, 체인 무결."


def _tamper(desk: Desk, *statements: str) -> None:
    with desk.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            ["UPDATE audit_entry SET action = 'user.delete' WHERE seq = 2"],
            ["Entry 2: edited"],
        ),
        (["DELETE FROM audit_entry WHERE seq = 2"], ["Entry 2: deleted", "Entry 3: deleted"]),
        (["DELETE FROM audit_entry WHERE seq = 3"], ["Entry 3: truncated"]),
        (
            [
                "INSERT INTO audit_entry (seq, at, actor_id, action, entity, entity_id, data, "
                "prev_hash, hash) SELECT 4, at, actor_id, action, entity, entity_id, data, "
                "hash, hash FROM audit_entry WHERE seq = 3"
            ],
            # A copy without the key id: an unkeyed entry after keyed ones.
            ["Entry 4: unkeyed", "Entry 3: inserted"],
        ),
    ],
    ids=["edited", "deleted", "truncated", "inserted"],
)
def test_audit_verify_names_each_problem_entry(
    env: dict[str, str | None], desk: Desk, statements: list[str], expected: list[str]
) -> None:
    _users(env, 2)
    _tamper(desk, *statements)
    result = run(env, "audit", "verify")
    assert result.exit_code == 1, result.output
    lines = result.stdout.strip().splitlines()
    for wanted in expected:
        assert any(line.startswith(wanted) for line in lines), (wanted, lines)
    assert "the audit log has been altered" in lines[-1]


def test_audit_verify_after_a_real_edit_through_the_orm(
    env: dict[str, str | None], desk: Desk
) -> None:
    _users(env, 1)
    with write_session(desk.sessions) as s:
        entry = s.get_one(AuditEntry, 2)
        entry.data = {**entry.data, "role": "desk_admin"}
    result = run(env, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("Entry 2: edited")


# -- serve --------------------------------------------------------------------------------


def test_serve_runs_the_app_on_the_configured_database(
    env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_run(target: FastAPI, **options: Any) -> None:
        calls.append({"app": target, **options})

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = run(env, "serve", "--port", "8765")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/" in result.stdout
    assert "guidance, not legal advice" in result.stdout
    (call,) = calls
    assert (call["host"], call["port"]) == ("127.0.0.1", 8765)
    with TestClient(call["app"]) as c:
        assert c.get("/healthz").json()["status"] == "ok"


def test_serve_with_reload_hands_uvicorn_the_factory(
    env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[object, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda target, **kw: calls.append((target, kw)))
    result = run(env, "serve", "--reload")
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call == (
        "visadesk.cli.serve_cmd:reload_app",
        {"factory": True, "host": "127.0.0.1", "port": 8000, "reload": True},
    )
    monkeypatch.setenv("VISADESK_DATABASE_URL", str(env["VISADESK_DATABASE_URL"]))
    monkeypatch.setenv("VISADESK_DATA_DIR", str(env["VISADESK_DATA_DIR"]))
    monkeypatch.setenv("VISADESK_DATA_KEYS", str(env["VISADESK_DATA_KEYS"]))
    monkeypatch.setenv("VISADESK_SECRET_KEY", "test-secret")
    factory_app = serve_cmd.reload_app()
    try:
        with TestClient(factory_app) as c:
            assert c.get("/healthz").status_code == 200
    finally:
        # The factory's desk is this test's own: its pooled connections (PostgreSQL:
        # the session's database) are closed now, not whenever the collector runs.
        factory_app.state.desk.engine.dispose()


def test_settings_come_from_the_environment(env: dict[str, str | None]) -> None:
    values = {k: v for k, v in env.items() if v is not None}
    settings = Settings.from_env(values)
    assert settings.data_keys == tuple(str(env["VISADESK_DATA_KEYS"]).split(","))
    assert settings.key_source == "environment"
