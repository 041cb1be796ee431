"""codesign: co-authors, amendments, merge requests and consents (issue 16 item 3)

Revision ID: 20261207_o_codesign
Revises: 20261207_n_discussion
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_o_codesign"
down_revision = "20261207_n_discussion"
branch_labels = None
depends_on = None

ANSWERS = "'pending', 'accepted', 'declined'"


def _when(name, nullable=True):
    return sa.Column(name, pbplatform.db.UTCDateTime(timezone=True), nullable=nullable)


def _fk(column, table, name, ondelete):
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=op.f(name), ondelete=ondelete)


def upgrade():
    op.create_table(
        "proposal_coauthors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("created_at", nullable=False),
        _when("answered_at"),
        sa.CheckConstraint(f"status IN ({ANSWERS})", name=op.f("ck_proposal_coauthors_status_known")),
        _fk("proposal_id", "proposals", "fk_proposal_coauthors_proposal_id_proposals", "CASCADE"),
        _fk("user_id", "users", "fk_proposal_coauthors_user_id_users", "CASCADE"),
        _fk("invited_by_id", "users", "fk_proposal_coauthors_invited_by_id_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_coauthors")),
        sa.UniqueConstraint(
            "proposal_id", "user_id", name=op.f("uq_proposal_coauthors_proposal_id_user_id")
        ),
    )
    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("amender_id", sa.Integer(), nullable=True),
        sa.Column("old_title", sa.String(length=160), nullable=False),
        sa.Column("old_description", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        _when("created_at", nullable=False),
        _when("answered_at"),
        sa.CheckConstraint(f"status IN ({ANSWERS})", name=op.f("ck_amendments_status_known")),
        sa.CheckConstraint(
            "status != 'declined' OR reason IS NOT NULL",
            name=op.f("ck_amendments_declined_has_reason"),
        ),
        _fk("proposal_id", "proposals", "fk_amendments_proposal_id_proposals", "CASCADE"),
        _fk("amender_id", "users", "fk_amendments_amender_id_users", "SET NULL"),
        _fk("answered_by_id", "users", "fk_amendments_answered_by_id_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
    )
    op.create_index("ix_amendments_proposal", "amendments", ["proposal_id"])
    op.create_table(
        "merge_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("original_ids", sa.JSON(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proceed_reason", sa.String(length=500), nullable=True),
        _when("created_at", nullable=False),
        _when("closed_at"),
        sa.CheckConstraint(
            "status IN ('pending', 'merged', 'refused')",
            name=op.f("ck_merge_requests_status_known"),
        ),
        _fk("target_id", "proposals", "fk_merge_requests_target_id_proposals", "CASCADE"),
        _fk("proposed_by_id", "users", "fk_merge_requests_proposed_by_id_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_requests")),
    )
    op.create_table(
        "merge_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        _when("answered_at"),
        sa.CheckConstraint(f"answer IN ({ANSWERS})", name=op.f("ck_merge_consents_answer_known")),
        _fk("request_id", "merge_requests", "fk_merge_consents_request_id_merge_requests", "CASCADE"),
        _fk("user_id", "users", "fk_merge_consents_user_id_users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_consents")),
        sa.UniqueConstraint(
            "request_id", "user_id", name=op.f("uq_merge_consents_request_id_user_id")
        ),
    )


def downgrade():
    op.drop_table("merge_consents")
    op.drop_table("merge_requests")
    op.drop_index("ix_amendments_proposal", table_name="amendments")
    op.drop_table("amendments")
    op.drop_table("proposal_coauthors")
