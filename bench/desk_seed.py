"""Seeding a desk database with N cases for the desk benchmark, fast.

The trips are the synthetic roster's (``visadesk.synth``: a dozen sponsors, their
projects, sectors and states, subcontractors, people), screened with the batch
engine; every trip whose recommended category is one the desk handles (not
VWP, not none) becomes a case of that category, until N cases. The urgency
date is computed as the upload computes it (trip start minus the lead time
from the screening), the workflow state drawn from a desk's plausible mix, and
the dates of submission and decision follow the state.

Rows are written with SQLAlchemy Core ``insert`` of dicts in batches of
:data:`BATCH`, with explicit primary keys (person i, trip i, screening i and
case i belong together); passport numbers and birth dates go through the
model's :class:`~visadesk.desk.crypto.Encrypted` column type, so they are
encrypted exactly as the desk encrypts them. Each stored screening result
(``screening.result``, the JSON the API returns) is the real rendered result
of one of the first :data:`TEMPLATES` trips with the same recommended
category: rendering every one of 100,000 would take minutes and tell the
queue nothing more (their sizes and shapes are the real ones).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    TableClause,
    column,
    func,
    insert,
    select,
    table,
    text,
    update,
)

from visadesk.desk import accounts, directory
from visadesk.desk.db import session_factory, write_session
from visadesk.desk.integrity import passport_index
from visadesk.desk.models import (
    Base,
    Batch,
    Case,
    CaseEvent,
    Organization,
    Person,
    Project,
    Screening,
    SponsorLink,
    Trip,
)
from visadesk.desk.screenings import SENSITIVE
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.screening import screen_roster
from visadesk.synth import synthesize, write_synthetic

__all__ = ["BATCH", "PASSWORD", "TEMPLATES", "Seeded", "seed"]

BATCH: Final = 5_000
TEMPLATES: Final = 2_000
PASSWORD: Final = "bench password 1"  # noqa: S105 - throwaway benchmark users
#: Trips per batch (a sponsor files a project's trips in batches of about this size).
BATCH_TRIPS: Final = 250
#: The workflow states of the seeded cases, and their shares (a desk in full swing).
STATE_MIX: Final = {
    "draft": 0.08,
    "submitted": 0.14,
    "in_review": 0.14,
    "documents_requested": 0.10,
    "ready_for_interview": 0.08,
    "interview_scheduled": 0.08,
    "administrative_processing": 0.04,
    "approved": 0.05,
    "refused": 0.02,
    "issued": 0.11,
    "travelled": 0.10,
    "closed": 0.06,
}
#: Categories the desk opens no case for.
NO_CASE: Final = frozenset({"VWP"})
_SUBMITTED: Final = frozenset(set(STATE_MIX) - {"draft"})
_DECIDED: Final = frozenset({"approved", "refused", "issued", "travelled", "closed"})


@dataclass
class Seeded:
    """What was seeded: counts, timings, and the bearer token of a desk officer."""

    cases: int
    trips: int
    organizations: int
    projects: int
    batches: int
    officer_token: str
    seconds: dict[str, float] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_sector: dict[str, int] = field(default_factory=dict)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _chunks(
    rows: Sequence[dict[str, Any]], size: int = BATCH
) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _table(model: type[Base]) -> Table:
    found = model.__table__
    assert isinstance(found, Table)
    return found


def _insert(conn: Connection, into: TableClause, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(insert(into), list(chunk))


def _screened(work: Path, n: int, seed: int, policy: Policy, as_of: dt.date) -> pl.DataFrame:
    """Synthetic trips with their compact verdicts: the first ``n`` that get a case."""
    rows = math.ceil(n / 0.5) + 100
    while True:
        path = work / f"seed_{rows}_{seed}.csv"
        if not path.exists():
            write_synthetic(path, rows, seed)
        verdicts = (
            screen_roster(path, policy, as_of=as_of)
            .compact()
            .select("worker_id", "row", "recommended", "ready_by")
            .collect()
            .sort("row")
        )
        trips = synthesize(rows, seed)
        if verdicts["worker_id"].to_list() != trips["worker_id"].to_list():
            raise AssertionError("screened rows are not the synthetic rows, in order")
        frame = pl.concat([trips, verdicts.drop("worker_id", "row")], how="horizontal")
        frame = frame.with_row_index("source_index").filter(
            pl.col("recommended").is_not_null() & ~pl.col("recommended").is_in(list(NO_CASE))
        )
        if frame.height >= n:
            return frame.head(n)
        rows *= 2


#: The screening table with its ``result`` column untyped: the seed writes that column's
#: JSON text itself, exactly as the column's JSON type would (``json.dumps``), but
#: serializing each template once instead of 100,000 times.
_SCREENING: Final = table(
    "screening",
    *(
        column(c.name) if c.name == "result" else column(c.name, c.type)
        for c in _table(Screening).columns
    ),
)


@dataclass(frozen=True)
class _Result:
    """A rendered result as JSON text, the worker id and row to be filled in."""

    rest: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Result:
        blank = {
            "worker_id": "",
            "row": 0,
            **{k: v for k, v in row.items() if k not in {"worker_id", "row"}},
        }
        text = json.dumps(blank)
        head = '{"worker_id": "", "row": 0'
        if not text.startswith(head):
            raise AssertionError("a rendered result starts with worker_id and row")
        return cls(text[len(head) :])

    def __call__(self, worker_id: str, row: int) -> str:
        text = f'{{"worker_id": {json.dumps(worker_id)}, "row": {row}{self.rest}'
        return text


Template = tuple[_Result, dict[str, Any], dict[str, Any]]


def _templates(
    work: Path, seed: int, policy: Policy, as_of: dt.date, count: int
) -> dict[str, list[Template]]:
    """Rendered results (row, statuses, basis) of the first trips, by recommended category."""
    path = work / f"templates_{count}_{seed}.csv"
    if not path.exists():
        write_synthetic(path, count, seed)
    renderer = ResultRenderer(policy, as_of, "en")
    out: dict[str, list[Template]] = defaultdict(list)
    for result in screen_roster(path, policy, as_of=as_of, engine="case").results():
        if result.recommended is None or result.recommended in NO_CASE:
            continue
        statuses = {cid: v.status.value for cid, v in result.verdicts.items()}
        basis = {cid: list(v.basis) for cid, v in result.verdicts.items()}
        out[result.recommended].append((_Result.of(renderer.row(result)), statuses, basis))
    return out


def _facts(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Each trip's facts as the upload stores them: no personal data, dates ISO, lists."""
    typed = frame.select(
        [
            pl.col(name).dt.to_string("%Y-%m-%d")
            if dtype == pl.Date
            else pl.col(name).str.split(";")
            if name == "activities"
            else pl.col(name)
            for name, dtype in synthesize(0, 0).schema.items()
            if name not in SENSITIVE
        ]
    )
    return typed.to_dicts()


