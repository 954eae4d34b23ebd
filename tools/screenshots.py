"""Render the web app's documentation screenshots into docs/screenshots/.

Usage: python tools/screenshots.py [out_dir]   (default docs/screenshots)

The demo desk people try out (``visadesk demo``: temporary SQLite, screening as
of 27 November 2026, the demo's organizations, users and cases in every state)
is seeded and served by the installed command and photographed with Debian's
chromium (/usr/bin/chromium) through Playwright at 1280x800 (the phone view at
390x844), in English and Korean: an open batch of the Hanbit GA project, the
bundled sample roster's Hanbit rows made invalid, an approved B-1 case.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Final

import httpx
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import create_engine, func, select

from visadesk.desk import demo_world as demo
from visadesk.desk.config import new_audit_key
from visadesk.desk.models import Batch, Case, Project, Screening, Trip
from visadesk.web.views import light_of_statuses

HANBIT: Final = "Hanbit GA Cell Plant"
#: The demo users photographed, by key: their e-mail addresses.
EMAILS: Final = {key: email for key, _, _, email, _, _ in demo.USERS}
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


def sample_rows() -> bytes:
    """The sample roster's Hanbit rows as CSV."""
    source = resources.files("visadesk.data.sample") / "roster.csv"
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    rows = [r for r in rows if r["project"] == HANBIT]
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


def pick(database: Path) -> tuple[int, int]:
    """The demo's open Hanbit GA batch with the most amber lights, and its first
    approved B-1 case."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            lights = conn.execute(
                select(Trip.batch_id, Screening.statuses)
                .join(Batch, Batch.id == Trip.batch_id)
                .join(Project, Project.id == Batch.project_id)
                .outerjoin(Screening, Screening.id == Trip.screening_id)
                .where(Batch.state == "open", Project.name == HANBIT)
            ).all()
            case = conn.scalar(
                select(func.min(Case.id)).where(Case.category == "B1", Case.state == "approved")
            )
    finally:
        engine.dispose()
    amber: dict[int, int] = {}
    for batch, statuses in lights:
        amber[batch] = amber.get(batch, 0) + (light_of_statuses(statuses) == "amber")
    assert amber and case is not None, "the demo has no open Hanbit batch or no approved B-1"
    return max(amber, key=lambda b: amber[b]), int(case)


def log_in(page: Page, base: str, key: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", EMAILS[key])
    page.fill("#password", demo.DEFAULT_PASSWORD)
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
    page.locator('tr[data-light="amber"] details.explain summary').first.click()
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(base: str, server: subprocess.Popen[bytes], seconds: float = 300) -> None:
    """Until the demo is seeded and served (it seeds first, then serves)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"visadesk demo stopped (exit {server.returncode})")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("visadesk demo did not answer")


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="visadesk-shots-") as folder:
        env = {
            **os.environ,
            "VISADESK_DATA_DIR": folder,
            "VISADESK_DATA_KEYS": Fernet.generate_key().decode(),
            "VISADESK_SECRET_KEY": "screenshots",
            "VISADESK_AUDIT_KEYS": new_audit_key(),
        }
        for name in ("VISADESK_DATABASE_URL", "VISADESK_DEMO_PASSWORD", "VISADESK_LANG"):
            env.pop(name, None)
        port = _free_port()
        command = Path(sys.executable).with_name("visadesk")
        server = subprocess.Popen(  # noqa: S603 - the installed command, fixed arguments
            [str(command), "demo", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base, server)
            batch, case = pick(Path(folder) / "desk.db")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                try:
                    written = shoot(browser, base, out, batch, case)
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
