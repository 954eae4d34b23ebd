"""The web pages in process (SQLite and PostgreSQL): sign-in, CSRF, uploads, the
fixing grid, tenant isolation, the queue, case work, errors and languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.desk.fixtures import World
from tests.web.conftest import (
    HANBIT,
    SEJIN,
    broken_csv,
    csrf_of,
    employer_rows,
    hanbit_rows,
    roster_csv,
)
from visadesk.desk import projects, transitions, uploads
from visadesk.desk.db import write_session
from visadesk.desk.runtime import Desk
from visadesk.desk.workflow import ROLES, STATES
from visadesk.i18n import catalog, t
from visadesk.roster.schema import SECTORS

Browser = Callable[..., TestClient]
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "visadesk" / "web" / "templates"
TEMPLATE_KEY = re.compile(r"""\bt\(\s*["'](web\.[a-z0-9_.]*[a-z0-9_])["']""")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _batch(client: TestClient, world: World, name: str = "Q1 2027") -> int:
    page = client.get(f"/projects/{world.projects['hanbit']}")
    r = client.post(
        f"/projects/{world.projects['hanbit']}/batches",
        data={"name": name, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[2].split("?")[0])


def _upload(client: TestClient, batch: int, name: str, data: bytes) -> object:
    page = client.get(f"/batches/{batch}")
    return client.post(
        f"/batches/{batch}/roster",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": (name, data)},
    )


def test_template_keys_are_in_both_catalogs() -> None:
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *TEMPLATES.glob("partials/*.html")]:
        used.update(TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100
    for lang in ("en", "ko"):
        assert sorted(used - set(catalog(lang))) == []
    # Keys built in templates from a prefix and a value.
    for lang in ("en", "ko"):
        keys = set(catalog(lang))
        assert {f"web.state.{s}" for s in STATES} <= keys
        assert {f"web.step.{s}" for s in STATES if s != "draft"} <= keys
        assert {f"web.role.{r}" for r in ROLES} <= keys
        assert {f"web.sector.{s}" for s in SECTORS} <= keys


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_login_page_speaks_the_readers_language(client: TestClient, lang: str) -> None:
    r = client.get(f"/login?lang={lang}")
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    assert t("web.login.title", lang) in r.text
    assert t("notice.guidance", lang) in r.text
    assert f"visadesk_lang={lang}" in r.headers["set-cookie"]
    assert "default-src 'self'" in r.headers["content-security-policy"]
    # The cookie carries the language to the next page.
    assert t("web.login.title", lang) in client.get("/login").text


def test_login_bad_password_and_rate_limit(client: TestClient, world: World) -> None:
    page = client.get("/login?lang=ko")
    token = csrf_of(page.text)
    for _ in range(5):
        r = client.post(
            "/login",
            data={"email": "officer@example.test", "password": "wrong", "csrf_token": token},
        )
        assert r.status_code == 401
        assert t("desk.error.bad_credentials", "ko") in r.text
    # Failures are recorded (not rolled back with the refusal): the sixth is refused outright.
    r = client.post(
        "/login",
        data={"email": "officer@example.test", "password": "wrong", "csrf_token": token},
    )
    assert r.status_code == 429


def test_login_needs_its_csrf_token(client: TestClient, world: World) -> None:
    client.get("/login")
    r = client.post(
        "/login",
        data={"email": "officer@example.test", "password": "x" * 12, "csrf_token": "forged"},
    )
    assert r.status_code == 403


def test_session_cookie_and_role_home(client: TestClient, world: World) -> None:
    page = client.get("/login?next=/queue%3Fq%3Dkim")
    r = client.post(
        "/login",
        data={
            "email": "hanbit_admin@example.test",
            "password": "correct horse battery",
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/projects"
    cookie = r.headers["set-cookie"]
    assert "visadesk_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/", follow_redirects=False).headers["location"] == "/projects"


def test_pages_need_a_login(client: TestClient) -> None:
    r = client.get("/queue?state=submitted", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fqueue%3Fstate%3Dsubmitted"
    r = client.get("/queue", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.headers["HX-Redirect"].startswith("/login")


def test_forms_refuse_a_missing_csrf_token(browser_for: Browser, world: World) -> None:
    sponsor = browser_for("hanbit_admin", "ko")
    r = sponsor.post(f"/projects/{world.projects['hanbit']}/batches", data={"name": "forged"})
    assert r.status_code == 403
    assert t("desk.error.csrf_failed", "ko") in r.text
    # The htmx header is accepted in place of the form field.
    page = sponsor.get(f"/projects/{world.projects['hanbit']}")
    r = sponsor.post(
        f"/projects/{world.projects['hanbit']}/batches",
        data={"name": "by htmx"},
        headers={"X-CSRF-Token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_errors_are_pages_for_people_and_json_for_the_api(browser_for: Browser) -> None:
    officer = browser_for("officer", "ko")
    r = officer.get("/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert t("web.error.not_found", "ko") in r.text
    r = officer.get("/cases/999999")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    r = officer.get("/api/v1/cases/999999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert officer.get("/cases/abc").status_code == 422


def test_project_and_batch_creation(browser_for: Browser, world: World) -> None:
    sponsor = browser_for("hanbit_admin")
    page = sponsor.get("/projects")
    assert HANBIT in page.text and "Haeon Philadelphia" not in page.text
    r = sponsor.post(
        "/projects",
        data={
            "name": "Hanbit Ohio Module Line",
            "worksite": "Lordstown, OH",
            "state": "oh",
            "sector": "batteries",
            "investment_usd": "1,200,000,000",
            "start_date": "2027-03-01",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    project = sponsor.get(r.headers["location"])
    assert t("web.flash.project_created", "en") in project.text
    assert "1,200,000,000" in project.text and "Mar 1, 2027" in project.text
    r = sponsor.post(
        "/projects",
        data={
            "name": "Bad",
            "worksite": "x",
            "state": "Georgia",
            "sector": "batteries",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 422 and "state" in r.text and 'value="Bad"' in r.text
    # A subcontractor may not create projects: no form, and the POST is refused.
    sub = browser_for("sejin_staff")
    assert 'data-testid="project-form"' not in sub.get("/projects").text


def test_upload_shows_lights_and_isolates_subcontractors(
    browser_for: Browser, world: World
) -> None:
    sponsor = browser_for("hanbit_admin", "ko")
    batch = _batch(sponsor, world)
    own = hanbit_rows()
    r = _upload(sponsor, batch, "hanbit.csv", roster_csv(own))
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    html = r.text  # type: ignore[attr-defined]
    assert t("web.upload.done", "ko") in html
    assert html.count('data-worker="') == len(own)
    lights = re.findall(r'<tr data-worker="[^"]+" data-light="(\w+)"', html)
    assert {"green", "amber"} <= set(lights)
    assert t("web.light.green", "ko") in html and t("web.light.amber", "ko") in html
    # Missing facts are named, with their Korean column header.
    assert "전문지식" in html
    # Passport numbers are never shown unmasked.
    assert own[0]["passport_number"] not in html

    page = sponsor.get(f"/batches/{batch}")
    r = sponsor.post(
        f"/batches/{batch}/invite",
        data={"org_id": world.subs["sejin"], "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    sejin = browser_for("sejin_staff")
    staff = employer_rows(SEJIN)
    r = _upload(sejin, batch, "sejin.csv", roster_csv(staff))
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    mine = sejin.get(f"/batches/{batch}").text
    workers = set(re.findall(r'<tr data-worker="([^"]+)"', mine))
    assert workers == {row["worker_id"] for row in staff}
    assert 'data-light="red"' in mine and t("web.light.red", "en") in mine
    # The sponsor sees both; another sponsor sees nothing.
    everyone = set(re.findall(r'<tr data-worker="([^"]+)"', sponsor.get(f"/batches/{batch}").text))
    assert len(everyone) == len(own) + len(staff)
    # Filtered by light: only the red ones (Sejin's construction crew among them).
    red = sponsor.get(f"/batches/{batch}?light=red").text
    reds = re.findall(r'<tr data-worker="([^"]+)" data-light="(\w+)"', red)
    assert reds and {light for _, light in reds} == {"red"}
    assert any(worker.startswith("SJ-") for worker, _ in reds)
    assert browser_for("haeon_admin").get(f"/batches/{batch}").status_code == 404
    # One person's full explanation: reasons and citations, in Korean.
    trip = re.search(r'href="/trips/(\d+)"', html)
    assert trip is not None
    partial = sponsor.get(f"/trips/{trip.group(1)}", headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "9 FAM" in partial.text or "CFR" in partial.text or "INA" in partial.text


def test_broken_roster_is_fixed_in_the_grid(browser_for: Browser, world: World) -> None:
    sponsor = browser_for("hanbit_admin", "ko")
    batch = _batch(sponsor, world)
    rows = hanbit_rows()[:5]
    r = _upload(sponsor, batch, "broken.csv", broken_csv(rows))
    assert r.status_code == 422  # type: ignore[attr-defined]
    html = r.text  # type: ignore[attr-defined]
    assert 'data-testid="problems"' in html and 'data-testid="grid"' in html
    assert "2027-02-31" in html and "wizard" in html
    assert rows[1]["passport_number"] not in html and rows[1]["birth_date"] not in html
    grid_rows = re.findall(r'<tr data-row="(\d+)">', html)
    assert grid_rows == ["3", "4"]
    fields = dict(re.findall(r'<input id="(c\.\d+\.\d+)" name="\1" value="([^"]*)"', html))
    trip_end = next(k for k, v in fields.items() if v == "2027-02-31")
    # role is a list of choices labelled in Korean, the value as typed shown and selected
    selects = re.findall(
        r'<select id="(c\.\d+\.\d+)"[^>]*data-column="role">(.*?)</select>', html, re.S
    )
    role, options = next((name, o) for name, o in selects if "wizard" in o)
    assert '<option value="technician">기술자</option>' in options
    assert '<option value="wizard" selected class="typed">' in options
    pending = re.search(r'name="pending" value="([^"]+)"', html)
    assert pending is not None
    form = {
        "csrf_token": csrf_of(html),
        "pending": pending.group(1),
        trip_end: rows[1]["trip_end"],
        role: "technician",
    }
    r = sponsor.post(f"/batches/{batch}/roster/fix", data=form)
    assert r.status_code == 200, r.text
    assert t("web.upload.done", "ko") in r.text
    assert r.text.count('data-worker="') == 5
    # The stored cells went with the fix: sending it again says so.
    r = sponsor.post(f"/batches/{batch}/roster/fix", data=form)
    assert r.status_code == 410 and t("web.grid.expired", "ko") in r.text


def test_desk_works_a_case_to_issued(  # noqa: PLR0915 - the whole walk, step by step
    browser_for: Browser, world: World, desk: Desk
) -> None:
    with write_session(desk.sessions) as s:
        sponsor_p = world.users["hanbit_admin"]
        batch = projects.create_batch(s, sponsor_p, project_id=world.projects["hanbit"], name="B")
        uploads.upload_roster(
            s,
            sponsor_p,
            batch.id,
            data=roster_csv(hanbit_rows()),
            filename="r.csv",
            policy=desk.policy,
            as_of=desk.today(),
        )
        transitions.submit_batch(
            s, sponsor_p, batch.id, desk, transitions.SubmitChoice(True, "hold")
        )
    officer = browser_for("officer", "ko")
    sponsor = browser_for("hanbit_admin")
    queue = officer.get("/queue?category=B1&q=hb-")
    assert queue.status_code == 200
    cases = re.findall(r'<tr data-case="(\d+)" data-worker="(HB-\d+)"', queue.text)
    assert cases
    partial = officer.get(
        "/queue?category=B1&q=hb-", headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert "<html" not in partial.text and f'data-case="{cases[0][0]}"' in partial.text
    none = officer.get("/queue?q=nobody-at-all")
    assert t("web.queue.none", "ko") in none.text
    case = int(cases[0][0])

    def move(who: TestClient, to: str, **extra: str) -> str:
        # A final step is taken from its confirm page, with the confirmation ticked.
        final = to in {"approved", "refused", "issued", "travelled", "closed"}
        page = who.get(f"/cases/{case}/confirm?to={to}" if final else f"/cases/{case}")
        if final:
            extra = {"confirm": "yes", **extra}
        version = re.search(r'name="version" value="(\d+)"', page.text)
        assert version is not None, page.text
        data = {"to": to, "csrf_token": csrf_of(page.text), "version": version.group(1), **extra}
        r = who.post(f"/cases/{case}/transition", data=data)
        assert r.status_code == 200, (to, r.text[-2000:])
        return r.text

    move(officer, "in_review")
    # Documents are asked for with ticked items (issue #12): the request form.
    page = officer.get(f"/cases/{case}")
    kinds = re.findall(r'<li class="check-item" data-kind="([^"]+)"', page.text)
    assert kinds
    asked = {"kinds": kinds, "note": "고용증명서를 보내 주십시오", "csrf_token": csrf_of(page.text)}
    r = officer.post(f"/cases/{case}/document-request", data=asked)
    assert r.status_code == 200, r.text[-2000:]
    for kind in kinds:
        page = sponsor.get(f"/cases/{case}")
        r = sponsor.post(
            f"/cases/{case}/documents",
            data={"kind": kind, "csrf_token": csrf_of(page.text)},
            files={"file": (f"{kind}.pdf", PDF)},
        )
        assert r.status_code == 200, r.text
    move(sponsor, "in_review")
    page = officer.get(f"/cases/{case}")
    for doc in re.findall(r'hx-post="/documents/(\d+)/review"', page.text):
        r = officer.post(
            f"/documents/{doc}/review",
            data={"status": "accepted", "csrf_token": csrf_of(page.text)},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and 'data-status="accepted"' in r.text
    # Scheduling needs a time; the page says so in Korean.
    move(officer, "ready_for_interview")
    refused = officer.post(
        f"/cases/{case}/transition",
        data={"to": "interview_scheduled", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 422
    assert t("desk.error.interview_time_required", "ko") in refused.text
    html = move(officer, "interview_scheduled", interview_at="2026-12-10T09:30")
    assert "오전 9:30:00 KST" in html or "9:30" in html
    html = move(officer, "approved")
    assert 'data-testid="annotation"' in html and "B-1" in html
    html = move(officer, "issued")
    assert 'data-state="issued"' in html
    timeline = re.findall(r'<li data-to="(\w+)">', html)
    assert timeline[-1] == "issued" and "documents_requested" in timeline
