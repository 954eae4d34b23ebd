"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_client"), ["client"], unique=False)
        batch_op.create_index("ix_login_attempt_email_at", ["email", "at"], unique=False)

    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ko", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("name", name=op.f("uq_organization_name")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("name_ko", sa.String(length=100), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("passport_number", sa.String(length=400), nullable=True),
        sa.Column("birth_date", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_person_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("org_id", "worker_id", name=op.f("uq_person_org_id")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_org_id"), ["org_id"], unique=False)

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("worksite", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("investment_usd", sa.BigInteger(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organization.id"], name=op.f("fk_project_sponsor_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("sponsor_id", "name", name=op.f("uq_project_sponsor_id")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_sponsor_id"), ["sponsor_id"], unique=False)

    op.create_table(
        "sponsor_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("subcontractor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["organization.id"],
            name=op.f("fk_sponsor_link_sponsor_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["subcontractor_id"],
            ["organization.id"],
            name=op.f("fk_sponsor_link_subcontractor_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_link")),
        sa.UniqueConstraint(
            "sponsor_id", "subcontractor_id", name=op.f("uq_sponsor_link_sponsor_id")
        ),
    )
    with op.batch_alter_table("sponsor_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sponsor_link_sponsor_id"), ["sponsor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sponsor_link_subcontractor_id"), ["subcontractor_id"], unique=False
        )

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_user_account_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_org_id"), ["org_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_batch_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_batch_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organization.id"], name=op.f("fk_batch_sponsor_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_sponsor_id"), ["sponsor_id"], unique=False)

    op.create_table(
        "batch_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_batch_member_batch_id_batch")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["user_account.id"],
            name=op.f("fk_batch_member_invited_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_batch_member_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_member")),
        sa.UniqueConstraint("batch_id", "org_id", name=op.f("uq_batch_member_batch_id")),
    )
    with op.batch_alter_table("batch_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_member_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_member_org_id"), ["org_id"], unique=False)

    op.create_table(
        "trip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("trip_start", sa.Date(), nullable=False),
        sa.Column("trip_end", sa.Date(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"], name=op.f("fk_trip_batch_id_batch")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_trip_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_trip_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_trip_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organization.id"], name=op.f("fk_trip_sponsor_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trip")),
        sa.UniqueConstraint("batch_id", "person_id", name=op.f("uq_trip_batch_id")),
    )
    with op.batch_alter_table("trip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trip_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trip_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trip_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trip_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trip_sponsor_id"), ["sponsor_id"], unique=False)

    op.create_table(
        "screening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("recommended", sa.String(length=16), nullable=True),
        sa.Column("ready_by", sa.Date(), nullable=True),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trip_id"], ["trip.id"], name=op.f("fk_screening_trip_id_trip")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening")),
    )
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_trip_id"), ["trip_id"], unique=False)
    # trip and screening refer to each other: the trip's pointer to its latest
    # screening is added once both tables exist.
    with op.batch_alter_table("trip", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_trip_screening_id_screening", "screening", ["screening_id"], ["id"]
        )

    op.create_table(
        "visa_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("trip_start", sa.Date(), nullable=False),
        sa.Column("ready_by", sa.Date(), nullable=True),
        sa.Column("urgency_date", sa.Date(), nullable=False),
        sa.Column("interview_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("annotation_en", sa.Text(), nullable=True),
        sa.Column("annotation_ko", sa.Text(), nullable=True),
        sa.Column("search", sa.String(length=400), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_visa_case_batch_id_batch")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_visa_case_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_visa_case_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organization.id"], name=op.f("fk_visa_case_sponsor_id_organization")
        ),
        sa.ForeignKeyConstraint(["trip_id"], ["trip.id"], name=op.f("fk_visa_case_trip_id_trip")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visa_case")),
        sa.UniqueConstraint("trip_id", "category", name=op.f("uq_visa_case_trip_id")),
    )
    with op.batch_alter_table("visa_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visa_case_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visa_case_trip_id"), ["trip_id"], unique=False)
        # The queue's pages, in urgency order, whole or narrowed by one column (models.Case).
        batch_op.create_index("ix_visa_case_urgency", ["urgency_date", "id"], unique=False)
        for name, column in (
            ("ix_visa_case_queue", "state"),
            ("ix_visa_case_org_queue", "org_id"),
            ("ix_visa_case_sponsor_queue", "sponsor_id"),
            ("ix_visa_case_project_queue", "project_id"),
            ("ix_visa_case_sector_queue", "sector"),
            ("ix_visa_case_category_queue", "category"),
        ):
            batch_op.create_index(name, [column, "urgency_date", "id"], unique=False)

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_case_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["visa_case.id"], name=op.f("fk_case_event_case_id_visa_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["visa_case.id"], name=op.f("fk_document_case_id_visa_case")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_document_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["user_account.id"], name=op.f("fk_document_reviewed_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["organization.id"], name=op.f("fk_document_sponsor_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user_account.id"], name=op.f("fk_document_uploaded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_sponsor_id"), ["sponsor_id"], unique=False)

    audit_head = sa.table(
        "audit_head",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.BigInteger),
        sa.column("hash", sa.String),
    )
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_sponsor_id"))
        batch_op.drop_index(batch_op.f("ix_document_org_id"))
        batch_op.drop_index(batch_op.f("ix_document_case_id"))

    op.drop_table("document")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("visa_case", schema=None) as batch_op:
        for name in (
            "ix_visa_case_category_queue",
            "ix_visa_case_sector_queue",
            "ix_visa_case_project_queue",
            "ix_visa_case_sponsor_queue",
            "ix_visa_case_org_queue",
            "ix_visa_case_queue",
            "ix_visa_case_urgency",
        ):
            batch_op.drop_index(name)
        batch_op.drop_index(batch_op.f("ix_visa_case_trip_id"))
        batch_op.drop_index(batch_op.f("ix_visa_case_batch_id"))

    op.drop_table("visa_case")
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_trip_id"))

    with op.batch_alter_table("trip", schema=None) as batch_op:
        batch_op.drop_constraint("fk_trip_screening_id_screening", type_="foreignkey")
    op.drop_table("screening")
    with op.batch_alter_table("trip", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trip_sponsor_id"))
        batch_op.drop_index(batch_op.f("ix_trip_project_id"))
        batch_op.drop_index(batch_op.f("ix_trip_person_id"))
        batch_op.drop_index(batch_op.f("ix_trip_org_id"))
        batch_op.drop_index(batch_op.f("ix_trip_batch_id"))

    op.drop_table("trip")
    with op.batch_alter_table("batch_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_member_org_id"))
        batch_op.drop_index(batch_op.f("ix_batch_member_batch_id"))

    op.drop_table("batch_member")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_sponsor_id"))
        batch_op.drop_index(batch_op.f("ix_batch_project_id"))

    op.drop_table("batch")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_org_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("sponsor_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sponsor_link_subcontractor_id"))
        batch_op.drop_index(batch_op.f("ix_sponsor_link_sponsor_id"))

    op.drop_table("sponsor_link")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_sponsor_id"))

    op.drop_table("project")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_org_id"))

    op.drop_table("person")
    op.drop_table("organization")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_email_at")
        batch_op.drop_index(batch_op.f("ix_login_attempt_client"))

    op.drop_table("login_attempt")
    op.drop_table("audit_head")
    op.drop_table("audit_entry")
