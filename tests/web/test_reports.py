"""The dashboard, the downloads and the traveller sheet pages, signed in through a browser
session, on every backend (the desk fixtures parametrize SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.desk.fixtures import PASSWORD, TODAY, World, roster_csv, roster_rows
from visadesk.desk import accounts, projects, screenings, transitions, uploads
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session, write_session
from visadesk.desk.decisions import Refusal
from visadesk.desk.models import Case, Trip
from visadesk.desk.runtime import Desk
from visadesk.desk.transitions import Move
from visadesk.desk.workflow import STATES
from visadesk.engine import Screener
from visadesk.i18n import catalog, t
from visadesk.policy.documents import Checklist
from visadesk.policy.model import Policy
from visadesk.report.traveller import build_sheet
from visadesk.roster.schema import SECTORS
from visadesk.web import chart_svg, charts
from visadesk.web.reports.common import XLSX

SVG = "{http://www.w3.org/2000/svg}"
HANBIT = "Hanbit GA Cell Plant"
HAEON = "Haeon Philadelphia Shipyard Modernization"
INTERVIEW = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)


@dataclass
class Filed:
    """Two submitted batches: Hanbit's (its own staff and Sejin's) and Haeon's."""

    hanbit_batch: int
    haeon_batch: int
    sejin_workers: set[str]
    approved: int  # a Hanbit B-1 case walked to approved (annotated)
    refused: int  # a Hanbit case refused
    draft_like: int  # a Hanbit case still submitted (no annotation)
    haeon_case: int


def _rows(project: str, employer: str, limit: int) -> list[dict[str, str]]:
    return [r for r in roster_rows(project) if r["employer"] == employer][:limit]


@dataclass(frozen=True)
class _NoDocuments:
    """The desk's rules with a checklist that requires no document (not tested here)."""

    policy: Policy
    checklist: Checklist


def _walk(s: Session, officer: Principal, case_id: int, desk: Desk, end: str) -> None:
    """Through the workflow to ``end`` (no documents required: the checklist is not tested here)."""
    rules = _NoDocuments(desk.policy, replace(desk.checklist, items=()))
    for target in ("in_review", "ready_for_interview", "interview_scheduled", end):
        when = INTERVIEW if target == "interview_scheduled" else None
        final = target == end  # approved or refused: confirmed, a refusal with its ground
        refusal = Refusal("ina_214b") if target == "refused" else None
        move = Move(target, "Decided.", interview_at=when, confirmed=final, refusal=refusal)
        transitions.take_transition(s, officer, case_id, move, rules)


