"""Who may do what, and which rows each organization sees: least privilege, in one place.

``PERMISSIONS`` maps each role to the actions it may take (case transitions
are in :mod:`visadesk.desk.workflow`). Tenant isolation is applied in the
query layer: every read of tenant data goes through a ``scope_*`` function,
which filters on the row's own ``org_id``/``sponsor_id``. A row outside the
caller's scope is indistinguishable from one that does not exist (404).

- Desk roles and the auditor see every row.
- A sponsor sees its own rows and its subcontractors' rows in its batches.
- A subcontractor sees only its own staff (and the batches and projects it
  was invited into).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, get_args

from sqlalchemy import ColumnElement, Select, or_, select

from visadesk.desk.errors import DeskError
from visadesk.desk.models import (
    Batch,
    BatchMember,
    Case,
    Document,
    Organization,
    Project,
    SponsorLink,
    Trip,
    User,
)
from visadesk.desk.workflow import ROLES, Role

__all__ = [
    "DESK_ROLES",
    "ORG_KINDS",
    "PERMISSIONS",
    "Action",
    "OrgKind",
    "Principal",
    "S",
    "require",
    "scope_batches",
    "scope_cases",
    "scope_documents",
    "scope_organizations",
    "scope_projects",
    "scope_trips",
    "scope_users",
]

Action = Literal[
    "org.create",
    "org.create_subcontractor",
    "user.manage",
    "project.write",
    "batch.create",
    "batch.invite",
    "batch.submit",
    "roster.upload",
    "case.edit_draft",
    "document.upload",
    "document.review",
    "audit.read",
    "audit.checkpoint",
    "policy.rescreen",
    # reading the audit log entry by entry (the /audit page, /api/v1/audit/entries)
    "audit.log",
    "case.assign",
    "case.take",
]

DESK_ROLES: Final = frozenset({"desk_admin", "desk_supervisor", "desk_officer", "auditor"})

PERMISSIONS: Final[dict[Role, frozenset[Action]]] = {
    "desk_admin": frozenset({"org.create", "user.manage", "audit.read", "audit.log"}),
    "desk_supervisor": frozenset(
        {
            "document.review",
            "audit.read",
            "audit.checkpoint",
            "policy.rescreen",
            "case.assign",
            "case.take",
        }
    ),
    "desk_officer": frozenset({"document.review", "case.take"}),
    "auditor": frozenset({"audit.read", "audit.checkpoint", "audit.log"}),
    "sponsor_admin": frozenset(
        {
            "org.create_subcontractor",
            "user.manage",
            "project.write",
            "batch.create",
            "batch.invite",
            "batch.submit",
            "roster.upload",
            "case.edit_draft",
            "document.upload",
        }
    ),
    "sponsor_staff": frozenset({"roster.upload", "case.edit_draft", "document.upload"}),
    "subcontractor_staff": frozenset({"roster.upload", "case.edit_draft", "document.upload"}),
}
assert set(PERMISSIONS) == set(ROLES)

#: The kinds of organization: the desk itself, sponsors and their subcontractors.
OrgKind = Literal["desk", "sponsor", "subcontractor"]
ORG_KINDS: Final[tuple[OrgKind, ...]] = get_args(OrgKind)

#: Which organization kind each role belongs to.
ROLE_ORG_KIND: Final[dict[Role, OrgKind]] = {
    "desk_admin": "desk",
    "desk_supervisor": "desk",
    "desk_officer": "desk",
    "auditor": "desk",
    "sponsor_admin": "sponsor",
    "sponsor_staff": "sponsor",
    "subcontractor_staff": "subcontractor",
}


@dataclass(frozen=True)
class Principal:
    user_id: int
    org_id: int
    role: Role
    lang: str = "en"

    @property
    def kind(self) -> str:
        return ROLE_ORG_KIND[self.role]

    @property
    def is_desk(self) -> bool:
        return self.role in DESK_ROLES

    def can(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]


def require(principal: Principal, action: Action) -> None:
    if not principal.can(action):
        raise DeskError("forbidden", 403, action=action)


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _member_batches(org_id: int) -> Select[Any]:
    return select(BatchMember.batch_id).where(BatchMember.org_id == org_id)


def _scoped(stmt: S, p: Principal, *, sponsor: ColumnElement[bool], own: ColumnElement[bool]) -> S:
    """The desk sees everything, a sponsor's people the rows ``sponsor`` selects, a
    subcontractor's people those ``own`` selects."""
    if p.is_desk:
        return stmt
    return stmt.where(sponsor if p.kind == "sponsor" else own)


def scope_cases(stmt: S, p: Principal) -> S:
    return _scoped(stmt, p, sponsor=Case.sponsor_id == p.org_id, own=Case.org_id == p.org_id)


def scope_trips(stmt: S, p: Principal) -> S:
    return _scoped(stmt, p, sponsor=Trip.sponsor_id == p.org_id, own=Trip.org_id == p.org_id)


def scope_documents(stmt: S, p: Principal) -> S:
    own = Document.org_id == p.org_id
    return _scoped(stmt, p, sponsor=Document.sponsor_id == p.org_id, own=own)


def scope_batches(stmt: S, p: Principal) -> S:
    own = Batch.id.in_(_member_batches(p.org_id))
    return _scoped(stmt, p, sponsor=Batch.sponsor_id == p.org_id, own=own)


def scope_projects(stmt: S, p: Principal) -> S:
    invited = select(Batch.project_id).where(Batch.id.in_(_member_batches(p.org_id)))
    return _scoped(stmt, p, sponsor=Project.sponsor_id == p.org_id, own=Project.id.in_(invited))


_SUBS_OF: Final = SponsorLink.subcontractor_id


def scope_organizations(stmt: S, p: Principal) -> S:
    subs = select(_SUBS_OF).where(SponsorLink.sponsor_id == p.org_id)
    sponsors = select(SponsorLink.sponsor_id).where(SponsorLink.subcontractor_id == p.org_id)
    mine = Organization.id == p.org_id
    return _scoped(
        stmt,
        p,
        sponsor=or_(mine, Organization.id.in_(subs)),
        own=or_(mine, Organization.id.in_(sponsors)),
    )


def scope_users(stmt: S, p: Principal) -> S:
    if p.role in {"desk_admin", "auditor"}:
        return stmt
    if p.role == "sponsor_admin":
        subs = select(_SUBS_OF).where(SponsorLink.sponsor_id == p.org_id)
        return stmt.where(or_(User.org_id == p.org_id, User.org_id.in_(subs)))
    return stmt.where(User.org_id == p.org_id)
