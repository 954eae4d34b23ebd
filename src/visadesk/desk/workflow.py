"""The case state machine, declared in one place: states, transitions, who may take them.

A transition not listed here does not exist (409 ``illegal_transition``); a
listed one taken by a role not named for it is refused (403 ``forbidden``).
Guards (documents accepted, an interview time) are named per transition and
checked by :mod:`visadesk.desk.transitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = [
    "BACKLOG_STATES",
    "DECIDED",
    "FINAL_STATES",
    "OPEN_STATES",
    "ROLES",
    "STATES",
    "TRANSITIONS",
    "WORK_STATES",
    "Guard",
    "Role",
    "Transition",
    "actionable_states",
    "allowed",
    "bulk_allowed",
    "bulk_targets",
    "transition",
]

Role = Literal[
    "desk_admin",
    "desk_supervisor",
    "desk_officer",
    "auditor",
    "sponsor_admin",
    "sponsor_staff",
    "subcontractor_staff",
]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

#: Before a decision: a case being filed or worked on; documents can still be added.
OPEN_STATES: Final = (
    "draft",
    "submitted",
    "in_review",
    "documents_requested",
    "ready_for_interview",
    "interview_scheduled",
    "administrative_processing",
)
#: The desk's backlog: the open cases a sponsor has filed (every open state but draft).
BACKLOG_STATES: Final = OPEN_STATES[1:]
STATES: Final = (*OPEN_STATES, "approved", "refused", "issued", "travelled", "closed")
DECIDED: Final = frozenset({"approved", "refused"})
#: States no transition leads back from: a move into one needs the asker's explicit
#: confirmation (issue #12; checked in :mod:`visadesk.desk.decisions`).
FINAL_STATES: Final = frozenset({"approved", "refused", "issued", "travelled", "closed"})

Guard = Literal[
    "documents_accepted", "interview_time", "annotation", "requested_items", "items_requested"
]

_DESK: Final[tuple[Role, ...]] = ("desk_officer", "desk_supervisor")
_FILERS: Final[tuple[Role, ...]] = ("sponsor_admin", "sponsor_staff", "subcontractor_staff")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: tuple[Role, ...]
    guards: tuple[Guard, ...] = ()


TRANSITIONS: Final[tuple[Transition, ...]] = (
    # The sponsor files the batch whole (transitions.submit_batch takes every draft case).
    Transition("draft", "submitted", ("sponsor_admin",)),
    Transition("submitted", "in_review", _DESK),
    # Documents are asked for with items (issue #12): desk.requesting.request_documents
    # stores the ticked items first, then takes this move; alone it is refused.
    Transition("in_review", "documents_requested", _DESK, ("items_requested",)),
    # The filer answers a request (every requested item uploaded: desk.docrequests); the
    # desk may also take the case back itself.
    Transition("documents_requested", "in_review", (*_FILERS, *_DESK), ("requested_items",)),
    Transition("in_review", "ready_for_interview", _DESK, ("documents_accepted",)),
    Transition("ready_for_interview", "interview_scheduled", _DESK, ("interview_time",)),
    Transition("interview_scheduled", "interview_scheduled", _DESK, ("interview_time",)),
    Transition("interview_scheduled", "approved", _DESK, ("annotation",)),
    Transition("interview_scheduled", "refused", _DESK),
    Transition("interview_scheduled", "administrative_processing", _DESK),
    Transition("administrative_processing", "approved", _DESK, ("annotation",)),
    Transition("administrative_processing", "refused", _DESK),
    Transition("approved", "issued", _DESK),
    Transition("issued", "travelled", (*_FILERS, *_DESK)),
    Transition("travelled", "closed", ("sponsor_admin", *_DESK)),
    Transition("refused", "closed", ("desk_supervisor",)),
)

_BY_EDGE: Final = {(t.source, t.target): t for t in TRANSITIONS}


def transition(source: str, target: str) -> Transition | None:
    return _BY_EDGE.get((source, target))


def allowed(source: str, role: str) -> tuple[Transition, ...]:
    """The transitions out of ``source`` that ``role`` may take."""
    return tuple(t for t in TRANSITIONS if t.source == source and role in t.roles)


# -- what a role can act on, and what may be taken in bulk (the queue: issue #12) ----------

#: Where a case is still work: open, or decided and not yet issued or closed. After the
#: issue (travelled, closed) the moves left are the trip's own bookkeeping, not work.
WORK_STATES: Final = frozenset((*OPEN_STATES, *DECIDED))


def actionable_states(role: str) -> frozenset[str]:
    """The states in which ``role`` has work: a transition of :data:`TRANSITIONS` it may
    take out of a :data:`WORK_STATES` state (derived from the table, never a second list).
    An officer: submitted to approved; a supervisor also refused (to close it); a
    sponsor's admin: drafts to file and document requests; its staff and a
    subcontractor: document requests."""
    return frozenset(t.source for t in TRANSITIONS if role in t.roles and t.source in WORK_STATES)


def bulk_allowed(step: Transition) -> bool:
    """Whether ``step`` may be taken for a selection of cases at once: not a move into a
    :data:`FINAL_STATES` state (each needs its own confirmation, a refusal its grounds),
    not a batch's filing (the sponsor files a batch whole) and not one that
    needs a value of its own per case (an interview time, a document request's items)."""
    return (
        step.target not in FINAL_STATES
        and step.source != "draft"
        and "interview_time" not in step.guards
        and "items_requested" not in step.guards
    )


def bulk_targets(role: str) -> tuple[str, ...]:
    """The states ``role`` may move a selection of cases to, in workflow order."""
    found = {t.target for t in TRANSITIONS if role in t.roles and bulk_allowed(t)}
    return tuple(s for s in STATES if s in found)
