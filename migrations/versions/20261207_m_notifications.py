"""notifications: follows, notifications, e-mail choice and letters due (issue 16 item 1)

Revision ID: 20261207_m_notifications
Revises: 20261207k
Create Date: 2026-12-07 08:00:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_m_notifications"
down_revision = "20261207k"
branch_labels = None
depends_on = None

KINDS = (
    "'submitted', 'edited', 'approved', 'rejected', 'merged', 'merged_from', 'withdrawn', "
    "'withdrawn_from_ballot', 'hidden', 'unhidden', 'delivery', 'milestone', 'official_answer', 'offer_accepted', "
    "'offer_declined', 'offer_lapsed', 'coauthor_invited', 'coauthor_joined', "
    "'amendment_proposed', 'amended', 'amendment_declined', 'merge_proposed', 'merge_refused', "
    "'meeting_invitation', 'coassessment_opened', 'event', "
    "'voting_opened', "
    "'voting_closed', 'results_published'"
)


def upgrade():
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN area_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN cycle_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_follows_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_follows_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name=op.f("fk_follows_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_follows_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
    )
    op.create_index("uq_follows_user_proposal", "follows", ["user_id", "proposal_id"], unique=True)
    op.create_index("uq_follows_user_area", "follows", ["user_id", "area_id"], unique=True)
    op.create_index("uq_follows_user_cycle", "follows", ["user_id", "cycle_id"], unique=True)
    op.create_index("ix_follows_proposal", "follows", ["proposal_id"])
    op.create_index("ix_follows_area", "follows", ["area_id"])
    op.create_index("ix_follows_cycle", "follows", ["cycle_id"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notifications_kind_known")),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name=op.f("fk_notifications_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"],
            name=op.f("fk_notifications_proposal_id_proposals"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"],
            name=op.f("fk_notifications_meeting_id_meetings"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])
    op.create_index("ix_notifications_unmailed", "notifications", ["mailed_at", "user_id"])

    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "email IN ('immediate', 'daily', 'never')",
            name=op.f("ck_notification_settings_email_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )

    op.create_table(
        "notification_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("printed_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notification_letters_kind_known")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"],
            name=op.f("fk_notification_letters_proposal_id_proposals"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_letters")),
    )
    op.create_index(
        "ix_notification_letters_due", "notification_letters", ["printed_at", "proposal_id"]
    )


def downgrade():
    op.drop_table("notification_letters")
    op.drop_table("notification_settings")
    op.drop_table("notifications")
    op.drop_table("follows")
