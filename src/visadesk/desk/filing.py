"""Projects, batches, roster uploads, screening and submission.

A roster upload is one transaction: the file is read and validated in full
(the CLI's reader: every problem reported at once, with row, column, value
and what was expected), screened, and its people, trips, screenings and
draft cases written together, or nothing is written. Reading and screening
(:func:`prepare_upload`) come before the write transaction begins, bounded by
the desk's roster limits and, when asked, a worker process's time and memory
budget: no write lock is held while an untrusted file is parsed. Uploads are idempotent
by ``worker_id``: a person already filed by the same organization is updated,
and their trip in the batch is updated, never duplicated.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Final, TypeVar

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal, require, scope_batches, scope_projects, scope_trips
from visadesk.desk.bounded import Budget, read_bounded
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import locked
from visadesk.desk.models import (
    Base,
    Batch,
    BatchMember,
    Case,
    CaseEvent,
    Organization,
    Person,
    Project,
    Screening,
    SponsorLink,
    Trip,
    utcnow,
)
from visadesk.desk.textcheck import require_clean_text
from visadesk.engine import Screener, ScreeningResult
from visadesk.engine.result import CategoryVerdict
from visadesk.policy.model import Policy, Text
from visadesk.report.contract import ResultRenderer
from visadesk.roster.limits import DESK_LIMITS, RosterLimits, check_file
from visadesk.roster.model import Problem, RosterError
from visadesk.roster.schema import COLUMN_BY_NAME, SECTORS, ColumnType, FactValue
from visadesk.screening import screen_roster

__all__ = [
    "ROSTER_SUFFIXES",
    "SENSITIVE",
    "PreparedUpload",
    "UploadReport",
    "create_batch",
    "create_project",
    "facts_of",
    "get_batch",
    "get_project",
    "invite",
    "open_case",
    "prepare_upload",
    "rescreen",
    "submit_batch",
    "upload_roster",
    "upload_target",
]

#: Roster facts kept encrypted on the person, not in the trip's facts.
SENSITIVE: Final = frozenset(n for n, c in COLUMN_BY_NAME.items() if c.sensitive)
ROSTER_SUFFIXES: Final = (".csv", ".xlsx", ".parquet", ".json")
#: Categories the desk does not handle (no visa is applied for).
NO_CASE: Final = frozenset({"VWP"})
_T = TypeVar("_T")


def get_project(session: Session, actor: Principal, project_id: int) -> Project:
    project = session.scalar(scope_projects(select(Project), actor).where(Project.id == project_id))
    if project is None:
        raise DeskError("not_found", 404, entity="project", id=project_id)
    return project


def create_project(
    session: Session,
    actor: Principal,
    *,
    name: str,
    worksite: str,
    state: str,
    sector: str,
    investment_usd: int | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    sponsor_id: int | None = None,
) -> Project:
    require(actor, "project.write")
    sponsor = actor.org_id if sponsor_id is None or actor.kind == "sponsor" else sponsor_id
    if sector not in SECTORS:
        raise DeskError(
            "invalid_choice", 422, field="sector", value=sector, choices=", ".join(SECTORS)
        )
    state = state.strip().upper()
    if len(state) != 2 or not state.isalpha():
        raise DeskError("invalid_value", 422, field="state", value=state)
    if start_date and end_date and end_date < start_date:
        raise DeskError("invalid_value", 422, field="end_date", value=end_date.isoformat())
    # The sponsor's row locked: two projects of one name created at once, one is 409.
    _lock_organization(session, sponsor)
    if session.scalar(
        select(Project.id).where(Project.sponsor_id == sponsor, Project.name == name)
    ):
        raise DeskError("duplicate", 409, field="name", value=name)
    project = Project(
        sponsor_id=sponsor,
        name=name,
        worksite=worksite,
        state=state,
        sector=sector,
        investment_usd=investment_usd,
        start_date=start_date,
        end_date=end_date,
    )
    session.add(project)
    session.flush()
    audit.append(
        session,
        actor_id=actor.user_id,
        action="project.create",
        entity="project",
        entity_id=project.id,
    )
    return project


def _lock_organization(session: Session, org_id: int) -> None:
    session.execute(locked(select(Organization.id).where(Organization.id == org_id)))


def get_batch(session: Session, actor: Principal, batch_id: int, *, lock: bool = False) -> Batch:
    """The batch, if the actor may see it; ``lock`` it against other writers of the batch.

    Every write into a batch (roster upload, invitation, opening a case, submission)
    locks the batch first: whether it is still open is decided on its newest state,
    and those writes into one batch take turns.
    """
    stmt = scope_batches(select(Batch), actor).where(Batch.id == batch_id)
    batch = session.scalar(locked(stmt, Batch) if lock else stmt)
    if batch is None:
        raise DeskError("not_found", 404, entity="batch", id=batch_id)
    return batch


def create_batch(session: Session, actor: Principal, *, project_id: int, name: str) -> Batch:
    require(actor, "batch.create")
    project = get_project(session, actor, project_id)
    batch = Batch(
        sponsor_id=project.sponsor_id, project_id=project.id, name=name, created_by=actor.user_id
    )
    session.add(batch)
    session.flush()
    audit.append(
        session,
        actor_id=actor.user_id,
        action="batch.create",
        entity="batch",
        entity_id=batch.id,
        data={"project": project.id},
    )
    return batch


def _open(batch: Batch) -> None:
    if batch.state != "open":
        raise DeskError("batch_not_open", 409, id=batch.id, state=batch.state)


def invite(session: Session, actor: Principal, batch_id: int, org_id: int) -> BatchMember:
    """Invite one of the sponsor's subcontractors into a batch."""
    # Found before checked, here and below: a row the caller cannot see is 404 whatever its role.
    batch = get_batch(session, actor, batch_id, lock=True)
    require(actor, "batch.invite")
    _open(batch)
    linked = session.scalar(
        select(SponsorLink.id).where(
            SponsorLink.sponsor_id == batch.sponsor_id, SponsorLink.subcontractor_id == org_id
        )
    )
    if linked is None:
        raise DeskError("not_found", 404, entity="organization", id=org_id)
    member = session.scalar(
        select(BatchMember).where(BatchMember.batch_id == batch.id, BatchMember.org_id == org_id)
    )
    if member is None:
        member = BatchMember(batch_id=batch.id, org_id=org_id, invited_by=actor.user_id)
        session.add(member)
        session.flush()
        audit.append(
            session,
            actor_id=actor.user_id,
            action="batch.invite",
            entity="batch",
            entity_id=batch.id,
            data={"org": org_id},
        )
    return member


