"""queue: a case can be assigned to a desk user (issue #12, the officer's queue)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Cases start unassigned; the downgrade drops the assignments.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visa_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_visa_case_assignee_id_user_account"),
            "user_account",
            ["assignee_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_visa_case_assignee_id"), ["assignee_id"])


def downgrade() -> None:
    with op.batch_alter_table("visa_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visa_case_assignee_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_visa_case_assignee_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("assignee_id")
