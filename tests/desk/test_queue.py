"""The officer's queue (issue #12, section 5): the default queue per role, derived from
the transition table; days left, overdue and too late on an injected day; assignment
and its permissions; bulk actions, all or nothing; the export as CSV and XLSX.

Each test runs on SQLite and PostgreSQL (the desk fixtures), through the API where a
door is what is tested, through the desk's operations where the rule is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, update

from tests.desk.fixtures import (
    TODAY,
    World,
    employer_rows,
    file_roster,
    hanbit_batch,
    roster_rows,
)
from tests.web.conftest import login
from visadesk.desk import audit, deadlines
from visadesk.desk.db import read_session, write_session
from visadesk.desk.models import AuditEntry, Case
from visadesk.desk.runtime import Desk
from visadesk.desk.workflow import (
    FINAL_STATES,
    ROLES,
    STATES,
    TRANSITIONS,
    actionable_states,
    bulk_targets,
)
from visadesk.i18n import t

HANBIT_OWN = "Hanbit Energy Solutions"
SEJIN = "Sejin Plant Engineering & Construction"


def _get(client: TestClient, world: World, who: str, url: str, **params: Any) -> Any:
    r = client.get(url, headers=world.auth(who), params=params)
    assert r.status_code == 200, (who, url, r.text)
    return r.json()


def _states(desk: Desk) -> dict[int, str]:
    with read_session(desk.sessions) as s:
        return {row.id: row.state for row in s.execute(select(Case.id, Case.state))}


def _set_state(desk: Desk, case_ids: list[int], state: str) -> None:
    """Seeding: cases put in ``state`` directly (the workflow's own tests walk the moves)."""
    with write_session(desk.sessions) as s:
        s.execute(update(Case).where(Case.id.in_(case_ids)).values(state=state))


@pytest.fixture
def spread(desk: Desk, world: World) -> dict[str, list[int]]:
    """Hanbit cases in many states: a submitted batch (Hanbit's and Sejin's staff), some
    moved on to other states, and a batch of drafts; Haeon files nothing."""
    filed = hanbit_batch(desk, world, "sejin", name="filed")
    file_roster(desk, world, filed, employer_rows(HANBIT_OWN)[:20])
    file_roster(desk, world, filed, employer_rows(SEJIN), who="sejin_staff", submit=True)
    drafts = hanbit_batch(desk, world, name="drafts")
    file_roster(desk, world, drafts, employer_rows(HANBIT_OWN)[20:])
    with read_session(desk.sessions) as s:
        submitted = list(s.scalars(select(Case.id).where(Case.batch_id == filed).order_by(Case.id)))
    moved = {
        "in_review": submitted[0:2],
        "documents_requested": submitted[2:4],
        "approved": submitted[4:5],
        "issued": submitted[5:6],
        "travelled": submitted[6:7],
        "closed": submitted[7:8],
        "refused": submitted[8:9],
    }
    with read_session(desk.sessions) as s:
        sejin = list(s.scalars(select(Case.id).where(Case.org_id == world.subs["sejin"])))
    moved["documents_requested"] = [*moved["documents_requested"], sejin[0]]
    for state, ids in moved.items():
        _set_state(desk, ids, state)
    return {"filed": [filed], "drafts": [drafts], **moved}


# -- the default queue ----------------------------------------------------------------------


def test_a_roles_work_is_the_states_its_transitions_leave_before_the_visa_is_issued() -> None:
    officer = actionable_states("desk_officer")
    assert officer == {
        t.source
        for t in TRANSITIONS
        if "desk_officer" in t.roles and t.source not in {"issued", "travelled"}
    }
    # What the issue saw on top of "most urgent first" is not an officer's work.
    assert not officer & {"draft", "issued", "closed", "refused", "travelled"}
    assert "approved" in officer  # the officer issues the visa
    assert actionable_states("desk_supervisor") == officer | {"refused"}  # closes refusals
    assert actionable_states("sponsor_admin") == {"draft", "documents_requested"}
    for role in ("sponsor_staff", "subcontractor_staff"):
        assert actionable_states(role) == {"documents_requested"}
    assert actionable_states("auditor") == actionable_states("desk_admin") == frozenset()


@pytest.mark.parametrize(
    "who", ["officer", "supervisor", "auditor", "hanbit_admin", "hanbit_staff", "sejin_staff"]
)
def test_the_default_queue_is_the_callers_open_work(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]], who: str
) -> None:
    role = world.users[who].role
    everything = _get(client, world, who, "/api/v1/cases", view="all", per_page=200)["items"]
    assert everything
    default = _get(client, world, who, "/api/v1/cases", per_page=200)
    work = actionable_states(role) or set(STATES)  # no work of its own: everything
    expected = {c["id"] for c in everything if c["state"] in work}
    assert {c["id"] for c in default["items"]} == expected
    assert default["total"] == len(expected)
    # A state chosen reaches that state whatever the view.
    issued = _get(client, world, who, "/api/v1/cases", state="issued")
    assert issued["total"] == sum(c["state"] == "issued" for c in everything)


