"""The batch page of a big batch (SQLite and PostgreSQL): 100 people a page, counts by
traffic light computed in SQL for the whole batch, the light filter paged too."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.desk.fixtures import TODAY, World, roster_csv, roster_rows
from tests.web.conftest import HANBIT
from visadesk.desk import projects, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Screening, Trip
from visadesk.desk.runtime import Desk
from visadesk.web import views
from visadesk.web.batches import PEOPLE_PER_PAGE

Browser = Callable[..., TestClient]
TRIPS = 2_150
ROW = re.compile(r'<tr data-worker="([^"]+)" data-light="([a-z]+)">')


def _big_roster() -> bytes:
    sample = [r for r in roster_rows(HANBIT) if r["employer"] == "Hanbit Energy Solutions"]
    rows = []
    for i in range(TRIPS):
        row = dict(sample[i % len(sample)])
        row["worker_id"] = f"BIG-{(i * 7919) % TRIPS:05d}"  # filed out of order
        row["passport_number"] = f"M{i:08d}"
        rows.append(row)
    return roster_csv(rows)


@pytest.fixture
def big_batch(desk: Desk, world: World) -> int:
    admin = world.users["hanbit_admin"]
    with write_session(desk.sessions) as s:
        batch = projects.create_batch(s, admin, project_id=world.projects["hanbit"], name="big")
        uploads.upload_roster(
            s,
            admin,
            batch.id,
            data=_big_roster(),
            filename="big.csv",
            policy=desk.policy,
            as_of=TODAY,
        )
        return batch.id


def _expected(desk: Desk, batch_id: int) -> tuple[list[tuple[str, str]], Counter[str]]:
    """Every trip's (worker_id, light) in page order, lights computed in Python."""
    with read_session(desk.sessions) as s:
        found = s.execute(
            select(Trip.worker_id, Screening.statuses)
            .outerjoin(Screening, Screening.id == Trip.screening_id)
            .where(Trip.batch_id == batch_id)
            .order_by(Trip.worker_id, Trip.id)
        ).all()
    people = [(w, views.light_of_statuses(st)) for w, st in found]
    return people, Counter(light for _, light in people)


def _counts(html: str) -> dict[str, int]:
    shown = {}
    for value in views.LIGHTS:
        link = re.search(rf'data-filter="{value}">(.*?)</a>', html, re.S)
        if link:
            shown[value] = int(re.findall(r"[\d,]+", link.group(1))[-1].replace(",", ""))
    return shown


def test_big_batch_is_paged_with_counts_for_the_whole_batch(
    browser_for: Browser, desk: Desk, big_batch: int
) -> None:
    people, lights = _expected(desk, big_batch)
    assert len(people) == TRIPS and len([v for v in lights.values() if v]) >= 2
    browser = browser_for("hanbit_admin")

    first = browser.get(f"/batches/{big_batch}")
    assert first.status_code == 200
    assert ROW.findall(first.text) == people[:PEOPLE_PER_PAGE]
    assert _counts(first.text) == {v: lights[v] for v in views.LIGHTS if lights[v] or v != "grey"}
    pages = math.ceil(TRIPS / PEOPLE_PER_PAGE)
    assert "?page=2" in first.text and 'rel="next"' in first.text

    last = browser.get(f"/batches/{big_batch}", params={"page": pages})
    assert ROW.findall(last.text) == people[(pages - 1) * PEOPLE_PER_PAGE :]
    beyond = browser.get(f"/batches/{big_batch}", params={"page": 10_000})
    assert ROW.findall(beyond.text) == ROW.findall(last.text)  # clamped to the last page

    light = lights.most_common(1)[0][0]
    of_light = [p for p in people if p[1] == light]
    second = browser.get(f"/batches/{big_batch}", params={"light": light, "page": 2})
    assert ROW.findall(second.text) == of_light[PEOPLE_PER_PAGE : 2 * PEOPLE_PER_PAGE]
    assert _counts(second.text) == _counts(first.text)  # the counts are the whole batch's
