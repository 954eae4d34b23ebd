"""The audit log: append-only and hash-chained, so tampering shows.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
canonical JSON (sequence number, time, actor, action, entity, entity id,
data). The single ``audit_head`` row holds the last sequence number and hash;
appending locks it (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite write
transactions are serialized), so concurrent writers extend one chain.

:func:`verify` walks the chain and names the first entry that does not fit:
an edited entry (its hash does not match its content), a deleted one (a gap
in the sequence or a broken link), an inserted one (a link that does not
point at its predecessor), or a truncated tail (the head is ahead of the
last entry). Entries never hold personal data: ids and codes only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk.models import AuditEntry, AuditHead, utcnow

__all__ = ["GENESIS", "AuditProblem", "append", "entry_hash", "verify"]

GENESIS: Final = "0" * 64


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _canonical(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    stamp = at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return {
        "seq": seq,
        "at": stamp,
        "actor": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "data": dict(data),
    }


def append(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the chain, in the caller's transaction."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = utcnow()
    seq = head.seq + 1
    payload = json.loads(json.dumps(dict(data or {}), default=str))
    canonical = _canonical(
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        data=payload,
    )
    digest = entry_hash(head.hash, canonical)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        data=payload,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: str  # edited | deleted | inserted | truncated
    detail: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.kind} ({self.detail})"


def _entries(session: Session, chunk: int = 5_000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(chunk)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> tuple[int, list[AuditProblem]]:
    """Walk the chain: (entries checked, problems found, in chain order)."""
    problems: list[AuditProblem] = []
    prev_hash, expected, count = GENESIS, 1, 0
    for entry in _entries(session):
        count += 1
        if entry.seq != expected:
            problems.append(
                AuditProblem(
                    expected,
                    "deleted",
                    f"entries {expected}..{entry.seq - 1} are missing",
                )
            )
        if entry.prev_hash != prev_hash:
            kind = "inserted" if entry.seq == expected else "deleted"
            problems.append(AuditProblem(entry.seq, kind, "does not link to the entry before it"))
        content = _canonical(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            data=entry.data,
        )
        if entry_hash(entry.prev_hash, content) != entry.hash:
            problems.append(AuditProblem(entry.seq, "edited", "content does not match its hash"))
        prev_hash, expected = entry.hash, entry.seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected - 1 or head.hash != prev_hash):
        problems.append(
            AuditProblem(
                head.seq,
                "truncated" if head.seq > expected - 1 else "inserted",
                f"the chain ends at {expected - 1} but its head says {head.seq}",
            )
        )
    return count, problems
