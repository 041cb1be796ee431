"""surveys: a named paper response may be linked to the respondent's account (user_id, so it is
in their download and goes with their erasure; a code or paper response never is), and the
wording history also records a survey's title and introduction (no question)

Revision ID: 20261210_survey_named_links
Revises: 20261209_offer_value_rate
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261210_survey_named_links"
down_revision = "20261209_offer_value_rate"
branch_labels = None
depends_on = None

SURVEY_FIELDS = "('title', 'title_de', 'introduction', 'introduction_de')"
OLD_FIELDS = "field IN ('text', 'text_de')"
NEW_FIELDS = f"field IN ('text', 'text_de', {SURVEY_FIELDS[1:]}"
QUESTION_OR_SURVEY = f"(question_id IS NULL) = (field IN {SURVEY_FIELDS})"
ANONYMOUS_CHANNELS = "user_id IS NULL OR channel IN ('online', 'named')"


def upgrade():
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_survey_responses_user_only_online_or_named"), ANONYMOUS_CHANNELS
        )
    with op.batch_alter_table("survey_wording_changes", schema=None) as batch_op:
        batch_op.alter_column("question_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_survey_wording_changes_field_known"), "check")
        batch_op.create_check_constraint(
            batch_op.f("ck_survey_wording_changes_field_known"), NEW_FIELDS
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_survey_wording_changes_question_or_survey"), QUESTION_OR_SURVEY
        )


def downgrade():
    # The earlier schema holds only question wording: the survey-level history goes.
    op.execute("DELETE FROM survey_wording_changes WHERE question_id IS NULL")
    with op.batch_alter_table("survey_wording_changes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_survey_wording_changes_question_or_survey"), "check"
        )
        batch_op.drop_constraint(batch_op.f("ck_survey_wording_changes_field_known"), "check")
        batch_op.create_check_constraint(
            batch_op.f("ck_survey_wording_changes_field_known"), OLD_FIELDS
        )
        batch_op.alter_column("question_id", existing_type=sa.Integer(), nullable=False)
    # Links stay valid for the earlier code (a named response with its respondent's user_id).
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_survey_responses_user_only_online_or_named"), "check"
        )
