"""Asking a case's filer for documents: the officer ticks checklist items.

:func:`request_documents` stores the ticked items of the case's checklist, any
free-text extras and a note as a request (:mod:`visadesk.desk.docrequests`), takes
the case to ``documents_requested`` through the transition table when it is in
review (which tells the filers: a notification), and audits the request. A case
already waiting for documents gets the new items added to its open request, and
its filers are told again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit, notifications
from visadesk.desk.authz import Principal, require
from visadesk.desk.cases import get_case
from visadesk.desk.docrequests import EXTRA_PREFIX, RequestView, open_request, request_view
from visadesk.desk.documents import case_checklist
from visadesk.desk.errors import DeskError
from visadesk.desk.models import DocumentRequest, DocumentRequestItem
from visadesk.desk.textcheck import require_clean_text
from visadesk.desk.transitions import Move, Rules, take_transition

__all__ = ["MAX_EXTRAS", "REQUEST_STATES", "Ask", "request_documents"]

#: The states in which the desk may ask for documents.
REQUEST_STATES: Final = ("in_review", "documents_requested")
MAX_EXTRAS: Final = 10
MAX_EXTRA_CHARS: Final = 200


@dataclass(frozen=True)
class Ask:
    """What the officer ticked: checklist kinds, free-text extras, a note, and the case
    version they read (``None``: any)."""

    kinds: Sequence[str] = ()
    extras: Sequence[str] = ()
    note: str = ""
    expected_version: int | None = None


def _extras(extras: Sequence[str]) -> list[str]:
    out: list[str] = []
    for index, raw in enumerate(extras, start=1):
        text = " ".join(raw.split())
        if not text:
            continue
        require_clean_text(f"extra {index}", text)
        if len(text) > MAX_EXTRA_CHARS:
            raise DeskError("extra_too_long", 422, field=f"extra {index}", limit=MAX_EXTRA_CHARS)
        if text not in out:
            out.append(text)
    if len(out) > MAX_EXTRAS:
        raise DeskError("too_many_extras", 422, count=len(out), limit=MAX_EXTRAS)
    return out


def request_documents(
    session: Session, actor: Principal, case_id: int, ask: Ask, rules: Rules
) -> RequestView:
    """Ask the case's filers for the ticked items; returns the open request as it stands.

    Refused: a role that does not review documents (403), a case not in review or
    waiting for documents (409 ``request_not_allowed``), a kind not on the case's
    checklist (422 ``invalid_choice``), nothing ticked (422 ``request_needs_items``).
    """
    case = get_case(session, actor, case_id, lock="update")
    require(actor, "document.review")
    if case.state not in REQUEST_STATES:
        raise DeskError("request_not_allowed", 409, state=case.state)
    if ask.expected_version is not None and ask.expected_version != case.version:
        raise DeskError("stale", 409, id=case.id, version=case.version)
    checklist_kinds = [i.id for i in case_checklist(session, case, rules.checklist)]
    kinds = list(dict.fromkeys(k.strip() for k in ask.kinds if k.strip()))
    unknown = [k for k in kinds if k not in checklist_kinds]
    if unknown:
        raise DeskError(
            "invalid_choice",
            422,
            field="kinds",
            value=", ".join(unknown),
            choices=", ".join(checklist_kinds),
        )
    extras = _extras(ask.extras)
    if not kinds and not extras:
        raise DeskError("request_needs_items", 422)
    note = require_clean_text("note", ask.note.strip()[:2000], multiline=True)

    request = open_request(session, case, lock=True)
    if request is None:
        request = DocumentRequest(
            case_id=case.id,
            org_id=case.org_id,
            sponsor_id=case.sponsor_id,
            note=note,
            requested_by=actor.user_id,
        )
        session.add(request)
        session.flush()
    elif note:
        request.note = f"{request.note}\n{note}".strip()[:4000]
    present = list(
        session.scalars(
            select(DocumentRequestItem).where(DocumentRequestItem.request_id == request.id)
        )
    )
    have = {i.kind for i in present}
    labels = {i.label for i in present if i.label}
    position = len(present)
    added: list[str] = []
    for kind in kinds:
        if kind not in have:
            session.add(DocumentRequestItem(request_id=request.id, kind=kind, position=position))
            position += 1
            added.append(kind)
    for label in extras:
        if label in labels:
            continue
        item = DocumentRequestItem(
            request_id=request.id, kind=f"{EXTRA_PREFIX}new", label=label, position=position
        )
        session.add(item)
        session.flush()
        item.kind = f"{EXTRA_PREFIX}{item.id}"
        session.flush()
        position += 1
        added.append(item.kind)
    session.flush()
    audit.record(
        session, actor, "document.request", "case", case.id, request=request.id, items=added
    )
    if case.state == "in_review":  # the move tells the filers (notifications.case_moved)
        take_transition(session, actor, case.id, Move("documents_requested", note), rules)
    elif added:
        filers = notifications.filers_of(session, case)
        notifications.notify(session, actor, filers, "documents_requested", case)
    view = request_view(session, case, rules.checklist)
    assert view is not None
    return view
