"""Organizations and users: creating them and linking subcontractors to their sponsors.

``actor`` is the principal who acts (``None``: the command line, which may do
anything): the desk creates organizations, a sponsor's administrator its
subcontractors, and its own people and its subcontractors' people. What happens
to an account afterwards is :mod:`visadesk.desk.lifecycle`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.accounts import hash_password
from visadesk.desk.authz import (
    ORG_KINDS,
    ROLE_ORG_KIND,
    Principal,
    require,
    scope_organizations,
    scope_users,
)
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import add_unique
from visadesk.desk.models import Organization, SponsorLink, User
from visadesk.desk.workflow import ROLES

__all__ = [
    "add_user",
    "create_org",
    "get_organization",
    "link_subcontractor",
    "list_organizations",
    "list_users",
]


def list_organizations(session: Session, actor: Principal) -> list[Organization]:
    """The organizations ``actor`` may see (:func:`~visadesk.desk.authz.scope_organizations`:
    a sponsor sees itself and its subcontractors, a subcontractor itself and its
    sponsors), by id."""
    stmt = scope_organizations(select(Organization), actor).order_by(Organization.id)
    return list(session.scalars(stmt))


def get_organization(session: Session, actor: Principal, org_id: int) -> Organization:
    """One organization ``actor`` may see; another tenant's is not found (404), not refused."""
    stmt = scope_organizations(select(Organization), actor).where(Organization.id == org_id)
    org = session.scalar(stmt)
    if org is None:
        raise DeskError("not_found", 404, entity="organization", id=org_id)
    return org


def list_users(session: Session, actor: Principal) -> list[User]:
    """The accounts ``actor`` may see (:func:`~visadesk.desk.authz.scope_users`), by id."""
    return list(session.scalars(scope_users(select(User), actor).order_by(User.id)))


def create_org(
    session: Session,
    actor: Principal | None,
    *,
    kind: str,
    name: str,
    name_ko: str | None = None,
    sponsor_id: int | None = None,
) -> Organization:
    """A desk, sponsor or subcontractor organization (``actor`` None: the CLI)."""
    if kind not in ORG_KINDS:
        raise DeskError("invalid_value", 422, field="kind", value=kind)
    if actor is not None:
        if kind == "subcontractor" and actor.role == "sponsor_admin":
            sponsor_id = actor.org_id
        else:
            require(actor, "org.create")
    if session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        # The value is not echoed: the name may belong to another tenant.
        raise DeskError("duplicate", 409, field="name")
    org = Organization(kind=kind, name=name, name_ko=name_ko)
    add_unique(session, org, field="name", value=name)
    if kind == "subcontractor" and sponsor_id is not None:
        link_subcontractor(session, actor, sponsor_id=sponsor_id, subcontractor_id=org.id)
    audit.record(session, actor, "org.create", "organization", org.id, kind=kind)
    return org


def link_subcontractor(
    session: Session, actor: Principal | None, *, sponsor_id: int, subcontractor_id: int
) -> SponsorLink:
    sponsor = session.get(Organization, sponsor_id)
    sub = session.get(Organization, subcontractor_id)
    if sponsor is None or sponsor.kind != "sponsor":
        raise DeskError("not_found", 404, entity="organization", id=sponsor_id)
    if sub is None or sub.kind != "subcontractor":
        raise DeskError("not_found", 404, entity="organization", id=subcontractor_id)
    link = session.scalar(
        select(SponsorLink).where(
            SponsorLink.sponsor_id == sponsor_id, SponsorLink.subcontractor_id == subcontractor_id
        )
    )
    if link is None:
        link = SponsorLink(sponsor_id=sponsor_id, subcontractor_id=subcontractor_id)
        session.add(link)
        session.flush()
        audit.record(
            session, actor, "org.link", "organization", subcontractor_id, sponsor=sponsor_id
        )
    return link


def add_user(
    session: Session,
    actor: Principal | None,
    *,
    org_id: int,
    email: str,
    name: str,
    role: str,
    password: str,
    lang: str = "en",
) -> User:
    if role not in ROLES:
        raise DeskError("invalid_value", 422, field="role", value=role)
    org = session.get(Organization, org_id)
    if org is None:
        raise DeskError("not_found", 404, entity="organization", id=org_id)
    if org.kind != ROLE_ORG_KIND[role]:
        raise DeskError("role_org_mismatch", 422, role=role, kind=org.kind)
    if actor is not None:
        require(actor, "user.manage")
        if actor.role == "sponsor_admin":
            own = org_id == actor.org_id
            linked = session.scalar(
                select(SponsorLink.id).where(
                    SponsorLink.sponsor_id == actor.org_id, SponsorLink.subcontractor_id == org_id
                )
            )
            if not own and linked is None:
                raise DeskError("not_found", 404, entity="organization", id=org_id)
    email = email.strip().lower()
    if "@" not in email:
        raise DeskError("invalid_value", 422, field="email", value=email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        # Not echoed, and no hint of whose it is: the address may be another tenant's.
        raise DeskError("duplicate", 409, field="email")
    user = User(
        org_id=org_id,
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        lang=lang if lang in {"en", "ko"} else "en",
    )
    add_unique(session, user, field="email", value=email)
    audit.record(session, actor, "user.create", "user", user.id, role=role, org=org_id)
    return user
