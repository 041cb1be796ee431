"""surveys: invitations to a survey (survey_invitations, notifications.survey_id, kind)

survey_invitations holds who was invited once per survey; notifications.survey_id names the
survey an invitation is about; notifications and letters take the kind survey_invitation.

Revision ID: 20261207_r_survey_invitations
Revises: 20261207_q_survey_wording
Create Date: 2026-12-07 10:46:19.553989
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_r_survey_invitations"
down_revision = "20261207_q_survey_wording"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "'submitted', 'edited', 'approved', 'rejected', 'merged', 'merged_from', 'withdrawn', "
    "'withdrawn_from_ballot', 'hidden', 'unhidden', 'delivery', 'milestone', 'official_answer', "
    "'offer_accepted', 'offer_declined', 'offer_lapsed', 'coauthor_invited', 'coauthor_joined', "
    "'amendment_proposed', 'amended', 'amendment_declined', 'merge_proposed', 'merge_refused', "
    "'meeting_invitation', 'coassessment_opened', 'event', 'voting_opened', 'voting_closed', "
    "'results_published'"
)
NEW_KINDS = OLD_KINDS + ", 'survey_invitation'"


def _kinds(kinds: str) -> None:
    for table in ("notifications", "notification_letters"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_kind_known"), type_="check")
            batch_op.create_check_constraint(
                batch_op.f(f"ck_{table}_kind_known"), f"kind IN ({kinds})"
            )


def upgrade() -> None:
    op.create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(user_id IS NULL) != (proposal_id IS NULL)",
            name=op.f("ck_survey_invitations_person_or_letter"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_survey_invitations_invited_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_survey_invitations_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_invitations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_survey_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitations")),
        sa.UniqueConstraint(
            "survey_id", "proposal_id", name=op.f("uq_survey_invitations_survey_id_proposal_id")
        ),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_invitations_survey_id_user_id")
        ),
    )
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.create_index("ix_survey_invitations_user", ["user_id"], unique=False)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_survey_id"), ["survey_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_survey_id_surveys"),
            "surveys",
            ["survey_id"],
            ["id"],
            ondelete="CASCADE",
        )

    _kinds(NEW_KINDS)


def downgrade() -> None:
    for table in ("notifications", "notification_letters"):
        op.execute(f"DELETE FROM {table} WHERE kind = 'survey_invitation'")
    _kinds(OLD_KINDS)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_survey_id_surveys"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_notifications_survey_id"))
        batch_op.drop_column("survey_id")

    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_invitations_user")

    op.drop_table("survey_invitations")
