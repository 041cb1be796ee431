"""Follows and notifications: who wants to hear about a proposal, an area or a cycle, and what
they were told. Nothing here ever says how anyone voted: notifications come only from a
proposal's public life history and from phase changes, never from a ballot."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import Model


class NotificationKind(enum.StrEnum):
    """What happened. Proposal events keep their event kind's name."""

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
    MILESTONE = "milestone"
    OFFICIAL_ANSWER = "official_answer"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    OFFER_LAPSED = "offer_lapsed"
    COAUTHOR_INVITED = "coauthor_invited"
    COAUTHOR_JOINED = "coauthor_joined"
    AMENDMENT_PROPOSED = "amendment_proposed"
    AMENDED = "amended"
    AMENDMENT_DECLINED = "amendment_declined"
    MERGE_PROPOSED = "merge_proposed"
    MERGE_REFUSED = "merge_refused"
    MEETING_INVITATION = "meeting_invitation"
    COASSESSMENT_OPENED = "coassessment_opened"
    SURVEY_INVITATION = "survey_invitation"
    EVENT = "event"  # a proposal event of a kind added later (decisions, milestones...)
    VOTING_OPENED = "voting_opened"
    VOTING_CLOSED = "voting_closed"
    RESULTS_PUBLISHED = "results_published"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    NotificationKind.SUBMITTED: _l("A proposal was submitted"),
    NotificationKind.EDITED: _l("A proposal was edited"),
    NotificationKind.APPROVED: _l("A proposal was approved for the ballot"),
    NotificationKind.REJECTED: _l("A proposal was not approved"),
    NotificationKind.MERGED: _l("A proposal was merged into another"),
    NotificationKind.MERGED_FROM: _l("Another proposal was merged into this one"),
    NotificationKind.WITHDRAWN: _l("A proposal was withdrawn by its author"),
    NotificationKind.WITHDRAWN_FROM_BALLOT: _l("A proposal was withdrawn from the ballot"),
    NotificationKind.HIDDEN: _l("A proposal's text was hidden by moderation"),
    NotificationKind.UNHIDDEN: _l("A proposal's text is shown again"),
    NotificationKind.DELIVERY: _l("News on the delivery of a proposal"),
    NotificationKind.MILESTONE: _l("A funded proposal reached a milestone of its delivery"),
    NotificationKind.OFFICIAL_ANSWER: _l("The council answered on a proposal"),
    NotificationKind.OFFER_ACCEPTED: _l("An offer of help on a proposal was accepted"),
    NotificationKind.OFFER_DECLINED: _l("Your offer of help was declined"),
    NotificationKind.OFFER_LAPSED: _l("An accepted offer of help lapsed"),
    NotificationKind.COAUTHOR_INVITED: _l("You are invited to co-author a proposal"),
    NotificationKind.COAUTHOR_JOINED: _l("A co-author joined a proposal"),
    NotificationKind.AMENDMENT_PROPOSED: _l("An amendment to your proposal waits for your answer"),
    NotificationKind.AMENDED: _l("A proposal's text was changed by an accepted amendment"),
    NotificationKind.AMENDMENT_DECLINED: _l("Your amendment was declined"),
    NotificationKind.MERGE_PROPOSED: _l(
        "Officers propose to merge duplicates: your consent is asked"
    ),
    NotificationKind.MERGE_REFUSED: _l("An author refused a proposed merge"),
    NotificationKind.MEETING_INVITATION: _l("You are invited to a neighbourhood meeting"),
    NotificationKind.COASSESSMENT_OPENED: _l("Rate a delivered project: how did it turn out?"),
    NotificationKind.SURVEY_INVITATION: _l("You are invited to answer a survey"),
    NotificationKind.EVENT: _l("News on a proposal"),
    NotificationKind.VOTING_OPENED: _l("Voting has opened"),
    NotificationKind.VOTING_CLOSED: _l("Voting has closed"),
    NotificationKind.RESULTS_PUBLISHED: _l("Results were published"),
}


