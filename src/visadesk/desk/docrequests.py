"""Document requests as data: the items an officer ticked, each item's state, the to-do.

A request (:class:`~visadesk.desk.models.DocumentRequest`) names items of the case's
checklist, and free-text extras (kind ``extra_<id>``), with a note. It is made by
:func:`visadesk.desk.requesting.request_documents`. Each item's state comes from the
latest upload of its kind on the case (:data:`ItemState`): not uploaded, uploaded
and awaiting review, accepted, or rejected (with the reviewer's reason). A filer
may send the case back to the desk only when no item is missing (not uploaded, or
its latest upload rejected): the ``requested_items`` guard of the transition table
(:func:`require_items`). A request closes when every item is accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal, scope_cases
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import locked
from visadesk.desk.models import (
    Case,
    Document,
    DocumentRequest,
    DocumentRequestItem,
    Trip,
    utcnow,
)
from visadesk.desk.workflow import OPEN_STATES
from visadesk.i18n import t
from visadesk.policy.documents import Checklist

__all__ = [
    "EXTRA_PREFIX",
    "ITEM_STATES",
    "ItemState",
    "ItemView",
    "RequestView",
    "RequestedItemsMissingError",
    "ToDo",
    "after_review",
    "extra_kinds",
    "open_request",
    "request_view",
    "require_items",
    "require_request",
    "state_of",
    "todo",
]

ItemState = Literal["not_uploaded", "awaiting_review", "accepted", "rejected"]
ITEM_STATES: Final[tuple[ItemState, ...]] = (
    "not_uploaded",
    "awaiting_review",
    "accepted",
    "rejected",
)
#: The kind of a free-text item: ``extra_<item id>``.
EXTRA_PREFIX: Final = "extra_"
_MISSING: Final = frozenset({"not_uploaded", "rejected"})
_BY_STATUS: Final[dict[str, ItemState]] = {
    "pending": "awaiting_review",
    "accepted": "accepted",
    "rejected": "rejected",
}


@dataclass(frozen=True)
class ItemView:
    """One requested item and where it stands; ``title`` is in both languages for a
    checklist item, the officer's words for an extra."""

    kind: str
    title_en: str
    title_ko: str
    extra: bool
    state: ItemState
    reason: str = ""
    document_id: int | None = None

    def title(self, lang: str) -> str:
        return self.title_ko if lang == "ko" else self.title_en

    @property
    def missing(self) -> bool:
        return self.state in _MISSING


