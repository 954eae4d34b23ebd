"""In-app notifications: what the desk tells the people who may act on a case.

A notice is created by a desk operation for each user of the organisation(s) that
may act next (:func:`notify`): a document request and a document's review go to
the case's filers (the sponsor's users who may upload, and the subcontractor's
for its own people); a decision, an issued visa and a case sent back go where the
next move lies (:func:`case_moved`, called once after every transition taken).
A notice stores a message id and its parameters, never text: it is rendered in
the reader's language when read (:func:`text_of`). A user reads and marks only
their own notices; anyone else's is 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import PERMISSIONS, Action, Principal
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case, Notification, Organization, Trip, User, utcnow
from visadesk.i18n import t
from visadesk.policy.documents import Checklist

__all__ = [
    "MESSAGES",
    "Notice",
    "case_moved",
    "filers_of",
    "listing",
    "mark_all_read",
    "mark_read",
    "notify",
    "text_of",
    "unread_count",
]

#: The message ids a notice may carry (``notify.<id>`` in the catalogs).
MESSAGES: Final = (
    "documents_requested",
    "document_accepted",
    "document_rejected",
    "case_decided",
    "case_sent_back",
)
#: Transitions that notify the case's filers, by target: the message.
_TO_FILERS: Final = {
    "documents_requested": "documents_requested",
    "approved": "case_decided",
    "refused": "case_decided",
    "issued": "case_decided",
}
_LIST_LIMIT: Final = 200


def _roles_that(action: Action) -> tuple[str, ...]:
    return tuple(role for role, actions in PERMISSIONS.items() if action in actions)


def _users(session: Session, org_ids: Iterable[int], roles: Iterable[str]) -> list[User]:
    stmt = (
        select(User)
        .where(User.org_id.in_(list(org_ids)), User.role.in_(list(roles)), User.active.is_(True))
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def filers_of(session: Session, case: Case) -> list[User]:
    """The users who may upload for ``case``: the sponsor's, and the subcontractor's
    when the traveller is its own."""
    return _users(session, {case.sponsor_id, case.org_id}, _roles_that("document.upload"))


def _desk_users(session: Session) -> list[User]:
    desks = select(Organization.id).where(Organization.kind == "desk")
    return _users(session, session.scalars(desks), _roles_that("document.review"))


def _case_params(session: Session, case: Case) -> dict[str, Any]:
    worker = session.scalar(select(Trip.worker_id).where(Trip.id == case.trip_id)) or ""
    category = re.sub(r"^([A-Z])(\d)", r"\1-\2", case.category)  # B1 -> B-1
    return {"case": case.id, "worker": worker, "category": category}


def notify(
    session: Session,
    actor: Principal | None,
    users: Iterable[User],
    message: str,
    case: Case | None = None,
    **params: Any,
) -> int:
    """A notice ``message`` (one of :data:`MESSAGES`) to each of ``users`` but the actor;
    the case's id, worker id and category are added to ``params``. Returns how many."""
    assert message in MESSAGES, message
    values = {**(_case_params(session, case) if case is not None else {}), **params}
    now = utcnow()
    count = 0
    for user in users:
        if actor is not None and user.id == actor.user_id:
            continue
        session.add(
            Notification(
                user_id=user.id,
                org_id=user.org_id,
                case_id=case.id if case is not None else None,
                message=message,
                params=values,
                created_at=now,
            )
        )
        count += 1
    return count


def case_moved(session: Session, actor: Principal, case: Case, source: str, target: str) -> None:
    """After a transition is taken: a request for documents, a decision or an issued
    visa is told to the case's filers; a case a filer sends back to the desk, to the
    desk's officers and supervisors."""
    if (source, target) == ("documents_requested", "in_review") and not actor.is_desk:
        notify(session, actor, _desk_users(session), "case_sent_back", case)
        return
    message = _TO_FILERS.get(target)
    if message is not None:
        notify(session, actor, filers_of(session, case), message, case, state=target)


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A notice as its reader sees it: the text in their language."""

    id: int
    case_id: int | None
    message: str
    params: Mapping[str, Any]
    text: str
    created_at: dt.datetime
    read: bool


def text_of(message: str, params: Mapping[str, Any], lang: str, checklist: Checklist) -> str:
    """The notice in ``lang``: its parameters that name things (a state, a document
    item) are named in that language too."""
    values = dict(params)
    if "state" in values:
        values["state"] = t(f"web.state.{values['state']}", lang)
    if "kind" in values:
        kind = str(values["kind"])
        try:
            values["item"] = checklist.item(kind).title.get(lang)
        except KeyError:
            values["item"] = str(values.get("label") or kind)
    values.setdefault("reason", "")
    return t(f"notify.{message}", lang, **values)


def listing(
    session: Session,
    actor: Principal,
    lang: str,
    checklist: Checklist,
    *,
    unread_only: bool = False,
) -> list[Notice]:
    """The actor's own notices, newest first (the latest 200)."""
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.id.desc()).limit(_LIST_LIMIT)
    return [
        Notice(
            n.id,
            n.case_id,
            n.message,
            n.params,
            text_of(n.message, n.params, lang, checklist),
            n.created_at,
            n.read_at is not None,
        )
        for n in session.scalars(stmt)
    ]


def unread_count(session: Session, actor: Principal) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def mark_read(session: Session, actor: Principal, notification_id: int) -> Notification:
    """Mark one of the actor's notices read (again: no change); another's is 404."""
    found = session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == actor.user_id
        )
    )
    if found is None:
        raise DeskError("not_found", 404, entity="notification", id=notification_id)
    if found.read_at is None:
        found.read_at = utcnow()
        audit.record(session, actor, "notification.read", "notification", found.id)
    return found


def mark_all_read(session: Session, actor: Principal) -> int:
    """Mark every unread notice of the actor read; how many."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    count = int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]
    if count:
        audit.record(session, actor, "notification.read_all", "user", actor.user_id, count=count)
    return count