def _organizations(
    conn: Connection, frame: pl.DataFrame, now: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Sponsors (the synthetic ``sponsor`` column) and subcontractors (other employers)."""
    sponsors = sorted(set(frame["sponsor"].to_list()))
    employers = sorted(set(frame["employer"].to_list()) - set(sponsors))
    first = (conn.scalar(select(func.max(Organization.id))) or 0) + 1
    ids = {name: first + i for i, name in enumerate([*sponsors, *employers])}
    _insert(
        conn,
        _table(Organization),
        [
            {
                "id": ids[name],
                "kind": "sponsor" if name in sponsors else "subcontractor",
                "name": name,
                "created_at": now,
            }
            for name in ids
        ],
    )
    pairs = frame.select("sponsor", "employer").unique().sort("sponsor", "employer")
    links = [
        {"sponsor_id": ids[s], "subcontractor_id": ids[e]}
        for s, e in pairs.iter_rows()
        if e not in sponsors
    ]
    _insert(conn, _table(SponsorLink), links)
    return {s: ids[s] for s in sponsors}, ids


def _projects(
    conn: Connection, frame: pl.DataFrame, sponsor_ids: dict[str, int], now: dt.datetime
) -> dict[tuple[str, str], tuple[int, str]]:
    """(sponsor, project) -> (project id, sector)."""
    first = (conn.scalar(select(func.max(Project.id))) or 0) + 1
    projects = (
        frame.group_by("sponsor", "project")
        .agg(pl.col("worksite").first(), pl.col("site_state").first(), pl.col("sector").first())
        .sort("sponsor", "project")
    )
    out: dict[tuple[str, str], tuple[int, str]] = {}
    rows = []
    for i, (sponsor, project, worksite, state, sector) in enumerate(projects.iter_rows()):
        out[sponsor, project] = (first + i, sector)
        rows.append(
            {
                "id": first + i,
                "sponsor_id": sponsor_ids[sponsor],
                "name": project,
                "worksite": worksite,
                "state": state,
                "sector": sector,
                "created_at": now,
            }
        )
    _insert(conn, _table(Project), rows)
    return out


def _state_of(rng: np.random.Generator, n: int) -> list[str]:
    names = list(STATE_MIX)
    shares = np.array(list(STATE_MIX.values()))
    return [names[i] for i in rng.choice(len(names), size=n, p=shares / shares.sum())]


def _search(worker_id: str, family: str, given: str, name_ko: str | None) -> str:
    return " ".join(x for x in (worker_id, family, given, name_ko or "") if x).casefold()[:400]


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each id sequence past the explicit ids written."""
    if conn.dialect.name != "postgresql":
        return
    for name in (
        "organization",
        "sponsor_link",
        "project",
        "batch",
        "person",
        "trip",
        "screening",
        "visa_case",
        "case_event",
    ):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            )
        )


