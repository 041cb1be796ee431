"""Vote channels beyond the website: meetings (dots), paper ballots, voting codes, census.

Secrecy (INV-6) holds here too: nothing in these tables links a person to a ballot. A voting
code keeps only its hash and the day it was used; a census entry only a peppered hash and,
for people not yet of age when the register was loaded, the day they come of age.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db


class Channel(enum.StrEnum):
    """How a vote came in: `ONLINE` the website or API; `PAPER` at a voting site; `CODE` a
    voting code from a letter or the household survey; `POSTAL` a postal survey (counted, but
    nothing can be entered for it); `MEETING` dots at an assembly (aggregate totals)."""

    ONLINE = "online"
    PAPER = "paper"
    CODE = "code"
    POSTAL = "postal"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.PAPER: _l("Paper ballots"),
    Channel.CODE: _l("Voting codes"),
    Channel.POSTAL: _l("Postal survey"),
    Channel.MEETING: _l("Meetings (totals)"),
}


class MeetingStatus(enum.StrEnum):
    OPEN = "open"
    NEEDS_CORRECTION = "needs_correction"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return str(MEETING_STATUS_LABELS[self])


MEETING_STATUS_LABELS = {
    MeetingStatus.OPEN: _l("open: counts being entered"),
    MeetingStatus.NEEDS_CORRECTION: _l("counts differ: correction needed"),
    MeetingStatus.CONFIRMED: _l("confirmed"),
}


class Meeting(db.Model):
    """A neighbourhood assembly where residents put dots (an aggregate channel)."""

    __tablename__ = "meetings"
    __table_args__ = (
        enum_check("status", MeetingStatus, "status_valid"),
        sa.CheckConstraint("attendance >= 0", name="attendance_nonnegative"),
        sa.CheckConstraint("dots_per_person > 0", name="dots_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    held_on: Mapped[date] = mapped_column(sa.Date)
    place: Mapped[str] = mapped_column(sa.String(200))
    attendance: Mapped[int] = mapped_column(default=0)
    dots_per_person: Mapped[int] = mapped_column(default=5)
    status: Mapped[str] = mapped_column(sa.String(20), default=MeetingStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cycle: Mapped[Cycle] = relationship()  # noqa: F821
    area: Mapped[Area] = relationship()  # noqa: F821
    entries: Mapped[list[MeetingCountEntry]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    totals: Mapped[list[MeetingTotal]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )

    @property
    def capacity(self) -> int:
        return self.attendance * self.dots_per_person


class MeetingCountEntry(db.Model):
    """One officer's count of the dots on one proposal (two officers count independently)."""

    __tablename__ = "meeting_count_entries"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "officer_id", "proposal_id"),
        sa.CheckConstraint("dots >= 0", name="dots_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    dots: Mapped[int] = mapped_column(default=0)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="entries")
    officer: Mapped[User] = relationship()  # noqa: F821
    proposal: Mapped[Proposal] = relationship()  # noqa: F821


class MeetingTotal(db.Model):
    """A confirmed dot total: both officers' counts agreed. Only these reach the count."""

    __tablename__ = "meeting_totals"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "proposal_id"),
        sa.CheckConstraint("dots >= 0", name="dots_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    dots: Mapped[int]

    meeting: Mapped[Meeting] = relationship(back_populates="totals")
    proposal: Mapped[Proposal] = relationship()  # noqa: F821


class VotingSite(db.Model):
    """A place where paper ballots are cast. `checks_voters`: officers record who voted there."""

    __tablename__ = "voting_sites"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # NULL: a district-wide site taking ballots of every area.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    name: Mapped[str] = mapped_column(sa.String(160))
    address: Mapped[str] = mapped_column(sa.String(240))
    checks_voters: Mapped[bool] = mapped_column(default=False)

    cycle: Mapped[Cycle] = relationship()  # noqa: F821
    area: Mapped[Area | None] = relationship()  # noqa: F821


class PaperImport(db.Model):
    """One imported CSV of paper ballots. The file hash is unique: a file is imported once."""

    __tablename__ = "paper_imports"
    __table_args__ = (sa.UniqueConstraint("file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("voting_sites.id"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    row_count: Mapped[int]
    invalid_count: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site: Mapped[VotingSite] = relationship()
    officer: Mapped[User | None] = relationship()  # noqa: F821


class VotingCodeBatch(db.Model):
    __tablename__ = "voting_code_batches"
    __table_args__ = (sa.CheckConstraint("count > 0", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # NULL: the code holder chooses their neighbourhood.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    count: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(120))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[Cycle] = relationship()  # noqa: F821
    area: Mapped[Area | None] = relationship()  # noqa: F821


class VotingCode(db.Model):
    """A single-use code. Only its peppered hash is kept; nothing links it to the ballot."""

    __tablename__ = "voting_codes"
    __table_args__ = (sa.UniqueConstraint("code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("voting_code_batches.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    used_on: Mapped[date | None] = mapped_column(sa.Date)

    batch: Mapped[VotingCodeBatch] = relationship()


class CensusEntry(db.Model):
    """A register entry: a peppered hash of identifier|birth date|postcode, never the data.

    `adult_from` is set only for people below the cycle's minimum age when the register was
    loaded (the day they reach it); for everyone else no date of any kind is kept.
    """

    __tablename__ = "census_entries"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "entry_hash"),
        sa.UniqueConstraint("cycle_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    entry_hash: Mapped[str] = mapped_column(sa.String(64))
    adult_from: Mapped[date | None] = mapped_column(sa.Date)
    # One account per register entry; NULL until a resident verifies.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
