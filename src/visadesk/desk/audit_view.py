"""The audit log as an auditor reads it: filtered, paged, verified, exported.

One operation per thing the audit page (``/audit``) and the API
(``/api/v1/audit/entries``) do, both for the roles with ``audit.log`` (the
auditor and the desk admin):

- :func:`parse_filter`: the filter's fields as typed (dates, actor, action or
  family, object kind and id); every problem at once, each naming the field,
  the value and what was expected (:class:`DeskError` ``audit_filter``).
- :func:`entries`: one page of the filtered log, newest first, each entry with
  its actor shown masked (:func:`masked_email`: the e-mail's first characters and
  its domain, the role and the organization), never a name.
- :func:`verify`: the same walk as ``visadesk audit verify`` (:func:`audit.check`,
  held against the anchor log when ``VISADESK_AUDIT_ANCHOR`` is set), each
  problem in the reader's language (:func:`problem_message`).
- :func:`export_rows`, :func:`to_csv`, :func:`to_jsonl`: the whole filtered log
  (up to :data:`MAX_EXPORT` entries) as CSV (headers in the reader's language,
  cells never formulas) or JSON Lines (stable English field names).

Entries hold ids and codes only (see :mod:`visadesk.desk.audit`); their data is
passed through :func:`visadesk.roster.sensitive.scrub` all the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Select, String, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.audit import AuditProblem, AuditReport
from visadesk.desk.authz import Principal, require
from visadesk.desk.config import Settings
from visadesk.desk.errors import DeskError
from visadesk.desk.models import AuditEntry, Document, Organization, User
from visadesk.i18n import t
from visadesk.roster.sensitive import mask_value, scrub
from visadesk.safecells import csv_row

__all__ = [
    "EXPORT_FIELDS",
    "EXPORT_KINDS",
    "MAX_EXPORT",
    "PER_PAGE",
    "AuditFilter",
    "AuditPage",
    "Choices",
    "Export",
    "ShownEntry",
    "Verification",
    "choices",
    "entries",
    "export",
    "export_rows",
    "masked_email",
    "parse_filter",
    "problem_message",
    "to_csv",
    "to_jsonl",
    "verify",
]

PER_PAGE: Final = 50
#: The most entries one export holds; a larger log is exported by narrower filters.
MAX_EXPORT: Final = 100_000
#: Seoul: the desk's days (a date filter means a whole day in Korea).
KST: Final = dt.timezone(dt.timedelta(hours=9), "KST")
#: The export's fields, in order (JSON Lines keys; the CSV's headers are translated).
EXPORT_FIELDS: Final = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "actor_role",
    "actor_org",
    "action",
    "entity",
    "entity_id",
    "data",
    "key_id",
    "hash",
)
_NAME: Final = re.compile(r"^[a-z_]{1,32}(\.[a-z_]{1,32})?$")
_OBJECT_ID: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
#: ``actor`` meaning the command line (entries with no user).
SYSTEM_ACTOR: Final = "system"


@dataclass(frozen=True)
class AuditFilter:
    """Which entries: all given conditions hold (none given: the whole log)."""

    since: dt.date | None = None
    until: dt.date | None = None
    #: a user id, an e-mail (any case), or :data:`SYSTEM_ACTOR`
    actor: str | None = None
    #: an action (``case.transition``) or a family (``case``: every ``case.*``)
    action: str | None = None
    #: the kind of object (``case``, ``document``, ``user``, ...); with ``case``, the
    #: entries about the case's documents are included
    entity: str | None = None
    entity_id: str | None = None

    def as_params(self) -> dict[str, str]:
        """The filter as query parameters (empty ones left out), for links and exports."""
        raw = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "actor": self.actor or "",
            "action": self.action or "",
            "entity": self.entity or "",
            "entity_id": self.entity_id or "",
        }
        return {k: v for k, v in raw.items() if v}


def _problem(lang: str, name: str, value: str, expected: str) -> dict[str, str]:
    return {
        "field": name,
        "value": value,
        "expected": expected,
        "message": t(
            "audit_view.problem",
            lang,
            field=t(f"audit_view.field.{name}", lang),
            value=value,
            expected=t(f"audit_view.expected.{expected}", lang),
        ),
    }


def _day(raw: str, name: str, problems: list[dict[str, str]], lang: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(_problem(lang, name, raw, "date"))
        return None


def parse_filter(
    *,
    since: str = "",
    until: str = "",
    actor: str = "",
    action: str = "",
    entity: str = "",
    entity_id: str = "",
    lang: str = "en",
) -> AuditFilter:
    """The filter from what was typed; :class:`DeskError` ``audit_filter`` naming every problem."""
    since, until, actor = since.strip()[:40], until.strip()[:40], actor.strip()[:254]
    action, entity, entity_id = action.strip()[:80], entity.strip()[:40], entity_id.strip()[:80]
    problems: list[dict[str, str]] = []
    first, last = _day(since, "since", problems, lang), _day(until, "until", problems, lang)
    if first and last and last < first:
        problems.append(_problem(lang, "until", until, "after_since"))
    if actor and not (actor.isdigit() or "@" in actor or actor.lower() == SYSTEM_ACTOR):
        problems.append(_problem(lang, "actor", actor, "actor"))
    if action and not _NAME.match(action):
        problems.append(_problem(lang, "action", action, "action"))
    if entity and not re.fullmatch(r"[a-z_]{1,32}", entity):
        problems.append(_problem(lang, "entity", entity, "entity"))
    if entity_id and not _OBJECT_ID.match(entity_id):
        problems.append(_problem(lang, "entity_id", entity_id, "object_id"))
    if problems:
        raise DeskError(
            "audit_filter",
            422,
            details=list[Mapping[str, Any]](problems),
            count=len(problems),
            problems=" ".join(p["message"] for p in problems),
        )
    return AuditFilter(
        first, last, actor or None, action or None, entity or None, entity_id or None
    )


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), KST).astimezone(dt.UTC)


def _actor_condition(session: Session, actor: str) -> Any:
    if actor.lower() == SYSTEM_ACTOR:
        return AuditEntry.actor_id.is_(None)
    if actor.isdigit():
        return AuditEntry.actor_id == int(actor)
    user_id = session.scalar(select(User.id).where(func.lower(User.email) == actor.lower()))
    return AuditEntry.actor_id == user_id if user_id is not None else false()


def _filtered(session: Session, f: AuditFilter) -> Select[Any]:
    stmt = select(AuditEntry)
    if f.since:
        stmt = stmt.where(AuditEntry.at >= _start_of(f.since))
    if f.until:
        stmt = stmt.where(AuditEntry.at < _start_of(f.until + dt.timedelta(days=1)))
    if f.actor:
        stmt = stmt.where(_actor_condition(session, f.actor))
    if f.action:
        if "." in f.action:
            stmt = stmt.where(AuditEntry.action == f.action)
        else:
            stmt = stmt.where(AuditEntry.action.like(f.action + ".%"))
    if f.entity or f.entity_id:
        stmt = stmt.where(_object_condition(f))
    return stmt


def _object_condition(f: AuditFilter) -> Any:
    about = []
    if f.entity:
        about.append(AuditEntry.entity == f.entity)
    if f.entity_id:
        about.append(AuditEntry.entity_id == f.entity_id)
    condition = and_(*about)
    if f.entity == "case" and f.entity_id and f.entity_id.isdigit():
        # A case's documents are its story too (their uploads and reviews).
        documents = select(cast(Document.id, String)).where(Document.case_id == int(f.entity_id))
        of_case = and_(AuditEntry.entity == "document", AuditEntry.entity_id.in_(documents))
        condition = or_(condition, of_case)
    return condition


def masked_email(email: str) -> str:
    """An e-mail as lists show it: the first characters of its local part, its domain."""
    local, at, domain = email.partition("@")
    return mask_value(local) + at + domain


@dataclass(frozen=True)
class ShownEntry:
    seq: int
    at: dt.datetime
    actor_id: int | None
    #: the actor's e-mail, masked; "" for the command line
    actor: str
    actor_role: str
    actor_org: str
    action: str
    entity: str
    entity_id: str
    data: dict[str, Any]
    key_id: str | None
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "actor_role": self.actor_role,
            "actor_org": self.actor_org,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "data": self.data,
            "key_id": self.key_id,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class AuditPage:
    items: list[ShownEntry]
    total: int
    page: int
    pages: int
    per_page: int


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _shown(session: Session, rows: Sequence[AuditEntry]) -> list[ShownEntry]:
    ids = {r.actor_id for r in rows if r.actor_id is not None}
    people: dict[int, tuple[str, str, str]] = {}
    if ids:
        found = session.execute(
            select(User.id, User.email, User.role, Organization.name)
            .join(Organization, Organization.id == User.org_id)
            .where(User.id.in_(ids))
        )
        people = {uid: (masked_email(email), role, org) for uid, email, role, org in found}
    shown = []
    for r in rows:
        actor, role, org = people.get(r.actor_id, ("", "", "")) if r.actor_id else ("", "", "")
        shown.append(
            ShownEntry(
                r.seq,
                r.at,
                r.actor_id,
                actor,
                role,
                org,
                r.action,
                r.entity,
                r.entity_id,
                _scrubbed(dict(r.data)),
                r.key_id,
                r.hash,
            )
        )
    return shown


def entries(
    session: Session, actor: Principal, f: AuditFilter, *, page: int = 1, per_page: int = PER_PAGE
) -> AuditPage:
    """One page of the filtered log, newest first."""
    require(actor, "audit.log")
    stmt = _filtered(session, f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    rows = session.scalars(
        stmt.order_by(AuditEntry.seq.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return AuditPage(_shown(session, rows), total, page, pages, per_page)


@dataclass(frozen=True)
class Choices:
    """What the filter's lists offer: the actions and object kinds the log holds."""

    actions: list[str]
    families: list[str]
    entities: list[str]