@pytest.fixture
def filed(desk: Desk, world: World) -> Filed:
    u = world.users
    with write_session(desk.sessions) as s:
        hb = projects.create_batch(
            s, u["hanbit_admin"], project_id=world.projects["hanbit"], name="Q1"
        )
        projects.invite(s, u["hanbit_admin"], hb.id, world.subs["sejin"])
        for who, rows in (
            ("hanbit_admin", _rows(HANBIT, "Hanbit Energy Solutions", 16)),
            ("sejin_staff", _rows(HANBIT, "Sejin Plant Engineering & Construction", 5)),
        ):
            uploads.upload_roster(
                s,
                u[who],
                hb.id,
                data=roster_csv(rows),
                filename=f"{who}.csv",
                policy=desk.policy,
                as_of=TODAY,
            )
        transitions.submit_batch(
            s, u["hanbit_admin"], hb.id, desk, transitions.SubmitChoice(True, "hold")
        )
        hn = projects.create_batch(
            s, u["haeon_admin"], project_id=world.projects["haeon"], name="P1"
        )
        uploads.upload_roster(
            s,
            u["haeon_admin"],
            hn.id,
            data=roster_csv(_rows(HAEON, "Haeon Marine Industries", 7)),
            filename="haeon.csv",
            policy=desk.policy,
            as_of=TODAY,
        )
        transitions.submit_batch(
            s, u["haeon_admin"], hn.id, desk, transitions.SubmitChoice(True, "hold")
        )
        hanbit_cases = s.scalars(
            select(Case).where(Case.batch_id == hb.id, Case.org_id == world.sponsors["hanbit"])
        ).all()
        b1 = [c.id for c in hanbit_cases if c.category == "B1"]
        others = [c.id for c in hanbit_cases if c.category != "B1"]
        assert len(b1) >= 2 and len(others) >= 3
        officer = u["officer"]
        _walk(s, officer, b1[0], desk, "approved")
        _walk(s, officer, b1[1], desk, "refused")
        # Decision dates and processing days the charts can be checked against.
        for case_id, decision, month, days in (
            (b1[0], "approved", 11, 3),
            (b1[1], "refused", 11, 5),
            (others[0], "approved", 9, 12),
            (others[1], "refused", 9, 45),
            (others[2], "approved", 7, 100),
        ):
            decided = dt.datetime(2026, month, 20, tzinfo=dt.UTC)
            s.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(
                    state=decision,
                    decision=decision,
                    decided_at=decided,
                    submitted_at=decided - dt.timedelta(days=days),
                )
            )
        sejin = {r["worker_id"] for r in _rows(HANBIT, "Sejin Plant Engineering & Construction", 5)}
        haeon_case = s.scalar(select(Case.id).where(Case.batch_id == hn.id).limit(1))
        assert haeon_case is not None
        return Filed(hb.id, hn.id, sejin, b1[0], b1[1], others[3], haeon_case)


def _login(client: TestClient, desk: Desk, who: str) -> TestClient:
    """A browser signed in as ``who`` (the session cookie ``visadesk_session``)."""
    with write_session(desk.sessions) as s:
        issued = accounts.authenticate(
            s, email=f"{who}@example.test", password=PASSWORD, client="browser", kind="session"
        )
    return TestClient(
        client.app,
        raise_server_exceptions=False,
        cookies={"visadesk_session": issued.token},
        follow_redirects=False,
    )


@pytest.fixture
def browsers(client: TestClient, desk: Desk, world: World) -> Iterator[dict[str, TestClient]]:
    opened: dict[str, TestClient] = {}

    class Browsers(dict[str, TestClient]):
        def __missing__(self, who: str) -> TestClient:
            opened[who] = self[who] = _login(client, desk, who)
            return opened[who]

    yield Browsers()
    for b in opened.values():
        b.close()


def _figures(html: str) -> list[ET.Element]:
    found = re.findall(r'<figure class="chart".*?</figure>', html, flags=re.S)
    return [ET.fromstring(f) for f in found]  # noqa: S314 - this server's own markup


def _value(html: str, testid: str) -> int:
    match = re.search(rf'data-value="(\d+)" data-testid="{testid}"', html)
    assert match, testid
    return int(match.group(1))


def _chart_table_total(figure: ET.Element) -> float:
    """The last cell of the chart table's total row (the grand total)."""
    foot = figure.find(".//table/tfoot/tr")
    assert foot is not None
    cells = foot.findall("td")
    return float(cells[-1].attrib["data-value"])


# Each test files both sponsors' batches and signs in several users (password hashing):
# the checks are grouped into few tests to keep the suite quick on both backends.


def test_dashboard_figures_and_charts(
    desk: Desk, filed: Filed, browsers: dict[str, TestClient]
) -> None:
    _dashboard_counts_match_the_database(desk, filed, browsers)
    _dashboard_charts_are_valid_svg_with_a_data_table(filed, browsers)


def test_every_page_is_tenant_scoped(
    desk: Desk, world: World, filed: Filed, browsers: dict[str, TestClient]
) -> None:
    _dashboard_is_tenant_scoped(desk, world, filed, browsers)
    _another_tenant_gets_404_on_every_id(filed, browsers)


def test_downloads(desk: Desk, filed: Filed, browsers: dict[str, TestClient]) -> None:
    _screening_workbook_has_the_visible_trips(desk, filed, browsers)
    _annotation_text(desk, filed, browsers)


