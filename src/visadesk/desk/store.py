"""The bulk writer of a roster upload: people, trips, screenings and draft cases.

What is already stored (people the filer filed before, trips and cases of the
batch) is loaded and updated through the ORM, only where it changed; what is
new is inserted in bulk (Core ``insert`` of many rows): a roster of thousands
of rows is mostly new rows, and the ORM's unit of work costs more per row than
the database does. The rows are those :mod:`visadesk.desk.screenings` makes
(one case-row factory, one screening's columns) for the ORM path too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal
from visadesk.desk.integrity import passport_index
from visadesk.desk.models import Base, Batch, Case, CaseEvent, Person, Project, Screening, Trip
from visadesk.desk.screenings import (
    NO_CASE,
    SENSITIVE,
    CaseHome,
    case_row,
    person_values,
    refresh_case,
    same_screening,
    screening_values,
    search_of,
    search_text,
    set_person,
)
from visadesk.engine import ScreeningResult
from visadesk.engine.result import CategoryVerdict
from visadesk.policy.model import Policy, Text
from visadesk.report.contract import ResultRenderer
from visadesk.roster.schema import FactValue

__all__ = ["Counts", "json_value", "store"]

_T = TypeVar("_T")


@dataclass
class Counts:
    """What an upload did: trips created, updated, unchanged; cases; statuses by category;
    the workers recommended no category the desk handles (no case opened)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cases: int = 0
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    no_case: list[str] = field(default_factory=list)


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


@dataclass
class _Stored:
    """An upload's target and what it already holds: people by worker id, trips by
    person id, cases by trip id; the ids of the new people and trips join them."""

    batch: Batch
    home: CaseHome
    people: dict[str, Person]
    trips: dict[int, Trip]
    cases: dict[int, Case]
    now: dt.datetime
    person_ids: dict[str, int] = field(default_factory=dict)
    trip_ids: dict[int, int] = field(default_factory=dict)


def store(
    session: Session,
    actor: Principal,
    batch: Batch,
    results: Sequence[ScreeningResult],
    *,
    filer: int,
    project: Project,
    policy: Policy,
    as_of: dt.date,
    now: dt.datetime,
) -> Counts:
    """Write an upload's people, trips, screenings and draft cases (the batch and the
    filer locked by the caller)."""
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
    stored = _Stored(batch, CaseHome.filed(batch, filer, project), people, trips, cases, now)
    counts = Counts()
    _store_people(session, stored, results)
    _store_trips(session, stored, results, counts)
    screenings, opened = _screenings_and_cases(stored, results, _Renderer(policy, as_of), counts)
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
    counts.cases = len(cases) + len(new_cases)
    return counts


def _store_people(session: Session, stored: _Stored, results: Sequence[ScreeningResult]) -> None:
    """The people already filed updated (where changed), the others inserted."""
    new = []
    for r in results:
        person = stored.people.get(r.worker_id)
        values = person_values(r.facts)
        index = passport_index(values["passport_number"])
        if person is None:
            new.append(
                {
                    "org_id": stored.home.org_id,
                    "worker_id": r.worker_id,
                    **values,
                    "passport_index": index,
                    "created_at": stored.now,
                    "updated_at": stored.now,
                }
            )
        else:
            set_person(person, r.facts)
            if person.passport_index != index:
                person.passport_index = index
    session.flush()
    stored.person_ids = {p.worker_id: p.id for p in stored.people.values()}
    stored.person_ids.update(_insert(session, Person, new, "worker_id"))


def json_value(value: FactValue) -> Any:
    """A fact as trip.facts (JSON) stores it: dates as ISO text, lists for tuples."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _trip_facts(facts: Mapping[str, FactValue]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in facts.items() if k not in SENSITIVE}


def _store_trips(
    session: Session, stored: _Stored, results: Sequence[ScreeningResult], counts: Counts
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
                    "batch_id": stored.home.batch_id,
                    "person_id": pid,
                    "org_id": stored.home.org_id,
                    "sponsor_id": stored.home.sponsor_id,
                    "project_id": stored.home.project_id,
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
            counts.created += 1
        elif trip.facts != facts:
            trip.facts, trip.trip_start, trip.trip_end = facts, start, end
            trip.source_row = r.row
            counts.updated += 1
        else:
            trip.source_row = r.row
            counts.unchanged += 1
        for cid, verdict in r.verdicts.items():
            by_status = counts.statuses.setdefault(cid, {})
            by_status[verdict.status.value] = by_status.get(verdict.status.value, 0) + 1
    session.flush()
    stored.trip_ids = {pid: t.id for pid, t in stored.trips.items()}
    stored.trip_ids.update(_insert(session, Trip, new, "person_id"))


def _screenings_and_cases(
    stored: _Stored,
    results: Sequence[ScreeningResult],
    renderer: ResultRenderer,
    counts: Counts,
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
        if not same_screening(known.screening if known is not None else None, r, row):
            screenings.append(
                {"trip_id": tid, **screening_values(r, row), "created_at": stored.now}
            )
        case = stored.cases.get(tid)
        target = r.recommended if r.recommended not in NO_CASE else None
        if target is None:
            if case is None:
                counts.no_case.append(r.worker_id)
            continue
        if case is None:
            search = search_of(r.worker_id, person_values(r.facts))
            opened.append(case_row(tid, stored.home, target, r, search=search, now=stored.now))
        elif case.state == "draft":
            assert known is not None  # a case's trip was stored before this upload
            row = case_row(tid, stored.home, target, r, search=search_text(known), now=stored.now)
            refresh_case(case, row)
    return screenings, opened


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


def _chunks(items: Sequence[_T], size: int) -> Iterable[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
