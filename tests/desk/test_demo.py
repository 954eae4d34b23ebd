"""`visadesk demo`: a desk with users of every role and cases in every workflow state."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.desk.test_cli_desk import desk_env, keep_keyring, run
from visadesk.desk import backup, demo, demo_rosters, demo_world, keys
from visadesk.desk.deadlines import seoul_today
from visadesk.desk.models import (
    AuditEntry,
    Case,
    CaseEvent,
    Document,
    DocumentRequest,
    DocumentRequestItem,
    Notification,
    Organization,
    Trip,
    User,
)
from visadesk.desk.runtime import Desk
from visadesk.desk.workflow import ROLES, STATES
from visadesk.i18n import t
from visadesk.roster.schema import COLUMNS

__all__ = ["keep_keyring"]

ROOT = Path(__file__).resolve().parents[2]


def _rows(desk: Desk, *columns: Any) -> list[tuple[str, ...]]:
    with desk.sessions() as s:
        return sorted(tuple(str(v or "") for v in r) for r in s.execute(sa.select(*columns)))


def _fingerprint(desk: Desk) -> dict[str, Any]:
    """What the demo made, without the noise of ids and clocks."""
    with desk.sessions() as s:
        return {
            "orgs": sorted(s.scalars(sa.select(Organization.name))),
            "users": _rows(desk, User.email, User.role),
            "cases": _rows(desk, Case.search, Case.category, Case.state, Case.decision),
            "documents": _rows(desk, Document.kind, Document.sha256, Document.status),
            "events": s.scalar(sa.select(sa.func.count(CaseEvent.id))),
            "audit": s.scalar(sa.select(sa.func.count()).select_from(AuditEntry)),
        }


def test_demo_seeds_every_role_and_state_and_refuses_to_run_twice(
    desk: Desk, client: TestClient, tmp_path: Path, keep_keyring: None
) -> None:
    s = desk.settings
    env = desk_env(s.database_url, tmp_path / "data", ",".join(s.data_keys))
    result = run(env, "demo", "--no-serve", "--trips", "30")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for _, _, role, email, _, _ in demo_world.USERS:
        assert email in out and role in out
    assert f"Password of every demo user: {demo_world.DEFAULT_PASSWORD}" in out
    assert "http://127.0.0.1:8000/login" in out
    assert "guidance, not legal advice" in out
    today = seoul_today().isoformat()  # the desk's day is Seoul's
    assert re.search(rf"Filed 30 trips in \d batches on 4 projects, screened as of {today}", out)

    first = _fingerprint(desk)
    assert {role for _, role in first["users"]} == set(ROLES)
    assert {state for *_, state, _ in first["cases"]} == set(STATES)
    assert {status for *_, status in first["documents"]} >= {"accepted", "rejected"}
    with desk.sessions() as session:
        sectors = set(session.scalars(sa.select(Case.sector)))
        assert sectors == {"batteries", "semiconductors", "shipbuilding", "energy"}
        # Every transition was taken through the workflow: an event and an audit entry each.
        moved = session.scalar(
            sa.select(sa.func.count(CaseEvent.id)).where(CaseEvent.from_state.is_not(None))
        )
        logged = session.scalar(
            sa.select(sa.func.count()).where(AuditEntry.action == "case.transition")
        )
        assert moved == logged and moved
        decided = session.scalars(sa.select(Case).where(Case.decision.is_not(None))).all()
        assert {c.decision for c in decided} == {"approved", "refused"}
        assert all(c.interview_at is not None for c in decided)
    verify = run(env, "audit", "verify")
    assert verify.exit_code == 0, verify.output

    # The demo logins work, and a subcontractor sees exactly its own staff's cases.
    seen = 0
    for org in (o for o in demo_world.ORGS if o.kind == "subcontractor"):
        email = f"staff@{org.key}.example"
        r = client.post(
            "/api/v1/auth/token", json={"email": email, "password": demo_world.DEFAULT_PASSWORD}
        )
        assert r.status_code == 200, r.text
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        queue = client.get("/api/v1/cases", params={"view": "all"}, headers=auth).json()
        with desk.sessions() as session:
            own = session.scalar(
                sa.select(sa.func.count(Case.id))
                .join(Organization, Organization.id == Case.org_id)
                .where(Organization.name == org.name)
            )
        assert queue["total"] == own
        assert all(item["worker_id"].startswith(f"{org.prefix}-") for item in queue["items"])
        seen += own or 0
    assert seen > 0

    _demo_requests_are_ticked_items_with_mixed_progress(desk, client)

    # A database with data is refused, untouched...
    again = run(env, "demo", "--no-serve", "--trips", "30")
    assert again.exit_code == 2
    assert "already holds data" in again.stderr and "--reset" in again.stderr
    # ...and --reset empties it and seeds the same demo again.
    reset = run(env, "demo", "--no-serve", "--trips", "30", "--reset")
    assert reset.exit_code == 0, reset.output
    second = _fingerprint(desk)
    logins = {u for u, _ in first["users"]}
    assert {u for u, _ in second["users"]} == logins
    assert second == first


def _login(client: TestClient, email: str) -> dict[str, str]:
    r = client.post(
        "/api/v1/auth/token", json={"email": email, "password": demo_world.DEFAULT_PASSWORD}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _demo_requests_are_ticked_items_with_mixed_progress(desk: Desk, client: TestClient) -> None:
    """Issue #12: every case waiting for documents carries an open request of 2-4 ticked
    checklist items (one also an item in words); the filers' to-do shows them with
    progress that differs from case to case, and the filers were notified."""
    with desk.sessions() as session:
        waiting = list(
            session.scalars(sa.select(Case.id).where(Case.state == "documents_requested"))
        )
        assert waiting
        extras = 0
        for case_id in waiting:
            request = session.scalars(
                sa.select(DocumentRequest).where(
                    DocumentRequest.case_id == case_id, DocumentRequest.status == "open"
                )
            ).one()
            items = session.scalars(
                sa.select(DocumentRequestItem).where(DocumentRequestItem.request_id == request.id)
            ).all()
            ticked = [i for i in items if not i.label]
            assert 2 <= len(ticked) <= 4, (case_id, [i.kind for i in items])
            extras += sum(1 for i in items if i.label)
        assert extras >= 1
        # The filers were told about each request, and about the rejected upload.
        told = {
            (m, c)
            for m, c in session.execute(sa.select(Notification.message, Notification.case_id))
        }
        assert all(("documents_requested", c) in told for c in waiting)
        assert any(m == "document_rejected" and c in waiting for m, c in told)

    seen: dict[int, dict[str, Any]] = {}
    for admin in ("admin@hanbit.example", "admin@haeon.example"):
        r = client.get("/api/v1/todo", headers=_login(client, admin))
        assert r.status_code == 200, r.text
        seen |= {d["case_id"]: d["request"] for d in r.json()}
    # Exactly the cases waiting: a request whose items were all accepted has closed.
    assert set(seen) == set(waiting)
    progress = {(r["uploaded"], r["total"]) for r in seen.values()}
    assert any(done == 0 for done, _ in progress)
    assert any(0 < done < total for done, total in progress)
    states = {i["state"] for r in seen.values() for i in r["items"]}
    assert {"not_uploaded", "awaiting_review", "rejected"} <= states
    rejected = [i for r in seen.values() for i in r["items"] if i["state"] == "rejected"]
    assert all(i["reason"] for i in rejected)
    ko = client.get(
        "/api/v1/todo", headers={**_login(client, "admin@hanbit.example"), "Accept-Language": "ko"}
    ).json()
    assert ko
    for d in ko:
        done, total = d["request"]["uploaded"], d["request"]["total"]
        assert d["request"]["progress"] == t("docreq.progress", "ko", done=done, total=total)


def test_demo_refuses_bad_options(tmp_path: Path, keep_keyring: None) -> None:
    env = desk_env(f"sqlite:///{tmp_path / 'd.db'}", tmp_path, keys.new_key())
    small = run(env, "demo", "--no-serve", "--trips", "5")
    assert small.exit_code == 2 and "--trips must be from 20 to 5000" in small.stderr
    day = run(env, "demo", "--no-serve", "--today", "27/11/2026")
    assert day.exit_code == 2 and "--today" in day.stderr
    env["VISADESK_DEMO_PASSWORD"] = "short"  # noqa: S105 - too short on purpose
    weak = run(env, "demo", "--no-serve", "--lang", "ko")
    assert weak.exit_code == 2 and "10자 이상" in weak.stderr
    assert not (tmp_path / "d.db").exists()


def test_demo_rows_are_deterministic_and_on_the_demo_projects() -> None:
    rows = demo_rosters.demo_rows(200)
    assert rows == demo_rosters.demo_rows(200)
    assert len(rows) == 200
    assert demo_rosters.demo_rows(200, seed=1)[75:] != rows[75:]
    names = {c.name for c in COLUMNS}
    projects = {p.name: p for p in demo_world.PROJECTS}
    orgs = {o.key: o for o in demo_world.ORGS}
    ids: Counter[tuple[str, str]] = Counter()
    for row in rows:
        assert set(row.values) == names
        project = projects[row.project]
        assert row.values["project"] == project.name
        assert row.values["sponsor"] == orgs[project.sponsor].name
        assert row.values["sector"] == project.sector
        assert row.values["site_state"] == project.state
        filer = orgs[row.filer]
        assert project.sponsor in {filer.key, filer.sponsor}
        ids[(row.filer, row.values["worker_id"])] += 1
    assert max(ids.values()) == 1
    # The whole sample roster, and synthetic rows on every project.
    assert sum(r.values["worker_id"].endswith("-0001") for r in rows) >= 4
    assert set(Counter(r.project for r in rows)) == set(projects)
    assert {r.filer for r in rows} == {o.key for o in demo_world.ORGS if o.kind != "desk"}
    # A later screening date moves the sample's trips with it.
    later = demo_rosters.demo_rows(200, today=demo_world.DEMO_TODAY.replace(year=2027))
    assert later[0].values["trip_start"] > rows[0].values["trip_start"]


def test_quotas_cover_every_state_in_order() -> None:
    for total in (11, 20, 57, 150):
        targets = demo._quotas(total)
        assert len(targets) == total
        assert set(targets) == {state for state, _ in demo_world.BANDS}
        order = [state for state, _ in demo_world.BANDS]
        assert targets == sorted(targets, key=order.index)


def test_demo_pdf_is_a_well_formed_pdf() -> None:
    data = demo.demo_pdf("Demo document: passport", "Traveller HB-0001 (case 1)")
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n0 6\n")
    entries = data[start:].split(b"\n")[3:8]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert data[offset:].startswith(f"{number} 0 obj".encode())
    assert b"(Traveller HB-0001 \\(case 1\\))" in data


@pytest.mark.slow  # 14 s; the fast tier keeps the 30-trip demo of the test above
def test_the_default_demo_has_200_trips_through_the_whole_workflow(tmp_path: Path) -> None:
    """The default demo, once, on SQLite, through the installed entry point."""
    env = {
        **os.environ,
        "VISADESK_DATA_DIR": str(tmp_path),
        "VISADESK_DATA_KEYS": keys.new_key(),
        "VISADESK_SECRET_KEY": "test-secret",
    }
    for name in ("VISADESK_DATABASE_URL", "VISADESK_LANG", "VISADESK_DEMO_PASSWORD"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", "from visadesk.cli import main; main()", "demo", "--no-serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Filed 200 trips in 8 batches on 4 projects" in result.stdout
    with sqlite3.connect(tmp_path / "desk.db") as db:
        trips = db.execute("SELECT COUNT(*) FROM trip").fetchone()[0]
        states = dict(db.execute("SELECT state, COUNT(*) FROM visa_case GROUP BY state"))
        annotated = db.execute(
            "SELECT COUNT(*) FROM visa_case WHERE decision = 'approved' "
            "AND category = 'B1' AND annotation_en LIKE 'B-1 | %'"
        ).fetchone()[0]
        documents = dict(db.execute("SELECT status, COUNT(*) FROM document GROUP BY status"))
    db.close()
    assert trips == 200
    assert set(states) == set(STATES)
    assert states["approved"] >= 3 and annotated >= 3
    assert set(documents) == {"pending", "accepted", "rejected"}
    files = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert len(files) == sum(documents.values())


@pytest.mark.parametrize("trips", [20, 200])
def test_demo_rows_pick_the_sample_share(trips: int) -> None:
    rows = demo_rosters.demo_rows(trips)
    sample = [r for r in rows if not r.values["worker_id"].split("-")[1].startswith("1")]
    assert len(sample) == round(trips * 75 / 200)


def _dated(desk: Desk, today: dt.date) -> dict[str, list[tuple[str, ...]]]:
    """Every date and timestamp the demo wrote, as days (and seconds) from ``today``."""
    base = dt.datetime.combine(today, dt.time(), dt.UTC)

    def days(value: dt.date | None) -> str:
        return "" if value is None else str((value - today).days)

    def since(value: dt.datetime | None) -> str:
        return "" if value is None else str((value.astimezone(dt.UTC) - base).total_seconds())

    with desk.sessions() as s:
        return {
            "trips": sorted(
                (days(start), days(end))
                for start, end in s.execute(sa.select(Trip.trip_start, Trip.trip_end))
            ),
            "cases": sorted(
                (since(a), since(b), since(c), since(d))
                for a, b, c, d in s.execute(
                    sa.select(
                        Case.created_at, Case.submitted_at, Case.decided_at, Case.interview_at
                    )
                )
            ),
            "documents": sorted(
                (since(a), since(b))
                for a, b in s.execute(sa.select(Document.uploaded_at, Document.reviewed_at))
            ),
            "audit": [
                (since(at),) for at in s.scalars(sa.select(AuditEntry.at).order_by(AuditEntry.seq))
            ],
        }


def _seeded(desk: Desk, today: dt.date) -> dict[str, list[tuple[str, ...]]]:

    backup.empty_database(desk.engine)
    demo.seed(desk, password=demo_world.DEFAULT_PASSWORD, trips=20, today=today)
    return _dated(desk, today)


def test_the_demos_dates_follow_the_day_it_is_seeded(desk: Desk) -> None:
    """Trips, interviews and every timestamp move with the screening date, the same way."""
    day = dt.date(2027, 3, 8)
    first = _seeded(desk, day)
    again = _seeded(desk, day)
    later = _seeded(desk, day + dt.timedelta(weeks=14))
    assert first == again  # deterministic for a given day
    assert later == first  # the same story, moved to the other day (whole weeks: same weekdays)
    with desk.sessions() as s:
        starts = list(s.scalars(sa.select(Case.trip_start)))
        stamps = [
            *s.scalars(sa.select(Case.created_at)),
            *s.scalars(sa.select(Case.decided_at).where(Case.decided_at.is_not(None))),
            *s.scalars(sa.select(Document.uploaded_at)),
            *s.scalars(sa.select(AuditEntry.at)),
        ]
        audit = list(s.scalars(sa.select(AuditEntry.at).order_by(AuditEntry.seq)))
    later_day = day + dt.timedelta(weeks=14)
    # Trips around the screening date: some travelled, some to come.
    assert min(starts) < later_day < max(starts)
    # Everything the desk wrote happened in the story's weeks before the screening date...
    start = dt.datetime.combine(later_day - dt.timedelta(days=demo.STORY_DAYS), dt.time(), dt.UTC)
    end = dt.datetime.combine(later_day, dt.time(), dt.UTC)
    assert all(start <= stamp.astimezone(dt.UTC) < end for stamp in stamps)
    # ...spread over those weeks, in the audit chain's order.
    assert audit == sorted(audit)
    assert (audit[-1] - audit[0]) > dt.timedelta(days=30)


def test_the_story_clock_never_runs_backwards() -> None:
    story = demo.StoryClock(dt.date(2026, 12, 3))
    first = story()
    story.reach(60)  # before the clock's reading: no effect
    assert story() > first
    story.between(demo.WORK_DAYS, 1, 2)
    middle = story()
    assert middle == story.at((42 + 1) / 2) + story.tick  # halfway through the work weeks
    story.between(demo.WORK_DAYS, 0, 2)
    assert story() > middle


def test_the_demos_people_have_read_all_but_their_newest_notices(desk: Desk) -> None:
    """Two months of seeded work notify each user often; the header counts only the
    newest few (the rest read, and the reading audited), whichever notices they are."""
    _seeded(desk, dt.date(2027, 3, 8))
    with desk.sessions() as s:
        users = list(s.scalars(sa.select(Notification.user_id).distinct()))
        assert users
        for user in users:
            notices = s.scalars(
                sa.select(Notification)
                .where(Notification.user_id == user)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
            ).all()
            unread = [n.id for n in notices if n.read_at is None]
            assert unread == [n.id for n in notices[: demo.UNREAD_NOTICES]]
        read_all = s.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "notification.read_all")
        ).all()
        assert {int(e.entity_id) for e in read_all} == {
            u
            for u in users
            if len(s.scalars(sa.select(Notification.id).where(Notification.user_id == u)).all())
            > demo.UNREAD_NOTICES
        }
