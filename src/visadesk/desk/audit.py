"""The audit log: append-only, hash-chained and keyed, so tampering shows.

Each entry's hash is an HMAC-SHA256, under an audit key, over the previous
entry's hash and the entry's canonical JSON (sequence number, time, actor,
action, entity, entity id, data, and the id of the key). The keys are
settings (``VISADESK_AUDIT_KEYS``, newest first), never in the database: new
entries use the newest key, and each entry records the *id* of the key that
made it (:func:`key_id`: the first 8 hex digits of the key's SHA-256), so an
older entry verifies with the key it names after a rotation. Without the key
nobody can recompute a chain that verifies, even with write access to the
database. Entries written before the chain was keyed have no key id
(``legacy``): they keep their plain SHA-256 hash, verify as before and are
counted; they may only come before the first keyed entry.

The single ``audit_head`` row holds the last sequence number and hash;
appending locks it (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite write
transactions are serialized), so concurrent writers extend one chain.

:func:`check` walks the chain and names the first entry that does not fit:
an edited entry (its hash does not match its content under its key), a
deleted one (a gap in the sequence or a broken link), an inserted one (a link
that does not point at its predecessor), a truncated tail (the head is ahead
of the last entry), an entry whose key is not configured (unverifiable) and an
unkeyed entry after keyed ones. Someone who holds the key can still rewrite
history consistently: a signed :class:`Checkpoint` of the head, kept outside
the database, catches that (:func:`check` with ``checkpoints``). Entries never
hold personal data: ids and codes only.

The keys of a session are those its factory was made with
(:func:`visadesk.desk.db.session_factory` puts them in ``session.info``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal
from visadesk.desk.errors import DeskError
from visadesk.desk.models import AuditEntry, AuditHead, utcnow
from visadesk.i18n import t

__all__ = [
    "CHECKPOINT_FORMAT",
    "GENESIS",
    "MIN_KEY_LENGTH",
    "SESSION_KEYS",
    "AuditKeyError",
    "AuditKeys",
    "AuditProblem",
    "AuditReport",
    "Checkpoint",
    "CheckpointError",
    "RekeyReport",
    "append",
    "append_anchor",
    "check",
    "checkpoint",
    "entry_hash",
    "key_id",
    "keyed_hash",
    "read_checkpoints",
    "record",
    "rekey",
    "session_keys",
    "verify",
]

GENESIS: Final = "0" * 64
#: The shortest audit key accepted (characters; ``visadesk keys new-audit`` gives 64 hex).
MIN_KEY_LENGTH: Final = 32
#: Where a session keeps its audit keys (``session.info``).
SESSION_KEYS: Final = "visadesk.audit_keys"
CHECKPOINT_FORMAT: Final = "visadesk-audit-checkpoint"
_CHECKPOINT_VERSION: Final = 1
_CHECKPOINT_DOMAIN: Final = b"visadesk-audit-checkpoint\n"


class AuditKeyError(DeskError):
    """The audit keys are missing or unusable (a setting, not the request's fault)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, 500, details=None, **params)

    def message(self, lang: str = "en") -> str:
        return t(f"audit.error.{self.code}", lang, **self.params)


class CheckpointError(DeskError):
    """A checkpoint file that is not a checkpoint (malformed: a usage error)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, 400, details=None, **params)

    def message(self, lang: str = "en") -> str:
        return t(f"audit.error.{self.code}", lang, **self.params)


def key_id(key: str) -> str:
    """The short public id of an audit key: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


class AuditKeys:
    """The configured audit keys, newest first, by key id."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise AuditKeyError("no_key")
        self._keys: dict[str, bytes] = {}
        for position, key in enumerate(keys, start=1):
            if len(key) < MIN_KEY_LENGTH:
                raise AuditKeyError("short_key", position=position, min=MIN_KEY_LENGTH)
            kid = key_id(key)
            if kid in self._keys:
                raise AuditKeyError("duplicate_key", position=position, key_id=kid)
            self._keys[kid] = key.encode()
        self.newest: Final = next(iter(self._keys))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def mac(self, kid: str, message: bytes) -> str:
        return hmac.new(self._keys[kid], message, hashlib.sha256).hexdigest()


def session_keys(session: Session) -> AuditKeys:
    """The audit keys the session's factory was given."""
    keys = session.info.get(SESSION_KEYS)
    if isinstance(keys, AuditKeys):
        return keys
    return AuditKeys(tuple(keys or ()))


def _body(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The legacy (unkeyed) hash: SHA-256 over the previous hash and the canonical JSON."""
    return hashlib.sha256((prev_hash + _body(entry)).encode()).hexdigest()


def keyed_hash(keys: AuditKeys, kid: str, prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The keyed hash: HMAC-SHA256 under key ``kid`` over the same bytes."""
    return keys.mac(kid, (prev_hash + _body(entry)).encode())


def _content(entry: AuditEntry, key: str | None) -> dict[str, Any]:
    """What an entry's hash covers: its canonical content (and the key id, if keyed)."""
    stamp = entry.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    canonical: dict[str, Any] = {
        "seq": entry.seq,
        "at": stamp,
        "actor": entry.actor_id,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "data": dict(entry.data),
    }
    if key is not None:  # legacy entries' content stays exactly as it was hashed
        canonical["key"] = key
    return canonical


def append(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    data: Mapping[str, Any] | None = None,
    keys: AuditKeys | None = None,
) -> AuditEntry:
    """Add one entry to the chain, in the caller's transaction, under the newest key."""
    keys = keys or session_keys(session)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = utcnow()
    seq = head.seq + 1
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        data=json.loads(json.dumps(dict(data or {}), default=str)),
        prev_hash=head.hash,
        key_id=keys.newest,
    )
    entry.hash = keyed_hash(keys, keys.newest, head.hash, _content(entry, keys.newest))
    session.add(entry)
    head.seq, head.hash = seq, entry.hash
    return entry


def record(
    session: Session,
    actor: Principal | int | None,
    action: str,
    entity: str,
    entity_id: object,
    /,
    **data: Any,
) -> AuditEntry:
    """:func:`append` for what ``actor`` did (a principal, a user id, or ``None``: the
    command line), the entry's data as keywords."""
    actor_id = actor.user_id if isinstance(actor, Principal) else actor
    return append(
        session, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id, data=data
    )


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    #: edited | deleted | inserted | truncated | unverifiable | unkeyed
    #: | checkpoint (the chain differs from a checkpoint) | forged (a checkpoint's signature)
    kind: str
    detail: str
    #: The checkpoint's source (a file name) for the checkpoint kinds.
    source: str = ""

    def __str__(self) -> str:
        where = f"checkpoint {self.source}: " if self.source else ""
        return f"{where}entry {self.seq}: {self.kind} ({self.detail})"


@dataclass
class AuditReport:
    """What :func:`check` found."""

    checked: int = 0
    keyed: int = 0
    legacy: int = 0
    #: key id -> entries made under it
    by_key: dict[str, int] = field(default_factory=dict)
    problems: list[AuditProblem] = field(default_factory=list)
    checkpoints: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, signed with an audit key, to be kept outside."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def _head(self) -> dict[str, Any]:
        """What the signature covers."""
        return {
            "format": CHECKPOINT_FORMAT,
            "version": _CHECKPOINT_VERSION,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
        }

    def _signed(self) -> bytes:
        return _CHECKPOINT_DOMAIN + _body(self._head()).encode()

    def as_dict(self) -> dict[str, Any]:
        return {**self._head(), "signature": self.signature}

    def to_json(self) -> str:
        return _body(self.as_dict())

    @classmethod
    def sign(cls, keys: AuditKeys, seq: int, head_hash: str, at: dt.datetime) -> Checkpoint:
        stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
        unsigned = cls(seq, head_hash, stamp, keys.newest, "")
        return cls(seq, head_hash, stamp, keys.newest, keys.mac(keys.newest, unsigned._signed()))

    @classmethod
    def parse(cls, raw: object, source: str = "") -> Checkpoint:
        """A checkpoint from its JSON object; :class:`CheckpointError` naming what is wrong."""
        if not isinstance(raw, Mapping) or raw.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError("checkpoint_format", source=source)
        if raw.get("version") != _CHECKPOINT_VERSION:
            raise CheckpointError(
                "checkpoint_field", source=source, field="version", value=raw.get("version")
            )
        seq = raw.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise CheckpointError("checkpoint_field", source=source, field="seq", value=seq)
        for name, length in (("hash", 64), ("key_id", 8), ("signature", 64)):
            value = raw.get(name)
            if not (isinstance(value, str) and len(value) == length and _is_hex(value)):
                raise CheckpointError("checkpoint_field", source=source, field=name, value=value)
        at = raw.get("at")
        if not isinstance(at, str) or not at:
            raise CheckpointError("checkpoint_field", source=source, field="at", value=at)
        return cls(seq, str(raw["hash"]), at, str(raw["key_id"]), str(raw["signature"]))

    def signature_ok(self, keys: AuditKeys) -> bool | None:
        """True/False; None when the key it names is not configured."""
        if self.key_id not in keys:
            return None
        return hmac.compare_digest(keys.mac(self.key_id, self._signed()), self.signature)


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value)


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


