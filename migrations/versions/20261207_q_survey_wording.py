"""surveys: the history of wording fixed after people answered (survey_wording_changes)

Revision ID: 20261207_q_survey_wording
Revises: 20261207_cast_job_kinds
Create Date: 2026-12-07 10:41:54.615872
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_q_survey_wording"
down_revision = "20261207_cast_job_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_wording_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "field IN ('text', 'text_de')", name=op.f("ck_survey_wording_changes_field_known")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_survey_wording_changes_changed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["survey_items.id"],
            name=op.f("fk_survey_wording_changes_item_id_survey_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_wording_changes_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_wording_changes_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_wording_changes")),
    )
    with op.batch_alter_table("survey_wording_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_wording_changes_survey", ["survey_id", "changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_wording_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_wording_changes_survey")

    op.drop_table("survey_wording_changes")