def _officer_token(engine: Engine, audit_keys: Sequence[str]) -> tuple[str, int]:
    """A desk organization, a desk officer, and the officer's bearer token."""
    sessions = session_factory(engine, audit_keys)
    with write_session(sessions) as s:
        desk = directory.create_org(s, None, kind="desk", name="Bench Desk")
        officer = directory.add_user(
            s,
            None,
            org_id=desk.id,
            email="officer@bench.test",
            name="Bench Officer",
            role="desk_officer",
            password=PASSWORD,
        )
        officer_id = officer.id
    with write_session(sessions) as s:
        issued = accounts.authenticate(
            s, email="officer@bench.test", password=PASSWORD, client="bench"
        )
    return issued.token, officer_id


def seed(  # noqa: PLR0915 - one pass over the tables, in foreign-key order
    engine: Engine,
    policy: Policy,
    *,
    cases: int,
    as_of: dt.date,
    work: Path,
    seed_value: int = 7,
    audit_keys: Sequence[str] = (),
) -> Seeded:
    """Write ``cases`` cases (and their people, trips, screenings) into a migrated database."""
    import time  # noqa: PLC0415 - only here

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    frame = _screened(work, cases, seed_value, policy, as_of)
    templates = _templates(work, seed_value, policy, as_of, min(TEMPLATES, 2 * cases + 100))
    facts = _facts(frame)
    seconds["generate and screen"] = time.perf_counter() - started
    token, officer_id = _officer_token(engine, audit_keys)
    now = dt.datetime.now(dt.UTC)
    rng = np.random.default_rng(seed_value)
    n = frame.height
    states = _state_of(rng, n)
    started = time.perf_counter()
    with engine.begin() as conn:
        # Bulk loading: the big tables' indexes are dropped and built again at the end
        # (the same indexes, built once instead of maintained row by row).
        indexes = [
            index
            for model in (Person, Trip, Screening, Case, CaseEvent)
            for index in sorted(_table(model).indexes, key=lambda i: str(i.name))
        ]
        for index in indexes:
            index.drop(conn)
        sponsor_ids, org_ids = _organizations(conn, frame, now)
        projects = _projects(conn, frame, sponsor_ids, now)
        # Batches: each project's trips in filing order, BATCH_TRIPS at a time.
        batch_of: list[int] = [0] * n
        batch_rows: list[dict[str, Any]] = []
        first_batch = (conn.scalar(select(func.max(Batch.id))) or 0) + 1
        by_project: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, key in enumerate(zip(frame["sponsor"], frame["project"], strict=True)):
            by_project[key].append(i)
        for (sponsor, project), members in sorted(by_project.items()):
            for k, offset in enumerate(range(0, len(members), BATCH_TRIPS)):
                batch_id = first_batch + len(batch_rows)
                chunk = members[offset : offset + BATCH_TRIPS]
                open_batch = all(states[i] == "draft" for i in chunk)
                batch_rows.append(
                    {
                        "id": batch_id,
                        "sponsor_id": sponsor_ids[sponsor],
                        "project_id": projects[sponsor, project][0],
                        "name": f"{project} #{k + 1}",
                        "state": "open" if open_batch else "submitted",
                        "created_by": officer_id,
                        "created_at": now,
                        "submitted_at": None if open_batch else now,
                    }
                )
                for i in chunk:
                    batch_of[i] = batch_id
        _insert(conn, _table(Batch), batch_rows)
        seconds["organizations, projects, batches"] = time.perf_counter() - started

        started = time.perf_counter()
        columns = ("worker_id", "family_name", "given_name", "name_ko", "nationality")
        people = frame.select(
            *columns,
            pl.col("passport_number"),
            pl.col("birth_date").dt.to_string("%Y-%m-%d"),
            "employer",
            "sponsor",
            "project",
            "trip_start",
            "trip_end",
            "ready_by",
            "recommended",
            "source_index",
        ).to_dicts()
        first = (conn.scalar(select(func.max(Person.id))) or 0) + 1
        ids = [first + i for i in range(n)]
        _insert(
            conn,
            _table(Person),
            [
                {
                    "id": ids[i],
                    "org_id": org_ids[p["employer"]],
                    "worker_id": p["worker_id"],
                    "family_name": p["family_name"],
                    "given_name": p["given_name"],
                    "name_ko": p["name_ko"],
                    "nationality": p["nationality"],
                    "passport_number": p["passport_number"],
                    "passport_index": passport_index(p["passport_number"]),
                    "birth_date": p["birth_date"],
                    "created_at": now,
                    "updated_at": now,
                }
                for i, p in enumerate(people)
            ],
        )
        seconds["people (encrypted)"] = time.perf_counter() - started

        started = time.perf_counter()
        _insert(
            conn,
            _table(Trip),
            [
                {
                    "id": ids[i],
                    "batch_id": batch_of[i],
                    "person_id": ids[i],
                    "org_id": org_ids[p["employer"]],
                    "sponsor_id": sponsor_ids[p["sponsor"]],
                    "project_id": projects[p["sponsor"], p["project"]][0],
                    "worker_id": p["worker_id"],
                    "source_row": p["source_index"] + 2,
                    "trip_start": p["trip_start"],
                    "trip_end": p["trip_end"],
                    "facts": facts[i],
                    "screening_id": None,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, p in enumerate(people)
            ],
        )
        seconds["trips"] = time.perf_counter() - started

        started = time.perf_counter()
        cycle = {cid: itertools.cycle(rows) for cid, rows in templates.items()}
        screenings = []
        for i, p in enumerate(people):
            row, statuses, basis = next(cycle[p["recommended"]])
            screenings.append(
                {
                    "id": ids[i],
                    "trip_id": ids[i],
                    "policy_version": policy.version,
                    "as_of": as_of,
                    "recommended": p["recommended"],
                    "ready_by": p["ready_by"],
                    "statuses": statuses,
                    "basis": basis,
                    "result": row(p["worker_id"], p["source_index"] + 2),
                    "created_at": now,
                }
            )
        _insert(conn, _SCREENING, screenings)
        conn.execute(update(Trip).where(Trip.id >= first).values(screening_id=Trip.id))
        seconds["screenings"] = time.perf_counter() - started

        started = time.perf_counter()
        case_rows = []
        event_rows = []
        # Submission: up to 60 days before the screening date; a decision 5-90 days later.
        submitted_days = rng.integers(0, 60, size=n)
        decided_days = rng.integers(5, 90, size=n)
        for i, p in enumerate(people):
            state = states[i]
            start: dt.date = p["trip_start"]
            ready: dt.date | None = p["ready_by"]
            urgency = start if ready is None else start - (ready - as_of)
            submitted = (
                _at(as_of - dt.timedelta(days=int(submitted_days[i])))
                if state in _SUBMITTED
                else None
            )
            decided = (
                submitted + dt.timedelta(days=int(decided_days[i]))
                if submitted is not None and state in _DECIDED
                else None
            )
            decision = (
                None if decided is None else ("refused" if state == "refused" else "approved")
            )
            case_rows.append(
                {
                    "id": ids[i],
                    "trip_id": ids[i],
                    "batch_id": batch_of[i],
                    "org_id": org_ids[p["employer"]],
                    "sponsor_id": sponsor_ids[p["sponsor"]],
                    "project_id": projects[p["sponsor"], p["project"]][0],
                    "sector": projects[p["sponsor"], p["project"]][1],
                    "category": p["recommended"],
                    "state": state,
                    "trip_start": start,
                    "ready_by": ready,
                    "urgency_date": urgency,
                    "interview_at": (
                        _at(as_of + dt.timedelta(days=i % 30), 10)
                        if state == "interview_scheduled"
                        else None
                    ),
                    "decided_at": decided,
                    "decision": decision,
                    "submitted_at": submitted,
                    "annotation_en": None,
                    "annotation_ko": None,
                    "search": _search(
                        p["worker_id"], p["family_name"], p["given_name"], p["name_ko"]
                    ),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            event_rows.append(
                {
                    "case_id": ids[i],
                    "from_state": None,
                    "to_state": "draft",
                    "actor_id": officer_id,
                    "at": now,
                    "comment": "",
                }
            )
        _insert(conn, _table(Case), case_rows)
        _insert(conn, _table(CaseEvent), event_rows)
        seconds["cases"] = time.perf_counter() - started
        started = time.perf_counter()
        for index in indexes:
            index.create(conn)
        seconds["indexes"] = time.perf_counter() - started
        _reset_sequences(conn)
    started = time.perf_counter()
    _analyze(engine)
    seconds["analyze"] = time.perf_counter() - started
    return Seeded(
        cases=n,
        trips=n,
        organizations=len(org_ids) + 1,
        projects=len(projects),
        batches=len(batch_rows),
        officer_token=token,
        seconds=seconds,
        by_category=_counts(p["recommended"] for p in people),
        by_state=_counts(states),
        by_sector=_counts(projects[p["sponsor"], p["project"]][1] for p in people),
    )


def _counts(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for v in values:
        out[v] += 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _analyze(engine: Engine) -> None:
    """PostgreSQL: planner statistics, as autovacuum would have gathered by now.

    SQLite gathers none unless told (the desk never runs ANALYZE), so none is run.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
