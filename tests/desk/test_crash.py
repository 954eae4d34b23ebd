"""A crash in the middle of a roster upload loses the upload, nothing else.

The desk runs as a real server (uvicorn, in a subprocess, on a free port, over
the test's database). A large synthetic roster is uploaded from a thread;
while the server is writing its rows (the transaction open, rows already on
disk) the server is killed with SIGKILL: no chance to roll back or clean up.
Restarted, the desk holds no trip, person, case or screening of that upload,
its audit chain verifies, and the same file uploads in full.

:func:`app_from_env` is the server's app factory (``uvicorn --factory``):
settings from the environment (``Settings.from_env``) plus
``VISADESK_TEST_TODAY`` for the screening date.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import httpx
import polars as pl
from fastapi import FastAPI
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.desk.fixtures import TODAY, World
from visadesk.desk import projects
from visadesk.desk.config import Settings
from visadesk.desk.db import normalize_url, read_session, write_session
from visadesk.desk.models import Case, Person, Screening, Trip
from visadesk.desk.runtime import Desk, build_desk
from visadesk.server import create_app
from visadesk.synth import write_synthetic

ROOT: Final = Path(__file__).parents[2]
PROJECT: Final = "Hanbit GA Cell Plant"
#: Rows uploaded. PostgreSQL takes fewer: its upload is several times slower today, and
#: the point (the server dies with the upload's transaction open) needs only seconds.
ROWS: Final = {"sqlite": 20_000, "postgresql": 5_000}
#: How long the server may take to start, and an upload to finish.
START_TIMEOUT: Final = 90.0
UPLOAD_TIMEOUT: Final = 600.0


def app_from_env() -> FastAPI:
    """The desk's app over the database and keys in the environment (the server's factory)."""
    today = dt.date.fromisoformat(os.environ["VISADESK_TEST_TODAY"])
    return create_app(build_desk(Settings.from_env(), today=lambda: today))


# -- the server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _server(settings: Settings, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "VISADESK_DATABASE_URL": settings.database_url,
        "VISADESK_DATA_DIR": str(settings.data_dir),
        "VISADESK_DATA_KEYS": ",".join(settings.data_keys),
        "VISADESK_SECRET_KEY": settings.secret_key,
        "VISADESK_AUDIT_KEYS": ",".join(settings.audit_keys),
        "VISADESK_SECURE_COOKIES": "0",
        "VISADESK_TEST_TODAY": TODAY.isoformat(),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "tests.desk.test_crash:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, f"the server exited: {log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"the server did not start: {log.read_text()}"
            time.sleep(0.2)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _sqlite_path(desk: Desk) -> Path | None:
    url = make_url(normalize_url(desk.settings.database_url))
    if url.get_backend_name() != "sqlite":
        return None
    assert url.database
    return Path(url.database)


def _writing_rows(desk: Desk) -> bool:
    """Whether another connection is writing rows in an open transaction right now.

    SQLite: the write lock is held and the write-ahead log (emptied before the upload)
    has grown past a megabyte, so uncommitted pages are on disk. PostgreSQL: another
    backend in a transaction whose statement is an INSERT.
    """
    path = _sqlite_path(desk)
    if path is not None:
        wal = path.with_name(path.name + "-wal")
        if not wal.exists() or wal.stat().st_size < 1 << 20:
            return False
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True  # database is locked: the upload's transaction holds it
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()
    engine = create_engine(normalize_url(desk.settings.database_url))
    try:
        with engine.connect() as pg:
            busy = pg.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                    "AND query ILIKE 'INSERT INTO%'"
                )
            )
        return bool(busy)
    finally:
        engine.dispose()


def _empty_the_log(desk: Desk) -> None:
    """Checkpoint SQLite's write-ahead log and truncate it to nothing."""
    path = _sqlite_path(desk)
    if path is not None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0
        finally:
            conn.close()


# -- the data -------------------------------------------------------------------------------