# -- roster upload -----------------------------------------------------------------------


@dataclass
class UploadReport:
    batch_id: int
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cases: int = 0
    engine: str = "case"
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    no_case: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "cases": self.cases,
            "engine": self.engine,
            "statuses": self.statuses,
            "no_case": self.no_case,
        }


class _Renderer(ResultRenderer):
    """The contract renderer, remembering each text it has filled in (one upload's worth).

    Filling a text looks up every parameter in force; a roster repeats the same
    few dozen messages on every row, so each is filled once.
    """

    def __init__(self, policy: Policy, as_of: dt.date, lang: str = "en") -> None:
        super().__init__(policy, as_of, lang)
        self._filled: dict[tuple[Text, str], str] = {}
        self._categories: dict[tuple[Any, ...], dict[str, Any]] = {}

    def text(self, text: Text, lang: str | None = None) -> str:
        key = (text, lang or self.lang)
        filled = self._filled.get(key)
        if filled is None:
            filled = self._filled[key] = super().text(text, lang)
        return filled

    def category(self, verdict: CategoryVerdict) -> dict[str, Any]:
        """A category's verdict, rendered once per distinct verdict.

        Rows of a roster share a few hundred distinct verdicts; two verdicts that
        differ only in the fact values their checks read (which the contract does
        not show) render alike, so the rendered dict is shared between their rows
        (the rows are stored as JSON and never changed in place).
        """
        key = (
            verdict.category,
            verdict.status,
            verdict.basis,
            verdict.missing,
            verdict.stay_covers,
            verdict.ready_by,
            verdict.in_hand,
            verdict.lead_time_note,
            tuple(
                (c.rule, c.outcome, c.activity, c.missing, c.provision, c.superseded)
                for c in verdict.checks
            ),
        )
        rendered = self._categories.get(key)
        if rendered is None:
            rendered = self._categories[key] = super().category(verdict)
        return rendered


