"""Trips, their screenings and their draft cases: one way to record each.

A trip's screening is recorded only when it differs from the trip's latest
(:func:`screening_values`, :func:`same_screening`); a draft case's columns come
from one factory (:func:`case_row`), used by the bulk upload writer
(:mod:`visadesk.desk.store`) and by :func:`open_case` alike. What a case shows
(category, ready-by date, urgency) is taken from the :class:`ScreeningResult`
when the case is written, never read back out of the stored screening's JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal, require, scope_trips
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import locked
from visadesk.desk.models import Batch, Case, CaseEvent, Person, Project, Screening, Trip, utcnow
from visadesk.desk.projects import ensure_open, get_batch
from visadesk.engine import Screener, ScreeningResult
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.roster.schema import COLUMN_BY_NAME, ColumnType, FactValue

__all__ = [
    "NO_CASE",
    "SENSITIVE",
    "CaseHome",
    "batch_trips",
    "case_of_trip",
    "case_row",
    "facts_of",
    "get_trip",
    "open_case",
    "person_values",
    "record_screening",
    "same_screening",
    "screening_values",
    "search_of",
    "search_text",
    "set_person",
]

#: Roster facts kept encrypted on the person, not in the trip's facts.
SENSITIVE: Final = frozenset(n for n, c in COLUMN_BY_NAME.items() if c.sensitive)
#: Categories the desk does not handle (no visa is applied for).
NO_CASE: Final = frozenset({"VWP"})
#: The case columns a new screening of its trip refreshes in a draft case.
REFRESHED: Final = ("category", "trip_start", "ready_by", "urgency_date", "search")


def get_trip(session: Session, actor: Principal, trip_id: int) -> Trip:
    """The trip, if the actor may see it."""
    trip = session.scalar(scope_trips(select(Trip), actor).where(Trip.id == trip_id))
    if trip is None:
        raise DeskError("not_found", 404, entity="trip", id=trip_id)
    return trip


def case_of_trip(session: Session, trip: Trip) -> Case | None:
    """The trip's case, if one is open."""
    return session.scalar(select(Case).where(Case.trip_id == trip.id))


def batch_trips(session: Session, actor: Principal, batch_id: int) -> list[tuple[Trip, int | None]]:
    """The trips of a batch the actor may see (in id order), each with its case's id."""
    get_batch(session, actor, batch_id)
    trips = session.scalars(
        scope_trips(select(Trip), actor).where(Trip.batch_id == batch_id).order_by(Trip.id)
    ).all()
    wanted = [t.id for t in trips]
    rows = session.execute(select(Case.trip_id, Case.id).where(Case.trip_id.in_(wanted)))
    case_ids = dict(rows.all())
    return [(t, case_ids.get(t.id)) for t in trips]


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


# -- people ---------------------------------------------------------------------------------


def person_values(facts: Mapping[str, FactValue]) -> dict[str, str | None]:
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


def set_person(person: Person, facts: Mapping[str, FactValue]) -> None:
    values = person_values(facts)
    person.family_name = values["family_name"] or ""
    person.given_name = values["given_name"] or ""
    person.name_ko = values["name_ko"]
    person.nationality = values["nationality"]
    # Compare before assigning: re-encrypting an unchanged value would churn the row.
    for name in ("passport_number", "birth_date"):
        if getattr(person, name) != values[name]:
            setattr(person, name, values[name])


def search_text(trip: Trip) -> str:
    """What the queue's search box matches a trip's case on: worker id and names."""
    p = trip.person
    return _search_words(trip.worker_id, p.family_name, p.given_name, p.name_ko)


def search_of(worker_id: str, person: Mapping[str, str | None]) -> str:
    """:func:`search_text` of a person not stored yet (:func:`person_values`)."""
    return _search_words(worker_id, person["family_name"], person["given_name"], person["name_ko"])


def _search_words(worker_id: str, family: str | None, given: str | None, ko: str | None) -> str:
    parts = [worker_id, family or "", given or "", ko or ""]
    return " ".join(x for x in parts if x).casefold()[:400]


# -- screenings -----------------------------------------------------------------------------


def screening_values(result: ScreeningResult, row: dict[str, Any]) -> dict[str, Any]:
    """A screening's columns: ``result`` and its contract row ``row`` (as stored)."""
    return {
        "policy_version": result.policy_version,
        "as_of": result.as_of,
        "recommended": result.recommended,
        "ready_by": result.ready_by,
        "statuses": {cid: v.status.value for cid, v in result.verdicts.items()},
        "basis": {cid: list(v.basis) for cid, v in result.verdicts.items()},
        "result": row,
    }


