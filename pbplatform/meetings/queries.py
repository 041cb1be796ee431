"""Reads for the public meeting pages."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from pbplatform.channels.models import Meeting
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.meetings.models import MeetingEvent


def meetings_of(cycle: Cycle) -> Sequence[Meeting]:
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.cycle_id == cycle.id).order_by(Meeting.held_on, Meeting.id)
    ).all()


def meeting_by_id(meeting_id: int) -> Meeting | None:
    return db.session.get(Meeting, meeting_id)


def event_of(meeting_id: int) -> MeetingEvent | None:
    return db.session.get(MeetingEvent, meeting_id)


def events_by_meeting(cycle: Cycle) -> dict[int, MeetingEvent]:
    rows = db.session.scalars(
        sa.select(MeetingEvent).join(Meeting).where(Meeting.cycle_id == cycle.id)
    )
    return {row.meeting_id: row for row in rows}


def first_meeting_in(cycle_id: int, area_id: int) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.cycle_id == cycle_id, Meeting.area_id == area_id)
        .order_by(Meeting.held_on, Meeting.id)
    )