# -- dashboard -----------------------------------------------------------------------


def _dashboard_counts_match_the_database(
    desk: Desk, filed: Filed, browsers: dict[str, TestClient]
) -> None:
    r = browsers["supervisor"].get("/dashboard")
    assert r.status_code == 200, r.text
    html = r.text
    with read_session(desk.sessions) as s:
        total = s.scalar(select(func.count(Case.id))) or 0
        approved = s.scalar(select(func.count(Case.id)).where(Case.decision == "approved"))
        refused = s.scalar(select(func.count(Case.id)).where(Case.decision == "refused"))
        submitted = s.scalar(select(func.count(Case.id)).where(Case.state == "submitted"))
    assert total > 0
    assert _value(html, "total") == total
    assert _value(html, "approved") == approved == 3
    assert _value(html, "refused") == refused == 2

    figures = {f.attrib["data-chart"]: f for f in _figures(html)}
    assert set(figures) == {"sector-category", "decisions", "processing", "backlog"}
    assert _chart_table_total(figures["sector-category"]) == total
    # Both sponsors' sectors are there.
    rows = [th.text for th in figures["sector-category"].findall(".//tbody/tr/th")]
    assert rows == [t("reports.sector.shipbuilding", "en"), t("reports.sector.batteries", "en")]
    # Decisions per month, July to November, a month without any showing 0.
    months = [tr.findtext("th") for tr in figures["decisions"].findall(".//tbody/tr")]
    assert months == ["Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
    assert _chart_table_total(figures["decisions"]) == approved + refused
    # Processing days: 100 days falls in the last bin, 45 in 43-60, 12 in 8-14.
    bins = [float(td.attrib["data-value"]) for td in figures["processing"].findall(".//tbody//td")]
    assert bins == [2, 1, 0, 0, 0, 1, 0, 1]
    backlog = {
        tr.findtext("th"): float(tr.find("td").attrib["data-value"])  # type: ignore[union-attr]
        for tr in figures["backlog"].findall(".//tbody/tr")
    }
    assert backlog[t("reports.state.submitted", "en")] == submitted
    # The sponsor filter narrows the figures to one sponsor's cases.
    with read_session(desk.sessions) as s:
        haeon = s.scalar(select(func.count(Case.id)).where(Case.batch_id == filed.haeon_batch))
        haeon_sponsor = s.scalar(select(Case.sponsor_id).where(Case.id == filed.haeon_case))
    r = browsers["supervisor"].get("/dashboard", params={"sponsor_id": str(haeon_sponsor)})
    assert _value(r.text, "total") == haeon
    # Blank filters (a submitted form) and unknown values are ignored, not errors.
    blank = {"sponsor_id": "", "project_id": "", "sector": "", "category": ""}
    assert _value(browsers["supervisor"].get("/dashboard", params=blank).text, "total") == total
    odd = {"project_id": "99999999999", "sponsor_id": "²", "sector": "mining", "category": "Z9"}
    assert _value(browsers["supervisor"].get("/dashboard", params=odd).text, "total") == total
    r = browsers["supervisor"].get("/dashboard", params={"category": "B1"})
    with read_session(desk.sessions) as s:
        b1 = s.scalar(select(func.count(Case.id)).where(Case.category == "B1"))
    assert _value(r.text, "total") == b1


def _dashboard_is_tenant_scoped(
    desk: Desk, world: World, filed: Filed, browsers: dict[str, TestClient]
) -> None:
    with read_session(desk.sessions) as s:

        def count(*where: object) -> int:
            return s.scalar(select(func.count(Case.id)).where(*where)) or 0  # type: ignore[arg-type]

        haeon = count(Case.sponsor_id == world.sponsors["haeon"])
        hanbit = count(Case.sponsor_id == world.sponsors["hanbit"])
        sejin = count(Case.org_id == world.subs["sejin"])
    assert 0 < haeon < hanbit and 0 < sejin < hanbit
    for who, expected in (("haeon_admin", haeon), ("hanbit_staff", hanbit), ("sejin_staff", sejin)):
        html = browsers[who].get("/dashboard").text
        assert _value(html, "total") == expected, who
    html = browsers["haeon_admin"].get("/dashboard").text
    figures = {f.attrib["data-chart"]: f for f in _figures(html)}
    rows = [th.text for th in figures["sector-category"].findall(".//tbody/tr/th")]
    assert rows == [t("reports.sector.shipbuilding", "en")]
    assert "Hanbit" not in html and HANBIT not in html
    # A sponsor cannot widen its view with the desk's sponsor filter.
    r = browsers["haeon_admin"].get(
        "/dashboard", params={"sponsor_id": str(world.sponsors["hanbit"])}
    )
    assert _value(r.text, "total") == haeon
    # The subcontractor's download list holds only the batch it was invited into.
    html = browsers["kukje_staff"].get("/dashboard").text
    assert _value(html, "total") == 0
    assert f"/batches/{filed.hanbit_batch}/screening.xlsx" not in html


def _dashboard_charts_are_valid_svg_with_a_data_table(
    filed: Filed, browsers: dict[str, TestClient]
) -> None:
    for lang in ("en", "ko"):
        html = browsers["officer"].get("/dashboard", params={"lang": lang}).text
        figures = _figures(html)
        assert len(figures) == 4
        for figure in figures:
            svg = figure.find(f"{SVG}svg")
            assert svg is not None and svg.attrib["role"] == "img"
            title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
            assert title is not None and title.text and desc is not None and desc.text
            assert svg.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
            table = figure.find(".//table")
            assert table is not None and table.find("caption") is not None
            assert table.findall(".//tbody/tr")
    ko = browsers["officer"].get("/dashboard", params={"lang": "ko"}).text
    assert t("reports.chart.sector_category.title", "ko") in ko
    assert "2026년 7월" in ko


def test_dashboard_needs_a_signed_in_user(client: TestClient, desk: Desk) -> None:
    r = client.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


# -- downloads ------------------------------------------------------------------------


def _workbook_ids(content: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(content))
    sheet = wb.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] in (t("workbook.col.worker_id", "en"), t("workbook.col.worker_id", "ko"))
    return [str(r[1]) for r in rows[1:]]


