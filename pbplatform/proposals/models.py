"""Proposals for spending or saving, their public timeline and residents' flags."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db

KINDS = ("spending", "saving")
STATUSES = ("pending", "approved", "rejected", "merged", "withdrawn")
# How a proposal reached the council; 'api' is the JSON API, 'web' the site.
INTAKE_CHANNELS = ("web", "api", "letter", "phone", "email", "meeting")
# What pages, ballots and exports show instead of text hidden by moderation. Stored records
# (result versions, exports) keep the untranslated words; pages translate them.
HIDDEN_MSGID = "Text hidden by moderation"
HIDDEN_TEXT = _l("Text hidden by moderation")
CATEGORIES = (
    "streets",
    "green",
    "play",
    "culture",
    "social",
    "sport",
    "education",
    "environment",
    "other",
)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        enum_check("kind", KINDS, "kind_valid"),
        enum_check("status", STATUSES, "status_valid"),
        enum_check("channel", INTAKE_CHANNELS, "channel_valid"),
        sa.CheckConstraint("estimated_cost_minor >= 0", name="estimate_nonnegative"),
        sa.CheckConstraint(
            "officer_cost_minor IS NULL OR officer_cost_minor >= 0", name="officer_cost_nonnegative"
        ),
        sa.CheckConstraint(
            "savings_per_year_minor IS NULL OR savings_per_year_minor > 0", name="savings_positive"
        ),
        sa.CheckConstraint(
            "status != 'approved' OR officer_cost_minor IS NOT NULL", name="approved_has_cost"
        ),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
        sa.Index("ix_proposals_cycle_status", "cycle_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # NULL means the district-wide pot.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    tracking_number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(8), default="spending")
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(32), default="other")
    location: Mapped[str | None] = mapped_column(sa.String(200))
    estimated_cost_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    savings_per_year_minor: Mapped[int | None] = mapped_column(sa.BigInteger)

    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    is_hidden: Mapped[bool] = mapped_column(default=False)
    officer_cost_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    feasibility: Mapped[str | None] = mapped_column(sa.Text)
    impact_statement: Mapped[str | None] = mapped_column(sa.Text)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"))

    # Intake: who wrote it, and for offline channels who typed it in and when it arrived.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    received_on: Mapped[date | None] = mapped_column(sa.Date)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    contact_details: Mapped[str | None] = mapped_column(sa.String(200))
    contact_consent: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cycle: Mapped[Cycle] = relationship()  # noqa: F821
    area: Mapped[Area | None] = relationship()  # noqa: F821
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])  # noqa: F821
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])  # noqa: F821
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )
    ballot_withdrawal: Mapped[BallotWithdrawal | None] = relationship(
        back_populates="proposal", uselist=False, viewonly=True
    )

    @property
    def is_saving(self) -> bool:
        return self.kind == "saving"

    @property
    def on_ballot(self) -> bool:
        # Hiding hides the text only: a hidden project stays on the ballot and in the count.
        return self.status == "approved"

    @property
    def public_title(self) -> str:
        """The title, or the placeholder when moderation hid the text."""
        return str(HIDDEN_TEXT) if self.is_hidden else self.title

    @property
    def record_title(self) -> str:
        """The title for stored records and files: the placeholder's plain words if hidden."""
        return HIDDEN_MSGID if self.is_hidden else self.title

    @property
    def withdrawn_from_ballot(self) -> bool:
        """Taken off an opened ballot by two officers (it was on the ballot before)."""
        w = self.ballot_withdrawal
        return self.status == "withdrawn" and w is not None and w.confirmed_at is not None


class ProposalEvent(db.Model):
    """One step of a proposal's public life history."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.Text)

    proposal: Mapped[Proposal] = relationship(back_populates="events")


class ProposalFlag(db.Model):
    __tablename__ = "proposal_flags"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship()


class BallotWithdrawal(db.Model):
    """Taking a project off a ballot that voting has opened: proposed by one officer with a
    reason, effective only once a second officer confirms. The project's votes stay stored;
    the count leaves it out and says so (results.services)."""

    __tablename__ = "ballot_withdrawals"
    __table_args__ = (
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id != proposed_by_id", name="four_eyes"
        ),
        sa.CheckConstraint(
            "(confirmed_by_id IS NULL) = (confirmed_at IS NULL)", name="confirmed_complete"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="ballot_withdrawal")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
