"""ballot withdrawals: a project taken off an opened ballot by two officers

Revision ID: 20261207a1
Revises: 96833cdc813a
Create Date: 2026-12-07 04:30:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207a1"
down_revision = "96833cdc813a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ballot_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id != proposed_by_id",
            name=op.f("ck_ballot_withdrawals_four_eyes"),
        ),
        sa.CheckConstraint(
            "(confirmed_by_id IS NULL) = (confirmed_at IS NULL)",
            name=op.f("ck_ballot_withdrawals_confirmed_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_ballot_withdrawals_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_ballot_withdrawals_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_ballot_withdrawals_proposed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_withdrawals")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_ballot_withdrawals_proposal_id")),
    )


def downgrade():
    op.drop_table("ballot_withdrawals")
