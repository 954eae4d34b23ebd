"""Reading cases: one case in detail, the desk queue and summary statistics.

Cases change state in :mod:`visadesk.desk.transitions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, lazyload, load_only

from visadesk.desk.authz import Principal, S, scope_cases, scope_documents
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import locked, shared
from visadesk.desk.models import Case, CaseEvent, Document, Person, Trip
from visadesk.desk.workflow import BACKLOG_STATES, STATES, actionable_states, allowed

__all__ = [
    "SORTS",
    "VIEWS",
    "CaseDetail",
    "QueueFilter",
    "QueueItem",
    "QueuePage",
    "case_detail",
    "case_events",
    "get_case",
    "next_steps",
    "queue",
    "queue_trips",
    "stats",
]


Lock = Literal["update", "share"] | None


def get_case(session: Session, actor: Principal, case_id: int, *, lock: Lock = None) -> Case:
    """The case, if the actor may see it; ``lock`` it against other writers until the
    transaction ends ("update": this transaction will change it; "share": it decides
    on the case's state without changing it)."""
    stmt = scope_cases(select(Case), actor).where(Case.id == case_id)
    if lock == "update":
        stmt = locked(stmt)
    elif lock == "share":
        stmt = shared(stmt)
    case = session.scalar(stmt)
    if case is None:
        raise DeskError("not_found", 404, entity="case", id=case_id)
    return case


def next_steps(case: Case, actor: Principal) -> list[str]:
    """The states ``actor`` may move ``case`` to (:mod:`visadesk.desk.transitions`)."""
    return [t.target for t in allowed(case.state, actor.role)]


@dataclass(frozen=True)
class CaseDetail:
    """A case with what both doors show of it: its trip, its events (oldest first) and
    the states the reader may move it to."""

    case: Case
    trip: Trip
    events: list[CaseEvent]
    next_states: list[str]


def case_events(session: Session, case: Case) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def case_detail(session: Session, actor: Principal, case: Case | int) -> CaseDetail:
    """The case (or the case of that id, if the actor may see it) in detail."""
    if isinstance(case, int):
        case = get_case(session, actor, case)
    trip = session.get_one(Trip, case.trip_id)
    return CaseDetail(case, trip, case_events(session, case), next_steps(case, actor))


# -- queue ------------------------------------------------------------------------------

SORTS: Final = {
    "urgency": (Case.urgency_date, Case.id),
    "-urgency": (Case.urgency_date.desc(), Case.id.desc()),
    "trip_start": (Case.trip_start, Case.id),
    "-trip_start": (Case.trip_start.desc(), Case.id.desc()),
    "updated": (Case.updated_at, Case.id),
    "-updated": (Case.updated_at.desc(), Case.id.desc()),
    "id": (Case.id,),
    "-id": (Case.id.desc(),),
}
Sort = Literal[
    "urgency", "-urgency", "trip_start", "-trip_start", "updated", "-updated", "id", "-id"
]


@dataclass(frozen=True)
class QueueFilter:
    sponsor_id: int | None = None
    project_id: int | None = None
    batch_id: int | None = None
    sector: str | None = None
    category: str | None = None
    state: Sequence[str] = ()
    q: str | None = None
    #: With no ``state``: "open" keeps the cases in which the reader's role has work
    #: (:func:`visadesk.desk.workflow.actionable_states`; a role with none sees all),
    #: "all" every state. Both doors default to "open"; statistics count "all".
    view: str = "all"
    #: "me": assigned to the reader; "none": to nobody; a user id: to that user.
    assignee: str | None = None


VIEWS: Final = ("open", "all")


def _viewed(stmt: S, f: QueueFilter, actor: Principal, *, in_order: bool = False) -> S:
    """``f``'s view and assignee, for ``actor`` (after :func:`_filtered`).

    ``in_order``: the statement reads a page in the queue's order. The open work is then
    said as "not one of the other states" (the same rows: every case has one of
    ``STATES``), so that SQLite walks the urgency index in order and stops at the page's
    end, instead of collecting every open case by state and sorting them all."""
    if f.view not in VIEWS:
        raise DeskError("invalid_choice", 422, field="view", value=f.view, choices=", ".join(VIEWS))
    work = actionable_states(actor.role)
    if f.view == "open" and not f.state and work:
        if in_order:
            stmt = stmt.where(Case.state.not_in([s for s in STATES if s not in work]))
        else:
            stmt = stmt.where(Case.state.in_(sorted(work)))
    if f.assignee:
        if f.assignee == "none":
            stmt = stmt.where(Case.assignee_id.is_(None))
        elif f.assignee == "me":
            stmt = stmt.where(Case.assignee_id == actor.user_id)
        elif f.assignee.isdigit() and len(f.assignee) < 12:
            stmt = stmt.where(Case.assignee_id == int(f.assignee))
        else:
            choices = "me, none, <user id>"
            raise DeskError(
                "invalid_choice", 422, field="assignee", value=f.assignee, choices=choices
            )
    return stmt


def _filtered(stmt: S, f: QueueFilter) -> S:
    if f.sponsor_id is not None:
        stmt = stmt.where(Case.sponsor_id == f.sponsor_id)
    if f.project_id is not None:
        stmt = stmt.where(Case.project_id == f.project_id)
    if f.batch_id is not None:
        stmt = stmt.where(Case.batch_id == f.batch_id)
    if f.sector:
        stmt = stmt.where(Case.sector == f.sector)
    if f.category:
        stmt = stmt.where(Case.category == f.category)
    if f.state:
        stmt = stmt.where(Case.state.in_(list(f.state)))
    if f.q:
        stmt = stmt.where(Case.search.contains(f.q.strip().casefold(), autoescape=True))
    return stmt


@dataclass(frozen=True)
class QueueItem:
    """A case of a queue page and its trip (loaded with what a row shows)."""

    case: Case
    trip: Trip


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    per_page: int


def queue(
    session: Session,
    actor: Principal,
    f: QueueFilter,
    *,
    sort: str = "urgency",
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """One page of cases the actor may see, with their trips, and the total matching."""
    order = SORTS.get(sort)
    if order is None:
        raise DeskError("invalid_choice", 422, field="sort", value=sort, choices=", ".join(SORTS))
    # count(*), not count(id): SQLite counts a whole table from its b-tree without
    # reading a row (0.03 ms instead of 15 ms at 100,000 cases); the same rows either way.
    counted = select(func.count()).select_from(Case)
    total = session.scalar(_viewed(_filtered(scope_cases(counted, actor), f), f, actor)) or 0
    # The page's ids first, then its rows: the ids of a page far down come from the
    # queue indexes alone (no table row read for the thousands skipped), then 50 rows.
    page_ids = (
        _viewed(_filtered(scope_cases(select(Case.id), actor), f), f, actor, in_order=True)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = session.scalars(
        select(Case).where(Case.id.in_(page_ids.scalar_subquery())).order_by(*order)
    ).all()
    trips = queue_trips(session, rows)
    items = [QueueItem(c, trips[c.trip_id]) for c in rows]
    return QueuePage(items, total, page, per_page)


def queue_trips(session: Session, rows: Sequence[Case]) -> dict[int, Trip]:
    """The trips of a queue page, by id, loaded with only what a queue row shows.

    A whole trip brings its person (decrypting the passport number and birth
    date) and its stored screening (a few kilobytes of JSON to parse): most of a
    page's time at 50 rows, for nothing the row shows. Other attributes still
    load on first use.
    """
    stmt = (
        select(Trip)
        .where(Trip.id.in_([c.trip_id for c in rows]))
        .options(
            load_only(Trip.id, Trip.worker_id),
            lazyload(Trip.screening),
            joinedload(Trip.person).load_only(
                Person.family_name, Person.given_name, Person.name_ko
            ),
        )
    )
    return {t.id: t for t in session.scalars(stmt)}


# -- statistics ---------------------------------------------------------------------------


def stats(session: Session, actor: Principal, f: QueueFilter | None = None) -> dict[str, Any]:
    """Counts by sector, category, state, sponsor and project; decisions by month;
    processing days (submission to decision); the open backlog by state."""
    f = f or QueueFilter()

    def grouped(*cols: Any) -> list[tuple[Any, ...]]:
        stmt = _filtered(scope_cases(select(*cols, func.count(Case.id)), actor), f)
        return [tuple(r) for r in session.execute(stmt.group_by(*cols).order_by(*cols))]

    decided = _filtered(
        scope_cases(select(Case.decision, Case.submitted_at, Case.decided_at), actor), f
    ).where(Case.decided_at.is_not(None), Case.decision.is_not(None))
    months: dict[str, dict[str, int]] = {}
    days: list[float] = []
    for decision, submitted, decided_at in session.execute(decided):
        if decided_at is None or decision is None:  # excluded by the query
            continue
        month = decided_at.strftime("%Y-%m")
        months.setdefault(month, {"approved": 0, "refused": 0})[decision] += 1
        if submitted is not None:
            days.append((decided_at - submitted).total_seconds() / 86400)
    days.sort()
    documents = session.execute(
        scope_documents(select(Document.status, func.count(Document.id)), actor).group_by(
            Document.status
        )
    )
    return {
        "total": sum(n for *_, n in grouped(Case.state)),
        "by_state": dict(grouped(Case.state)),
        "by_sector": dict(grouped(Case.sector)),
        "by_category": dict(grouped(Case.category)),
        "by_sector_category": [
            {"sector": s, "category": c, "count": n}
            for s, c, n in grouped(Case.sector, Case.category)
        ],
        "by_sponsor": {str(s): n for s, n in grouped(Case.sponsor_id)},
        "by_project": {str(p): n for p, n in grouped(Case.project_id)},
        "decisions_by_month": [{"month": m, **v} for m, v in sorted(months.items())],
        "processing_days": {
            "count": len(days),
            "median": _quantile(days, 0.5),
            "p90": _quantile(days, 0.9),
            "histogram": _histogram(days),
        },
        "backlog": {s: n for s, n in grouped(Case.state) if s in BACKLOG_STATES},
        "documents": dict(documents.all()),
    }


def _quantile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return round(values[index], 1)


_BINS: Final = (7, 14, 21, 28, 42, 60, 90)


def _histogram(values: Sequence[float]) -> list[dict[str, Any]]:
    limits: list[int | None] = [*_BINS, None]
    counts = [0] * len(limits)
    for v in values:
        for i, limit in enumerate(limits):
            if limit is None or v <= limit:
                counts[i] += 1
                break
    return [{"up_to_days": b, "count": n} for b, n in zip(limits, counts, strict=True)]
