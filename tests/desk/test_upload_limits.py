"""Roster uploads are bounded, and the desk answers while one is being parsed.

A bomb (see tests/roster/test_bombs.py) uploaded through the API is 422
``invalid_roster`` naming the limit, within 2 s, and stores nothing; a roster
that takes longer than the desk's time budget to read is stopped and refused
naming that budget; while it is being read, other requests (a health check, a
sign-in, a write) are answered at once, because no write transaction is held
while parsing. No message shows where the server kept the file.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.desk.fixtures import PASSWORD, World
from tests.desk.test_upload import _batch, _counts
from tests.harness import DemoWorld
from tests.roster import test_bombs as bombs
from visadesk.desk.db import read_session
from visadesk.desk.models import Person
from visadesk.desk.runtime import Desk

SECONDS = 2.0


def _post(client: TestClient, world: World, batch: int, path: Path, name: str) -> Any:
    return client.post(
        f"/api/v1/batches/{batch}/roster",
        files={"file": (name, path.read_bytes())},
        headers=world.auth("hanbit_admin"),
    )


API_BOMBS: list[tuple[Callable[[Path], Path], str]] = [
    (bombs.zip_bomb, "xlsx_ratio"),
    (bombs.shared_strings, "xlsx_ratio"),
    (bombs.empty_cells, "xlsx_ratio"),
    (bombs.huge_dimension, "xlsx_dimension"),
    (bombs.wide_row, "columns"),
    (bombs.far_row, "rows"),
    (bombs.giant_cell_csv, "cell_chars"),
    (bombs.many_rows_csv, "rows"),
    (bombs.wide_json, "columns"),
]


@pytest.mark.parametrize(("build", "limit"), API_BOMBS, ids=[b[0].__name__ for b in API_BOMBS])
def test_bomb_upload_is_refused_quickly_and_stores_nothing(
    client: TestClient,
    *,
    desk: Desk,
    world: World,
    tmp_path: Path,
    build: Callable[[Path], Path],
    limit: str,
) -> None:
    batch = _batch(desk, world)
    path = build(tmp_path)
    before = _counts(desk)
    # CPU time of this process (the app runs in it, under the test client): the work the
    # refusal costs, which a loaded machine's other processes do not stretch.
    started = time.process_time()
    r = _post(client, world, batch, path, f"team{path.suffix}")
    elapsed = time.process_time() - started
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_roster"
    [detail] = error["details"]
    assert detail["code"] == "limit_exceeded"
    assert "limit" in detail["message"]
    assert elapsed < SECONDS, f"refused after {elapsed:.1f} s of CPU time"
    assert f"team{path.suffix}" in detail["message"]
    assert tempfile.gettempdir() not in r.text
    assert "visadesk-upload-" not in r.text
    assert _counts(desk) == before


def _slow_xlsx(path: Path) -> Path:
    """A real workbook within every limit whose reading takes seconds: 400,000 cells.

    Written by openpyxl, so that the reader gets past the zip and sheet checks into the
    slow part, whatever the machine's speed."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("roster")
    for i in range(10_000):
        sheet.append([i * 40 + j for j in range(40)])
    book.save(path)
    return path


def test_server_answers_while_a_roster_is_parsed_and_the_budget_stops_it(
    client: TestClient,
    *,
    desk: Desk,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    budget = 1.5
    monkeypatch.setattr(desk, "settings", dataclasses.replace(desk.settings, roster_seconds=budget))
    batch = _batch(desk, world)
    path = _slow_xlsx(tmp_path / "slow.xlsx")
    before = _people(desk)
    answer: dict[str, Any] = {}

    def upload() -> None:
        started = time.perf_counter()
        answer["response"] = _post(client, world, batch, path, "slow.xlsx")
        answer["elapsed"] = time.perf_counter() - started

    thread = threading.Thread(target=upload)
    thread.start()
    time.sleep(0.5)  # the upload is being read
    timings = {}
    started = time.perf_counter()
    assert client.get("/healthz").status_code == 200
    timings["healthz"] = time.perf_counter() - started
    started = time.perf_counter()
    signed = client.post(
        "/api/v1/auth/token",
        json={"email": DemoWorld.email("hanbit_staff"), "password": PASSWORD},
    )
    assert signed.status_code == 200, signed.text
    timings["login"] = time.perf_counter() - started
    started = time.perf_counter()
    made = client.post(
        "/api/v1/batches",
        json={"project_id": world.projects["hanbit"], "name": "while parsing"},
        headers=world.auth("hanbit_admin"),
    )
    assert made.status_code in (200, 201), made.text
    timings["write"] = time.perf_counter() - started
    assert thread.is_alive(), "the upload ended before the probes: not a test of concurrency"
    thread.join(budget + 30)
    assert max(timings.values()) < SECONDS, (database_url, timings)
    r = answer["response"]
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert detail["code"] == "limit_exceeded"
    assert f"{budget:g} seconds" in detail["message"]
    assert answer["elapsed"] < budget + 10
    assert _people(desk) == before


def _people(desk: Desk) -> int:
    with read_session(desk.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(Person)) or 0)
