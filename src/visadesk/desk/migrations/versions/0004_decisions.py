"""decisions: the ground of each refusal, kept with the case event that refused the case

Issue #12: a refusal names a ground of ``rules/baseline/refusals.yaml`` (and a sub-ground
where the ground has them), with the citation as it read at the time and, for INA
221(g), the items missing. One row per refusing event.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ground", sa.String(length=32), nullable=False),
        sa.Column("sub_ground", sa.String(length=32), nullable=True),
        sa.Column("citation", sa.String(length=100), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("other_items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["visa_case.id"], name=op.f("fk_case_refusal_case_id_visa_case")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_event.id"], name=op.f("fk_case_refusal_event_id_case_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_refusal")),
        sa.UniqueConstraint("event_id", name=op.f("uq_case_refusal_event_id")),
    )
    with op.batch_alter_table("case_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_refusal_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_refusal_case_id"))
    op.drop_table("case_refusal")
