"""accounts: tokens bound to the password they were issued under

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Tokens issued before this revision have no tag and are refused: everyone logs
in once more after the upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_tag", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("password_tag")
