"""Announce a meeting: time, agenda, proposals discussed, minutes; invite. Functions flush."""

from __future__ import annotations

from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.models import Meeting
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.meetings import queries
from pbplatform.meetings.models import AGENDA_MAX, MINUTES_MAX, MeetingEvent
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import get_proposal


def _text(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise DomainError(
            "too_long",
            _("At most %(max)s characters (this has %(n)s).", max=limit, n=len(text)),
            field=field,
        )
    return text or None


def _agenda_proposals(meeting: Meeting, numbers: str | None) -> list[Proposal]:
    """The proposals named by tracking number (commas or lines), all of the meeting's cycle."""
    found = []
    for raw in (numbers or "").replace(",", "\n").split("\n"):
        number = raw.strip()
        if not number:
            continue
        proposal = get_proposal(number)
        if proposal is None or proposal.cycle_id != meeting.cycle_id:
            raise DomainError(
                "unknown_proposal",
                _("%(number)s is not a proposal of this cycle.", number=number[:24]),
                field="proposals",
            )
        if proposal not in found:
            found.append(proposal)
    return found


def describe_meeting(
    meeting: Meeting,
    officer: User,
    *,
    starts_at: str | None,
    agenda: str | None,
    proposals: str | None,
    minutes: str | None,
) -> MeetingEvent:
    event = queries.event_of(meeting.id)
    if event is None:
        event = MeetingEvent(meeting_id=meeting.id)
        db.session.add(event)
    event.starts_at = starts_at or None
    event.agenda = _text(agenda, AGENDA_MAX, "agenda")
    event.minutes = _text(minutes, MINUTES_MAX, "minutes")
    event.proposals = _agenda_proposals(meeting, proposals)
    db.session.flush()
    audit.record("meeting.described", meeting, actor=officer)
    return event


def invite(meeting: Meeting, officer: User) -> int:
    """Invite the area's followers and the authors of the proposals on the agenda (by letter
    for those who proposed offline and agreed); once per meeting. Returns how many were told."""
    event = queries.event_of(meeting.id)
    if event is None:
        raise DomainError(
            "not_described", _("Describe the meeting (time and agenda) first."), status=409
        )
    if event.invited_at is not None:
        raise DomainError("already_invited", _("The invitations went out already."), status=409)
    from pbplatform.codesign.queries import author_ids
    from pbplatform.notifications.services import invite_to_meeting

    authors = {uid for proposal in event.proposals for uid in author_ids(proposal)}
    told = invite_to_meeting(meeting, authors, event.proposals)
    event.invited_at = utcnow()
    db.session.flush()
    audit.record("meeting.invited", meeting, actor=officer, after={"told": told})
    return told