def choices(session: Session, actor: Principal) -> Choices:
    require(actor, "audit.log")
    actions = sorted(session.scalars(select(AuditEntry.action).distinct()))
    entities = sorted(session.scalars(select(AuditEntry.entity).distinct()))
    families = sorted({a.split(".", 1)[0] for a in actions if "." in a})
    return Choices(actions, families, entities)


def export_rows(session: Session, actor: Principal, f: AuditFilter) -> list[ShownEntry]:
    """Every entry the filter selects, oldest first; refused above :data:`MAX_EXPORT`."""
    require(actor, "audit.log")
    stmt = _filtered(session, f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if total > MAX_EXPORT:
        raise DeskError("audit_export_too_large", 422, count=total, maximum=MAX_EXPORT)
    rows = session.scalars(stmt.order_by(AuditEntry.seq)).all()
    return _shown(session, rows)


def _data_text(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def to_csv(rows: Iterable[ShownEntry], lang: str) -> bytes:
    """CSV with a BOM (Excel reads UTF-8 then), headers in ``lang``, no cell a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(f"audit_view.col.{name}", lang) for name in EXPORT_FIELDS])
    for row in rows:
        values = row.as_json()
        values["data"] = _data_text(row.data)
        writer.writerow(csv_row(["" if values[n] is None else values[n] for n in EXPORT_FIELDS]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_jsonl(rows: Iterable[ShownEntry]) -> bytes:
    """One JSON object a line, the fields of :data:`EXPORT_FIELDS`."""
    return "".join(
        json.dumps(r.as_json(), ensure_ascii=False, sort_keys=False) + "\n" for r in rows
    ).encode("utf-8")


# -- verification -------------------------------------------------------------------------

_PROBLEM_KEYS: Final[dict[str, Callable[[str, int], str]]] = {
    "edited": lambda lang, seq: t("desk_cli.audit.edited", lang, seq=seq),
    "deleted": lambda lang, seq: t("desk_cli.audit.deleted", lang, seq=seq),
    "inserted": lambda lang, seq: t("desk_cli.audit.inserted", lang, seq=seq),
    "truncated": lambda lang, seq: t("desk_cli.audit.truncated", lang, seq=seq),
}


def problem_message(problem: AuditProblem, lang: str) -> str:
    """One problem the chain's check found, in the words ``visadesk audit verify`` prints."""
    if problem.source:  # a checkpoint's problem
        return t(
            f"audit.verify.checkpoint_{problem.kind}", lang, seq=problem.seq, source=problem.source
        )
    if problem.kind in _PROBLEM_KEYS:
        return _PROBLEM_KEYS[problem.kind](lang, problem.seq)
    return t(f"audit.verify.{problem.kind}", lang, seq=problem.seq, detail=problem.detail)


@dataclass(frozen=True)
class Verification:
    """What verifying the chain found, with each problem in words."""

    report: AuditReport
    checkpoints: int
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.report.intact


def verify(session: Session, actor: Principal, settings: Settings, lang: str) -> Verification:
    """Walk the chain with the session's audit keys, and against the anchor log if one is
    configured and exists: what ``visadesk audit verify`` does."""
    require(actor, "audit.log")
    marks: list[tuple[str, audit.Checkpoint]] = []
    anchor = settings.audit_anchor
    if anchor is not None and anchor.is_file():
        marks = audit.read_checkpoints(anchor)
    report = audit.check(session, None, marks)
    return Verification(report, len(marks), [problem_message(p, lang) for p in report.problems])


#: The export formats: CSV for a spreadsheet, JSON Lines for a program.
EXPORT_KINDS: Final = ("csv", "jsonl")


@dataclass(frozen=True)
class Export:
    body: bytes
    media_type: str
    filename: str


def export(session: Session, actor: Principal, f: AuditFilter, kind: str, lang: str) -> Export:
    """The filtered log as a file of ``kind`` (:data:`EXPORT_KINDS`)."""
    if kind not in EXPORT_KINDS:
        raise DeskError(
            "invalid_choice", 422, field="format", value=kind, choices=", ".join(EXPORT_KINDS)
        )
    rows = export_rows(session, actor, f)
    if kind == "jsonl":
        return Export(to_jsonl(rows), "application/x-ndjson", "visadesk-audit.jsonl")
    return Export(to_csv(rows, lang), "text/csv; charset=utf-8", "visadesk-audit.csv")
