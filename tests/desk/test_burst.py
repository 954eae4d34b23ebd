"""Serving under load, on SQLite against a real uvicorn server on 127.0.0.1.

Bursts of logins and writes never freeze the server or answer 500: every answer
is a success, a 401/409/429, or a 503 with ``Retry-After``, while ``/healthz``
keeps answering within a second. Bodies over their limit are refused with 413
before they are spooled to disk and before authentication. Every answer
carries ``nosniff``; the database and the documents are private files.
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.desk.fixtures import TODAY, roster_csv, roster_rows
from tests.harness import DEMO_PASSWORD, DemoWorld, seed_demo, serve
from visadesk.desk import documents, projects, uploads
from visadesk.desk.config import Settings
from visadesk.desk.db import write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case, User
from visadesk.desk.runtime import Desk, build_desk
from visadesk.serve.middleware import MULTIPART_SLACK
from visadesk.server import create_app

PDF = b"%PDF-1.4\n%visadesk test\n"
ALLOWED = {200, 201, 401, 409, 429}


def _settings(root: Path, **limits: Any) -> Settings:
    return Settings(
        database_url=f"sqlite:///{root / 'data' / 'desk.db'}",
        data_dir=root / "data",
        data_keys=(Fernet.generate_key().decode(),),
        secret_key="burst-secret",  # noqa: S106 - test settings
        secure_cookies=False,
        **limits,
    )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Desk, DemoWorld]]:
    """A fresh SQLite desk (the demo organizations and users) served by uvicorn."""
    desk = build_desk(_settings(tmp_path), today=lambda: TODAY)
    world = seed_demo(desk)
    # The users of the login burst keep a real (slow) argon2 hash: verifying it is the
    # slow work a login must not do while holding the write lock.
    with write_session(desk.sessions) as s:
        for key in ("officer", "hanbit_staff"):
            user = s.get_one(User, world.users[key].user_id)
            user.password_hash = PasswordHasher().hash(DEMO_PASSWORD)
    try:
        with serve(create_app(desk)) as base:
            yield base, desk, world
    finally:
        desk.engine.dispose()


def _token(base: str, key: str) -> str:
    r = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"email": DemoWorld.email(key), "password": DEMO_PASSWORD},
        timeout=20,
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def _send_all(
    base: str, requests: list[tuple[str, dict[str, Any], dict[str, str]]]
) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests) + 5, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=25) as client:
        return list(
            await asyncio.gather(
                *(client.post(path, json=body, headers=headers) for path, body, headers in requests)
            )
        )


def _burst(
    base: str, requests: list[tuple[str, dict[str, Any], dict[str, str]]]
) -> tuple[list[httpx.Response], list[float]]:
    """Send every request at once while a thread polls /healthz; (answers, its latencies)."""
    done = threading.Event()
    latencies: list[float] = []
    failures: list[str] = []

    def poll_health() -> None:
        with httpx.Client(base_url=base, timeout=5) as health:
            while not done.is_set():
                start = time.monotonic()
                r = health.get("/healthz")
                latencies.append(time.monotonic() - start)
                if r.status_code != 200:
                    failures.append(r.text)
                time.sleep(0.1)

    poller = threading.Thread(target=poll_health, daemon=True)
    poller.start()
    time.sleep(0.05)
    try:
        answers = asyncio.run(_send_all(base, requests))
    finally:
        done.set()
        poller.join(10)
    assert not failures, failures
    return answers, latencies


def _check(answers: list[httpx.Response]) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for r in answers:
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code in ALLOWED or r.status_code == 503, (r.status_code, r.text)
        if r.status_code == 503:
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["error"]["code"] == "busy"
    return statuses


def test_login_and_write_bursts_never_freeze_or_fail(live: tuple[str, Desk, DemoWorld]) -> None:
    base, _desk, _world = live
    started = time.monotonic()
    logins: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        (
            "/api/v1/auth/token",
            {
                "email": DemoWorld.email("hanbit_staff" if i % 2 else "officer"),
                "password": DEMO_PASSWORD if i % 3 else "wrong password",
            },
            {},
        )
        for i in range(50)
    ]
    answers, health = _burst(base, logins)
    login_statuses = _check(answers)
    assert login_statuses.get(200, 0) > 0, login_statuses
    assert health and max(health) < 1.0, max(health)

    auth = {"Authorization": f"Bearer {_token(base, 'hanbit_admin')}"}
    writes = [
        (
            "/api/v1/projects",
            {"name": f"Burst project {i}", "worksite": "Savannah, GA", "state": "GA"}
            | {"sector": "batteries"},
            auth,
        )
        for i in range(50)
    ]
    answers, health = _burst(base, writes)
    write_statuses = _check(answers)
    assert write_statuses.get(201, 0) > 0, write_statuses
    assert health and max(health) < 1.0, max(health)
    assert time.monotonic() - started < 30


def test_a_full_gate_answers_503_with_retry_after_at_once(tmp_path: Path) -> None:
    """No room to wait: the request is refused at once, in the reader's language."""
    desk = build_desk(
        _settings(tmp_path, max_concurrency=1, queue_size=0, retry_after=7), today=lambda: TODAY
    )
    seed_demo(desk)
    app = create_app(desk)
    inside = threading.Event()
    release = threading.Event()

    @app.get("/api/v1/test-slow")
    def slow() -> dict[str, str]:
        inside.set()
        release.wait(10)
        return {"ok": "yes"}

    try:
        with serve(app) as base:
            holder = threading.Thread(target=lambda: httpx.get(f"{base}/api/v1/test-slow"))
            holder.start()
            assert inside.wait(10)
            start = time.monotonic()
            r = httpx.get(f"{base}/api/v1/me", headers={"Accept-Language": "ko"}, timeout=10)
            assert time.monotonic() - start < 1.0
            assert r.status_code == 503
            assert r.headers["retry-after"] == "7"
            assert r.json()["error"]["code"] == "busy"
            assert "7초" in r.json()["error"]["message"]
            assert httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            release.set()
            holder.join(10)
    finally:
        release.set()
        desk.engine.dispose()


