"""Proposals for spending or saving, their public timeline and residents' flags."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db

# What pages, ballots and exports show instead of text hidden by moderation. Stored records
# (result versions, exports) keep the untranslated words; pages translate them.
HIDDEN_MSGID = "Text hidden by moderation"
HIDDEN_TEXT = _l("Text hidden by moderation")


class ProposalKind(enum.StrEnum):
    SPENDING = "spending"
    SAVING = "saving"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    ProposalKind.SPENDING: _l("Spending: something the council should pay for"),
    ProposalKind.SAVING: _l("Saving: something the council should cut or stop"),
}


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ProposalStatus.PENDING: _l("Pending review"),
    ProposalStatus.APPROVED: _l("On the ballot"),
    ProposalStatus.REJECTED: _l("Not accepted"),
    ProposalStatus.MERGED: _l("Merged"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
}
# A proposal in one of these can still be reviewed, merged or withdrawn; the others are final.
OPEN_STATUSES = (ProposalStatus.PENDING, ProposalStatus.APPROVED)


class IntakeChannel(enum.StrEnum):
    """How a proposal reached the council; `API` is the JSON API, `WEB` the site."""

    WEB = "web"
    API = "api"
    LETTER = "letter"
    PHONE = "phone"
    EMAIL = "email"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return str(INTAKE_CHANNEL_LABELS[self])


INTAKE_CHANNEL_LABELS = {
    IntakeChannel.WEB: _l("website"),
    IntakeChannel.API: _l("app or API"),
    IntakeChannel.LETTER: _l("letter"),
    IntakeChannel.PHONE: _l("phone"),
    IntakeChannel.EMAIL: _l("e-mail"),
    IntakeChannel.MEETING: _l("neighbourhood meeting"),
}


class ProposalCategory(enum.StrEnum):
    STREETS = "streets"
    GREEN = "green"
    PLAY = "play"
    CULTURE = "culture"
    SOCIAL = "social"
    SPORT = "sport"
    EDUCATION = "education"
    ENVIRONMENT = "environment"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    ProposalCategory.STREETS: _l("Streets and traffic"),
    ProposalCategory.GREEN: _l("Parks and green spaces"),
    ProposalCategory.PLAY: _l("Playgrounds"),
    ProposalCategory.CULTURE: _l("Culture"),
    ProposalCategory.SOCIAL: _l("Social services"),
    ProposalCategory.SPORT: _l("Sport"),
    ProposalCategory.EDUCATION: _l("Schools and education"),
    ProposalCategory.ENVIRONMENT: _l("Environment and climate"),
    ProposalCategory.OTHER: _l("Other"),
}


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        enum_check("kind", ProposalKind, "kind_valid"),
        enum_check("status", ProposalStatus, "status_valid"),
        enum_check("channel", IntakeChannel, "channel_valid"),
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
        return self.kind == ProposalKind.SAVING

    @property
    def on_ballot(self) -> bool:
        # Hiding hides the text only: a hidden project stays on the ballot and in the count.
        return self.status == ProposalStatus.APPROVED

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
        return (
            self.status == ProposalStatus.WITHDRAWN and w is not None and w.confirmed_at is not None
        )


class EventKind(enum.StrEnum):
    """A step in a proposal's public timeline (`ProposalEvent.kind`)."""

    SUBMITTED = "submitted"
    EDITED = "edited"
    APPROVED = "approved"
    REJECTED = "rejected"
    MERGED = "merged"
    MERGED_FROM = "merged_from"
    WITHDRAWN = "withdrawn"
    WITHDRAWN_FROM_BALLOT = "withdrawn_from_ballot"
    HIDDEN = "hidden"
    UNHIDDEN = "unhidden"
    DELIVERY = "delivery"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_LAPSED = "offer_lapsed"
    MILESTONE = "milestone"  # delivery (issue 15)
    COUNCIL_DECISION = "council_decision"  # decisions
    ROUTING_FORWARDED = "routing_forwarded"
    ROUTING_DONE_WITHOUT_VOTE = "routing_done_without_vote"
    ROUTING_CARRIED_OVER = "routing_carried_over"
    ROUTING_ANSWER = "routing_answer"
    AMENDED = "amended"  # co-design (issue 16)
    COAUTHOR_JOINED = "coauthor_joined"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS[self])


EVENT_LABELS = {
    EventKind.SUBMITTED: _l("Submitted"),
    EventKind.EDITED: _l("Edited by the author"),
    EventKind.APPROVED: _l("Reviewed and put on the ballot"),
    EventKind.REJECTED: _l("Not accepted"),
    EventKind.MERGED: _l("Merged into another proposal"),
    EventKind.MERGED_FROM: _l("A duplicate was merged into this proposal"),
    EventKind.WITHDRAWN: _l("Withdrawn by the author"),
    EventKind.WITHDRAWN_FROM_BALLOT: _l("Withdrawn from the ballot by two officers"),
    EventKind.HIDDEN: _l("Hidden by moderation"),
    EventKind.UNHIDDEN: _l("Visible again after moderation"),
    EventKind.DELIVERY: _l("Delivery report updated"),
    EventKind.OFFER_ACCEPTED: _l("Offer of help accepted"),
    EventKind.OFFER_LAPSED: _l("Offer of help lapsed"),
    EventKind.MILESTONE: _l("Delivery milestone"),
    EventKind.COUNCIL_DECISION: _l("Council decision"),
    EventKind.ROUTING_FORWARDED: _l("Forwarded to another authority"),
    EventKind.ROUTING_DONE_WITHOUT_VOTE: _l("Done without a vote"),
    EventKind.ROUTING_CARRIED_OVER: _l("Carried over to the next cycle"),
    EventKind.ROUTING_ANSWER: _l("Answer received from the authority"),
    EventKind.AMENDED: _l("Text changed by an accepted amendment"),
    EventKind.COAUTHOR_JOINED: _l("A co-author joined"),
}


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
