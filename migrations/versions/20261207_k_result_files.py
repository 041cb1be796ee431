"""result files: every list's ballots.pb of a published version, built once at publication

Revision ID: 20261207k
Revises: 20261207d
Create Date: 2026-12-07 05:40:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207k"
down_revision = "20261207_l_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "result_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("list_key", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_result_files_sha256_length")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["result_versions.id"],
            name=op.f("fk_result_files_version_id_result_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_files")),
        sa.UniqueConstraint(
            "version_id", "list_key", name=op.f("uq_result_files_version_id_list_key")
        ),
    )
    with op.batch_alter_table("result_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_result_files_version_id"), ["version_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("result_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_files_version_id"))
    op.drop_table("result_files")
