"""Supporting documents: uploads checked by type and size, stored outside the database.

The bytes are stored under ``<data dir>/documents/<sha256[:2]>/<sha256>``
(content-addressed, written atomically); the database keeps the name, type,
size, SHA-256 and review status. The type is decided by the file's first
bytes, not by what the client claims. Which kinds a case needs comes from the
checklist rule data (``rules/baseline/documents.yaml``) for the case's
category and the provisions its screening rests on.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any, Final, Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit, docrequests, notifications
from visadesk.desk.authz import Principal, require, scope_documents
from visadesk.desk.cases import get_case
from visadesk.desk.errors import DeskError
from visadesk.desk.filetypes import ACCEPTED, media_type
from visadesk.desk.locking import locked
from visadesk.desk.models import Case, Document, Trip, utcnow
from visadesk.desk.private import FILE_MODE, private_dir
from visadesk.desk.textcheck import require_clean_text
from visadesk.desk.workflow import OPEN_STATES
from visadesk.policy.documents import Checklist, DocumentItem

__all__ = [
    "ALLOWED_TYPES",
    "MAX_DOCUMENT_BYTES",
    "REVIEWS",
    "Review",
    "case_checklist",
    "checklist_with_uploads",
    "document_path",
    "get_document",
    "missing_documents",
    "required_kinds",
    "review",
    "upload",
    "uploads_of",
]

MAX_DOCUMENT_BYTES: Final = 10 * 1024 * 1024
#: What a desk officer's review of an upload may say.
Review = Literal["accepted", "rejected"]
REVIEWS: Final[tuple[Review, ...]] = get_args(Review)
#: content type -> the bytes such a file starts with (:mod:`visadesk.desk.filetypes`)
ALLOWED_TYPES: Final = ACCEPTED


def case_checklist(session: Session, case: Case, checklist: Checklist) -> tuple[DocumentItem, ...]:
    trip = session.get_one(Trip, case.trip_id)
    basis: Sequence[str] = ()
    if trip.screening is not None:
        basis = trip.screening.basis.get(case.category) or ()
    return checklist.for_case(case.category, basis)


def uploads_of(session: Session, case: Case) -> list[Document]:
    """The documents uploaded for the case, oldest first."""
    stmt = select(Document).where(Document.case_id == case.id).order_by(Document.id)
    return list(session.scalars(stmt))


def checklist_with_uploads(
    session: Session, case: Case, checklist: Checklist, lang: str
) -> list[dict[str, Any]]:
    """The case's checklist in ``lang``, each item with its uploads (oldest first) and its
    state (:data:`visadesk.desk.docrequests.ItemState`, from the latest upload)."""
    uploads = uploads_of(session, case)
    out = []
    for item in case_checklist(session, case, checklist):
        mine = [d for d in uploads if d.kind == item.id]
        out.append(
            {
                "id": item.id,
                "title": item.title.get(lang),
                "description": item.description.get(lang),
                "required": item.required,
                "carry_at_port": item.carry_at_port,
                "citation": item.citation_text,
                "verify": item.verify,
                "uploads": mine,
                "accepted": any(d.status == "accepted" for d in mine),
                # not_uploaded | awaiting_review | accepted | rejected: the latest upload's
                "state": docrequests.state_of(mine[-1] if mine else None),
            }
        )
    return out


def required_kinds(session: Session, case: Case, checklist: Checklist) -> list[str]:
    return [i.id for i in case_checklist(session, case, checklist) if i.required]


def missing_documents(session: Session, case: Case, checklist: Checklist) -> list[str]:
    """The document kinds the case requires that have no accepted upload yet."""
    accepted = set(
        session.scalars(
            select(Document.kind).where(Document.case_id == case.id, Document.status == "accepted")
        )
    )
    return [k for k in required_kinds(session, case, checklist) if k not in accepted]


def document_path(documents_dir: Path, sha256: str) -> Path:
    return documents_dir / sha256[:2] / sha256


def _store_bytes(documents_dir: Path, data: bytes, sha256: str) -> None:
    path = document_path(documents_dir, sha256)
    if path.exists():
        return
    private_dir(path.parent)
    # A name of its own: two requests of one process storing the same bytes at once
    # must not write into one temporary file (the later replace would find it gone).
    tmp = path.with_name(f".{sha256}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    # 0600 from the start: a document is never readable by other accounts, even briefly.
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def upload(
    session: Session,
    actor: Principal,
    case_id: int,
    *,
    kind: str,
    filename: str,
    data: bytes,
    checklist: Checklist,
    documents_dir: Path,
) -> Document:
    # Found before checked: a case the caller cannot see is 404 whatever its role.
    # Share-locked: a transition out of the states that take documents waits for this.
    case = get_case(session, actor, case_id, lock="share")
    require(actor, "document.upload")
    require_clean_text("filename", filename)
    if case.state not in OPEN_STATES:  # documents are taken until the decision
        raise DeskError("case_closed_for_documents", 409, state=case.state)
    kinds = [i.id for i in case_checklist(session, case, checklist)]
    kinds += list(docrequests.extra_kinds(session, case))  # the officer's free-text items
    if kind not in kinds:
        raise DeskError("invalid_choice", 422, field="kind", value=kind, choices=", ".join(kinds))
    if not data:
        raise DeskError("empty_file", 422)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DeskError("file_too_large", 413, size=len(data), limit=MAX_DOCUMENT_BYTES)
    content_type = media_type(data)  # refused in words: "This file is a Word document"
    sha = hashlib.sha256(data).hexdigest()
    _store_bytes(documents_dir, data, sha)
    name = PurePath(filename.replace("\\", "/")).name[:255] or "document"
    doc = Document(
        case_id=case.id,
        org_id=case.org_id,
        sponsor_id=case.sponsor_id,
        kind=kind,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=sha,
        uploaded_by=actor.user_id,
    )
    session.add(doc)
    session.flush()
    added = {"case": case.id, "kind": kind, "sha256": sha, "size": len(data)}
    audit.record(session, actor, "document.upload", "document", doc.id, **added)
    return doc


def get_document(
    session: Session, actor: Principal, document_id: int, *, lock: bool = False
) -> Document:
    """The document, if the actor may see it; ``lock`` it against other writers."""
    stmt = scope_documents(select(Document), actor).where(Document.id == document_id)
    doc = session.scalar(locked(stmt) if lock else stmt)
    if doc is None:
        raise DeskError("not_found", 404, entity="document", id=document_id)
    return doc


def review(
    session: Session,
    actor: Principal,
    document_id: int,
    *,
    status: str,
    comment: str = "",
    checklist: Checklist | None = None,
) -> Document:
    """Accept or reject a pending upload, once: of simultaneous reviews one is taken,
    the others (waiting on the row lock, then reading its result) are 409
    ``already_reviewed``. The case's filers are told (a notification); with the
    ``checklist``, the case's open request closes once every item is accepted."""
    doc = get_document(session, actor, document_id, lock=True)
    require(actor, "document.review")
    if status not in REVIEWS:
        raise DeskError(
            "invalid_choice", 422, field="status", value=status, choices=", ".join(REVIEWS)
        )
    if doc.status != "pending":
        raise DeskError("already_reviewed", 409, id=doc.id, status=doc.status)
    doc.status, doc.review_comment = status, comment[:2000]
    doc.reviewed_by, doc.reviewed_at = actor.user_id, utcnow()
    audit.record(session, actor, "document.review", "document", doc.id, status=status)
    case = session.get_one(Case, doc.case_id)
    label = docrequests.extra_kinds(session, case).get(doc.kind, "")
    filers = notifications.filers_of(session, case)
    message = "document_accepted" if status == "accepted" else "document_rejected"
    reason = {"reason": doc.review_comment[:300]} if status == "rejected" else {}
    notifications.notify(
        session, actor, filers, message, case, kind=doc.kind, label=label, **reason
    )
    if checklist is not None:
        session.flush()
        docrequests.after_review(session, case.id, checklist)
    return doc