def _screening_workbook_has_the_visible_trips(
    desk: Desk, filed: Filed, browsers: dict[str, TestClient]
) -> None:
    url = f"/batches/{filed.hanbit_batch}/screening.xlsx"
    r = browsers["hanbit_admin"].get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert f"batch-{filed.hanbit_batch}-screening.xlsx" in r.headers["content-disposition"]
    with read_session(desk.sessions) as s:
        trips = s.scalars(
            select(Trip.worker_id).where(Trip.batch_id == filed.hanbit_batch).order_by(Trip.id)
        ).all()
    assert _workbook_ids(r.content) == list(trips)
    wb = load_workbook(io.BytesIO(r.content))
    screening = wb.worksheets[0]
    head = [c.value for c in screening[1]]
    assert {t(f"workbook.col.{c}", "en") for c in ("light", "name_ko", "reasons")} <= set(head)
    summary = wb.worksheets[1]
    assert summary["A1"].value == desk.policy.notice.en
    assert summary["A2"].value == desk.policy.notice.ko
    # No passport number leaves in the workbook.
    with read_session(desk.sessions) as s:
        passports = {
            t.person.passport_number
            for t in s.scalars(select(Trip).where(Trip.batch_id == filed.hanbit_batch))
        }
    cells = {str(c) for row in screening.iter_rows(values_only=True) for c in row}
    assert not (passports - {None}) & cells
    # The subcontractor gets its own staff only.
    r = browsers["sejin_staff"].get(url)
    assert r.status_code == 200
    assert set(_workbook_ids(r.content)) == filed.sejin_workers
    # Korean sheet names for a Korean reader.
    r = browsers["hanbit_admin"].get(url, params={"lang": "ko"})
    names = load_workbook(io.BytesIO(r.content)).sheetnames
    assert names[0] == t("report.sheet.screening", "ko")
    # The code-header layout stays available for programs; an unknown one is refused.
    r = browsers["hanbit_admin"].get(url, params={"layout": "codes"})
    codes = load_workbook(io.BytesIO(r.content)).worksheets[0]
    head = [c.value for c in codes[1]]
    assert head[0] == "worker_id" and {"reasons_en", "reasons_ko", "notice"} <= set(head)
    assert desk.policy.notice.ko in str(codes.cell(2, head.index("notice") + 1).value)
    assert browsers["hanbit_admin"].get(url, params={"layout": "pretty"}).status_code == 422


