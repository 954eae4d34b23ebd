"""Data key rotation: every encrypted value re-encrypted under the newest key.

The keys come from ``VISADESK_DATA_KEYS`` (newest first). :func:`rotate`
reads every encrypted column as stored (ciphertext, never through the ORM's
decrypting type), re-encrypts each value under the first key
(``MultiFernet.rotate``: any configured key may decrypt it) and writes it
back, in the caller's transaction, with one audit entry. A value no
configured key decrypts stops the rotation (:class:`DataKeyError`) and, the
transaction being rolled back, nothing changes. After a rotation the old keys
can be dropped from the variable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.crypto import DataKeyError, Encrypted, Keyring
from visadesk.desk.integrity import reindex_connection
from visadesk.desk.locking import locked
from visadesk.desk.models import Base

__all__ = ["RotationReport", "encrypted_columns", "new_key", "rotate", "undecryptable"]

#: Rows updated per statement.
CHUNK: Final = 500


def new_key() -> str:
    """A fresh Fernet key (URL-safe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode()


def encrypted_columns() -> dict[str, tuple[str, ...]]:
    """Table name -> its encrypted columns, from the models."""
    found: dict[str, tuple[str, ...]] = {}
    for table in Base.metadata.sorted_tables:
        names = tuple(c.name for c in table.columns if isinstance(c.type, Encrypted))
        if names:
            found[table.name] = names
    return found


@dataclass
class RotationReport:
    #: table name -> rows read
    rows: dict[str, int] = field(default_factory=dict)
    #: values re-encrypted (NULLs are left alone)
    values: int = 0


def _raw_table(name: str, columns: Sequence[str]) -> sa.TableClause:
    """The table with untyped columns: values read and written exactly as stored."""
    return sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))


def rotate(session: Session, keys: Sequence[str]) -> RotationReport:
    """Re-encrypt every encrypted value under ``keys[0]``; record it in the audit log."""
    keyring = Keyring(keys)
    report = RotationReport()
    for name, columns in encrypted_columns().items():
        table = _raw_table(name, columns)
        # Locked until the rotation commits: a value changed meanwhile (a roster
        # re-upload) would otherwise be overwritten with its old one, re-encrypted.
        rows = session.execute(
            locked(sa.select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id))
        ).all()
        report.rows[name] = len(rows)
        updates: list[dict[str, object]] = []
        for row in rows:
            values: dict[str, object] = {"row_id": row[0]}
            for position, column in enumerate(columns, start=1):
                stored = row[position]
                if stored is None:
                    values[f"new_{column}"] = None
                    continue
                values[f"new_{column}"] = keyring.rotate(str(stored))
                report.values += 1
            updates.append(values)
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values({c: sa.bindparam(f"new_{c}") for c in columns})
        )
        for first in range(0, len(updates), CHUNK):
            session.execute(statement, updates[first : first + CHUNK])
    # The passport numbers' blind indexes follow the newest key too.
    reindex_connection(session.connection(), keyring)
    audit.append(
        session,
        actor_id=None,
        action="keys.rotate",
        entity="keyring",
        entity_id="data_keys",
        data={"rows": dict(report.rows), "values": report.values, "keys": len(keys)},
    )
    return report


def undecryptable(session: Session, keys: Sequence[str]) -> int:
    """How many stored encrypted values no key of ``keys`` decrypts."""
    keyring = Keyring(keys)
    failed = 0
    for name, columns in encrypted_columns().items():
        table = _raw_table(name, columns)
        for row in session.execute(sa.select(*(table.c[c] for c in columns))):
            for stored in row:
                if stored is None:
                    continue
                try:
                    keyring.decrypt(str(stored))
                except DataKeyError:
                    failed += 1
    return failed
