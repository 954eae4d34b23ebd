"""integrity: a blind index of each person's passport number

Passport numbers are stored encrypted (Fernet: a fresh token each time), so the
same number filed twice cannot be found in SQL. ``person.passport_index`` holds
an HMAC-SHA256 of the normalized number under a key derived from the newest data
key (:meth:`visadesk.desk.crypto.Keyring.blind_indexes`); rosters look people up
on it (:mod:`visadesk.desk.integrity`). Rows stored before this revision are
indexed here when the process has its data keys installed (every desk does:
``build_desk`` installs them before migrating); otherwise ``visadesk keys rotate``
indexes them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from visadesk.desk.crypto import DataKeyError
from visadesk.desk.integrity import reindex_connection

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("passport_index", sa.String(length=64), nullable=True))
        batch.create_index("ix_person_passport_index", ["passport_index"], unique=False)
    _backfill()


def _backfill() -> None:
    # No keys in this process: `visadesk keys rotate` indexes the rows later.
    with contextlib.suppress(DataKeyError):
        reindex_connection(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_index("ix_person_passport_index")
        batch.drop_column("passport_index")
