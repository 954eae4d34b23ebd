"""The web door of batch integrity, on SQLite and PostgreSQL (no browser).

The sample roster with its project cells blank, uploaded from the batch page:
refused whole, the other sponsor's rows listed, nothing filed; then, with "file
only the rows that belong" ticked, the rest filed and the summary counting them.
A form without its CSRF token is refused before anything is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.desk.fixtures import World, hanbit_batch, roster_csv, roster_rows
from tests.web.conftest import csrf_of
from visadesk.desk.db import read_session
from visadesk.desk.models import Trip
from visadesk.desk.runtime import Desk
from visadesk.i18n import t


def _trips(desk: Desk, batch: int) -> int:
    with read_session(desk.sessions) as s:
        return int(s.scalar(select(func.count()).where(Trip.batch_id == batch)) or 0)


def test_the_batch_page_refuses_the_other_sponsors_rows_then_files_the_rest(
    browser_for: Callable[..., TestClient], desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, "sejin", "daeseong", name="web")
    data = roster_csv([{**r, "project": ""} for r in roster_rows()])
    client = browser_for("hanbit_admin", "ko")
    token = csrf_of(client.get(f"/batches/{batch}").text)

    r = client.post(
        f"/batches/{batch}/roster",
        data={"csrf_token": token},
        files={"file": ("sample.csv", data)},
    )
    assert r.status_code == 422
    assert t("integrity.refused.page_title", "ko") in r.text
    assert r.text.count('<li data-row="') == 7
    assert "Haeon Marine Industries" in r.text and "HM-0007" in r.text
    assert _trips(desk, batch) == 0

    r = client.post(
        f"/batches/{batch}/roster",
        data={"csrf_token": token, "skip_refused": "1"},
        files={"file": ("sample.csv", data)},
    )
    assert r.status_code == 200, r.text
    summary = re.search(r'data-testid="upload-summary">([^<]*)<', r.text)
    assert summary is not None
    expected = "명단 인원: 75명. 신규 68명, 갱신 0명, 변경 없음 0명, 거부(제출 안 함) 7명."
    assert summary.group(1) == expected
    assert "행" not in summary.group(1)  # no count reads as a row number
    assert _trips(desk, batch) == 68


def test_the_upload_form_needs_its_csrf_token(
    browser_for: Callable[..., TestClient], desk: Desk, world: World
) -> None:
    batch = hanbit_batch(desk, world, name="csrf")
    client = browser_for("hanbit_admin")
    r = client.post(
        f"/batches/{batch}/roster",
        data={"skip_refused": "1"},
        files={"file": ("r.csv", roster_csv(roster_rows(limit=1)))},
    )
    assert r.status_code == 403
    assert _trips(desk, batch) == 0
