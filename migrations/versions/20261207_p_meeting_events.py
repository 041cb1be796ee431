"""meeting events: a meeting's public page (time, agenda, minutes, invitations) and the
proposals on its agenda (issue 16 item 4)

Revision ID: 20261207_p_meeting_events
Revises: 20261207_o_codesign
Create Date: 2026-12-07 09:30:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_p_meeting_events"
down_revision = "20261207_o_codesign"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_events",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.String(length=5), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("invited_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "starts_at IS NULL OR length(starts_at) = 5",
            name=op.f("ck_meeting_events_starts_at_hhmm"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_events_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_events")),
    )
    op.create_table(
        "meeting_agenda_proposals",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting_events.meeting_id"],
            name=op.f("fk_meeting_agenda_proposals_meeting_id_meeting_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"],
            name=op.f("fk_meeting_agenda_proposals_proposal_id_proposals"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "meeting_id", "proposal_id", name=op.f("pk_meeting_agenda_proposals")
        ),
    )


def downgrade():
    op.drop_table("meeting_agenda_proposals")
    op.drop_table("meeting_events")