class EmailFrequency(enum.StrEnum):
    """How a person wants notifications by e-mail (the site always lists them)."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    NEVER = "never"

    @property
    def label(self) -> str:
        return str(FREQUENCY_LABELS[self])


FREQUENCY_LABELS = {
    EmailFrequency.IMMEDIATE: _l("One e-mail per notification, as it happens"),
    EmailFrequency.DAILY: _l("One e-mail a day with everything new (digest)"),
    EmailFrequency.NEVER: _l("No e-mail: only on this site"),
}


class Follow(Model):
    """A person follows exactly one of: a proposal, an area (in every cycle) or a cycle."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN area_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN cycle_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        sa.Index("uq_follows_user_proposal", "user_id", "proposal_id", unique=True),
        sa.Index("uq_follows_user_area", "user_id", "area_id", unique=True),
        sa.Index("uq_follows_user_cycle", "user_id", "cycle_id", unique=True),
        sa.Index("ix_follows_proposal", "proposal_id"),
        sa.Index("ix_follows_area", "area_id"),
        sa.Index("ix_follows_cycle", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE")
    )
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="CASCADE"))
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal = relationship("Proposal")
    area = relationship("Area")
    cycle = relationship("Cycle")


class Notification(Model):
    """One thing a person was told, on the site and (by their choice) by e-mail."""

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("kind", tuple(NotificationKind), "kind_known"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        sa.Index("ix_notifications_unmailed", "mailed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(sa.String(32))
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE")
    )
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an e-mail carried it, or when e-mail was not wanted: the digest skips it then.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal")
    cycle = relationship("Cycle")
    meeting = relationship("Meeting")
    survey = relationship("Survey")

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label

    @property
    def shown_note(self) -> str | None:
        if self.meeting is not None:  # its note holds the day as ISO: said from the meeting
            return meeting_said(self.meeting)
        return shown_note(self.kind, self.note, self.proposal)


class NotificationSetting(Model):
    """A person's e-mail choice; no row means the default (a daily digest)."""

    __tablename__ = "notification_settings"
    __table_args__ = (enum_check("email", tuple(EmailFrequency), "email_known"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[EmailFrequency] = mapped_column(sa.String(16), default=EmailFrequency.DAILY)


class Letter(Model):
    """News for a proposer who proposed by letter or phone and agreed to be contacted: printed
    and posted by officers (the mail-merge list), as residents who never log in expect."""

    __tablename__ = "notification_letters"
    __table_args__ = (
        enum_check("kind", tuple(NotificationKind), "kind_known"),
        sa.Index("ix_notification_letters_due", "printed_at", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal = relationship("Proposal")

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label

    @property
    def shown_note(self) -> str | None:
        if self.kind in DATED_NOTES and self.note:
            return days_said(self.note)
        return shown_note(self.kind, self.note, self.proposal)


# Invitations' letters store the day as ISO ("2027-01-06, Town hall (North)"; a survey's
# "Title (2027-01-06): link"): a letter says it in the language it is printed in.
DATED_NOTES = (NotificationKind.MEETING_INVITATION, NotificationKind.SURVEY_INVITATION)
ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def days_said(note: str) -> str:
    """The note with each ISO day in the page's language ("6 Jan 2027", "06.01.2027")."""

    def said(match: re.Match[str]) -> str:
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:  # not a day after all: leave it as written
            return match.group(0)
        return format_date(day, "medium")

    return ISO_DAY.sub(said, note)


def meeting_said(meeting: Any) -> str:
    """A meeting invitation's day, place and area, the day in the page's language."""
    return f"{format_date(meeting.held_on, 'medium')}, {meeting.place} ({meeting.area.name})"


def shown_note(kind: str, note: str | None, proposal: Any) -> str | None:
    """A note as people read it, in the page's language. Notes copied from a proposal's event
    that store data, not a sentence, are said here: a council decision's ("adopted:1") becomes
    "Council decision (version 1): Adopted", an accepted offer's value ("15000") "Offer of help
    accepted, valued at €150.00."; any other note is already text (a reason, a name)."""
    from pbplatform.coproduction.models import accepted_said
    from pbplatform.decisions.queries import decision_said, is_decision_note  # imports proposals

    if is_decision_note(note):
        return decision_said(note)
    if kind == NotificationKind.OFFER_ACCEPTED and proposal is not None:
        return accepted_said(note, proposal.cycle.currency)
    return note