def _roster(path: Path, rows: int) -> bytes:
    """``rows`` synthetic people, all filed for the batch's project."""
    raw = path.with_name("synthetic.csv")
    write_synthetic(raw, rows, seed=2027)
    # The sponsor's own staff: a batch refuses rows naming another sponsor or organization.
    blank = pl.lit(None, dtype=pl.String)
    frame = pl.read_csv(raw, infer_schema=False).with_columns(
        pl.lit(PROJECT).alias("project"), blank.alias("sponsor"), blank.alias("employer")
    )
    frame.write_csv(path)
    return path.read_bytes()


def _stored(desk: Desk, batch: int, filer: int) -> dict[str, int]:
    with read_session(desk.sessions) as s:
        trip_ids = select(Trip.id).where(Trip.batch_id == batch)
        return {
            "trips": s.scalar(select(func.count()).where(Trip.batch_id == batch)) or 0,
            "people": s.scalar(select(func.count()).where(Person.org_id == filer)) or 0,
            "cases": s.scalar(select(func.count()).where(Case.batch_id == batch)) or 0,
            "screenings": s.scalar(select(func.count()).where(Screening.trip_id.in_(trip_ids)))
            or 0,
        }


def _upload(base: str, token: str, batch: int, data: bytes) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/batches/{batch}/roster",
        files={"file": ("synthetic.csv", data, "text/csv")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=UPLOAD_TIMEOUT,
    )


def _after_restart(
    base: str, world: World, batch: int, data: bytes
) -> tuple[dict[str, Any], float]:
    """On the restarted server: the chain verifies, the batch is empty, the file uploads."""
    token = world.tokens["hanbit_admin"]
    auditor = {"Authorization": f"Bearer {world.tokens['auditor']}"}
    r = httpx.get(f"{base}/api/v1/audit/verify", headers=auditor, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["problems"] == []
    assert r.json()["checked"] > 0
    r = httpx.get(
        f"{base}/api/v1/batches/{batch}/trips",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert r.json() == []
    started = time.monotonic()
    r = _upload(base, token, batch, data)
    took = time.monotonic() - started
    assert r.status_code == 200, r.text
    report: dict[str, Any] = r.json()
    r = httpx.get(f"{base}/api/v1/audit/verify", headers=auditor, timeout=120)
    assert r.json()["problems"] == []
    return report, took


def test_killed_mid_upload_loses_only_the_upload(
    desk: Desk, world: World, database_url: str, tmp_path: Path
) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    rows = ROWS[backend]
    data = _roster(tmp_path / "roster.csv", rows)
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(
            s, world.users["hanbit_admin"], project_id=world.projects["hanbit"], name="big"
        ).id
    hanbit, token = world.sponsors["hanbit"], world.tokens["hanbit_admin"]
    log = tmp_path / "server.log"
    outcome: dict[str, Any] = {}

    def upload(base: str) -> None:
        try:
            outcome["response"] = _upload(base, token, batch, data)
        except httpx.TransportError as error:
            outcome["error"] = error

    with _server(desk.settings, log) as (proc, base):
        desk.engine.dispose()  # the test's own connections stay out of the way
        _empty_the_log(desk)
        sender = threading.Thread(target=upload, args=(base,))
        sender.start()
        deadline = time.monotonic() + UPLOAD_TIMEOUT
        while not _writing_rows(desk):
            assert sender.is_alive(), f"the upload ended before it was caught: {outcome}"
            assert time.monotonic() < deadline, "the upload never started writing"
            time.sleep(0.05)
        # Killed while rows are going in: no chance to roll back, close or clean up.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        sender.join(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert "response" not in outcome, outcome
    assert isinstance(outcome.get("error"), httpx.TransportError)

    # Nothing of the upload is stored; the audit chain is whole; the file goes in again.
    assert _stored(desk, batch, hanbit) == {"trips": 0, "people": 0, "cases": 0, "screenings": 0}
    with _server(desk.settings, log) as (_proc, base):
        report, took = _after_restart(base, world, batch, data)
    assert (report["rows"], report["created"], report["updated"]) == (rows, rows, 0), report
    stored = _stored(desk, batch, hanbit)
    assert stored["trips"] == stored["people"] == rows
    assert stored["cases"] == report["cases"] > 0
    assert stored["screenings"] >= rows
    print(f"{backend}: {rows} rows uploaded in {took:.1f} s after the crash")