def _json_value(value: FactValue) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _trip_facts(facts: Mapping[str, FactValue]) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in facts.items() if k not in SENSITIVE}


def facts_of(trip: Trip) -> dict[str, FactValue]:
    """The roster facts of a stored trip, typed as the roster reader gives them."""
    out: dict[str, FactValue] = {}
    for name, column in COLUMN_BY_NAME.items():
        if name in SENSITIVE:
            value: Any = getattr(trip.person, name)
        else:
            value = trip.facts.get(name)
        if value is None:
            out[name] = None
        elif column.type is ColumnType.DATE:
            out[name] = dt.date.fromisoformat(value)
        elif column.type is ColumnType.ACTIVITIES:
            out[name] = tuple(value)
        else:
            out[name] = value
    return out


def _filer(session: Session, actor: Principal, batch: Batch) -> int:
    """The organization the upload files for: the sponsor or an invited subcontractor."""
    require(actor, "roster.upload")
    if actor.kind == "sponsor" and batch.sponsor_id == actor.org_id:
        return actor.org_id
    if actor.kind == "subcontractor":
        member = session.scalar(
            select(BatchMember.id).where(
                BatchMember.batch_id == batch.id, BatchMember.org_id == actor.org_id
            )
        )
        if member is not None:
            return actor.org_id
    raise DeskError("not_found", 404, entity="batch", id=batch.id)


def _project_problems(rows: Sequence[ScreeningResult], project: Project) -> list[Problem]:
    problems = []
    for r in rows:
        named = r.facts.get("project")
        if isinstance(named, str) and named.strip().casefold() != project.name.casefold():
            problems.append(
                Problem(
                    code="project_mismatch",
                    row=r.row,
                    column="project",
                    value=named,
                    params={"expected": project.name},
                )
            )
    return problems


#: The roster texts stored in columns of a fixed width, and that width (models.Person).
STORED_WIDTH: Final = {
    "worker_id": 64,
    "family_name": 100,
    "given_name": 100,
    "name_ko": 100,
    "passport_number": 100,
}


def _check_storable(rows: Sequence[ScreeningResult]) -> None:
    """Refuse, naming row and column, a text the database cannot hold (too long, or NUL).

    SQLite would store it anyway; PostgreSQL would refuse it mid-transaction.
    """
    for r in rows:
        for column, width in STORED_WIDTH.items():
            value = r.facts.get(column)
            if isinstance(value, str) and (len(value) > width or "\x00" in value):
                detail = {"row": r.row, "column": column, "length": len(value), "limit": width}
                raise DeskError(
                    "value_not_storable", 422, details=[detail], row=r.row or "-", column=column
                )


@dataclass(frozen=True)
class PreparedUpload:
    """A roster read, validated and screened, not yet stored (see :func:`prepare_upload`)."""

    filename: str
    policy_version: str
    as_of: dt.date
    engine: str
    results: list[ScreeningResult]


def upload_target(session: Session, actor: Principal, batch_id: int) -> None:
    """Refuse early (before any parsing) an upload the caller may not make into the batch."""
    batch = get_batch(session, actor, batch_id)
    _filer(session, actor, batch)
    _open(batch)


