"""jobs: closing voting and paper imports run as jobs (issue 17 items 2 and 5)

Revision ID: 20261207_cast_job_kinds
Revises: 20261207_survey_surveys
Create Date: 2026-12-07 07:30:00
"""

from alembic import op

revision = "20261207_cast_job_kinds"
down_revision = "20261207_survey_surveys"
branch_labels = None
depends_on = None

OLD = "kind IN ('count', 'privacy_export', 'open_data')"
NEW = "kind IN ('count', 'privacy_export', 'open_data', 'close_voting', 'paper_import')"


def _kinds(check: str) -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_jobs_kind_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_jobs_kind_known"), check)


def upgrade():
    _kinds(NEW)


def downgrade():
    op.execute("DELETE FROM jobs WHERE kind IN ('close_voting', 'paper_import')")
    _kinds(OLD)