def check(
    session: Session,
    keys: AuditKeys | None = None,
    checkpoints: Iterable[tuple[str, Checkpoint]] = (),
) -> AuditReport:
    """Walk the chain with the keys, then hold it against each (source, checkpoint)."""
    keys = keys or session_keys(session)
    marks = list(checkpoints)
    wanted = {cp.seq for _, cp in marks}
    seen: dict[int, str] = {0: GENESIS}
    report = AuditReport(checkpoints=len(marks))
    problems = report.problems
    prev_hash, expected, keyed_from = GENESIS, 1, 0
    for entry in _entries(session):
        report.checked += 1
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
        kid = entry.key_id
        if kid is None:
            report.legacy += 1
            if keyed_from:
                problems.append(
                    AuditProblem(entry.seq, "unkeyed", f"no key id after keyed entry {keyed_from}")
                )
            elif entry_hash(entry.prev_hash, _content(entry, None)) != entry.hash:
                problems.append(
                    AuditProblem(entry.seq, "edited", "content does not match its hash")
                )
        else:
            report.keyed += 1
            report.by_key[kid] = report.by_key.get(kid, 0) + 1
            keyed_from = keyed_from or entry.seq
            if kid not in keys:
                problems.append(
                    AuditProblem(entry.seq, "unverifiable", f"key {kid} is not configured")
                )
            elif not hmac.compare_digest(
                keyed_hash(keys, kid, entry.prev_hash, _content(entry, kid)), entry.hash
            ):
                problems.append(
                    AuditProblem(entry.seq, "edited", "content does not match its hash")
                )
        if entry.seq in wanted:
            seen[entry.seq] = entry.hash
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
    for source, mark in marks:
        problems.extend(_against(mark, source, keys, seen))
    return report


