"""The desk's service functions called directly, not through either front door: who may
file a roster, batch submission through the transition table, guards a caller cannot
leave out, reading an upload within its limit, the queue's typed page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.desk.fixtures import TODAY, World, file_roster, hanbit_batch, roster_rows
from visadesk.desk import cases, projects, screenings, transitions, uploads
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import AuditEntry, Batch, Case, CaseEvent, Trip
from visadesk.desk.runtime import Desk
from visadesk.desk.transitions import Move
from visadesk.desk.workflow import BACKLOG_STATES, OPEN_STATES, STATES
from visadesk.engine import Screener

PROJECT = "Hanbit GA Cell Plant"


def _batch(desk: Desk, world: World, *, invite: str | None = None) -> int:
    return hanbit_batch(desk, world, *([invite] if invite else []), name="B")


def _filed(desk: Desk, world: World, rows: int = 6) -> int:
    """A batch of Hanbit's with ``rows`` of its own travellers uploaded (draft cases)."""
    batch = _batch(desk, world)
    own = [r for r in roster_rows(PROJECT) if r["employer"].startswith("Hanbit")][:rows]
    file_roster(desk, world, batch, own)
    return batch


# -- who may file -------------------------------------------------------------------------


def test_may_file_is_the_sponsor_and_its_invited_subcontractors(desk: Desk, world: World) -> None:
    batch_id = _batch(desk, world, invite="sejin")
    expected = {
        "hanbit_admin": True,  # the batch's sponsor
        "hanbit_staff": True,  # its staff too (roster.upload)
        "sejin_staff": True,  # invited
        "daeseong_staff": False,  # Hanbit's subcontractor, not invited into this batch
        "haeon_admin": False,  # another sponsor
        "kukje_staff": False,
        "officer": False,  # the desk does not file
        "admin": False,
    }
    with read_session(desk.sessions) as s:
        batch = s.get_one(Batch, batch_id)
        found = {who: projects.may_file(s, world.users[who], batch) for who in expected}
    assert found == expected


def test_filer_of_refuses_a_role_without_uploads_then_a_batch_not_filed_into(
    desk: Desk, world: World
) -> None:
    batch_id = _batch(desk, world)
    with read_session(desk.sessions) as s:
        batch = s.get_one(Batch, batch_id)
        assert projects.filer_of(s, world.users["hanbit_staff"], batch) == world.sponsors["hanbit"]
        with pytest.raises(DeskError) as forbidden:
            projects.filer_of(s, world.users["officer"], batch)
        with pytest.raises(DeskError) as hidden:
            projects.filer_of(s, world.users["daeseong_staff"], batch)
    assert (forbidden.value.code, forbidden.value.status) == ("forbidden", 403)
    assert (hidden.value.code, hidden.value.status) == ("not_found", 404)


# -- batch submission through the transition table ------------------------------------------


def test_submit_batch_takes_each_draft_through_the_transition_table(
    desk: Desk, world: World
) -> None:
    batch_id = _filed(desk, world)
    with read_session(desk.sessions) as s:
        drafts = list(s.scalars(select(Case.id).where(Case.batch_id == batch_id)))
        audit_before = s.scalar(select(func.max(AuditEntry.seq))) or 0
    assert drafts
    with write_session(desk.sessions) as s:
        done = transitions.submit_batch(
            s, world.users["hanbit_admin"], batch_id, desk, transitions.SubmitChoice(True, "hold")
        )
    assert done == transitions.Submission(batch_id, len(drafts))
    with read_session(desk.sessions) as s:
        for case_id in drafts:
            case = s.get_one(Case, case_id)
            assert (case.state, case.version) == ("submitted", 2)
            assert case.submitted_at is not None
            events = s.execute(
                select(CaseEvent.from_state, CaseEvent.to_state)
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.id)
            ).all()
            assert [tuple(e) for e in events] == [(None, "draft"), ("draft", "submitted")]
        entries = s.execute(
            select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.data)
            .where(AuditEntry.seq > audit_before)
            .order_by(AuditEntry.seq)
        ).all()
    moved = [(a, e, d) for a, e, d in entries if a == "case.transition"]
    assert [e for _, e, _ in moved] == [str(c) for c in sorted(drafts)]
    assert all(d == {"from": "draft", "to": "submitted"} for _, _, d in moved)
    assert [a for a, _, _ in entries] == ["case.transition"] * len(drafts) + ["batch.submit"]


def test_a_draft_is_not_moved_alone_and_a_submitted_batch_not_again(
    desk: Desk, world: World
) -> None:
    batch_id = _filed(desk, world)
    admin = world.users["hanbit_admin"]
    with read_session(desk.sessions) as s:
        case_id = s.scalar(select(Case.id).where(Case.batch_id == batch_id))
    assert case_id is not None
    with write_session(desk.sessions) as s, pytest.raises(DeskError) as alone:
        transitions.take_transition(s, admin, case_id, Move("submitted"), desk)
    assert alone.value.code == "submit_whole_batch"
    with write_session(desk.sessions) as s:
        transitions.submit_batch(s, admin, batch_id, desk, transitions.SubmitChoice(True, "hold"))
    with write_session(desk.sessions) as s, pytest.raises(DeskError) as again:
        transitions.submit_batch(s, admin, batch_id, desk, transitions.SubmitChoice(True, "hold"))
    assert (again.value.code, again.value.status) == ("batch_not_open", 409)


