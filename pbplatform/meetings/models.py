"""What a meeting's public page shows beyond its dot counts (channels.models.Meeting)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime
from pbplatform.extensions import Model

AGENDA_MAX = 4000
MINUTES_MAX = 20000

meeting_agenda_proposals = sa.Table(
    "meeting_agenda_proposals",
    Model.metadata,
    sa.Column(
        "meeting_id",
        sa.ForeignKey("meeting_events.meeting_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("proposal_id", sa.ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
)


class MeetingEvent(Model):
    """The event side of a meeting: one row per meeting that has been announced."""

    __tablename__ = "meeting_events"
    __table_args__ = (
        sa.CheckConstraint("starts_at IS NULL OR length(starts_at) = 5", name="starts_at_hhmm"),
    )

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[str | None] = mapped_column(sa.String(5))  # "18:30", local time
    agenda: Mapped[str | None] = mapped_column(sa.Text)
    minutes: Mapped[str | None] = mapped_column(sa.Text)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting = relationship("Meeting")
    proposals = relationship("Proposal", secondary=meeting_agenda_proposals, order_by="Proposal.id")
