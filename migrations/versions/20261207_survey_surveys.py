"""surveys: allocation, rating and choice surveys with responses from every channel (issue 19)

Revision ID: 20261207_survey_surveys
Revises: 20261207_decide
Create Date: 2026-12-07 07:15:27.272997
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_survey_surveys"
down_revision = "20261207_decide"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_de", sa.String(length=200), nullable=True),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("introduction_de", sa.Text(), nullable=True),
        sa.Column("audience", sa.String(length=24), nullable=False),
        sa.Column("opens_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hide_results_until_close", sa.Boolean(), nullable=False),
        sa.Column("asks_attributes", sa.Boolean(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "audience != 'area_residents' OR area_id IS NOT NULL",
            name=op.f("ck_surveys_area_audience_has_area"),
        ),
        sa.CheckConstraint(
            "audience IN ('residents', 'area_residents', 'invited')",
            name=op.f("ck_surveys_audience_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('standard', 'coassessment', 'budget_simulator', 'evaluation')",
            name=op.f("ck_surveys_kind_known"),
        ),
        sa.CheckConstraint(
            "closes_at IS NULL OR closes_at > opens_at", name=op.f("ck_surveys_closes_after_opens")
        ),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_surveys_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_surveys_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name=op.f("fk_surveys_cycle_id_cycles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_surveys_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "survey_code_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count > 0", name=op.f("ck_survey_code_batches_count_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_survey_code_batches_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_code_batches_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_code_batches")),
    )
    op.create_table(
        "survey_paper_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("paper_ref", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_survey_paper_entries_officer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_paper_entries_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_paper_entries")),
        sa.UniqueConstraint(
            "survey_id",
            "paper_ref",
            "officer_id",
            name=op.f("uq_survey_paper_entries_survey_id_paper_ref_officer_id"),
        ),
    )
    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_de", sa.Text(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("total", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("allow_dont_know", sa.Boolean(), nullable=False),
        sa.Column("max_length", sa.Integer(), nullable=False),
        sa.Column("is_cut", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind != 'allocation' OR (unit IS NOT NULL AND total IS NOT NULL AND total > 0)",
            name=op.f("ck_survey_questions_allocation_has_total"),
        ),
        sa.CheckConstraint(
            "kind IN ('allocation', 'rating', 'single_choice', 'multiple_choice', 'free_text')",
            name=op.f("ck_survey_questions_kind_known"),
        ),
        sa.CheckConstraint(
            "unit IS NULL OR unit IN ('percent', 'points', 'money')",
            name=op.f("ck_survey_questions_unit_known"),
        ),
        sa.CheckConstraint(
            "max_length BETWEEN 1 AND 10000", name=op.f("ck_survey_questions_max_length_range")
        ),
        sa.CheckConstraint(
            "scale_max BETWEEN 2 AND 10", name=op.f("ck_survey_questions_scale_range")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_questions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions")),
        sa.UniqueConstraint(
            "survey_id", "position", name=op.f("uq_survey_questions_survey_id_position")
        ),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("respondent_label", sa.String(length=160), nullable=True),
        sa.Column("consent_to_name", sa.Boolean(), nullable=False),
        sa.Column("paper_ref", sa.String(length=40), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("org_type", sa.String(length=24), nullable=True),
        sa.Column("role", sa.String(length=80), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=16), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "age_band IS NULL OR age_band IN ('under_18', '18_29', '30_44', '45_64', '65_plus')",
            name=op.f("ck_survey_responses_age_band_known"),
        ),
        sa.CheckConstraint(
            "channel != 'named' OR respondent_label IS NOT NULL",
            name=op.f("ck_survey_responses_named_has_label"),
        ),
        sa.CheckConstraint(
            "channel != 'online' OR user_id IS NOT NULL",
            name=op.f("ck_survey_responses_online_has_user"),
        ),
        sa.CheckConstraint(
            "channel != 'paper' OR paper_ref IS NOT NULL",
            name=op.f("ck_survey_responses_paper_has_ref"),
        ),
        sa.CheckConstraint(
            "channel IN ('online', 'code', 'paper', 'named')",
            name=op.f("ck_survey_responses_channel_known"),
        ),
        sa.CheckConstraint(
            "org_type IS NULL OR org_type IN ('council', 'public_body', 'voluntary', 'business', 'resident', 'other')",
            name=op.f("ck_survey_responses_org_type_known"),
        ),
        sa.CheckConstraint(
            "NOT consent_to_name OR respondent_label IS NOT NULL",
            name=op.f("ck_survey_responses_consent_needs_label"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_survey_responses_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_survey_responses_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_survey_responses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "survey_id", "paper_ref", name=op.f("uq_survey_responses_survey_id_paper_ref")
        ),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_responses_survey_id_user_id")
        ),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_survey_id"), ["survey_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_responses_user_id"), ["user_id"], unique=False)

    op.create_table(
        "survey_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["survey_code_batches.id"],
            name=op.f("fk_survey_codes_batch_id_survey_code_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_survey_codes_code_hash")),
    )
    with op.batch_alter_table("survey_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_codes_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "survey_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("text_de", sa.String(length=300), nullable=True),
        sa.Column("min_value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("max_value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("baseline_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name=op.f("ck_survey_items_min_below_max"),
        ),
        sa.CheckConstraint(
            "min_value IS NULL OR min_value >= 0", name=op.f("ck_survey_items_min_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_items_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_items")),
        sa.UniqueConstraint(
            "question_id", "position", name=op.f("uq_survey_items_question_id_position")
        ),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "value IS NULL OR value >= 0", name=op.f("ck_survey_answers_value_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["survey_items.id"],
            name=op.f("fk_survey_answers_item_id_survey_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_answers_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint(
            "response_id",
            "question_id",
            "item_id",
            name=op.f("uq_survey_answers_response_id_question_id_item_id"),
        ),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answers_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answers_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_response_id"))
        batch_op.drop_index(batch_op.f("ix_survey_answers_question_id"))

    op.drop_table("survey_answers")
    op.drop_table("survey_items")
    with op.batch_alter_table("survey_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_codes_batch_id"))

    op.drop_table("survey_codes")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_user_id"))
        batch_op.drop_index(batch_op.f("ix_survey_responses_survey_id"))

    op.drop_table("survey_responses")
    op.drop_table("survey_questions")
    op.drop_table("survey_paper_entries")
    op.drop_table("survey_code_batches")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_area_id"))

    op.drop_table("surveys")