def _suffix(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ROSTER_SUFFIXES:
        raise DeskError(
            "unsupported_format", 415, suffix=suffix or "-", allowed=", ".join(ROSTER_SUFFIXES)
        )
    return suffix


def prepare_upload(
    *,
    data: bytes,
    filename: str,
    policy: Policy,
    as_of: dt.date,
    limits: RosterLimits = DESK_LIMITS,
    budget: Budget | None = None,
) -> PreparedUpload:
    """Read, validate and screen a roster, with no database session.

    The file is bounded by ``limits`` before it is parsed and, with ``budget``,
    read first in a worker process under that time and memory budget. Messages
    name the file as uploaded (``filename``'s own name), never the server's
    temporary copy.
    """
    require_clean_text("filename", filename)
    suffix = _suffix(filename)
    name = PurePath(filename.replace("\\", "/")).name or f"roster{suffix}"
    with tempfile.TemporaryDirectory(prefix="visadesk-upload-") as folder:
        path = Path(folder) / f"roster{suffix}"
        path.write_bytes(data)
        check_file(path, suffix[1:], name, limits)  # the static limits, before any worker
        if budget is not None:
            read_bounded(path, source=name, limits=limits, budget=budget)
        screened = screen_roster(path, policy, as_of=as_of, limits=limits, source=name)
        results = list(screened.results())
    return PreparedUpload(name, policy.version, as_of, screened.engine, results)


def upload_roster(
    session: Session,
    actor: Principal,
    batch_id: int,
    *,
    data: bytes,
    filename: str,
    policy: Policy,
    as_of: dt.date,
    prepared: PreparedUpload | None = None,
) -> UploadReport:
    """Validate, screen and store a roster file into a batch, all or nothing.

    With ``prepared`` (from :func:`prepare_upload`, called before the session's
    write transaction began) the file is not read again.

    The batch and the filing organization are locked first: uploads into one batch,
    and uploads of one filer (whose people are shared across its batches), take
    turns, so the same roster sent twice at once stores each person, trip and case
    once (the second upload finds the first one's rows and updates them).
    """
    batch = get_batch(session, actor, batch_id, lock=True)
    filer = _filer(session, actor, batch)
    _open(batch)
    _lock_organization(session, filer)
    if prepared is None:
        prepared = prepare_upload(data=data, filename=filename, policy=policy, as_of=as_of)
    elif (prepared.policy_version, prepared.as_of) != (policy.version, as_of):
        raise ValueError("the roster was screened under another policy or day")
    results = prepared.results
    project = batch.project
    problems = _project_problems(results, project)
    if problems:
        raise RosterError(problems, source=filename)
    _check_storable(results)
    report = UploadReport(batch_id=batch.id, rows=len(results), engine=prepared.engine)
    _store(session, actor, batch, filer, project, results, policy, as_of, report)
    audit.append(
        session,
        actor_id=actor.user_id,
        action="batch.roster_upload",
        entity="batch",
        entity_id=batch.id,
        data={k: v for k, v in report.as_json().items() if k not in {"no_case", "statuses"}},
    )
    return report


def _store(  # noqa: PLR0917 - the upload's whole context, kept together
    session: Session,
    actor: Principal,
    batch: Batch,
    filer: int,
    project: Project,
    results: Sequence[ScreeningResult],
    policy: Policy,
    as_of: dt.date,
    report: UploadReport,
) -> None:
    """Write an upload's people, trips, screenings and draft cases.

    What is already stored (people the filer filed before, trips and cases of this
    batch) is loaded and updated through the ORM, only where it changed; what is new
    is inserted in bulk (Core ``insert`` of many rows, new ids returned): a roster
    of thousands of rows is mostly new rows, and the ORM's unit of work costs more
    per row than the database does.
    """
    ids = [r.worker_id for r in results]
    people = {
        p.worker_id: p
        for chunk in _chunks(ids, 500)
        for p in session.scalars(
            select(Person).where(Person.org_id == filer, Person.worker_id.in_(chunk))
        )
    }
    trips = {
        t.person_id: t
        for t in session.scalars(
            select(Trip).where(Trip.batch_id == batch.id, Trip.org_id == filer)
        )
    }
    cases = {
        c.trip_id: c
        for c in session.scalars(
            select(Case).where(Case.batch_id == batch.id, Case.org_id == filer)
        )
    }
    stored = _Stored(batch, filer, project, people, trips, cases, utcnow())
    _store_people(session, stored, results)
    _store_trips(session, stored, results, report)
    screenings, opened = _screenings_and_cases(stored, results, _Renderer(policy, as_of), report)
    session.flush()
    _point_at(session, stored, _insert(session, Screening, screenings, "trip_id"))
    new_cases = _insert(session, Case, opened, "trip_id")
    events = [
        {
            "case_id": case_id,
            "from_state": None,
            "to_state": "draft",
            "actor_id": actor.user_id,
            "at": stored.now,
            "comment": "",
        }
        for case_id in new_cases.values()
    ]
    _insert(session, CaseEvent, events, None)
    report.cases = len(cases) + len(new_cases)


@dataclass
class _Stored:
    """An upload's target and what it already holds: people by worker id, trips by
    person id, cases by trip id; the ids of the new people and trips join them."""

    batch: Batch
    filer: int
    project: Project
    people: dict[str, Person]
    trips: dict[int, Trip]
    cases: dict[int, Case]
    now: dt.datetime
    person_ids: dict[str, int] = field(default_factory=dict)
    trip_ids: dict[int, int] = field(default_factory=dict)


def _store_people(session: Session, stored: _Stored, results: Sequence[ScreeningResult]) -> None:
    """The people already filed updated (where changed), the others inserted."""
    new = []
    for r in results:
        person = stored.people.get(r.worker_id)
        if person is None:
            new.append(
                {
                    "org_id": stored.filer,
                    "worker_id": r.worker_id,
                    **_person_values(r.facts),
                    "created_at": stored.now,
                    "updated_at": stored.now,
                }
            )
        else:
            _set_person(person, r.facts)
    session.flush()
    stored.person_ids = {p.worker_id: p.id for p in stored.people.values()}
    stored.person_ids.update(_insert(session, Person, new, "worker_id"))


def _store_trips(
    session: Session, stored: _Stored, results: Sequence[ScreeningResult], report: UploadReport
) -> None:
    """The batch's trips updated where their facts changed; the others inserted."""
    new = []
    for r in results:
        pid = stored.person_ids[r.worker_id]
        trip = stored.trips.get(pid)
        facts = _trip_facts(r.facts)
        start, end = r.facts["trip_start"], r.facts["trip_end"]
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        if trip is None:
            new.append(
                {
                    "batch_id": stored.batch.id,
                    "person_id": pid,
                    "org_id": stored.filer,
                    "sponsor_id": stored.batch.sponsor_id,
                    "project_id": stored.project.id,
                    "worker_id": r.worker_id,
                    "source_row": r.row,
                    "trip_start": start,
                    "trip_end": end,
                    "facts": facts,
                    "screening_id": None,
                    "created_at": stored.now,
                    "updated_at": stored.now,
                }
            )
            report.created += 1
        elif trip.facts != facts:
            trip.facts, trip.trip_start, trip.trip_end = facts, start, end
            trip.source_row = r.row
            report.updated += 1
        else:
            trip.source_row = r.row
            report.unchanged += 1
        for cid, verdict in r.verdicts.items():
            counts = report.statuses.setdefault(cid, {})
            counts[verdict.status.value] = counts.get(verdict.status.value, 0) + 1
    session.flush()
    stored.trip_ids = {pid: t.id for pid, t in stored.trips.items()}
    stored.trip_ids.update(_insert(session, Trip, new, "person_id"))


def _screenings_and_cases(
    stored: _Stored,
    results: Sequence[ScreeningResult],
    renderer: ResultRenderer,
    report: UploadReport,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The screenings to add (a trip's latest differs) and the draft cases to open;
    the drafts already open are refreshed in place."""
    screenings: list[dict[str, Any]] = []
    opened: list[dict[str, Any]] = []
    for r in results:
        pid = stored.person_ids[r.worker_id]
        tid = stored.trip_ids[pid]
        known = stored.trips.get(pid)
        row = renderer.row(r)
        if not _same_screening(known.screening if known is not None else None, r, row):
            screenings.append(
                {
                    "trip_id": tid,
                    "policy_version": r.policy_version,
                    "as_of": r.as_of,
                    "recommended": r.recommended,
                    "ready_by": r.ready_by,
                    "statuses": {cid: v.status.value for cid, v in r.verdicts.items()},
                    "basis": {cid: list(v.basis) for cid, v in r.verdicts.items()},
                    "result": row,
                    "created_at": stored.now,
                }
            )
        case = stored.cases.get(tid)
        target = r.recommended if r.recommended not in NO_CASE else None
        if case is None and target is not None:
            opened.append(_case_row(stored, tid, target, r))
        elif case is not None and case.state == "draft" and target is not None:
            assert known is not None  # a case's trip was stored before this upload
            _refresh_case(case, known, target, r)
        if case is None and target is None:
            report.no_case.append(r.worker_id)
    return screenings, opened


def _case_row(stored: _Stored, trip_id: int, category: str, r: ScreeningResult) -> dict[str, Any]:
    """A new draft case, as :func:`_new_case` and :func:`_refresh_case` would make it."""
    start = r.facts["trip_start"]
    assert isinstance(start, dt.date)
    chosen = r.verdicts.get(category)
    ready = chosen.ready_by if chosen is not None else None
    return {
        "trip_id": trip_id,
        "batch_id": stored.batch.id,
        "org_id": stored.filer,
        "sponsor_id": stored.batch.sponsor_id,
        "project_id": stored.project.id,
        "sector": stored.project.sector,
        "category": category,
        "state": "draft",
        "trip_start": start,
        "ready_by": ready,
        "urgency_date": _urgency(start, ready, r.as_of),
        "search": _search_of(r.worker_id, _person_values(r.facts)),
        "version": 1,
        "created_at": stored.now,
        "updated_at": stored.now,
    }


def _point_at(session: Session, stored: _Stored, screenings: Mapping[int, int]) -> None:
    """Point each trip at its new screening (trip id -> screening id)."""
    trip, screening = _table(Trip), _table(Screening)
    for chunk in _chunks(sorted(screenings.items()), 1000):
        session.execute(
            update(trip)
            .where(
                trip.c.id.in_([t for t, _ in chunk]),
                screening.c.id.in_([s for _, s in chunk]),
                screening.c.trip_id == trip.c.id,
            )
            .values(screening_id=screening.c.id)
        )
    for known in stored.trips.values():
        if known.id in screenings:
            session.expire(known, ["screening_id", "screening"])


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], key: str | None
) -> dict[Any, int]:
    """Insert ``rows`` in bulk, through the columns' types (encryption, JSON); with
    ``key``, give them ids first and return them by their value of that column.

    Ids are taken before the insert (:func:`_new_ids`) rather than returned by it:
    a plain multi-row insert is twice as fast on PostgreSQL as one with RETURNING.
    """
    if not rows:
        return {}
    table = _table(model)
    if key is not None:
        ids = _new_ids(session, table, len(rows))
        rows = [{**row, "id": new} for row, new in zip(rows, ids, strict=True)]
    session.execute(insert(table), list(rows))
    return {} if key is None else {row[key]: row["id"] for row in rows}


def _new_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` unused ids of ``table``: from its sequence on PostgreSQL; on SQLite the
    ones after the largest (a write transaction there holds the only write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        numbers = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        return [int(n) for n in session.scalars(numbers)]
    first = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(first, first + count))


def _same_screening(latest: Screening | None, result: ScreeningResult, row: Any) -> bool:
    return (
        latest is not None
        and latest.policy_version == result.policy_version
        and latest.as_of == result.as_of
        and latest.result == row
    )


def _chunks(items: Sequence[_T], size: int) -> Iterable[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _person_values(facts: Mapping[str, FactValue]) -> dict[str, str | None]:
    """A person's columns from roster facts (dates ISO)."""

    def text(name: str) -> str | None:
        value = facts.get(name)
        if value is None:
            return None
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    return {
        "family_name": text("family_name") or "",
        "given_name": text("given_name") or "",
        "name_ko": text("name_ko"),
        "nationality": text("nationality"),
        "passport_number": text("passport_number"),
        "birth_date": text("birth_date"),
    }


def _set_person(person: Person, facts: Mapping[str, FactValue]) -> None:
    values = _person_values(facts)
    person.family_name = values["family_name"] or ""
    person.given_name = values["given_name"] or ""
    person.name_ko = values["name_ko"]
    person.nationality = values["nationality"]
    # Compare before assigning: re-encrypting an unchanged value would churn the row.
    for name in ("passport_number", "birth_date"):
        if getattr(person, name) != values[name]:
            setattr(person, name, values[name])


def _record_screening(
    session: Session, trip: Trip, result: ScreeningResult, renderer: ResultRenderer
) -> Screening:
    row = renderer.row(result)
    statuses = {cid: v.status.value for cid, v in result.verdicts.items()}
    latest = trip.screening
    if (
        latest is not None
        and latest.policy_version == result.policy_version
        and latest.as_of == result.as_of
        and latest.result == row
    ):
        return latest
    screening = Screening(
        trip_id=trip.id,
        policy_version=result.policy_version,
        as_of=result.as_of,
        recommended=result.recommended,
        ready_by=result.ready_by,
        statuses=statuses,
        basis={cid: list(v.basis) for cid, v in result.verdicts.items()},
        result=row,
    )
    session.add(screening)
    trip.screening = screening
    return screening


def _urgency(trip_start: dt.date, ready_by: dt.date | None, as_of: dt.date) -> dt.date:
    """The last day processing can start for the visa to be in hand by the trip start."""
    if ready_by is None:
        return trip_start
    return trip_start - (ready_by - as_of)


def _search_text(trip: Trip) -> str:
    p = trip.person
    return _search_words(trip.worker_id, p.family_name, p.given_name, p.name_ko)


def _search_of(worker_id: str, person: Mapping[str, str | None]) -> str:
    return _search_words(worker_id, person["family_name"], person["given_name"], person["name_ko"])


def _search_words(worker_id: str, family: str | None, given: str | None, ko: str | None) -> str:
    parts = [worker_id, family or "", given or "", ko or ""]
    return " ".join(x for x in parts if x).casefold()[:400]


def _new_case(
    session: Session,
    *,
    trip: Trip,
    project: Project,
    category: str,
    result: ScreeningResult | None,
    actor: Principal,
    flush: bool = True,
) -> Case:
    """A draft case; with ``flush`` False its opening event is the caller's to add."""
    case = Case(
        trip_id=trip.id,
        batch_id=trip.batch_id,
        org_id=trip.org_id,
        sponsor_id=trip.sponsor_id,
        project_id=trip.project_id,
        sector=project.sector,
        category=category,
        state="draft",
        trip_start=trip.trip_start,
        urgency_date=trip.trip_start,
        search=_search_text(trip),
    )
    if result is not None:
        _refresh_case(case, trip, category, result)
    session.add(case)
    if flush:
        session.flush()
        session.add(_opened_event(case, actor))
    return case


def _opened_event(case: Case, actor: Principal) -> CaseEvent:
    return CaseEvent(case_id=case.id, from_state=None, to_state="draft", actor_id=actor.user_id)


def _refresh_case(case: Case, trip: Trip, category: str, result: ScreeningResult) -> None:
    verdict = result.verdicts.get(category)
    ready = verdict.ready_by if verdict is not None else None
    case.category = category
    case.trip_start = trip.trip_start
    case.ready_by = ready
    case.urgency_date = _urgency(trip.trip_start, ready, result.as_of)
    case.search = _search_text(trip)


def open_case(
    session: Session,
    actor: Principal,
    trip_id: int,
    *,
    category: str,
    policy: Policy,
    as_of: dt.date,
) -> Case:
    """Open a draft case for a trip in an open batch, for a category the filer chooses."""
    trip = session.scalar(scope_trips(select(Trip), actor).where(Trip.id == trip_id))
    if trip is None:
        raise DeskError("not_found", 404, entity="trip", id=trip_id)
    require(actor, "case.edit_draft")
    batch = session.scalar(locked(select(Batch).where(Batch.id == trip.batch_id), Batch))
    assert batch is not None  # a trip's batch exists (foreign key)
    _open(batch)
    known = [c.id for c in policy.categories_at(as_of) if c.id not in NO_CASE]
    if category not in known:
        raise DeskError(
            "invalid_choice", 422, field="category", value=category, choices=", ".join(known)
        )
    existing = session.scalar(select(Case).where(Case.trip_id == trip.id))
    if existing is not None:
        if existing.category != category:
            existing.category = category
            ready = (
                (trip.screening.result["categories"].get(category) or {}).get("ready_by")
                if trip.screening
                else None
            )
            existing.ready_by = dt.date.fromisoformat(ready) if ready else None
            as_of_day = trip.screening.as_of if trip.screening else as_of
            existing.urgency_date = _urgency(trip.trip_start, existing.ready_by, as_of_day)
            audit.append(
                session,
                actor_id=actor.user_id,
                action="case.category",
                entity="case",
                entity_id=existing.id,
                data={"category": category},
            )
        return existing
    project = session.get_one(Project, trip.project_id)
    facts = facts_of(trip)
    result = Screener(policy, as_of=as_of).screen(facts, row=trip.source_row)
    case = _new_case(
        session, trip=trip, project=project, category=category, result=result, actor=actor
    )
    audit.append(
        session,
        actor_id=actor.user_id,
        action="case.open",
        entity="case",
        entity_id=case.id,
        data={"category": category},
    )
    return case


def submit_batch(session: Session, actor: Principal, batch_id: int) -> dict[str, Any]:
    """File the batch whole: every draft case becomes submitted, in one transaction.

    Of simultaneous submissions one is taken; the others, waiting on the batch's
    lock, then find it submitted: 409 ``batch_not_open``.
    """
    batch = get_batch(session, actor, batch_id, lock=True)
    require(actor, "batch.submit")
    _open(batch)
    cases = session.scalars(
        locked(
            select(Case).where(Case.batch_id == batch.id, Case.state == "draft").order_by(Case.id)
        )
    ).all()
    if not cases:
        raise DeskError("empty_batch", 409, id=batch.id)
    now = utcnow()
    for case in cases:
        case.state, case.submitted_at = "submitted", now
        case.version += 1
        session.add(
            CaseEvent(
                case_id=case.id,
                from_state="draft",
                to_state="submitted",
                actor_id=actor.user_id,
                at=now,
            )
        )
        audit.append(
            session,
            actor_id=actor.user_id,
            action="case.transition",
            entity="case",
            entity_id=case.id,
            data={"from": "draft", "to": "submitted"},
        )
    batch.state, batch.submitted_at = "submitted", now
    audit.append(
        session,
        actor_id=actor.user_id,
        action="batch.submit",
        entity="batch",
        entity_id=batch.id,
        data={"cases": len(cases)},
    )
    return {"batch_id": batch.id, "submitted": len(cases)}


def rescreen(
    session: Session,
    actor: Principal | None,
    policy: Policy,
    as_of: dt.date,
    *,
    batch_id: int | None = None,
) -> list[dict[str, Any]]:
    """Screen stored trips again under ``policy``; record and return what changed."""
    if actor is not None:
        require(actor, "policy.rescreen")
    # Locked (in id order, as every writer of trips takes them): an upload changing a
    # trip meanwhile waits, instead of both recording a screening for it.
    stmt = locked(select(Trip).order_by(Trip.id), Trip)
    if batch_id is not None:
        stmt = stmt.where(Trip.batch_id == batch_id)
    screener = Screener(policy, as_of=as_of)
    renderer = ResultRenderer(policy, as_of, "en")
    changes = []
    for trip in session.scalars(stmt):
        before = trip.screening
        result = screener.screen(facts_of(trip), row=trip.source_row)
        after = _record_screening(session, trip, result, renderer)
        old = before.statuses if before else {}
        if before is None or after.statuses != old or after.recommended != before.recommended:
            changes.append(
                {
                    "trip_id": trip.id,
                    "worker_id": trip.worker_id,
                    "before": {
                        "policy": before.policy_version if before else None,
                        "statuses": old,
                        "recommended": before.recommended if before else None,
                    },
                    "after": {
                        "policy": after.policy_version,
                        "statuses": after.statuses,
                        "recommended": after.recommended,
                    },
                }
            )
    audit.append(
        session,
        actor_id=actor.user_id if actor else None,
        action="policy.rescreen",
        entity="policy",
        entity_id=policy.version,
        data={"changed": len(changes)},
    )
    return changes


def organizations_named(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(
        session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
        ).all()
    )
