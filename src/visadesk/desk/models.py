"""The desk's tables (SQLAlchemy 2 declarative, typed).

Tenancy: every row a sponsor or subcontractor may see carries the organization
that owns it (``org_id``) and, for batch content, the batch's sponsor
(``sponsor_id``), so the query layer (:mod:`visadesk.desk.authz`) filters on
columns of the row itself. Personal data (passport number, birth date) is
stored encrypted (:class:`~visadesk.desk.crypto.Encrypted`); resident
registration numbers are never accepted (the roster reader refuses them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from visadesk.desk import clock
from visadesk.desk.crypto import Encrypted

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Batch",
    "BatchMember",
    "Case",
    "CaseEvent",
    "Document",
    "LoginAttempt",
    "Organization",
    "Person",
    "Project",
    "Screening",
    "SponsorLink",
    "Trip",
    "User",
    "utcnow",
]

NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return clock.utcnow()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored as UTC and read back timezone-aware, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's declared mapping
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Organization(Base):
    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # desk | sponsor | subcontractor
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_ko: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SponsorLink(Base):
    """A subcontractor working for a sponsor."""

    __tablename__ = "sponsor_link"
    __table_args__ = (UniqueConstraint("sponsor_id", "subcontractor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    subcontractor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    org: Mapped[Organization] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token or a browser session; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # bearer | session | reset
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: SHA-256 of the user's password hash when the token was issued: a password changed
    #: by any means (even in the database) no longer matches, and the token stops working.
    password_tag: Mapped[str | None] = mapped_column(String(64))


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_at", "email", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("sponsor_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    worksite: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str] = mapped_column(String(32))
    investment_usd: Mapped[int | None] = mapped_column(BigInteger)
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Person(Base):
    """A traveller, owned by the organization that filed them (their employer's filer)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("org_id", "worker_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    name_ko: Mapped[str | None] = mapped_column(String(100))
    nationality: Mapped[str | None] = mapped_column(String(2))
    passport_number: Mapped[str | None] = mapped_column(Encrypted(400))
    birth_date: Mapped[str | None] = mapped_column(Encrypted(400))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: The passport number's blind index (:meth:`~visadesk.desk.crypto.Keyring.blind_indexes`,
    #: normalized by :func:`visadesk.desk.integrity.passport_key`): one person across filers.
    passport_index: Mapped[str | None] = mapped_column(String(64), index=True)


class Batch(Base):
    """A sponsor's filing: its own staff and its invited subcontractors' staff."""

    __tablename__ = "batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | submitted
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    project: Mapped[Project] = relationship(lazy="joined")


class BatchMember(Base):
    """A subcontractor invited into a batch."""

    __tablename__ = "batch_member"
    __table_args__ = (UniqueConstraint("batch_id", "org_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    invited_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    invited_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Trip(Base):
    """One person's planned trip in a batch; re-uploading the same worker_id updates it."""

    __tablename__ = "trip"
    __table_args__ = (UniqueConstraint("batch_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    source_row: Mapped[int | None] = mapped_column(Integer)
    trip_start: Mapped[dt.date]
    trip_end: Mapped[dt.date]
    #: Every roster fact but the encrypted ones (JSON: dates ISO, activities a list).
    facts: Mapped[dict[str, Any]]
    screening_id: Mapped[int | None] = mapped_column(
        ForeignKey("screening.id", use_alter=True, name="fk_trip_screening_id_screening")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    person: Mapped[Person] = relationship(lazy="joined")
    screening: Mapped[Screening | None] = relationship(
        lazy="joined", foreign_keys=[screening_id], post_update=True
    )


class Screening(Base):
    """A screening result of a trip, with the rule set version that produced it."""

    __tablename__ = "screening"
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id"), index=True)
    policy_version: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[dt.date]
    recommended: Mapped[str | None] = mapped_column(String(16))
    ready_by: Mapped[dt.date | None]
    #: category id -> status (eligible | needs_info | not_eligible)
    statuses: Mapped[dict[str, Any]]
    #: category id -> the provision ids the verdict rests on (for document checklists)
    basis: Mapped[dict[str, Any]]
    #: the contract row (docs/roster.md) with English messages; rule ids resolve other languages
    result: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Case(Base):
    """A trip x the category applied for, moving through the workflow."""

    __tablename__ = "visa_case"
    __table_args__ = (
        UniqueConstraint("trip_id", "category"),
        # The queue reads pages in urgency order, whole or narrowed by one column: each
        # such column leads an index that ends in the queue's order, so a page is read
        # in order from the index instead of sorting every matching case (these also
        # serve plain lookups by their first column, and foreign-key checks).
        Index("ix_visa_case_urgency", "urgency_date", "id"),
        Index("ix_visa_case_queue", "state", "urgency_date", "id"),
        Index("ix_visa_case_org_queue", "org_id", "urgency_date", "id"),
        Index("ix_visa_case_sponsor_queue", "sponsor_id", "urgency_date", "id"),
        Index("ix_visa_case_project_queue", "project_id", "urgency_date", "id"),
        Index("ix_visa_case_sector_queue", "sector", "urgency_date", "id"),
        Index("ix_visa_case_category_queue", "category", "urgency_date", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    sector: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), default="draft")
    #: Trip start: the date the visa must be in hand by.
    trip_start: Mapped[dt.date]
    #: When the visa can be in hand if processing starts now (screening's ready_by).
    ready_by: Mapped[dt.date | None]
    #: Days of slack (trip_start - ready_by); the queue sorts on it, least first.
    urgency_date: Mapped[dt.date]
    interview_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    #: approved | refused, kept after the case moves on (issued, travelled, closed).
    decision: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[dt.datetime | None]
    annotation_en: Mapped[str | None] = mapped_column(Text)
    annotation_ko: Mapped[str | None] = mapped_column(Text)
    search: Mapped[str] = mapped_column(String(400), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: The desk user the case is assigned to (issue #12: the queue's "my cases"); NULL: nobody.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    trip: Mapped[Trip] = relationship(lazy="raise")
    # Every ORM UPDATE of a case names the version it was read at (WHERE ... AND
    # version = :read); no row matched raises StaleDataError (desk.locking). The
    # writers set the version themselves: a state change moves it by one.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class CaseEvent(Base):
    """One transition of a case: who, when, from, to, why."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("visa_case.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")


class Document(Base):
    """An uploaded supporting document; the bytes live on disk under their SHA-256."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("visa_case.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")


class AuditHead(Base):
    """One row: the chain's last sequence number and hash (locked while appending)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """Append-only, hash-chained: hash = HMAC-SHA256 under the audit key ``key_id`` of the
    previous hash + this entry's canonical JSON (``key_id`` NULL: a legacy SHA-256 entry)."""

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))


class CaseRefusal(Base):
    """The ground of a refusal, kept with the case event that refused the case (issue #12):
    the ground and sub-ground ids of ``rules/baseline/refusals.yaml``, the citation as it
    read then, and for INA 221(g) the items missing (checklist ids, and items typed).
    The officer's comment is the event's."""

    __tablename__ = "case_refusal"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("visa_case.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"), unique=True)
    ground: Mapped[str] = mapped_column(String(32))
    sub_ground: Mapped[str | None] = mapped_column(String(32))
    citation: Mapped[str] = mapped_column(String(100))
    items: Mapped[list[Any]]
    other_items: Mapped[list[Any]]


# -- document requests and notifications (issue #12, section 5) ------------------------------


class DocumentRequest(Base):
    """An officer's request for documents on a case: ticked checklist items (and
    free-text extras), with a note. One request is open per case at a time; a further
    request adds its items to the open one."""

    __tablename__ = "document_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("visa_case.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    #: open | closed (every item accepted, or the case decided)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]


class DocumentRequestItem(Base):
    """One requested item: a checklist kind (``label`` empty), or a free-text extra
    (``kind`` is ``extra_<id>``, ``label`` the officer's words)."""

    __tablename__ = "document_request_item"
    __table_args__ = (UniqueConstraint("request_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("document_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Notification(Base):
    """An in-app notice to one user: a message id and its parameters (rendered in the
    reader's language when read, never stored as text), about a case."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("visa_case.id"), index=True)
    message: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