def _against(
    mark: Checkpoint, source: str, keys: AuditKeys, seen: Mapping[int, str]
) -> list[AuditProblem]:
    signed = mark.signature_ok(keys)
    if signed is None:
        detail = f"signed with key {mark.key_id}, which is not configured"
        return [AuditProblem(mark.seq, "unverifiable", detail, source)]
    if not signed:
        return [AuditProblem(mark.seq, "forged", "its signature does not verify", source)]
    held = seen.get(mark.seq)
    if held is None:
        detail = "the chain no longer holds this entry"
        return [AuditProblem(mark.seq, "checkpoint", detail, source)]
    if not hmac.compare_digest(held, mark.hash):
        detail = f"the chain holds {held[:12]}..., the checkpoint {mark.hash[:12]}..."
        return [AuditProblem(mark.seq, "checkpoint", detail, source)]
    return []


def verify(session: Session) -> tuple[int, list[AuditProblem]]:
    """Walk the chain with the session's keys: (entries checked, problems, in chain order)."""
    report = check(session)
    return report.checked, report.problems


def checkpoint(
    session: Session, keys: AuditKeys | None = None, report: AuditReport | None = None
) -> Checkpoint:
    """A signed checkpoint of the current head (refused when the chain does not verify).

    ``report``: the chain's check, if the caller has just made it.
    """
    keys = keys or session_keys(session)
    report = report or check(session, keys)
    if report.problems:
        raise AuditKeyError("broken_chain", problems=len(report.problems))
    head = session.get_one(AuditHead, 1)
    return Checkpoint.sign(keys, head.seq, head.hash, utcnow())


