"""discussion: comments with official answers, comment flags, the cycle's answer deadline
(issue 16 item 2)

Revision ID: 20261207_n_discussion
Revises: 20261207_m_notifications
Create Date: 2026-12-07 08:30:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_n_discussion"
down_revision = "20261207_m_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answer_within_days", sa.Integer(), nullable=False, server_default="14")
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_cycles_answer_days_range"),
            "answer_within_days >= 1 AND answer_within_days <= 365",
        )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("department", sa.String(length=120), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=300), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'api', 'letter', 'phone', 'email', 'meeting')",
            name=op.f("ck_comments_channel_known"),
        ),
        sa.CheckConstraint(
            "length(body) >= 1 AND length(body) <= 2000", name=op.f("ck_comments_body_length")
        ),
        sa.CheckConstraint(
            "NOT official OR department IS NOT NULL", name=op.f("ck_comments_official_department")
        ),
        sa.CheckConstraint(
            "hidden_at IS NULL OR hidden_reason IS NOT NULL",
            name=op.f("ck_comments_hidden_has_reason"),
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_comments_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_comments_entered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_comments_hidden_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_comments_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_proposal_created", "comments", ["proposal_id", "created_at"])
    op.create_table(
        "comment_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_flags_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_comment_flags_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_flags")),
        sa.UniqueConstraint("comment_id", "user_id", name=op.f("uq_comment_flags_comment_id_user_id")),
    )


def downgrade():
    op.drop_table("comment_flags")
    op.drop_table("comments")
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_cycles_answer_days_range"), type_="check")
        batch_op.drop_column("answer_within_days")