# -- body limits ---------------------------------------------------------------------------


def _spooled_bytes(folder: Path) -> int:
    """The largest temporary file this process has open in ``folder`` (deleted or not)."""
    largest = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if str(fd.readlink()).startswith(str(folder)):
                largest = max(largest, fd.stat().st_size)
        except OSError:
            continue
    return largest


def _raw_post(
    base: str, path: str, headers: dict[str, str], body: Iterator[bytes]
) -> tuple[int, float, int]:
    """POST over a plain socket, stopping when the server answers; (status, seconds, sent)."""
    url = urlsplit(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    start = time.monotonic()
    sent = 0
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        sock.setblocking(False)
        for chunk in body:
            view = memoryview(chunk)
            answered = False
            while view and not answered:
                try:
                    n = sock.send(view)
                    view, sent = view[n:], sent + n
                except BlockingIOError:
                    time.sleep(0.005)
                except (BrokenPipeError, ConnectionResetError):
                    answered = True
                answered = answered or _readable(sock)
                assert time.monotonic() - start < 20, "the server kept reading"
            if answered:
                break
        sock.setblocking(True)
        head = sock.recv(65536)
    status = int(head.split(b" ", 2)[1])
    return status, time.monotonic() - start, sent


def _readable(sock: socket.socket) -> bool:
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except BlockingIOError:
        return False


def _chunked(total: int, size: int = 1 << 20) -> Iterator[bytes]:
    boundary = b"--b0undary\r\n"
    head = boundary + b'Content-Disposition: form-data; name="kind"\r\n\r\npassport\r\n' + boundary
    head += b'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
    head += b"Content-Type: application/pdf\r\n\r\n" + PDF
    yield f"{len(head):x}\r\n".encode() + head + b"\r\n"
    chunk = b"0" * size
    for _ in range(total // size):
        yield f"{size:x}\r\n".encode() + chunk + b"\r\n"
    yield b"0\r\n\r\n"


def test_oversized_bodies_are_refused_before_spooling_or_auth(
    live: tuple[str, Desk, DemoWorld], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _desk, _world = live
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    limit = documents.MAX_DOCUMENT_BYTES + MULTIPART_SLACK
    largest = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal largest
        while not stop.is_set():
            largest = max(largest, _spooled_bytes(spool))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    multipart = "multipart/form-data; boundary=b0undary"
    try:
        # 50 MiB, chunked (no Content-Length), no token.
        status, seconds, sent = _raw_post(
            base,
            "/api/v1/cases/1/documents",
            {"Content-Type": multipart, "Transfer-Encoding": "chunked"},
            _chunked(50 << 20),
        )
        assert status == 413
        assert seconds < 10
        assert sent < 40 << 20  # the server stopped reading well before the end
        # A Content-Length of 1 TiB: refused before a byte of the body is read.
        status, seconds, _ = _raw_post(
            base,
            "/api/v1/cases/1/documents",
            {"Content-Type": multipart, "Content-Length": str(1 << 40)},
            iter([b"--b0undary\r\n"]),
        )
        assert status == 413
        assert seconds < 2
        # A JSON body over the general limit, to the login (no authentication needed).
        r = httpx.post(
            f"{base}/api/v1/auth/token",
            content=b'{"email": "' + b"a" * (2 << 20) + b'"}',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "body_too_large"
    finally:
        stop.set()
        watcher.join(5)
    assert largest <= limit, largest


def test_authenticated_over_limit_upload_is_413(live: tuple[str, Desk, DemoWorld]) -> None:
    base, _desk, _world = live
    auth = {"Authorization": f"Bearer {_token(base, 'hanbit_staff')}"}
    url = f"{base}/api/v1/cases/1/documents"
    # Over the limit and its slack: refused by Content-Length by the middleware.
    big = PDF + b"0" * (documents.MAX_DOCUMENT_BYTES + MULTIPART_SLACK)
    files = {"file": ("big.pdf", big, "application/pdf")}
    r = httpx.post(url, data={"kind": "passport"}, files=files, headers=auth, timeout=20)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "body_too_large"
    # Within the slack but over the document limit: refused by the route.
    just_over = PDF + b"0" * documents.MAX_DOCUMENT_BYTES
    files = {"file": ("big.pdf", just_over, "application/pdf")}
    r = httpx.post(url, data={"kind": "passport"}, files=files, headers=auth, timeout=20)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "file_too_large"


# -- headers and file modes ---------------------------------------------------------------


def test_every_answer_says_nosniff_and_pages_keep_their_csp(tmp_path: Path) -> None:
    desk = build_desk(_settings(tmp_path), today=lambda: TODAY)
    try:
        with TestClient(create_app(desk), raise_server_exceptions=False) as client:
            api = client.get("/api/v1/me")  # 401, JSON
            page = client.get("/login")
            css = next(p for p in (Path(__file__).parents[2] / "src").rglob("static/*.css"))
            static = client.get(f"/static/{css.name}")
            health = client.get("/healthz")
            for r in (api, page, static, health):
                assert r.headers["x-content-type-options"] == "nosniff", r.url
                assert r.headers["x-frame-options"] == "DENY", r.url
            assert api.status_code == 401 and api.headers["referrer-policy"] == "no-referrer"
            assert static.status_code == 200
            assert "default-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["referrer-policy"] == "same-origin"  # the page's own, kept
    finally:
        desk.engine.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_sqlite_desk_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISADESK_DATA_DIR", str(tmp_path / "var" / "desk"))
    monkeypatch.delenv("VISADESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("VISADESK_DATA_KEYS", raising=False)
    monkeypatch.delenv("VISADESK_SECRET_KEY", raising=False)
    old = os.umask(0o022)  # the usual umask: without care, files would be 0644
    try:
        settings = Settings.from_env()
        desk = build_desk(settings, today=lambda: TODAY)
        world = seed_demo(desk)
        with write_session(desk.sessions) as s:
            staff = world.users["hanbit_staff"]
            batch = projects.create_batch(
                s, world.users["hanbit_admin"], project_id=world.projects["hanbit"], name="b"
            ).id
            rows = [
                r
                for r in roster_rows("Hanbit GA Cell Plant")
                if r["employer"] == "Hanbit Energy Solutions"
            ][:4]
            uploads.upload_roster(
                s,
                world.users["hanbit_admin"],
                batch,
                data=roster_csv(rows),
                filename="r.csv",
                policy=desk.policy,
                as_of=TODAY,
            )
            case = s.scalars(select(Case).order_by(Case.id)).first()
            assert case is not None
            kind = documents.required_kinds(s, case, desk.checklist)[0]
            documents.upload(
                s,
                staff,
                case.id,
                kind=kind,
                filename="p.pdf",
                data=PDF,
                checklist=desk.checklist,
                documents_dir=settings.documents_dir,
            )
        data = settings.data_dir
        # While the desk is open: the database, its WAL and shared-memory files, secrets.
        names = {p.name for p in data.iterdir()}
        assert {"desk.db", "desk.db-wal", "desk.db-shm", "secrets.json"} <= names
        for path in (p for p in data.rglob("*") if p.is_file()):
            assert _mode(path) == 0o600, path
        desk.engine.dispose()
    finally:
        os.umask(old)
    assert _mode(data) == 0o700
    assert _mode(data.parent) == 0o700  # made by the desk too
    folders = [
        settings.documents_dir,
        *(p for p in settings.documents_dir.rglob("*") if p.is_dir()),
    ]
    assert len(folders) >= 2
    for folder in folders:
        assert _mode(folder) == 0o700, folder


def test_bad_serving_settings_are_refused_by_name() -> None:
    env = {"VISADESK_DATA_KEYS": Fernet.generate_key().decode(), "VISADESK_SECRET_KEY": "x"}
    for name, value in (("VISADESK_MAX_BODY_BYTES", "lots"), ("VISADESK_QUEUE_TIMEOUT", "-1")):
        with pytest.raises(DeskError) as error:
            Settings.from_env({**env, name: value})
        assert name in str(error.value) and value in str(error.value)
    settings = Settings.from_env({**env, "VISADESK_MAX_BODY_BYTES": "2048"})
    assert settings.max_body_bytes == 2048