def same_screening(latest: Screening | None, result: ScreeningResult, row: Any) -> bool:
    """Whether the trip's ``latest`` screening already says what ``result`` says."""
    return (
        latest is not None
        and latest.policy_version == result.policy_version
        and latest.as_of == result.as_of
        and latest.result == row
    )


def record_screening(
    session: Session, trip: Trip, result: ScreeningResult, renderer: ResultRenderer
) -> Screening:
    """The trip's screening for ``result``: its latest if the same, else a new one."""
    row = renderer.row(result)
    if same_screening(trip.screening, result, row):
        assert trip.screening is not None
        return trip.screening
    screening = Screening(trip_id=trip.id, **screening_values(result, row))
    session.add(screening)
    trip.screening = screening
    return screening


# -- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseHome:
    """Where a trip is filed, which its case shares: batch, filer, sponsor, project."""

    batch_id: int
    org_id: int
    sponsor_id: int
    project_id: int
    sector: str

    @classmethod
    def of(cls, trip: Trip, project: Project) -> CaseHome:
        return cls(trip.batch_id, trip.org_id, trip.sponsor_id, trip.project_id, project.sector)

    @classmethod
    def filed(cls, batch: Batch, filer: int, project: Project) -> CaseHome:
        return cls(batch.id, filer, batch.sponsor_id, project.id, project.sector)


def urgency(trip_start: dt.date, ready_by: dt.date | None, as_of: dt.date) -> dt.date:
    """The last day processing can start for the visa to be in hand by the trip start."""
    if ready_by is None:
        return trip_start
    return trip_start - (ready_by - as_of)


def case_row(
    trip_id: int,
    home: CaseHome,
    category: str,
    result: ScreeningResult,
    *,
    search: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """A new draft case of the trip screened as ``result``, applying for ``category``."""
    start = result.facts["trip_start"]
    assert isinstance(start, dt.date)
    chosen = result.verdicts.get(category)
    ready = chosen.ready_by if chosen is not None else None
    return {
        "trip_id": trip_id,
        "batch_id": home.batch_id,
        "org_id": home.org_id,
        "sponsor_id": home.sponsor_id,
        "project_id": home.project_id,
        "sector": home.sector,
        "category": category,
        "state": "draft",
        "trip_start": start,
        "ready_by": ready,
        "urgency_date": urgency(start, ready, result.as_of),
        "search": search,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def refresh_case(case: Case, row: Mapping[str, Any]) -> None:
    """A draft case brought up to date with a new screening of its trip (:func:`case_row`)."""
    for name in REFRESHED:
        setattr(case, name, row[name])


def open_case(
    session: Session,
    actor: Principal,
    trip_id: int,
    *,
    category: str,
    policy: Policy,
    as_of: dt.date,
) -> Case:
    """Open a draft case for a trip in an open batch, for a category the filer chooses;
    a trip's case already open is re-pointed at the category."""
    trip = get_trip(session, actor, trip_id)
    require(actor, "case.edit_draft")
    batch = session.scalar(locked(select(Batch).where(Batch.id == trip.batch_id), Batch))
    assert batch is not None  # a trip's batch exists (foreign key)
    ensure_open(batch)
    known = [c.id for c in policy.categories_at(as_of) if c.id not in NO_CASE]
    if category not in known:
        raise DeskError(
            "invalid_choice", 422, field="category", value=category, choices=", ".join(known)
        )
    existing = session.scalar(select(Case).where(Case.trip_id == trip.id))
    if existing is not None and existing.category == category:
        return existing
    project = session.get_one(Project, trip.project_id)
    result = Screener(policy, as_of=as_of).screen(facts_of(trip), row=trip.source_row)
    home = CaseHome.of(trip, project)
    row = case_row(trip.id, home, category, result, search=search_text(trip), now=utcnow())
    if existing is not None:
        refresh_case(existing, row)
        audit.record(session, actor, "case.category", "case", existing.id, category=category)
        return existing
    case = Case(**row)
    session.add(case)
    session.flush()
    opened = CaseEvent(case_id=case.id, from_state=None, to_state="draft", actor_id=actor.user_id)
    session.add(opened)
    audit.record(session, actor, "case.open", "case", case.id, category=category)
    return case
