"""The roster template's download and the grid's choices, served in process (issue #12,
section 2), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import openpyxl
from fastapi.testclient import TestClient

from tests.desk.fixtures import World
from tests.web.conftest import csrf_of, hanbit_rows
from visadesk.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch(client: TestClient, world: World) -> int:
    page = client.get(f"/projects/{world.projects['hanbit']}")
    r = client.post(
        f"/projects/{world.projects['hanbit']}/batches",
        data={"name": "labels", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[2].split("?")[0])


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_template_downloads_in_the_asked_language(
    browser_for: Callable[..., TestClient], world: World
) -> None:
    sponsor = browser_for("hanbit_admin", "ko")
    for lang, sheet in (("ko", "명단"), ("en", "Roster")):
        r = sponsor.get(f"/roster-template.xlsx?lang={lang}")
        assert r.status_code == 200
        assert r.headers["content-type"] == XLSX
        assert (
            f'filename="visadesk-roster-template-{lang}.xlsx"' in (r.headers["content-disposition"])
        )
        book = openpyxl.load_workbook(io.BytesIO(r.content))
        assert book.sheetnames[0] == sheet
        assert book[sheet]["A1"].value == t("roster_input.column.worker_id", lang)


def test_template_needs_a_signed_in_user(client: TestClient) -> None:
    r = client.get("/roster-template.xlsx?lang=ko", follow_redirects=False)
    assert r.status_code in {302, 303}
    assert "/login" in r.headers["location"]


def test_project_page_and_upload_form_link_the_template(
    browser_for: Callable[..., TestClient], world: World
) -> None:
    sponsor = browser_for("hanbit_admin", "ko")
    project = sponsor.get(f"/projects/{world.projects['hanbit']}").text
    assert 'href="/roster-template.xlsx?lang=ko"' in project
    assert 'href="/roster-template.xlsx?lang=en"' in project
    batch = sponsor.get(f"/batches/{_batch(sponsor, world)}").text
    upload_form = batch[batch.index('data-testid="upload-form"') - 2000 :]
    assert 'data-testid="roster-template-ko"' in upload_form
    assert t("web.roster_template.heading", "ko") in batch


def test_korean_labels_file_a_roster(browser_for: Callable[..., TestClient], world: World) -> None:
    sponsor = browser_for("hanbit_admin", "ko")
    batch = _batch(sponsor, world)
    rows = [dict(cells) for cells in hanbit_rows()[:2]]
    rows[0] |= {"activities": "설비 설치·시운전; 미국 근로자 교육", "role": "기술자"}
    rows[1] |= {"activities": "업무 회의ㆍ협의", "role": "관리자", "paid_by": "본사"}
    page = sponsor.get(f"/batches/{batch}")
    r = sponsor.post(
        f"/batches/{batch}/roster",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("labels.csv", _csv(rows))},
    )
    assert r.status_code == 200, r.text
    assert t("web.upload.done", "ko") in r.text
    assert r.text.count('data-worker="') == 2
    # the person's page shows the labels the clerk typed (one source: the catalog)
    trips = re.findall(r'href="/trips/(\d+)"', r.text)
    shown = "".join(sponsor.get(f"/trips/{trip}").text for trip in dict.fromkeys(trips))
    assert "<dd>기술자</dd>" in shown and "<dd>관리자</dd>" in shown and "<dd>본사</dd>" in shown


def test_missing_column_is_added_and_several_activities_come_back_joined(
    browser_for: Callable[..., TestClient], world: World
) -> None:
    sponsor = browser_for("hanbit_admin")
    batch = _batch(sponsor, world)
    rows = [dict(cells) for cells in hanbit_rows()[:2]]
    for cells in rows:
        del cells["paid_by"]
    rows[1]["activities"] = "golf"
    page = sponsor.get(f"/batches/{batch}")
    r = sponsor.post(
        f"/batches/{batch}/roster",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("no-paid-by.csv", _csv(rows))},
    )
    assert r.status_code == 422
    html = r.text
    assert 'data-testid="grid-added"' in html
    assert re.findall(r'<tr data-row="(\d+)">', html) == ["2", "3"]
    paid = re.findall(r'<select id="(c\.\d+\.\d+)" name="\1"[^>]*data-column="paid_by"', html)
    acts = re.findall(
        r'<select id="(c\.\d+\.\d+)" name="\1" multiple[^>]*data-column="activities"', html
    )
    assert len(paid) == 2 and len(acts) == 2
    assert t("web.grid_input.pick", "en", value="golf") in html
    pending = re.search(r'name="pending" value="([^"]+)"', html)
    assert pending is not None
    form: list[tuple[str, str]] = [
        ("csrf_token", csrf_of(html)),
        ("pending", pending.group(1)),
        *((name, "home_employer") for name in paid),
        # a multiple select sends its hidden blank, then each choice
        (acts[1], ""),
        (acts[1], "meetings"),
        (acts[1], "site_survey"),
    ]
    r = sponsor.post(
        f"/batches/{batch}/roster/fix",
        content="&".join(f"{k}={v}" for k, v in form).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.text[-3000:]
    assert t("web.upload.done", "en") in r.text
    assert r.text.count('data-worker="') == 2
