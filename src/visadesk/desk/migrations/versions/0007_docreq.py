"""docreq: document requests as ticked checklist items, and in-app notifications

A document request names the items an officer ticked on a case's checklist (and
free-text extras) with a note; a notification is a message id and its
parameters for one user, rendered in the reader's language when read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["visa_case.id"], name=op.f("fk_document_request_case_id_visa_case")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_document_request_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["organization.id"],
            name=op.f("fk_document_request_sponsor_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user_account.id"],
            name=op.f("fk_document_request_requested_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_request")),
    )
    with op.batch_alter_table("document_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_request_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_document_request_org_id"), ["org_id"])
        batch_op.create_index(batch_op.f("ix_document_request_sponsor_id"), ["sponsor_id"])
    op.create_table(
        "document_request_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["document_request.id"],
            name=op.f("fk_document_request_item_request_id_document_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_request_item")),
        sa.UniqueConstraint("request_id", "kind", name=op.f("uq_document_request_item_request_id")),
    )
    with op.batch_alter_table("document_request_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_request_item_request_id"), ["request_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_notification_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["visa_case.id"], name=op.f("fk_notification_case_id_visa_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_notification_org_id"), ["org_id"])
        batch_op.create_index(batch_op.f("ix_notification_case_id"), ["case_id"])
        batch_op.create_index("ix_notification_user_read", ["user_id", "read_at"])


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_read")
        batch_op.drop_index(batch_op.f("ix_notification_case_id"))
        batch_op.drop_index(batch_op.f("ix_notification_org_id"))
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))
    op.drop_table("notification")
    with op.batch_alter_table("document_request_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_request_item_request_id"))
    op.drop_table("document_request_item")
    with op.batch_alter_table("document_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_request_sponsor_id"))
        batch_op.drop_index(batch_op.f("ix_document_request_org_id"))
        batch_op.drop_index(batch_op.f("ix_document_request_case_id"))
    op.drop_table("document_request")
