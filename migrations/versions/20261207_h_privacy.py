"""privacy: consents, downloads of personal data, erasures, inactivity warnings

Revision ID: 20261207_h_privacy
Revises: 96833cdc813a
Create Date: 2026-12-07 04:30:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_h_privacy"
down_revision = "20261207a1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('notice', 'newsletter', 'proposal_contact')",
            name=op.f("ck_consent_records_purpose_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_consent_records_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(
        "ix_consent_records_user_purpose", "consent_records", ["user_id", "purpose"], unique=False
    )
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_data_exports_expires_after_created")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index(op.f("ix_data_exports_user_id"), "data_exports", ["user_id"], unique=False)
    op.create_table(
        "account_erasures",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "via IN ('self', 'officer', 'command', 'retention')",
            name=op.f("ck_account_erasures_via_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_erasures_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_account_erasures")),
    )
    op.create_table(
        "inactivity_warnings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("warned_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_inactivity_warnings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_inactivity_warnings")),
    )


def downgrade():
    op.drop_table("inactivity_warnings")
    op.drop_table("account_erasures")
    op.drop_index(op.f("ix_data_exports_user_id"), table_name="data_exports")
    op.drop_table("data_exports")
    op.drop_index("ix_consent_records_user_purpose", table_name="consent_records")
    op.drop_table("consent_records")