@dataclass(frozen=True)
class RequestView:
    """An open request on a case: its items and the progress ("x of y uploaded")."""

    request_id: int
    case_id: int
    note: str
    requested_at: dt.datetime
    items: tuple[ItemView, ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def uploaded(self) -> int:
        """Items with an upload that is awaiting review or accepted."""
        return sum(1 for i in self.items if not i.missing)

    @property
    def accepted(self) -> int:
        return sum(1 for i in self.items if i.state == "accepted")

    @property
    def missing(self) -> tuple[ItemView, ...]:
        return tuple(i for i in self.items if i.missing)


class RequestedItemsMissingError(DeskError):
    """409 ``requested_items_missing``: the case cannot go back to the desk yet; the
    message lists the missing items in the reader's language."""

    def __init__(self, case_id: int, missing: Sequence[ItemView]) -> None:
        super().__init__(
            "requested_items_missing",
            409,
            id=case_id,
            count=len(missing),
            kinds=", ".join(i.kind for i in missing),
            details=[{"kind": i.kind, "state": i.state} for i in missing],
        )
        self.missing = tuple(missing)

    def message(self, lang: str = "en") -> str:
        items = ", ".join(i.title(lang) for i in self.missing)
        return t(
            "desk.error.requested_items_missing",
            lang,
            id=self.params["id"],
            count=len(self.missing),
            items=items,
        )


def state_of(latest: Document | None) -> ItemState:
    """An item's state from its latest upload (``None``: nothing uploaded)."""
    return _BY_STATUS.get(latest.status, "not_uploaded") if latest else "not_uploaded"


def open_request(session: Session, case: Case, *, lock: bool = False) -> DocumentRequest | None:
    """The case's open request, if any."""
    stmt = select(DocumentRequest).where(
        DocumentRequest.case_id == case.id, DocumentRequest.status == "open"
    )
    if lock:
        stmt = locked(stmt)
    return session.scalar(stmt.order_by(DocumentRequest.id.desc()))


def _items(session: Session, request: DocumentRequest) -> list[DocumentRequestItem]:
    stmt = (
        select(DocumentRequestItem)
        .where(DocumentRequestItem.request_id == request.id)
        .order_by(DocumentRequestItem.position, DocumentRequestItem.id)
    )
    return list(session.scalars(stmt))


def extra_kinds(session: Session, case: Case) -> dict[str, str]:
    """The free-text items of the case's open request: kind -> the officer's words."""
    request = open_request(session, case)
    if request is None:
        return {}
    return {i.kind: i.label for i in _items(session, request) if i.kind.startswith(EXTRA_PREFIX)}


def _latest_uploads(session: Session, case_id: int) -> dict[str, Document]:
    stmt = select(Document).where(Document.case_id == case_id).order_by(Document.id)
    return {d.kind: d for d in session.scalars(stmt)}  # the last of each kind wins


def _view(
    session: Session,
    request: DocumentRequest,
    checklist: Checklist,
    latest: dict[str, Document] | None = None,
) -> RequestView:
    if latest is None:
        latest = _latest_uploads(session, request.case_id)
    views = []
    for item in _items(session, request):
        doc = latest.get(item.kind)
        state = state_of(doc)
        if item.label:
            title_en = title_ko = item.label
        else:
            try:
                title = checklist.item(item.kind).title
                title_en, title_ko = title.get("en"), title.get("ko")
            except KeyError:
                title_en = title_ko = item.kind
        views.append(
            ItemView(
                item.kind,
                title_en,
                title_ko,
                bool(item.label),
                state,
                doc.review_comment if doc is not None and state == "rejected" else "",
                doc.id if doc is not None else None,
            )
        )
    items = tuple(views)
    return RequestView(request.id, request.case_id, request.note, request.requested_at, items)


def request_view(session: Session, case: Case, checklist: Checklist) -> RequestView | None:
    """The case's open request with each item's state, or ``None``."""
    request = open_request(session, case)
    return None if request is None else _view(session, request, checklist)


def require_items(session: Session, actor: Principal, case: Case, checklist: Checklist) -> None:
    """The ``requested_items`` guard: a filer sends the case back to the desk only with
    every requested item uploaded (awaiting review or accepted). The desk itself may
    take the case back."""
    if actor.is_desk:
        return
    view = request_view(session, case, checklist)
    if view is not None and view.missing:
        raise RequestedItemsMissingError(case.id, view.missing)


def require_request(session: Session, case: Case) -> None:
    """The ``items_requested`` guard: a case moves to ``documents_requested`` only with
    an open request that names items, which
    :func:`visadesk.desk.requesting.request_documents` stores before it takes the move.
    A bare transition, a comment alone, is refused (422 ``request_needs_request``)."""
    request = open_request(session, case)
    has_items = request is not None and (
        session.scalar(
            select(DocumentRequestItem.id)
            .where(DocumentRequestItem.request_id == request.id)
            .limit(1)
        )
        is not None
    )
    if not has_items:
        raise DeskError("request_needs_request", 422, id=case.id)


def after_review(session: Session, case_id: int, checklist: Checklist) -> RequestView | None:
    """After a document's review: the case's open request closes once every item is
    accepted. Returns the request as it stands (``None``: no open request)."""
    request = session.scalar(
        select(DocumentRequest).where(
            DocumentRequest.case_id == case_id, DocumentRequest.status == "open"
        )
    )
    if request is None:
        return None
    view = _view(session, request, checklist)
    if view.total and view.accepted == view.total:
        request.status, request.closed_at = "closed", utcnow()
    return view


# -- the to-do ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToDo:
    """A case with an open request, as its filer's to-do list shows it."""

    case_id: int
    worker_id: str
    name: str
    name_ko: str | None
    category: str
    state: str
    request: RequestView


def todo(session: Session, actor: Principal, checklist: Checklist) -> list[ToDo]:
    """The cases the actor may see with an open request, on an open case: those with
    items missing first, then by when the request was made."""
    stmt = scope_cases(
        select(Case, DocumentRequest)
        .join(DocumentRequest, DocumentRequest.case_id == Case.id)
        .where(DocumentRequest.status == "open", Case.state.in_(OPEN_STATES)),
        actor,
    ).order_by(DocumentRequest.requested_at, DocumentRequest.id)
    out = []
    for case, request in session.execute(stmt):
        trip = session.get_one(Trip, case.trip_id)
        person = trip.person
        out.append(
            ToDo(
                case.id,
                trip.worker_id,
                f"{person.family_name} {person.given_name}".strip(),
                person.name_ko,
                case.category,
                case.state,
                _view(session, request, checklist),
            )
        )
    out.sort(key=lambda d: not d.request.missing)
    return out
