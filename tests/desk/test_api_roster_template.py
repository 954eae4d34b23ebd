"""GET /api/v1/roster-template: the roster template through the API (issue #12, section 2)."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from tests.desk.fixtures import World
from visadesk.i18n import t
from visadesk.roster.choices import choice_label


def test_template_in_korean_and_english(client: TestClient, world: World) -> None:
    for lang in ("ko", "en"):
        r = client.get(f"/api/v1/roster-template?lang={lang}", headers=world.auth("sejin_staff"))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert f"visadesk-roster-template-{lang}.xlsx" in r.headers["content-disposition"]
        book = openpyxl.load_workbook(io.BytesIO(r.content))
        roster, guide, lists = book.worksheets
        assert roster.title == t("roster_input.template.sheet.roster", lang)
        assert guide.title == t("roster_input.template.sheet.guide", lang)
        assert lists.sheet_state == "hidden"
        values = {str(c.value) for row in lists.iter_rows() for c in row if c.value}
        assert choice_label("role", "technician", lang) in values


def test_template_needs_a_caller(client: TestClient) -> None:
    assert client.get("/api/v1/roster-template").status_code == 401