def test_an_officer_no_longer_sees_drafts_and_finished_cases_first(
    client: TestClient, world: World, spread: dict[str, list[int]]
) -> None:
    states = {c["state"] for c in _get(client, world, "officer", "/api/v1/cases")["items"]}
    assert states == {"submitted", "in_review", "documents_requested", "approved"}
    # The sponsor's clerk sees its drafts and the documents asked of it.
    sponsor = _get(client, world, "hanbit_admin", "/api/v1/cases")["items"]
    assert {c["state"] for c in sponsor} == {"draft", "documents_requested"}
    # Sejin's staff: only the request made of its own people.
    sejin = _get(client, world, "sejin_staff", "/api/v1/cases")["items"]
    assert [(c["org_id"], c["state"]) for c in sejin] == [
        (world.subs["sejin"], "documents_requested")
    ]


def test_the_queue_page_offers_open_work_and_all_states(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    login(client, "officer")
    page = client.get("/queue")
    assert page.status_code == 200
    assert t("queue.view.open", "en") in page.text and t("queue.view.all", "en") in page.text
    rows = page.text.count("<tr data-case=")
    assert rows == sum(
        len(spread[s]) for s in ("in_review", "documents_requested", "approved")
    ) + sum(1 for s in _states(desk).values() if s == "submitted")
    everything = client.get("/queue?state=all").text
    assert everything.count("<tr data-case=") == min(25, len(_states(desk)))
    assert f"{len(_states(desk))} case(s)" in everything


# -- days left, overdue, too late --------------------------------------------------------------


def _case(state: str, start: dt.date, ready: dt.date | None, urgency: dt.date) -> Case:
    return Case(state=state, trip_start=start, ready_by=ready, urgency_date=urgency)


def test_days_left_overdue_and_too_late_on_an_injected_day() -> None:
    today = dt.date(2027, 2, 1)
    # The case: in hand by 13 Apr 2027 for a trip starting 8 Mar 2027.
    late = deadlines.deadline(
        _case("submitted", dt.date(2027, 3, 8), dt.date(2027, 4, 13), dt.date(2027, 1, 31)),
        today,
    )
    assert late.pending and late.days_left == 35
    assert late.too_late and late.late_by == 36
    assert late.overdue and late.overdue_by == 1
    on_time = deadlines.deadline(
        _case("in_review", dt.date(2027, 3, 8), dt.date(2027, 2, 20), dt.date(2027, 2, 15)),
        today,
    )
    assert (on_time.days_left, on_time.overdue, on_time.too_late) == (35, False, False)
    # The last day to start is today: not overdue yet; tomorrow it is.
    edge = _case("approved", dt.date(2027, 3, 8), dt.date(2027, 3, 8), today)
    assert not deadlines.deadline(edge, today).overdue
    assert deadlines.deadline(edge, today + dt.timedelta(days=1)).overdue_by == 1
    # A trip that has started while the case is open.
    started = deadlines.deadline(
        _case("documents_requested", dt.date(2027, 1, 29), None, dt.date(2027, 1, 29)), today
    )
    assert started.started and started.days_left == -3 and started.overdue_by == 3
    # Issued, refused, travelled, closed: nothing is pending, no marks.
    for state in ("issued", "refused", "travelled", "closed"):
        done = deadlines.deadline(
            _case(state, dt.date(2027, 1, 2), None, dt.date(2027, 1, 1)), today
        )
        assert not done.pending and done.days_left is None and not done.overdue


def test_seoul_today_is_the_date_in_seoul() -> None:
    # 20:00 UTC on 1 Feb is 05:00 on 2 Feb in Seoul.
    assert deadlines.seoul_today(dt.datetime(2027, 2, 1, 20, 0, tzinfo=dt.UTC)) == dt.date(
        2027, 2, 2
    )
    assert deadlines.seoul_today(dt.datetime(2027, 2, 1, 14, 59, tzinfo=dt.UTC)) == dt.date(
        2027, 2, 1
    )


def test_queue_rows_carry_the_marks_of_the_desks_day(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    items = _get(client, world, "officer", "/api/v1/cases", view="all", per_page=200)["items"]
    for item in items:
        start = dt.date.fromisoformat(item["trip_start"])
        urgency = dt.date.fromisoformat(item["urgency_date"])
        if item["state"] not in deadlines.PENDING_STATES:
            assert item["days_left"] is None and item["overdue_by"] is None
            continue
        assert item["days_left"] == (start - TODAY).days
        assert item["overdue_by"] == ((TODAY - urgency).days if urgency < TODAY else None)
        ready = item["ready_by"] and dt.date.fromisoformat(item["ready_by"])
        assert item["late_by"] == ((ready - start).days if ready and ready > start else None)
    # Another day, another count: the desk's day is injected, never the machine's.
    desk.today = lambda: TODAY + dt.timedelta(days=10)
    try:
        again = _get(client, world, "officer", "/api/v1/cases", per_page=200)["items"]
    finally:
        desk.today = lambda: TODAY
    first = next(i for i in items if i["id"] == again[0]["id"])
    assert again[0]["days_left"] == first["days_left"] - 10


def test_a_trip_starting_before_its_visa_can_be_in_hand_is_warned_on_the_case_page(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    case_id = spread["in_review"][0]
    with write_session(desk.sessions) as s:
        case = s.get_one(Case, case_id)
        case.ready_by = case.trip_start + dt.timedelta(days=36)
        case.urgency_date = TODAY - dt.timedelta(days=2)
    login(client, "officer", lang="ko")
    page = client.get(f"/cases/{case_id}").text
    assert 'data-testid="too-late-warning"' in page and "36일" in page
    assert 'data-testid="overdue-warning"' in page
    queue = client.get("/queue").text
    assert 'data-late="36"' in queue and 'data-overdue="2"' in queue


# -- assignment -----------------------------------------------------------------------------


def _assign(client: TestClient, world: World, who: str, case_id: int, to: int | None) -> Any:
    return client.put(
        f"/api/v1/cases/{case_id}/assignee", json={"assignee_id": to}, headers=world.auth(who)
    )


def test_assignment_permissions(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    case_id = spread["in_review"][0]
    officer, supervisor = world.users["officer"], world.users["supervisor"]
    # Nobody outside the desk assigns, not even their own cases; the case is unchanged.
    for who in ("hanbit_admin", "hanbit_staff", "sejin_staff", "haeon_admin", "auditor", "admin"):
        r = _assign(client, world, who, case_id, officer.user_id)
        assert r.status_code == 403, (who, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    # An officer takes a case nobody has...
    r = _assign(client, world, "officer", case_id, officer.user_id)
    assert r.status_code == 200, r.text
    assert r.json()["assignee_id"] == officer.user_id
    # ...but cannot give it to someone else, nor take one a colleague has.
    assert _assign(client, world, "officer", case_id, supervisor.user_id).status_code == 403
    other = spread["in_review"][1]
    assert _assign(client, world, "supervisor", other, supervisor.user_id).status_code == 200
    r = _assign(client, world, "officer", other, officer.user_id)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_assigned"
    # The supervisor assigns anyone who works cases, and nobody else.
    assert _assign(client, world, "supervisor", other, officer.user_id).status_code == 200
    sponsor_user = world.users["hanbit_admin"].user_id
    r = _assign(client, world, "supervisor", other, sponsor_user)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_assignee"
    auditor = world.users["auditor"].user_id
    assert _assign(client, world, "supervisor", other, auditor).status_code == 422
    # The officer gives its own case back.
    assert _assign(client, world, "officer", case_id, None).json()["assignee_id"] is None
    # Every change is audited, with the assignee before and after.
    with read_session(desk.sessions) as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "case.assign").order_by(AuditEntry.seq)
        ).all()
        assert [(e.entity_id, e.data["assignee"], e.data["previous"]) for e in entries] == [
            (str(case_id), officer.user_id, None),
            (str(other), supervisor.user_id, None),
            (str(other), officer.user_id, supervisor.user_id),
            (str(case_id), None, officer.user_id),
        ]
        assert audit.check(s).intact


def test_my_cases_and_the_assignee_column(
    client: TestClient, world: World, spread: dict[str, list[int]]
) -> None:
    officer = world.users["officer"].user_id
    mine = spread["in_review"] + spread["approved"]
    for case_id in mine:
        assert _assign(client, world, "officer", case_id, officer).status_code == 200
    found = _get(client, world, "officer", "/api/v1/cases", assignee="me")
    assert sorted(c["id"] for c in found["items"]) == sorted(mine)
    assert all(c["assignee_id"] == officer for c in found["items"])
    nobody = _get(client, world, "supervisor", "/api/v1/cases", assignee="none", view="all")
    assert not {c["id"] for c in nobody["items"]} & set(mine)
    # Sponsors never learn who works their cases.
    sponsor = _get(client, world, "hanbit_admin", "/api/v1/cases", view="all")["items"]
    assert sponsor and all(c["assignee_id"] is None for c in sponsor)


# -- bulk ---------------------------------------------------------------------------------------


def _bulk(client: TestClient, world: World, who: str, **body: Any) -> Any:
    return client.post("/api/v1/cases/bulk", json=body, headers=world.auth(who))


def _submitted(desk: Desk) -> list[int]:
    return sorted(cid for cid, s in _states(desk).items() if s == "submitted")


def test_bulk_moves_every_selected_case_or_none(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    two = _submitted(desk)[:2]
    r = _bulk(client, world, "officer", case_ids=two, action="transition", to="in_review")
    assert r.status_code == 200, r.text
    assert r.json() == {"action": "transition", "case_ids": two}
    states = _states(desk)
    assert [states[c] for c in two] == ["in_review", "in_review"]
    # One case that cannot take the move: nothing moves, and the error names it and why.
    third = _submitted(desk)[0]
    approved = spread["approved"][0]
    before = _states(desk)
    r = _bulk(
        client,
        world,
        "officer",
        case_ids=[third, approved],
        action="transition",
        to="in_review",
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "bulk_refused"
    assert [(d["case_id"], d["code"]) for d in error["details"]] == [
        (approved, "illegal_transition")
    ]
    assert _states(desk) == before
    # A case the caller cannot see is refused like one that does not exist.
    r = _bulk(client, world, "haeon_admin", case_ids=[third], action="transition", to="in_review")
    assert r.status_code in {403, 409, 422}
    assert _states(desk) == before


def test_final_decisions_are_never_bulk(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    for role in ROLES:
        assert not set(bulk_targets(role)) & FINAL_STATES
        assert "interview_scheduled" not in bulk_targets(role)  # a time per case
        assert "documents_requested" not in bulk_targets(role)  # its items per case (#12)
    for target in ("approved", "refused", "issued", "interview_scheduled", "submitted"):
        r = _bulk(
            client, world, "supervisor", case_ids=spread["approved"], action="transition", to=target
        )
        assert r.status_code == 422, (target, r.text)
        assert r.json()["error"]["code"] == "invalid_choice"
    assert _states(desk)[spread["approved"][0]] == "approved"


def test_bulk_take_and_assign(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    two = _submitted(desk)[:2]
    r = _bulk(client, world, "officer", case_ids=two, action="take")
    assert r.status_code == 200, r.text
    assert {
        c["id"] for c in _get(client, world, "officer", "/api/v1/cases", assignee="me")["items"]
    } == set(two)
    # The officer may not assign; the supervisor may, to the officer or to nobody.
    assert _bulk(client, world, "officer", case_ids=two, action="assign").status_code == 403
    r = _bulk(client, world, "supervisor", case_ids=two, action="assign", assignee_id=None)
    assert r.status_code == 200
    with read_session(desk.sessions) as s:
        assert set(s.scalars(select(Case.assignee_id).where(Case.id.in_(two)))) == {None}
    # Sponsors: refused before anything is read.
    r = _bulk(client, world, "hanbit_admin", case_ids=two, action="take")
    assert r.status_code == 403


# -- export ---------------------------------------------------------------------------------------


def test_export_xlsx_is_the_filtered_queue_in_the_readers_language(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    queue = _get(client, world, "officer", "/api/v1/cases", per_page=200)
    r = client.get(
        "/api/v1/cases/export",
        params={"format": "xlsx", "lang": "ko"},
        headers=world.auth("officer"),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["사건", "직원 ID", "이름"]
    assert "담당관" in header and "남은 일수" in header
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    data = [r for r in rows[1:] if r[0] is not None and isinstance(r[0], int)]
    assert [r[0] for r in data] == [c["id"] for c in queue["items"]]
    days = header.index("남은 일수")
    assert [r[days] for r in data] == [c["days_left"] for c in queue["items"]]
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    notice = desk.policy.notice.get("ko")
    assert notice in text
    assert book.worksheets[1].cell(2, 1).value == notice
    # Personal data as the list shows it: names, never a passport number or birth date.
    shown = {str(r[1]) for r in data}
    people = [r for r in roster_rows() if r["worker_id"] in shown]
    assert people and all(r["family_name"] in text for r in people)
    for secret in ("passport_number", "birth_date"):
        assert not [r[secret] for r in people if r.get(secret) and r[secret] in text]


def test_export_csv_follows_the_filters_and_the_sponsors_scope(
    client: TestClient, desk: Desk, world: World, spread: dict[str, list[int]]
) -> None:
    r = client.get(
        "/api/v1/cases/export",
        params={"format": "csv", "view": "all", "state": "draft"},
        headers=world.auth("hanbit_admin"),
    )
    assert r.status_code == 200, r.text
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header, rest = lines[0], lines[1:]
    assert header[0] == "Case" and "Assigned to" not in header  # sponsors: no assignee
    data = [row for row in rest if row and row[0].isdigit()]
    assert {int(row[0]) for row in data} == {
        cid for cid, s in _states(desk).items() if s == "draft"
    }
    assert desk.policy.notice.get("en") in [row[0] for row in rest if row]
    # Another sponsor's export holds none of Hanbit's cases.
    r = client.get(
        "/api/v1/cases/export",
        params={"format": "csv", "view": "all"},
        headers=world.auth("haeon_admin"),
    )
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert not [row for row in rows[1:] if row and row[0].isdigit()]


# -- the migration ------------------------------------------------------------------------------


def test_migration_0005_goes_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command  # noqa: PLC0415 - only this test drives alembic itself

    from visadesk.desk.db import _alembic_config, make_engine, upgrade  # noqa: PLC0415

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("visa_case")}

    try:
        upgrade(engine)
        assert "assignee_id" in columns()
        config = _alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0004")  # the revision before it
        assert "assignee_id" not in columns()
        upgrade(engine)
        assert "assignee_id" in columns()
    finally:
        engine.dispose()
