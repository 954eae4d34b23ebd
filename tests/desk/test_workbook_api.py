"""``GET /api/v1/batches/{id}/screening.xlsx``: the web download's workbook through the API,
one desk operation (:func:`visadesk.desk.workbooks.screening_workbook`) behind both."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.desk.fixtures import World, employer_rows, file_roster, hanbit_batch
from visadesk.desk.runtime import Desk
from visadesk.i18n import t

SEJIN = "Sejin Plant Engineering & Construction"
HANBIT = "Hanbit Energy Solutions"


def _ids(content: bytes) -> tuple[list[object], list[str]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), [str(r[1]) for r in rows[1:]]


def test_the_api_workbook_is_localised_and_scoped(
    desk: Desk, client: TestClient, world: World
) -> None:
    batch = hanbit_batch(desk, world, "sejin", name="workbook")
    own, sejin = employer_rows(HANBIT, 3), employer_rows(SEJIN, 2)
    file_roster(desk, world, batch, own)
    file_roster(desk, world, batch, sejin, who="sejin_staff", filename="sejin.csv")
    url = f"/api/v1/batches/{batch}/screening.xlsx"

    r = client.get(url, headers={**world.auth("hanbit_admin"), "Accept-Language": "ko-KR"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"batch-{batch}-screening.xlsx" in r.headers["content-disposition"]
    head, ids = _ids(r.content)
    assert head[:4] == ["신호등", "사번", "영문 성명", "한글 성명"]
    assert sorted(ids) == sorted(row["worker_id"] for row in own + sejin)

    r = client.get(url, headers=world.auth("hanbit_admin"), params={"lang": "en"})
    head, _ = _ids(r.content)
    assert head[1] == t("workbook.col.worker_id", "en")

    # A subcontractor gets its own staff only; another sponsor gets nothing.
    r = client.get(url, headers=world.auth("sejin_staff"))
    assert r.status_code == 200
    assert sorted(_ids(r.content)[1]) == sorted(row["worker_id"] for row in sejin)
    r = client.get(url, headers=world.auth("haeon_admin"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"

    # The code-header layout for programs; an unknown layout is refused.
    r = client.get(url, headers=world.auth("hanbit_admin"), params={"layout": "codes"})
    head, _ = _ids(r.content)
    assert head[0] == "worker_id" and "status_B1" in head
    r = client.get(url, headers=world.auth("hanbit_admin"), params={"layout": "fancy"})
    assert r.status_code == 422
