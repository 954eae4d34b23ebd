"""Who works a case, and work on a selection of cases at once (issue #12, the queue).

**Assignment.** A supervisor assigns a case to anyone on the desk who works cases
(an officer or a supervisor), moves it to another, or unassigns it; an officer may
take a case nobody has and give back one of its own. Sponsors, subcontractors, the
desk's administrator and the auditor assign nothing (403). Every change is one audit
entry (``case.assign``: the assignee before and after).

**Bulk.** A selection of cases takes one action: assign, take, or a transition that is
not final (:func:`visadesk.desk.workflow.bulk_allowed`: approving, refusing and issuing
need a confirmation and grounds per case; filing is per batch; scheduling needs a
time per case). All or nothing: every case is tried in the one transaction; if any
is refused, nothing is kept and the error lists each refused case with its own
reason (``bulk_refused``, the cases in ``details``). A selection the caller cannot see
is refused like one that does not exist (404 per case). Each case changed is audited
as it would be alone (``case.assign``, ``case.transition``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal, require
from visadesk.desk.cases import get_case
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case, User
from visadesk.desk.transitions import Move, Rules, take_transition
from visadesk.desk.workflow import bulk_targets

__all__ = [
    "ASSIGNEE_ROLES",
    "BULK_KINDS",
    "MAX_BULK",
    "BulkAction",
    "BulkDone",
    "assign",
    "assignee_names",
    "assignees",
    "bulk",
    "refusal",
    "take",
]

#: The desk roles that work cases, and so can be assigned one.
ASSIGNEE_ROLES: Final = ("desk_officer", "desk_supervisor")
#: The most cases one bulk request may name (four queue pages).
MAX_BULK: Final = 100
BulkKind = Literal["assign", "take", "transition"]
BULK_KINDS: Final[tuple[BulkKind, ...]] = ("assign", "take", "transition")


def assignees(session: Session, actor: Principal) -> dict[int, str]:
    """The active desk users a case can be assigned to, by id (name order); empty for
    a reader outside the desk (they never see who works a case)."""
    if not actor.is_desk:
        return {}
    stmt = (
        select(User.id, User.name)
        .where(User.role.in_(ASSIGNEE_ROLES), User.active.is_(True))
        .order_by(User.name, User.id)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def assignee_names(session: Session, actor: Principal, ids: Sequence[int | None]) -> dict[int, str]:
    """The names of the assignees ``ids`` (any state, active or not), for desk readers."""
    wanted = sorted({i for i in ids if i is not None})
    if not actor.is_desk or not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def _valid_assignee(session: Session, user_id: int) -> None:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in ASSIGNEE_ROLES:
        raise DeskError("invalid_assignee", 422, value=user_id)


def _may_change(session: Session, actor: Principal, case: Case, to: int | None) -> None:
    """Refuse what ``actor`` may not do to ``case``'s assignment (see the module)."""
    require(actor, "case.take")
    if actor.can("case.assign"):
        if to is not None:
            _valid_assignee(session, to)
        return
    current = case.assignee_id
    if to == actor.user_id and current not in {None, actor.user_id}:
        name = session.scalar(select(User.name).where(User.id == current)) or "-"
        raise DeskError("already_assigned", 409, id=case.id, name=name)
    if to != actor.user_id and not (to is None and current == actor.user_id):
        raise DeskError("forbidden", 403, action="case.assign")


def assign(session: Session, actor: Principal, case_id: int, to: int | None) -> Case:
    """Assign the case to the user ``to`` (``None``: unassign), as ``actor`` may."""
    require(actor, "case.take")  # before the case is read: outside the desk, no look
    case = get_case(session, actor, case_id, lock="update")
    _may_change(session, actor, case, to)
    if case.assignee_id != to:
        before, case.assignee_id = case.assignee_id, to
        session.flush()
        audit.record(session, actor, "case.assign", "case", case.id, assignee=to, previous=before)
    return case


def take(session: Session, actor: Principal, case_id: int) -> Case:
    """The actor takes the case (an officer: only one nobody has)."""
    return assign(session, actor, case_id, actor.user_id)


# -- bulk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkAction:
    """What a selection takes: ``assign`` (to ``assignee_id``, ``None``: nobody), ``take``,
    or ``transition`` to ``target`` with ``comment``."""

    kind: str
    assignee_id: int | None = None
    target: str = ""
    comment: str = ""


@dataclass(frozen=True)
class BulkDone:
    """A bulk action taken: what, and the cases it changed (all that were selected)."""

    action: BulkAction
    case_ids: tuple[int, ...]


def _selection(case_ids: Sequence[int]) -> tuple[int, ...]:
    chosen = tuple(dict.fromkeys(case_ids))
    if not chosen:
        raise DeskError("bulk_empty", 422)
    if len(chosen) > MAX_BULK:
        raise DeskError("bulk_too_many", 422, count=len(chosen), limit=MAX_BULK)
    return chosen


def _check(actor: Principal, action: BulkAction) -> None:
    if action.kind not in BULK_KINDS:
        choices = ", ".join(BULK_KINDS)
        raise DeskError("invalid_choice", 422, field="action", value=action.kind, choices=choices)
    if action.kind == "assign":
        require(actor, "case.assign")
    elif action.kind == "take":
        require(actor, "case.take")
    else:
        allowed = bulk_targets(actor.role)
        if action.target not in allowed:
            choices = ", ".join(allowed) or "-"
            raise DeskError("invalid_choice", 422, field="to", value=action.target, choices=choices)


def _one(
    session: Session, actor: Principal, case_id: int, action: BulkAction, rules: Rules
) -> None:
    if action.kind == "assign":
        assign(session, actor, case_id, action.assignee_id)
    elif action.kind == "take":
        take(session, actor, case_id)
    else:
        take_transition(session, actor, case_id, Move(action.target, action.comment), rules)


def refusal(case_id: int, error: DeskError, lang: str) -> dict[str, Any]:
    """One refused case of a bulk request, as ``details`` carry it."""
    return {
        "case_id": case_id,
        "code": error.code,
        "message": error.message(lang),
        "params": {k: str(v) for k, v in error.params.items()},
    }


def bulk(
    session: Session,
    actor: Principal,
    case_ids: Sequence[int],
    action: BulkAction,
    rules: Rules,
) -> BulkDone:
    """Take ``action`` for every case of ``case_ids``, all or nothing (see the module)."""
    chosen = _selection(case_ids)
    _check(actor, action)
    refused: list[Mapping[str, Any]] = []
    for case_id in chosen:
        try:
            _one(session, actor, case_id, action, rules)
        except DeskError as error:
            refused.append(refusal(case_id, error, actor.lang))
            if error.code == "stale":  # the transaction was rolled back: stop trying
                break
    if refused:
        # The caller's transaction is rolled back by the error: nothing stands.
        raise DeskError(
            "bulk_refused", 409, details=refused, count=len(refused), selected=len(chosen)
        )
    return BulkDone(action, chosen)
