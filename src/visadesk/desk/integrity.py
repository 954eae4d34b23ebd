"""Who belongs in a batch, and one open case per person and trip.

A roster's rows are checked, before anything is stored, against what the desk
already holds (:func:`refusals`); each row refused is named with its row,
column, value and why (:class:`Refusal`):

- **employer** (``employer_not_in_batch``, ``employer_not_filer``): a row's
  ``employer`` is matched to an organization of the desk by name, ignoring case
  and spaces, in English or Korean (:func:`org_key`). When the batch's sponsor
  files, the employer must be the sponsor or a subcontractor invited into the
  batch; an employer that is no organization of the desk (a foreign equipment
  vendor's technicians) is the sponsor's to file. A subcontractor files only its
  own staff: any other employer is refused. A blank employer is the filer's own.
- **sponsor** (``sponsor_not_batch``): a ``sponsor`` cell that does not name the
  batch's sponsor (another sponsor's staff in a roster whose project cell was
  left blank).
- **one open case per person and trip** (``open_case``, ``open_case_elsewhere``,
  ``open_trip``, ``same_person_in_roster``): the same person is the same passport number
  (compared on its blind index, :func:`passport_indexes`), or, when either side
  has no passport number, the same ``worker_id`` within the sponsor. A row is
  refused when that person already has a trip whose dates overlap it and that is
  still open (a case in an open state, or no case yet in a batch still open), in
  any batch of any sponsor; the trip the row itself updates (same batch, same
  filer, same worker id) is not a conflict: re-uploading stays an update. The
  existing case is named by id when the uploader may see it, else only said to be
  another organization's.

Checking and writing are one transaction under locks: the batch and the filer
(:mod:`visadesk.desk.uploads`) and, on PostgreSQL, a transaction advisory lock
per identity bucket (:func:`lock_identities`), so two uploads of one person by
two filers (or two sponsors) take turns and the second sees the first's trip.
SQLite holds one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal
from visadesk.desk.crypto import Keyring, keyring
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Batch, BatchMember, Case, Organization, Person, Trip
from visadesk.desk.workflow import OPEN_STATES
from visadesk.engine import ScreeningResult
from visadesk.i18n import t
from visadesk.roster.sensitive import mask_value, scrub

__all__ = [
    "REFUSAL_CODES",
    "Refusal",
    "RowsRefusedError",
    "lock_identities",
    "org_key",
    "passport_index",
    "passport_indexes",
    "passport_key",
    "refusals",
    "reindex_connection",
]

REFUSAL_CODES: Final = (
    "employer_not_in_batch",
    "employer_not_filer",
    "sponsor_not_batch",
    "open_case",
    "open_case_elsewhere",
    "open_trip",
    "same_person_in_roster",
)
#: PostgreSQL advisory locks: the first key (``"vd"``), and how many buckets identities
#: hash into (a lock per bucket, so a roster of thousands takes at most this many).
_LOCK_SPACE: Final = 0x7664
_BUCKETS: Final = 128
_CHUNK: Final = 500


# -- identities -------------------------------------------------------------------------------


def passport_key(number: str) -> str:
    """A passport number as compared: Unicode-normalized, upper case, no spaces or dashes."""
    text = unicodedata.normalize("NFKC", number).upper()
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")


def passport_indexes(number: str | None, ring: Keyring | None = None) -> tuple[str, ...]:
    """The blind indexes a stored person with this passport number may carry (newest
    key first); none for a blank number."""
    if number is None or not passport_key(number):
        return ()
    return (ring or keyring()).blind_indexes(passport_key(number))


def passport_index(number: str | None, ring: Keyring | None = None) -> str | None:
    """The blind index written for a passport number (under the newest data key)."""
    found = passport_indexes(number, ring)
    return found[0] if found else None


def org_key(name: str) -> str:
    """An organization's name as matched: normalized, case-folded, without spaces."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in text if not ch.isspace())