def _annotation_text(desk: Desk, filed: Filed, browsers: dict[str, TestClient]) -> None:
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, filed.approved)
        en, ko = case.annotation_en, case.annotation_ko
    assert en and ko
    r = browsers["hanbit_staff"].get(f"/cases/{filed.approved}/annotation.txt")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert f"case-{filed.approved}-annotation.txt" in r.headers["content-disposition"]
    assert en in r.text and ko in r.text
    assert desk.policy.notice.en in r.text and desk.policy.notice.ko in r.text
    # Before approval (or when refused) there is none, and the reader is told why.
    for case_id in (filed.draft_like, filed.refused):
        r = browsers["hanbit_staff"].get(f"/cases/{case_id}/annotation.txt")
        assert r.status_code == 404
        assert f"Case {case_id} has no visa annotation" in r.text
    r = browsers["hanbit_staff"].get(f"/cases/{filed.draft_like}/annotation.txt?lang=ko")
    assert f"사건 {filed.draft_like}에는 비자 주석이 없습니다" in r.text


# -- traveller sheet ------------------------------------------------------------------


def test_traveller_sheet_html_and_pdf(
    desk: Desk, filed: Filed, browsers: dict[str, TestClient]
) -> None:
    with read_session(desk.sessions) as s:
        case = s.get_one(Case, filed.approved)
        trip = s.get_one(Trip, case.trip_id)
        passport = trip.person.passport_number
        birth = trip.person.birth_date
        result = Screener(desk.policy, as_of=TODAY).screen(
            screenings.facts_of(trip), row=trip.source_row
        )
        name = f"{trip.person.family_name} {trip.person.given_name}"
        worker_id = trip.worker_id
    sheet = build_sheet(result, desk.policy, "B1", name, checklist=desk.checklist)
    assert sheet.carry and passport and birth

    browser = browsers["hanbit_admin"]
    r = browser.get(f"/cases/{filed.approved}/traveller")
    assert r.status_code == 200, r.text
    html = r.text
    assert '<html lang="en">' in html
    assert name in html and worker_id in html
    for lang in ("en", "ko"):
        assert t("status.eligible", lang) in html
        assert sheet.category_title.get(lang) in html
        assert t("traveller.last_day", lang) in html
        assert t("traveller.carry", lang) in html
        for doc in sheet.carry:
            assert doc.title.get(lang) in html
    assert sheet.last_day.isoformat() in html
    assert passport not in html and birth not in html
    assert desk.policy.notice.ko in html

    r = browser.get(f"/cases/{filed.approved}/traveller", params={"lang": "ko"})
    assert '<html lang="ko">' in r.text

    r = browser.get(f"/cases/{filed.approved}/traveller.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert passport.encode() not in r.content

    # A refused case has no sheet; the page says why.
    r = browser.get(f"/cases/{filed.refused}/traveller", params={"lang": "en"})
    assert r.status_code == 409
    assert t("reports.traveller.refused", "en", id=filed.refused) in r.text
    assert browser.get(f"/cases/{filed.refused}/traveller.pdf").status_code == 409


def _another_tenant_gets_404_on_every_id(filed: Filed, browsers: dict[str, TestClient]) -> None:
    hanbit_urls = [
        f"/batches/{filed.hanbit_batch}/screening.xlsx",
        f"/cases/{filed.approved}/annotation.txt",
        f"/cases/{filed.approved}/traveller",
        f"/cases/{filed.approved}/traveller.pdf",
    ]
    for who in ("haeon_admin", "kukje_staff"):
        for url in hanbit_urls:
            r = browsers[who].get(url)
            assert r.status_code == 404, (who, url, r.status_code)
            assert b"%PDF" not in r.content[:8] and not r.content.startswith(b"PK")
    # A subcontractor in the batch still cannot reach the sponsor's own people's cases.
    for url in hanbit_urls[1:]:
        assert browsers["sejin_staff"].get(url).status_code == 404, url
    haeon_urls = [
        f"/batches/{filed.haeon_batch}/screening.xlsx",
        f"/cases/{filed.haeon_case}/annotation.txt",
        f"/cases/{filed.haeon_case}/traveller",
        f"/cases/{filed.haeon_case}/traveller.pdf",
    ]
    for url in haeon_urls:
        assert browsers["hanbit_admin"].get(url).status_code == 404, url
    for url in (
        "/batches/999999/screening.xlsx",
        "/cases/999999/traveller",
        "/cases/99999999999/annotation.txt",
        "/cases/99999999999/traveller.pdf",
        "/batches/99999999999/screening.xlsx",
        "/cases/0/traveller",
    ):
        assert browsers["supervisor"].get(url).status_code == 404


# -- charts ---------------------------------------------------------------------------


def test_charts_render_empty_data_as_valid_xml() -> None:
    empty = [
        charts.bar_chart("a", "A", "d", [], lang="en", label_header="x", value_header="y"),
        charts.stacked_bar_chart("b", "B", "d", [], [], lang="ko", label_header="x"),
        charts.column_chart("c", "C", "d", [], [], lang="en", label_header="x"),
        charts.histogram(
            "d", "D", "d", [("0-7", 0)], lang="en", label_header="x", value_header="y"
        ),
    ]
    for chart in empty:
        assert chart.empty
        figure = ET.fromstring(chart.html)  # noqa: S314 - markup built by the test
        assert figure.find(f"{SVG}svg/{SVG}title") is not None
        assert figure.find(".//table") is not None
    assert t("reports.chart.empty", "ko") in empty[1].html


def test_charts_escape_labels_and_check_shapes() -> None:
    chart = charts.stacked_bar_chart(
        "s",
        'Cases <by> "sector" & more',
        "desc",
        ["<script>alert(1)</script>", "조선 & 해양"],
        [charts.Series("B1", "B-1", (3, 1)), charts.Series("E2", "E-2", (0, 2.5))],
        lang="en",
        label_header="Sector",
    )
    figure = ET.fromstring(chart.html)  # noqa: S314 - markup built by the test
    assert "<script>" not in chart.html
    cells = [td.attrib["data-value"] for td in figure.findall(".//tfoot//td")]
    assert cells == ["4", "2.5", "6.5"]  # per series, then the grand total
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        charts.stacked_bar_chart(
            "x", "X", "d", ["a", "b", "c"], [charts.Series("k", "K", (1, 2))], lang="en",
            label_header="L",
        )  # fmt: skip
    assert chart_svg.nice_ticks(0) == [0.0, 1.0]
    assert chart_svg.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert chart_svg.nice_ticks(1234)[-1] >= 1234


def test_dynamic_report_keys_exist_in_both_languages() -> None:
    """Labels looked up by value: workflow states, sectors, batch states, decisions."""
    keys = [
        *(f"reports.state.{s}" for s in STATES),
        *(f"reports.sector.{s}" for s in SECTORS),
        *(f"reports.batch_state.{s}" for s in ("open", "submitted")),
        *(f"reports.decision.{d}" for d in ("approved", "refused")),
    ]
    for lang in ("en", "ko"):
        missing = [k for k in keys if k not in catalog(lang)]
        assert missing == [], lang