# -- guards evaluated inside ----------------------------------------------------------------


def test_take_transition_refuses_without_the_required_documents(desk: Desk, world: World) -> None:
    """The caller names no documents at all: the service finds the case's own checklist."""
    batch_id = _filed(desk, world)
    officer = world.users["officer"]
    with write_session(desk.sessions) as s:
        transitions.submit_batch(
            s, world.users["hanbit_admin"], batch_id, desk, transitions.SubmitChoice(True, "hold")
        )
        case_id = s.scalar(select(Case.id).where(Case.batch_id == batch_id).order_by(Case.id))
        assert case_id is not None
        transitions.take_transition(s, officer, case_id, Move("in_review"), desk)
    with write_session(desk.sessions) as s, pytest.raises(DeskError) as refused:
        transitions.take_transition(s, officer, case_id, Move("ready_for_interview"), desk)
    assert (refused.value.code, refused.value.status) == ("documents_missing", 409)
    with read_session(desk.sessions) as s:
        assert s.get_one(Case, case_id).state == "in_review"


def test_an_interview_needs_its_time_with_a_zone(desk: Desk, world: World) -> None:
    batch_id = _filed(desk, world)
    with write_session(desk.sessions) as s:
        transitions.submit_batch(
            s, world.users["hanbit_admin"], batch_id, desk, transitions.SubmitChoice(True, "hold")
        )
        case = s.scalars(select(Case).where(Case.batch_id == batch_id)).first()
        assert case is not None
        case.state = "ready_for_interview"  # the documents are another test's
        case_id = case.id
    with write_session(desk.sessions) as s, pytest.raises(DeskError) as refused:
        transitions.take_transition(
            s, world.users["officer"], case_id, Move("interview_scheduled"), desk
        )
    assert refused.value.code == "interview_time_required"


# -- opening a case, the queue ----------------------------------------------------------------


def test_open_case_re_pointed_takes_its_dates_from_the_screening(desk: Desk, world: World) -> None:
    batch_id = _filed(desk, world)
    admin = world.users["hanbit_admin"]
    with write_session(desk.sessions) as s:
        case = s.scalars(select(Case).where(Case.batch_id == batch_id).order_by(Case.id)).first()
        assert case is not None
        other = "E2" if case.category != "E2" else "B1"
        trip = s.get_one(Trip, case.trip_id)
        result = Screener(desk.policy, as_of=TODAY).screen(
            screenings.facts_of(trip), row=trip.source_row
        )
        opened = screenings.open_case(
            s, admin, trip.id, category=other, policy=desk.policy, as_of=TODAY
        )
        assert opened.id == case.id
        verdict = result.verdicts[other]
        assert opened.category == other
        assert opened.ready_by == verdict.ready_by
        assert opened.urgency_date == screenings.urgency(trip.trip_start, verdict.ready_by, TODAY)


def test_queue_is_one_typed_page_with_the_trips(desk: Desk, world: World) -> None:
    batch_id = _filed(desk, world)
    with read_session(desk.sessions) as s:
        page = cases.queue(
            s, world.users["hanbit_admin"], cases.QueueFilter(batch_id=batch_id), per_page=2
        )
        assert (page.page, page.per_page, len(page.items)) == (1, 2, 2)
        assert page.total == s.scalar(select(func.count(Case.id)))
        for item in page.items:
            assert item.trip.id == item.case.trip_id
            assert item.trip.worker_id
    with read_session(desk.sessions) as s:
        hidden = cases.queue(s, world.users["haeon_admin"], cases.QueueFilter(batch_id=batch_id))
    assert (hidden.total, hidden.items) == (0, [])


# -- reading an upload, the states -----------------------------------------------------------


def test_read_upload_stops_past_its_limit() -> None:
    assert uploads.read_upload(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(DeskError) as refused:
        uploads.read_upload(io.BytesIO(b"x" * (3 << 20)), 1 << 20)
    assert (refused.value.code, refused.value.status) == ("file_too_large", 413)
    # Read a chunk past the limit, no further: the size told is where reading stopped.
    assert refused.value.params == {"size": 2 << 20, "limit": 1 << 20}


def test_the_open_states_come_before_every_decision() -> None:
    assert STATES[: len(OPEN_STATES)] == OPEN_STATES
    assert set(BACKLOG_STATES) == set(OPEN_STATES) - {"draft"}
    assert not {"approved", "refused", "issued", "travelled", "closed"} & set(OPEN_STATES)
