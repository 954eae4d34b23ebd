"""Projects, batches and invitations; who may file a roster into a batch.

A sponsor owns its projects; a batch is one filing of a project's travellers,
open until the sponsor submits it whole. Into an open batch its sponsor and the
subcontractors it invited file rosters (:func:`may_file`: the one rule for it,
used by the upload and by the pages that offer one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal, require, scope_batches, scope_projects
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import locked
from visadesk.desk.models import Batch, BatchMember, Organization, Project, SponsorLink
from visadesk.roster.schema import SECTORS

__all__ = [
    "batch_members",
    "create_batch",
    "create_project",
    "ensure_open",
    "filer_of",
    "get_batch",
    "get_project",
    "invite",
    "list_batches",
    "list_projects",
    "lock_organization",
    "may_file",
    "organizations_named",
]


def get_project(session: Session, actor: Principal, project_id: int) -> Project:
    project = session.scalar(scope_projects(select(Project), actor).where(Project.id == project_id))
    if project is None:
        raise DeskError("not_found", 404, entity="project", id=project_id)
    return project


def list_projects(session: Session, actor: Principal) -> list[Project]:
    """The projects the actor may see, oldest first."""
    return list(session.scalars(scope_projects(select(Project), actor).order_by(Project.id)))


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
    lock_organization(session, sponsor)
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
    audit.record(session, actor, "project.create", "project", project.id)
    return project


def lock_organization(session: Session, org_id: int) -> None:
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


def list_batches(
    session: Session, actor: Principal, *, project_id: int | None = None
) -> list[Batch]:
    """The batches the actor may see (of one project, if named), newest first."""
    stmt = scope_batches(select(Batch), actor)
    if project_id is not None:
        stmt = stmt.where(Batch.project_id == project_id)
    return list(session.scalars(stmt.order_by(Batch.id.desc())))


def create_batch(session: Session, actor: Principal, *, project_id: int, name: str) -> Batch:
    require(actor, "batch.create")
    project = get_project(session, actor, project_id)
    batch = Batch(
        sponsor_id=project.sponsor_id, project_id=project.id, name=name, created_by=actor.user_id
    )
    session.add(batch)
    session.flush()
    audit.record(session, actor, "batch.create", "batch", batch.id, project=project.id)
    return batch


def ensure_open(batch: Batch) -> None:
    """Refuse (409 ``batch_not_open``) a write into a batch already submitted."""
    if batch.state != "open":
        raise DeskError("batch_not_open", 409, id=batch.id, state=batch.state)


def _invited(session: Session, batch: Batch, org_id: int) -> bool:
    member = session.scalar(
        select(BatchMember.id).where(BatchMember.batch_id == batch.id, BatchMember.org_id == org_id)
    )
    return member is not None


def may_file(session: Session, actor: Principal, batch: Batch) -> bool:
    """Whether ``actor`` files rosters into ``batch``: a user who may upload rosters, of
    the batch's sponsor or of a subcontractor invited into it (open or not)."""
    if not actor.can("roster.upload"):
        return False
    if actor.kind == "sponsor":
        return batch.sponsor_id == actor.org_id
    if actor.kind == "subcontractor":
        return _invited(session, batch, actor.org_id)
    return False


def filer_of(session: Session, actor: Principal, batch: Batch) -> int:
    """The organization ``actor`` files for in ``batch`` (:func:`may_file`); 403 for a
    user who may not upload rosters, 404 for a batch they do not file into."""
    require(actor, "roster.upload")
    if not may_file(session, actor, batch):
        raise DeskError("not_found", 404, entity="batch", id=batch.id)
    return actor.org_id


def invite(session: Session, actor: Principal, batch_id: int, org_id: int) -> BatchMember:
    """Invite one of the sponsor's subcontractors into a batch."""
    # Found before checked, here and below: a row the caller cannot see is 404 whatever its role.
    batch = get_batch(session, actor, batch_id, lock=True)
    require(actor, "batch.invite")
    ensure_open(batch)
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
        audit.record(session, actor, "batch.invite", "batch", batch.id, org=org_id)
    return member


def batch_members(session: Session, actor: Principal, batch_id: int) -> list[int]:
    """The subcontractors invited into a batch; a subcontractor learns only of itself."""
    stmt = select(BatchMember.org_id).where(BatchMember.batch_id == batch_id)
    if actor.kind == "subcontractor":
        stmt = stmt.where(BatchMember.org_id == actor.org_id)
    return list(session.scalars(stmt.order_by(BatchMember.org_id)))


def organizations_named(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(
        session.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
        ).all()
    )
