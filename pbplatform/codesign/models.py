"""Co-authors, amendments and merge requests with their authors' consents."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import Model


class Answer(enum.StrEnum):
    """Where an invitation, amendment or consent stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(ANSWER_LABELS[self])


ANSWER_LABELS = {
    Answer.PENDING: _l("Waiting for an answer"),
    Answer.ACCEPTED: _l("Accepted"),
    Answer.DECLINED: _l("Declined"),
}


class MergeStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the authors' consent
    MERGED = "merged"
    REFUSED = "refused"  # an author said no

    @property
    def label(self) -> str:
        return str(MERGE_LABELS[self])


MERGE_LABELS = {
    MergeStatus.PENDING: _l("Waiting for the authors' consent"),
    MergeStatus.MERGED: _l("Merged"),
    MergeStatus.REFUSED: _l("Refused by an author"),
}


class CoAuthor(Model):
    """A resident who shares a proposal: invited by an author, or added by an officer."""

    __tablename__ = "proposal_coauthors"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "user_id"),
        enum_check("status", tuple(Answer), "status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[Answer] = mapped_column(sa.String(16), default=Answer.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    proposal = relationship("Proposal")


class Amendment(Model):
    """Another resident's proposed new text; accepting changes the proposal and keeps both."""

    __tablename__ = "amendments"
    __table_args__ = (
        enum_check("status", tuple(Answer), "status_known"),
        sa.CheckConstraint(
            "status != 'declined' OR reason IS NOT NULL", name="declined_has_reason"
        ),
        sa.Index("ix_amendments_proposal", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    amender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The text as it stood when the amendment was made, and the text proposed.
    old_title: Mapped[str] = mapped_column(sa.String(160))
    old_description: Mapped[str] = mapped_column(sa.Text)
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[Answer] = mapped_column(sa.String(16), default=Answer.PENDING)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    amender = relationship("User", foreign_keys=[amender_id])
    proposal = relationship("Proposal")

    @property
    def status_label(self) -> str:
        return Answer(self.status).label


class MergeRequest(Model):
    """An officer's proposal to merge duplicates into a target, waiting for consent.

    `original_ids` is the request as it was made (a list, in the officer's order); each of them
    is also a `MergeOriginal` row, written with it, so that the database finds the requests
    that concern a proposal (`queries.open_merges_of`)."""

    __tablename__ = "merge_requests"
    __table_args__ = (enum_check("status", tuple(MergeStatus), "status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    original_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[MergeStatus] = mapped_column(sa.String(16), default=MergeStatus.PENDING)
    # Why the merge went ahead without every answer (after the waiting time), if it did.
    proceed_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    target = relationship("Proposal")
    consents: Mapped[list[MergeConsent]] = relationship(
        order_by="MergeConsent.id", back_populates="request"
    )
    originals: Mapped[list[MergeOriginal]] = relationship(cascade="all, delete-orphan")

    @validates("original_ids")
    def _link_originals(self, _key: str, ids: list[int]) -> list[int]:
        self.originals = [MergeOriginal(proposal_id=pid) for pid in dict.fromkeys(ids)]
        return ids


class MergeOriginal(Model):
    """One proposal a merge request would fold into its target."""

    __tablename__ = "merge_request_originals"
    __table_args__ = (sa.Index("ix_merge_request_originals_proposal", "proposal_id"),)

    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("merge_requests.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )


class MergeConsent(Model):
    __tablename__ = "merge_consents"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "user_id"),
        enum_check("answer", tuple(Answer), "answer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("merge_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[Answer] = mapped_column(sa.String(16), default=Answer.PENDING)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    request: Mapped[MergeRequest] = relationship(back_populates="consents")
