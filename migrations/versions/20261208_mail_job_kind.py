"""jobs: the e-mails of notifications are written by a job (notification_mail)

Revision ID: 20261208_mail_job_kind
Revises: 20261208_merge_originals
Create Date: 2026-12-08 10:00:00
"""

from alembic import op

revision = "20261208_mail_job_kind"
down_revision = "20261208_merge_originals"
branch_labels = None
depends_on = None

OLD = "kind IN ('count', 'privacy_export', 'open_data', 'close_voting', 'paper_import')"
NEW = (
    "kind IN ('count', 'privacy_export', 'open_data', 'close_voting', 'paper_import', "
    "'notification_mail')"
)


def _kinds(check: str) -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_jobs_kind_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_jobs_kind_known"), check)


def upgrade():
    _kinds(NEW)


def downgrade():
    op.execute("DELETE FROM jobs WHERE kind = 'notification_mail'")
    _kinds(OLD)
