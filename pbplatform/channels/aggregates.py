"""Channels that deliver only totals (dots at neighbourhood meetings), for the count (issue 4)."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.channels.models import Channel, Meeting, MeetingTotal
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.tally import AggregateScore


def meeting_aggregates(cycle: Cycle) -> list[AggregateScore]:
    """Confirmed meeting dot totals as tally aggregates (project ids are proposal ids as str).

    One row per proposal on the ballot: the sum of agreed dots over the cycle's meetings, and
    as participants the total attendance of the meetings with confirmed totals (the channel's
    size, the same on every row). Proposals no longer on the ballot are left out.
    """
    counted = sa.select(MeetingTotal.meeting_id).distinct()
    attendance = (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Meeting.attendance), 0)).where(
                Meeting.cycle_id == cycle.id, Meeting.id.in_(counted)
            )
        )
        or 0
    )
    rows = db.session.execute(
        sa.select(MeetingTotal.proposal_id, sa.func.sum(MeetingTotal.dots))
        .join(Meeting)
        .join(Proposal, Proposal.id == MeetingTotal.proposal_id)
        .where(
            Meeting.cycle_id == cycle.id,
            Proposal.status == ProposalStatus.APPROVED,
        )
        .group_by(MeetingTotal.proposal_id)
        .order_by(MeetingTotal.proposal_id)
    )
    return [
        AggregateScore(
            channel=Channel.MEETING,
            project_id=str(pid),
            score=int(dots),
            participants=int(attendance),
        )
        for pid, dots in rows
    ]