@dataclass
class RekeyReport:
    entries: int
    legacy: int
    key_id: str
    previous_hash: str


#: Entries re-hashed per UPDATE statement.
_REKEY_CHUNK: Final = 1_000


def rekey(session: Session, keys: AuditKeys | None = None) -> RekeyReport:
    """Re-hash the whole chain under the newest key, in the caller's transaction.

    The chain is verified first with every configured key: a chain with any
    problem is refused (:class:`AuditKeyError`) and nothing changes. The
    re-keying itself is recorded as the chain's next entry, with the previous
    head's hash. Checkpoints taken before no longer match: take a new one.
    """
    keys = keys or session_keys(session)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    previous, old_seq = head.hash, head.seq
    report = check(session, keys)
    if report.problems:
        raise AuditKeyError("broken_chain", problems=len(report.problems))
    kid = keys.newest
    prev_hash = GENESIS
    pending: list[dict[str, Any]] = []
    statement = (
        update(AuditEntry.__table__)  # type: ignore[arg-type]
        .where(AuditEntry.__table__.c.seq == bindparam("old_seq"))
        .values(
            prev_hash=bindparam("new_prev"), hash=bindparam("new_hash"), key_id=bindparam("new_key")
        )
    )
    for entry in _entries(session):
        digest = keyed_hash(keys, kid, prev_hash, _content(entry, kid))
        pending.append(
            {"old_seq": entry.seq, "new_prev": prev_hash, "new_hash": digest, "new_key": kid}
        )
        prev_hash = digest
        if len(pending) >= _REKEY_CHUNK:
            session.execute(statement, pending)
            pending = []
    if pending:
        session.execute(statement, pending)
    session.execute(
        update(AuditHead.__table__)  # type: ignore[arg-type]
        .where(AuditHead.__table__.c.id == 1)
        .values(seq=old_seq, hash=prev_hash)
    )
    session.expire_all()
    append(
        session,
        actor_id=None,
        action="audit.rekey",
        entity="audit",
        entity_id="chain",
        data={
            "entries": report.checked,
            "legacy": report.legacy,
            "key": kid,
            "previous_head": previous,
        },
        keys=keys,
    )
    return RekeyReport(report.checked, report.legacy, kid, previous)


def read_checkpoints(path: Path) -> list[tuple[str, Checkpoint]]:
    """The checkpoints in a file: one JSON object, or JSON lines (an anchor log).

    Raises :class:`CheckpointError` for a file that holds none or a malformed one
    (``OSError`` for one that cannot be read).
    """
    text = path.read_text(encoding="utf-8")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, Mapping):
        return [(str(path), Checkpoint.parse(whole, str(path)))]
    found: list[tuple[str, Checkpoint]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            raise CheckpointError("checkpoint_format", source=source) from None
        found.append((source, Checkpoint.parse(raw, source)))
    if not found:
        raise CheckpointError("checkpoint_format", source=str(path))
    return found


def append_anchor(path: Path, mark: Checkpoint) -> None:
    """Add the checkpoint as one line to an append-only JSON lines file (created 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (mark.to_json() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
