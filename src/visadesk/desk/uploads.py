"""Roster uploads: reading a file within limits, validating and screening it, storing it.

A roster upload is one transaction: the file is read and validated in full
(the CLI's reader: every problem reported at once, with row, column, value
and what was expected), screened, and its people, trips, screenings and
draft cases written together (:mod:`visadesk.desk.store`), or nothing is
written. Reading and screening (:func:`prepare_upload`) come before the write
transaction begins, bounded by the desk's roster limits and, when asked, a
worker process's time and memory budget: no write lock is held while an
untrusted file is parsed (:func:`file_roster` does the three steps in order).
Uploads are idempotent by ``worker_id``: a person already filed by the same
organization is updated, and their trip in the batch is updated, never
duplicated.

Rows that do not belong in the batch (another organization's staff, a person
who already has an open case for an overlapping trip: :mod:`visadesk.desk.integrity`)
refuse the whole roster (422 ``roster_refused``, every refused row listed), unless
the uploader chose to file the valid rows (``skip_refused``): then the others are
filed and the report lists the refused ones.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, BinaryIO, Final, Protocol

from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk import audit
from visadesk.desk.authz import Principal
from visadesk.desk.bounded import Budget, read_bounded
from visadesk.desk.config import Settings
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.integrity import Refusal, RowsRefusedError, lock_identities, refusals
from visadesk.desk.models import Project, utcnow
from visadesk.desk.projects import ensure_open, filer_of, get_batch, lock_organization
from visadesk.desk.store import store
from visadesk.desk.textcheck import require_clean_text
from visadesk.engine import ScreeningResult
from visadesk.policy.model import Policy
from visadesk.roster.limits import DESK_LIMITS, RosterLimits, check_file
from visadesk.roster.model import Problem, RosterError
from visadesk.screening import screen_roster

__all__ = [
    "ROSTER_SUFFIXES",
    "STORED_WIDTH",
    "Filing",
    "PreparedUpload",
    "RosterFile",
    "UploadReport",
    "file_roster",
    "prepare_upload",
    "read_upload",
    "upload_roster",
    "upload_target",
]

ROSTER_SUFFIXES: Final = (".csv", ".xlsx", ".parquet", ".json")
#: The roster texts stored in columns of a fixed width, and that width (models.Person).
STORED_WIDTH: Final = {
    "worker_id": 64,
    "family_name": 100,
    "given_name": 100,
    "name_ko": 100,
    "passport_number": 100,
}


def read_upload(file: BinaryIO, limit: int) -> bytes:
    """An uploaded file's bytes (a web framework has spooled them), up to ``limit``:
    413 ``file_too_large`` past it, read no further."""
    chunks, size = [], 0
    while chunk := file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise DeskError("file_too_large", 413, size=size, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class RosterFile:
    """A roster as uploaded: its bytes and the name the client gave it."""

    data: bytes
    filename: str


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
    #: Rows left out (``skip_refused``), and why: one entry per refused cell.
    refused: int = 0
    refusals: list[Refusal] = field(default_factory=list)

    def as_json(self, lang: str = "en") -> dict[str, Any]:
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
            "refused": self.refused,
            "refused_rows": [r.as_json(lang) for r in self.refusals],
        }


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
    filer_of(session, actor, batch)
    ensure_open(batch)


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
    skip_refused: bool = False,
) -> UploadReport:
    """Validate, screen and store a roster file into a batch, all or nothing.

    Rows that do not belong in the batch (:func:`visadesk.desk.integrity.refusals`)
    refuse the roster (:class:`~visadesk.desk.integrity.RowsRefusedError`), or, with
    ``skip_refused``, are left out and listed in the report.

    With ``prepared`` (from :func:`prepare_upload`, called before the session's
    write transaction began) the file is not read again.

    The batch and the filing organization are locked first: uploads into one batch,
    and uploads of one filer (whose people are shared across its batches), take
    turns, so the same roster sent twice at once stores each person, trip and case
    once (the second upload finds the first one's rows and updates them).
    """
    batch = get_batch(session, actor, batch_id, lock=True)
    filer = filer_of(session, actor, batch)
    ensure_open(batch)
    lock_organization(session, filer)
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
    lock_identities(session, batch.sponsor_id, results)
    found = refusals(session, actor, batch, filer, results)
    if found and not skip_refused:
        raise RowsRefusedError(found, rows=len(results))
    left_out = {r.row for r in found}
    filed = [r for r in results if r.row not in left_out]
    counts = store(
        session,
        actor,
        batch,
        filed,
        filer=filer,
        project=project,
        policy=policy,
        as_of=as_of,
        now=utcnow(),
    )
    report = UploadReport(
        batch_id=batch.id,
        rows=len(results),
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        cases=counts.cases,
        engine=prepared.engine,
        statuses=counts.statuses,
        no_case=counts.no_case,
        refused=len(left_out),
        refusals=found,
    )
    hidden = {"no_case", "statuses", "refused_rows"}
    data_logged = {k: v for k, v in report.as_json().items() if k not in hidden}
    audit.record(session, actor, "batch.roster_upload", "batch", batch.id, **data_logged)
    return report


class Filing(Protocol):
    """What filing a roster reads of a running desk: its sessions, rule set, screening
    date and the roster budget (:class:`visadesk.desk.config.Settings`)."""

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def policy(self) -> Policy: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def today(self) -> Callable[[], dt.date]: ...


def file_roster(
    desk: Filing,
    actor: Principal,
    batch_id: int,
    roster: RosterFile,
    *,
    skip_refused: bool = False,
) -> UploadReport:
    """File a roster into a batch, in three steps: refuse early an upload the caller may
    not make (a read transaction), read and screen the file within the desk's limits and
    roster budget (no transaction), then store it (one write transaction); with
    ``skip_refused`` the rows that do not belong are left out instead of refusing it."""
    as_of = desk.today()
    with read_session(desk.sessions) as session:
        upload_target(session, actor, batch_id)
    prepared = prepare_upload(
        data=roster.data,
        filename=roster.filename,
        policy=desk.policy,
        as_of=as_of,
        budget=desk.settings.roster_budget,
    )
    with write_session(desk.sessions) as session:
        return upload_roster(
            session,
            actor,
            batch_id,
            data=roster.data,
            filename=roster.filename,
            policy=desk.policy,
            as_of=as_of,
            prepared=prepared,
            skip_refused=skip_refused,
        )
