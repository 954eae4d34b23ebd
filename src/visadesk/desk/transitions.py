"""Taking a workflow transition: one case at a time, or a batch's drafts all at once.

Every change of a case's state goes through :data:`visadesk.desk.workflow.TRANSITIONS`
here: the move must exist, the role must be named for it, its guards hold
(evaluated here, from the case's own checklist and the rule set: a caller cannot
leave one out), and it writes one case event and one audit entry. A sponsor files
a batch whole (:func:`submit_batch`): each draft case takes ``draft -> submitted``
the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit, docrequests, notifications
from visadesk.desk.authz import Principal, require
from visadesk.desk.cases import get_case
from visadesk.desk.decisions import Refusal, check_refusal, record_refusal, require_confirmed
from visadesk.desk.documents import missing_documents
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import flush_versioned, locked
from visadesk.desk.models import Case, CaseEvent, Project, Trip, utcnow
from visadesk.desk.projects import ensure_open, get_batch
from visadesk.desk.screenings import facts_of, open_case
from visadesk.desk.submission import SubmitChoice, check_choice, preview
from visadesk.desk.workflow import DECIDED, STATES, Transition, transition
from visadesk.engine import Screener
from visadesk.policy.documents import Checklist
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer, annotation_values

__all__ = ["Move", "Rules", "Submission", "SubmitChoice", "submit_batch", "take_transition"]


class Rules(Protocol):
    """What the guards of a transition read: the rule set (the annotation) and the
    document checklist (the documents a case requires). A running desk has both."""

    @property
    def policy(self) -> Policy: ...

    @property
    def checklist(self) -> Checklist: ...


@dataclass(frozen=True)
class Move:
    """A transition asked for: the state to move to, why, the interview's time (for
    ``interview_scheduled``), and the case version the asker read (``None``: any).

    A move into a final state (``workflow.FINAL_STATES``) needs ``confirmed``; a
    refusal needs its ``refusal`` (ground, sub-ground, items) and a comment
    (:mod:`visadesk.desk.decisions`)."""

    target: str
    comment: str = ""
    interview_at: dt.datetime | None = None
    expected_version: int | None = None
    confirmed: bool = False
    refusal: Refusal | None = None


@dataclass(frozen=True)
class Submission:
    """A batch filed whole: how many draft cases it submitted; of the people the sponsor
    decided about, how many were included as cases needing information, how many held back."""

    batch_id: int
    submitted: int
    included: int = 0
    held: int = 0


def _step(case: Case, actor: Principal, target: str) -> Transition:
    step = transition(case.state, target)
    if step is None:
        raise DeskError("illegal_transition", 409, source=case.state, target=target)
    if actor.role not in step.roles:
        raise DeskError("forbidden", 403, action=f"{case.state}->{target}")
    return step


def take_transition(
    session: Session,
    actor: Principal,
    case_id: int,
    move: Move,
    rules: Rules,
) -> Case:
    """Move a case along the workflow; refuses what the workflow or the role does not allow.

    The case row is locked first (:mod:`visadesk.desk.locking`): of simultaneous
    transitions one is taken, and each other one then decides on the case as that
    one left it: 409 ``stale`` if it named the version it read, else 409
    ``illegal_transition`` (the move no longer exists from the new state). The
    update itself is also conditional on the version read (the mapper's version
    column), so a write that somehow raced the lock fails as ``stale`` too.
    """
    case = get_case(session, actor, case_id, lock="update")
    if move.target not in STATES:
        raise DeskError(
            "invalid_choice", 422, field="to", value=move.target, choices=", ".join(STATES)
        )
    if move.expected_version is not None and move.expected_version != case.version:
        raise DeskError("stale", 409, id=case.id, version=case.version)
    step = _step(case, actor, move.target)
    if case.state == "draft":
        # A sponsor files the batch whole (submit_batch), never one case of it.
        raise DeskError("submit_whole_batch", 409, batch=case.batch_id)
    require_confirmed(move.target, move.confirmed)
    if move.target == "refused":
        refusal = check_refusal(
            session, case, move.refusal or Refusal(), move.comment, rules.checklist
        )
        move = replace(move, refusal=refusal)
    _take(session, actor, case, step, move, rules=rules, now=utcnow())
    return case


def submit_batch(
    session: Session, actor: Principal, batch_id: int, rules: Rules, choice: SubmitChoice
) -> Submission:
    """File the batch whole: every draft case becomes submitted, in one transaction.

    The sponsor must have confirmed (``choice.confirmed``) and decided about every
    person :func:`visadesk.desk.submission.preview` marks ``decide``: ``include`` opens
    a draft case for them first (submitted needing information), ``hold`` keeps them
    back. Of simultaneous submissions one is taken; the others, waiting on the batch's
    lock, then find it submitted: 409 ``batch_not_open``.
    """
    batch = get_batch(session, actor, batch_id, lock=True)
    require(actor, "batch.submit")
    ensure_open(batch)
    shown = preview(session, actor, batch.id, rules.policy)
    if not shown.of("case") and not shown.of("decide"):
        raise DeskError("empty_batch", 409, id=batch.id)
    decided = check_choice(shown, choice)
    included = sorted(t for t, d in decided.items() if d == "include")
    held = sorted(t for t, d in decided.items() if d == "hold")
    rows = {r.trip_id: r for r in shown.of("decide")}
    for trip_id in included:
        trip = session.get_one(Trip, trip_id)
        category = rows[trip_id].category
        assert category is not None and trip.screening is not None  # check_choice saw to it
        as_of = trip.screening.as_of
        open_case(session, actor, trip_id, category=category, policy=rules.policy, as_of=as_of)
    session.flush()
    drafts = session.scalars(
        locked(
            select(Case).where(Case.batch_id == batch.id, Case.state == "draft").order_by(Case.id)
        )
    ).all()
    if not drafts:
        raise DeskError("empty_batch", 409, id=batch.id)
    now = utcnow()
    move = Move("submitted")
    for case in drafts:
        step = _step(case, actor, move.target)
        _take(session, actor, case, step, move, rules=rules, now=now)
    batch.state, batch.submitted_at = "submitted", now
    audit.record(
        session,
        actor,
        "batch.submit",
        "batch",
        batch.id,
        cases=len(drafts),
        included=included,
        held=held,
    )
    return Submission(batch.id, len(drafts), len(included), len(held))


def _take(
    session: Session,
    actor: Principal,
    case: Case,
    step: Transition,
    move: Move,
    *,
    rules: Rules,
    now: dt.datetime,
) -> None:
    """Check ``step``'s guards on ``case``, then take it: one event, one audit entry, and
    the notifications the move sends (:func:`visadesk.desk.notifications.case_moved`)."""
    _guards(session, actor, case, step, move, rules)
    source, target = case.state, step.target
    case.state = target
    case.version += 1
    if target == "submitted":
        case.submitted_at = now
    if target == "interview_scheduled":
        case.interview_at = move.interview_at
    if target in DECIDED:
        case.decided_at, case.decision = now, target
    event = CaseEvent(
        case_id=case.id,
        from_state=source,
        to_state=target,
        actor_id=actor.user_id,
        at=now,
        comment=move.comment[:2000],
    )
    session.add(event)
    flush_versioned(session, case)
    moved: dict[str, object] = {"from": source, "to": target}
    if move.refusal is not None and target == "refused":
        session.flush()
        record_refusal(session, case, event, move.refusal)
        moved["ground"] = move.refusal.ground
        if move.refusal.sub_ground:
            moved["sub_ground"] = move.refusal.sub_ground
        if move.refusal.items or move.refusal.other_items:
            moved["items"] = len(move.refusal.items) + len(move.refusal.other_items)
    audit.record(session, actor, "case.transition", "case", case.id, **moved)
    notifications.case_moved(session, actor, case, source, target)


def _guards(  # noqa: PLR0917 - the guards read all of these
    session: Session, actor: Principal, case: Case, step: Transition, move: Move, rules: Rules
) -> None:
    for guard in step.guards:
        if guard == "interview_time":
            if move.interview_at is None:
                raise DeskError("interview_time_required", 422)
            if move.interview_at.tzinfo is None:
                value = move.interview_at.isoformat()
                raise DeskError("invalid_value", 422, field="interview_at", value=value)
        elif guard == "documents_accepted":
            missing = missing_documents(session, case, rules.checklist)
            if missing:
                raise DeskError("documents_missing", 409, kinds=", ".join(missing))
        elif guard == "annotation":
            _annotate(session, case, rules.policy)
        elif guard == "requested_items":
            docrequests.require_items(session, actor, case, rules.checklist)
        elif guard == "items_requested":
            docrequests.require_request(session, case)


def _annotate(session: Session, case: Case, policy: Policy) -> None:
    """The annotation text printed on the visa (B-1 only), from the trip's screening on
    record: its facts screened again under ``policy`` on that screening's day."""
    trip = session.get_one(Trip, case.trip_id)
    category = policy.categories.get(case.category)
    if trip.screening is None or category is None or category.annotation is None:
        return
    as_of = trip.screening.as_of
    result = Screener(policy, as_of=as_of).screen(facts_of(trip), row=trip.source_row)
    verdict = result.verdicts.get(case.category)
    basis = (ResultRenderer(policy, as_of).basis(verdict) if verdict else None) or ""
    # Issue #11: the annotation names the project's end (the roster's, else the project's).
    end = session.get_one(Project, trip.project_id).end_date
    for lang in ("en", "ko"):
        values = annotation_values(trip.facts, basis, lang, end)
        setattr(case, f"annotation_{lang}", category.annotation.get(lang).format(**values))
