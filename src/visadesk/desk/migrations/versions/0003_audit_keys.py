"""audit keys: each audit entry records the id of the key that made its hash

Entries written before this revision keep ``key_id`` NULL: their hash is the
legacy plain SHA-256 and they verify as before (counted as legacy). Entries
written after it are HMAC-SHA256 under an audit key (``VISADESK_AUDIT_KEYS``).
The keys themselves are settings, never in the database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Keyed entries would no longer verify under the legacy function: refuse to lose that
    # silently. A chain with keyed entries cannot go back to revision 0001.
    bind = op.get_bind()
    keyed = bind.execute(
        sa.text("SELECT COUNT(*) FROM audit_entry WHERE key_id IS NOT NULL")
    ).scalar_one()
    if keyed:
        raise RuntimeError(
            f"{keyed} audit entries are keyed (HMAC): revision 0001 cannot verify them"
        )
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("key_id")