def reindex_connection(connection: sa.Connection, ring: Keyring | None = None) -> int:
    """Write every person's passport index under the newest key; how many rows changed.

    Reads the stored ciphertext (raw columns, not the ORM's type) and decrypts it with
    ``ring`` (the installed keyring if not given): the migration that adds the column
    and the key rotation both call it.
    """
    ring = ring or keyring()
    person = sa.table(
        "person", sa.column("id"), sa.column("passport_number"), sa.column("passport_index")
    )
    changed = []
    for pid, stored, index in connection.execute(
        select(person.c.id, person.c.passport_number, person.c.passport_index)
    ):
        plain = None if stored is None else ring.decrypt(str(stored))
        new = passport_index(plain, ring)
        if new != index:
            changed.append({"row_id": pid, "new_index": new})
    statement = (
        sa.update(person)
        .where(person.c.id == sa.bindparam("row_id"))
        .values(passport_index=sa.bindparam("new_index"))
    )
    for first in range(0, len(changed), _CHUNK):
        connection.execute(statement, changed[first : first + _CHUNK])
    return len(changed)


# -- refusals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One cell that keeps a row out of the batch: row, column, value (masked where
    sensitive), a stable code, what fills the message, and the existing case if the
    uploader may see it."""

    row: int | None
    column: str
    value: str
    code: str
    params: Mapping[str, str] = field(default_factory=dict)
    case_id: int | None = None
    #: The row's worker id, so that a reader finds the person without the file at hand.
    worker_id: str = ""

    def reason(self, lang: str = "en") -> str:
        """Why, without where (a list that shows row and column beside it)."""
        return t(f"integrity.refused.{self.code}", lang, value=self.value, **self.params)

    def message(self, lang: str = "en") -> str:
        if self.row is None:
            where = t("roster.where.column", lang, column=self.column)
        else:
            where = t("roster.where.cell", lang, row=self.row, column=self.column)
        return f"{where}: {self.reason(lang)}"

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "case_id": self.case_id,
            "worker_id": self.worker_id,
            "message": self.message(lang),
        }


class RowsRefusedError(DeskError):
    """422 ``roster_refused``: rows that do not belong in the batch; nothing was filed."""

    def __init__(self, found: Sequence[Refusal], *, rows: int) -> None:
        self.refusals = tuple(found)
        refused = len({r.row for r in found})
        details: list[Mapping[str, Any]] = [r.as_json() for r in found]
        super().__init__("roster_refused", 422, details=details, count=refused, rows=rows)

    def details_in(self, lang: str) -> list[Mapping[str, Any]]:
        return [r.as_json(lang) for r in self.refusals]


@dataclass(frozen=True)
class _Org:
    id: int
    name: str


@dataclass(frozen=True)
class _Known:
    """A stored trip that may be one of the roster's people's."""

    trip_id: int
    batch_id: int
    person_org: int
    org_id: int
    sponsor_id: int
    worker_id: str
    start: dt.date
    end: dt.date
    passport_index: str | None
    live: bool = False
    case: tuple[int, int, int] | None = None  # (id, sponsor, org) of its open case


def _text(facts: Mapping[str, object], name: str) -> str | None:
    value = facts.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _organizations(session: Session) -> dict[str, _Org]:
    found: dict[str, _Org] = {}
    for oid, name, name_ko in session.execute(
        select(Organization.id, Organization.name, Organization.name_ko).order_by(Organization.id)
    ):
        for label in (name, name_ko):
            if label:
                found.setdefault(org_key(label), _Org(oid, name))
    return found


def _membership(
    session: Session, actor: Principal, batch: Batch, filer: int, rows: Sequence[ScreeningResult]
) -> list[Refusal]:
    orgs = _organizations(session)
    names = {o.id: o.name for o in orgs.values()}
    sponsor_keys = {k for k, o in orgs.items() if o.id == batch.sponsor_id}
    sub = actor.kind == "subcontractor"
    invited = set(
        session.scalars(select(BatchMember.org_id).where(BatchMember.batch_id == batch.id))
    )
    allowed = {filer} if sub else {batch.sponsor_id, *invited}
    expected = ", ".join(names[o] for o in sorted(allowed, key=lambda o: (o != filer, o)))
    found: list[Refusal] = []
    for r in rows:
        employer = _text(r.facts, "employer")
        if employer is not None:
            org = orgs.get(org_key(employer))
            if (org is None and sub) or (org is not None and org.id not in allowed):
                code = "employer_not_filer" if sub else "employer_not_in_batch"
                found.append(
                    Refusal(r.row, "employer", scrub(employer), code, {"expected": expected})
                )
        sponsor = _text(r.facts, "sponsor")
        if sponsor is not None and org_key(sponsor) not in sponsor_keys:
            params = {"expected": names[batch.sponsor_id]}
            found.append(Refusal(r.row, "sponsor", scrub(sponsor), "sponsor_not_batch", params))
    return found


def _known_trips(
    session: Session, sponsor_id: int, indexes: set[str], worker_ids: set[str]
) -> list[_Known]:
    """The stored trips of the same passports (any sponsor) or worker ids (this sponsor)."""
    columns = (
        Trip.id,
        Trip.batch_id,
        Person.org_id,
        Trip.org_id,
        Trip.sponsor_id,
        Trip.worker_id,
        Trip.trip_start,
        Trip.trip_end,
        Person.passport_index,
    )
    base = select(*columns).join(Person, Person.id == Trip.person_id)
    found: dict[int, _Known] = {}
    wheres: list[sa.ColumnElement[bool]] = [
        Person.passport_index.in_(c) for c in _chunks(sorted(indexes))
    ]
    wheres += [
        sa.and_(Trip.sponsor_id == sponsor_id, Trip.worker_id.in_(c))
        for c in _chunks(sorted(worker_ids))
    ]
    for where in wheres:
        for row in session.execute(base.where(where)):
            found.setdefault(row[0], _Known(*row))
    if not found:
        return []
    ids = sorted(found)
    open_cases: dict[int, tuple[int, int, int]] = {}
    with_case: set[int] = set()
    for chunk in _chunks(ids):
        stmt = select(Case.trip_id, Case.id, Case.state, Case.sponsor_id, Case.org_id).where(
            Case.trip_id.in_(chunk)
        )
        for trip_id, cid, state, sponsor, org in session.execute(stmt.order_by(Case.id)):
            with_case.add(trip_id)
            if state in OPEN_STATES:
                open_cases.setdefault(trip_id, (cid, sponsor, org))
    batches = {k.batch_id for k in found.values()}
    open_batches = set(
        session.scalars(select(Batch.id).where(Batch.id.in_(batches), Batch.state == "open"))
    )
    live = []
    for k in found.values():
        is_live = k.trip_id in open_cases or (
            k.trip_id not in with_case and k.batch_id in open_batches
        )
        if is_live:
            live.append(replace(k, live=True, case=open_cases.get(k.trip_id)))
    return live


def _sees(actor: Principal, sponsor_id: int, org_id: int) -> bool:
    if actor.is_desk:
        return True
    return (sponsor_id if actor.kind == "sponsor" else org_id) == actor.org_id


def _dates(r: ScreeningResult) -> tuple[dt.date, dt.date]:
    start, end = r.facts["trip_start"], r.facts["trip_end"]
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    return start, end


def _duplicates(
    actor: Principal, batch: Batch, filer: int, rows: Sequence[ScreeningResult], session: Session
) -> list[Refusal]:
    indexes = {r.row: set(passport_indexes(_text(r.facts, "passport_number"))) for r in rows}
    known = _known_trips(
        session,
        batch.sponsor_id,
        set().union(*indexes.values()) if indexes else set(),
        {r.worker_id for r in rows},
    )
    by_passport: dict[str, list[_Known]] = defaultdict(list)
    by_worker: dict[str, list[_Known]] = defaultdict(list)
    for k in known:
        if k.passport_index:
            by_passport[k.passport_index].append(k)
        if k.sponsor_id == batch.sponsor_id:
            by_worker[k.worker_id].append(k)
    found: list[Refusal] = []
    seen: dict[str, tuple[int | None, dt.date, dt.date]] = {}
    for r in rows:
        start, end = _dates(r)
        mine = indexes[r.row]
        passport = _text(r.facts, "passport_number")
        candidates = [k for i in mine for k in by_passport.get(i, [])]
        candidates += [k for k in by_worker.get(r.worker_id, []) if not (mine and k.passport_index)]
        refusal = _conflict(
            actor, batch, filer, r, candidates=candidates, passport=passport, start=start, end=end
        )
        if refusal is None and mine:
            first = sorted(mine)[0]
            earlier = seen.get(first)
            if earlier is not None and earlier[1] <= end and start <= earlier[2]:
                refusal = Refusal(
                    r.row,
                    "passport_number",
                    mask_value(passport or ""),
                    "same_person_in_roster",
                    {"other_row": str(earlier[0])},
                )
            seen.setdefault(first, (r.row, start, end))
        if refusal is not None:
            found.append(refusal)
    return found


def _conflict(
    actor: Principal,
    batch: Batch,
    filer: int,
    r: ScreeningResult,
    *,
    candidates: Iterable[_Known],
    passport: str | None,
    start: dt.date,
    end: dt.date,
) -> Refusal | None:
    for k in sorted(set(candidates), key=lambda k: k.trip_id):
        own = k.batch_id == batch.id and k.person_org == filer and k.worker_id == r.worker_id
        if own or not (k.start <= end and start <= k.end):
            continue
        by_passport = passport is not None and k.passport_index is not None
        column = "passport_number" if by_passport else "worker_id"
        value = mask_value(passport or "") if by_passport else r.worker_id
        sponsor, org = (k.case[1], k.case[2]) if k.case else (k.sponsor_id, k.org_id)
        if not _sees(actor, sponsor, org):
            return Refusal(r.row, column, value, "open_case_elsewhere")
        params = {"batch": str(k.batch_id), "start": k.start.isoformat(), "end": k.end.isoformat()}
        if k.case is None:  # filed, no case opened yet (no category recommended)
            return Refusal(r.row, column, value, "open_trip", params)
        params["case"] = str(k.case[0])
        return Refusal(r.row, column, value, "open_case", params, k.case[0])
    return None


def refusals(
    session: Session,
    actor: Principal,
    batch: Batch,
    filer: int,
    rows: Sequence[ScreeningResult],
) -> list[Refusal]:
    """Every refused cell of ``rows`` for ``batch`` (see the module), in row order.

    A row refused for its employer or sponsor is not looked up for duplicates (it
    does not belong here at all); the rest are.
    """
    membership = _membership(session, actor, batch, filer, rows)
    outside = {r.row for r in membership}
    inside = [r for r in rows if r.row not in outside]
    duplicates = _duplicates(actor, batch, filer, inside, session)
    workers = {r.row: r.worker_id for r in rows}
    found = [replace(f, worker_id=workers.get(f.row, "")) for f in (*membership, *duplicates)]
    return sorted(found, key=lambda r: (r.row or 0, r.column))


def lock_identities(session: Session, sponsor_id: int, rows: Sequence[ScreeningResult]) -> None:
    """On PostgreSQL, take (in one order) the advisory lock of each identity bucket of
    ``rows`` until the transaction ends: uploads of one person take turns."""
    if session.get_bind().dialect.name != "postgresql":
        return
    buckets: set[int] = set()
    for r in rows:
        keys = [f"w:{sponsor_id}:{r.worker_id}"]
        keys += [f"p:{i}" for i in passport_indexes(_text(r.facts, "passport_number"))]
        for key in keys:
            digest = hashlib.sha256(key.encode()).digest()
            buckets.add(int.from_bytes(digest[:4], "big") % _BUCKETS)
    for bucket in sorted(buckets):
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:space, :bucket)"),
            {"space": _LOCK_SPACE, "bucket": bucket},
        )


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]
