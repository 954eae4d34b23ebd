"""Render the web app's documentation screenshots into docs/screenshots/.

Usage: python tools/screenshots.py [out_dir]   (default docs/screenshots)

A demo desk (temporary SQLite, screening as of 27 November 2026, the bundled
sample roster's Hanbit rows) is served in process and photographed with
Debian's chromium (/usr/bin/chromium) through Playwright at 1280x800 (the
phone view at 390x844), in English and Korean.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Final

from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select
from tests.harness import DEMO_PASSWORD, DemoWorld, seed_demo, serve

from visadesk.desk import cases, documents, filing
from visadesk.desk.api.app import build_desk, create_app
from visadesk.desk.api.state import Desk
from visadesk.desk.config import Settings
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import Case

TODAY: Final = dt.date(2026, 11, 27)
HANBIT: Final = "Hanbit GA Cell Plant"
SEJIN: Final = "Sejin Plant Engineering & Construction"
PDF: Final = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHROMIUM_ARGS: Final = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sample_rows(
    employers: frozenset[str] | None = None, exclude: frozenset[str] = frozenset()
) -> bytes:
    """The sample roster's Hanbit rows (optionally only some employers) as CSV."""
    source = resources.files("visadesk.data.sample") / "roster.csv"
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    rows = [
        r
        for r in rows
        if r["project"] == HANBIT
        and (employers is None or r["employer"] in employers)
        and r["employer"] not in exclude
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def broken(data: bytes, keep: int = 5) -> bytes:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))[:keep]
    rows[1]["trip_end"] = "2027-02-31"
    rows[2]["role"] = "wizard"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def prepare(desk: Desk, world: DemoWorld) -> tuple[int, int]:
    """An open batch (Hanbit and Sejin staff) and a B-1 case walked to approved."""
    sponsor, sejin = world.users["hanbit_admin"], world.users["sejin_staff"]
    officer = world.users["officer"]
    as_of = desk.today()
    with write_session(desk.sessions) as s:
        open_batch = filing.create_batch(
            s, sponsor, project_id=world.projects["hanbit"], name="Q1 2027 travel"
        )
        filing.upload_roster(
            s,
            sponsor,
            open_batch.id,
            data=sample_rows(exclude=frozenset({SEJIN})),
            filename="hanbit.csv",
            policy=desk.policy,
            as_of=as_of,
        )
        filing.invite(s, sponsor, open_batch.id, world.orgs["sejin"])
        filing.upload_roster(
            s,
            sejin,
            open_batch.id,
            data=sample_rows(frozenset({SEJIN})),
            filename="sejin.csv",
            policy=desk.policy,
            as_of=as_of,
        )
        filed = filing.create_batch(
            s, sponsor, project_id=world.projects["hanbit"], name="December site visits"
        )
        filing.upload_roster(
            s,
            sponsor,
            filed.id,
            data=sample_rows(exclude=frozenset({SEJIN})),
            filename="hanbit.csv",
            policy=desk.policy,
            as_of=as_of,
        )
        filing.submit_batch(s, sponsor, filed.id)
        open_id, filed_id = open_batch.id, filed.id
    with read_session(desk.sessions) as s:
        case_id = s.scalars(
            select(Case.id)
            .where(Case.batch_id == filed_id, Case.category == "B1")
            .order_by(Case.urgency_date, Case.id)
        ).first()
    assert case_id is not None
    with write_session(desk.sessions) as s:
        cases.take_transition(s, officer, case_id, target="in_review")
        case = cases.get_case(s, officer, case_id)
        for kind in documents.required_kinds(s, case, desk.checklist):
            doc = documents.upload(
                s,
                sponsor,
                case_id,
                kind=kind,
                filename=f"{kind}.pdf",
                data=PDF,
                checklist=desk.checklist,
                documents_dir=desk.settings.documents_dir,
            )
            documents.review(s, officer, doc.id, status="accepted")
        required = documents.required_kinds(s, case, desk.checklist)
        cases.take_transition(
            s, officer, case_id, target="ready_for_interview", required_documents=required
        )
        cases.take_transition(
            s,
            officer,
            case_id,
            target="interview_scheduled",
            interview_at=dt.datetime(
                2026, 12, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))
            ),
        )
        cases.take_transition(s, officer, case_id, target="approved", policy=desk.policy)
    return open_id, case_id


def log_in(page: Page, base: str, key: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", DemoWorld.email(key))
    page.fill("#password", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_selector("[data-testid=who]")


def shoot(browser: Browser, base: str, out: Path, batch: int, case: int) -> list[Path]:
    written: list[Path] = []

    def save(page: Page, name: str) -> None:
        path = out / f"{name}.png"
        page.screenshot(path=str(path))
        written.append(path)

    def fresh(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        return context.new_page()

    page = fresh()
    page.goto(f"{base}/login?lang=en")
    save(page, "login-en")
    log_in(page, base, "hanbit_admin", "en")
    page.goto(f"{base}/batches/{batch}")
    page.locator("#people-title").scroll_into_view_if_needed()
    page.locator('tr[data-light="amber"] summary').first.click()
    page.wait_for_selector("tr[data-light=amber] [data-testid=screening]")
    page.locator("#people-title").scroll_into_view_if_needed()
    save(page, "batch-en")
    page.set_input_files(
        "#roster-file",
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": broken(sample_rows())},
    )
    page.get_by_test_id("upload-button").click()
    page.wait_for_selector("[data-testid=grid]")
    save(page, "roster-problems-en")
    page.goto(f"{base}/cases/{case}")
    save(page, "case-en")

    page = fresh()
    log_in(page, base, "officer", "ko")
    page.goto(f"{base}/queue?lang=ko")
    save(page, "queue-ko")
    page.goto(f"{base}/batches/{batch}?lang=ko")
    page.locator("#people-title").scroll_into_view_if_needed()
    save(page, "batch-ko")

    page = fresh(390, 844)
    log_in(page, base, "hanbit_admin", "ko")
    page.goto(f"{base}/batches/{batch}")
    page.locator("#people-title").scroll_into_view_if_needed()
    save(page, "batch-phone-ko")
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="visadesk-shots-") as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'desk.db'}",
            data_dir=Path(folder),
            data_keys=(Fernet.generate_key().decode(),),
            secret_key="screenshots",  # noqa: S106 - a throwaway demo desk
            secure_cookies=False,
        )
        desk = build_desk(settings, today=lambda: TODAY)
        world = seed_demo(desk)
        batch, case = prepare(desk, world)
        with serve(create_app(desk)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                written = shoot(browser, base, out, batch, case)
            finally:
                browser.close()
        desk.engine.dispose()
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
