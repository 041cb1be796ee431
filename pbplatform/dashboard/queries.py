"""What waits for an officer or administrator, scoped to the areas they may act on.

Reads only; each count comes from the same query the tool's own page lists, so the number on
the home page is the number of rows the officer finds behind the link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.channels.models import Meeting, MeetingStatus
from pbplatform.coproduction.models import OfferStatus
from pbplatform.coproduction.services import review_queue
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.delivery.queries import report_back_for
from pbplatform.extensions import db
from pbplatform.proposals import queries as proposal_queries
from pbplatform.results import services as results
from pbplatform.results.models import ResultVersion

# Phases in which each tool has work to do (a link to it is always shown).
PAPER_PHASES = (Phase.VOTING, Phase.COUNTING)
MEETING_PHASES = (Phase.VOTING, Phase.COUNTING)
COUNT_PHASES = (Phase.COUNTING, Phase.RESULTS)


@dataclass
class CycleWork:
    cycle: Cycle
    meetings_to_confirm: int = 0
    count_to_publish: ResultVersion | None = None
    can_count: bool = False


@dataclass
class Waiting:
    proposals_to_review: int = 0
    flags: int = 0
    offers_to_value: int = 0
    report_back: int = 0
    cycles: list[CycleWork] = field(default_factory=list)

    @property
    def meetings_to_confirm(self) -> int:
        return sum(c.meetings_to_confirm for c in self.cycles)

    @property
    def counts_to_publish(self) -> int:
        return sum(1 for c in self.cycles if c.count_to_publish is not None)


def _area_ids(user: User) -> set[int] | None:
    if user.is_admin or not user.officer_area_list:
        return None
    return {a.id for a in user.officer_area_list}


def active_cycles() -> list[Cycle]:
    """Cycles with officer work: everything but drafts, newest first."""
    return list(
        db.session.scalars(
            sa.select(Cycle).where(Cycle.phase != Phase.DRAFT).order_by(Cycle.created_at.desc())
        )
    )


def meetings_to_confirm(cycle: Cycle, user: User) -> int:
    """Meetings in the officer's areas whose dot counts are not confirmed yet."""
    stmt = sa.select(sa.func.count(Meeting.id)).where(
        Meeting.cycle_id == cycle.id, Meeting.status != MeetingStatus.CONFIRMED
    )
    areas = _area_ids(user)
    if areas is not None:
        stmt = stmt.where(Meeting.area_id.in_(areas))
    return db.session.scalar(stmt) or 0


def count_to_publish(cycle: Cycle) -> ResultVersion | None:
    """The newest count when it is newer than what is published (only it can be published)."""
    newest = db.session.scalar(
        sa.select(ResultVersion)
        .where(ResultVersion.cycle_id == cycle.id)
        .order_by(ResultVersion.version.desc())
        .limit(1)
    )
    return newest if newest is not None and not newest.is_published else None


def waiting_for(user: User) -> Waiting:
    can_count = results.can_count(user)
    cycles = [
        CycleWork(
            cycle=c,
            meetings_to_confirm=meetings_to_confirm(c, user),
            count_to_publish=count_to_publish(c) if can_count else None,
            can_count=can_count,
        )
        for c in active_cycles()
    ]
    return Waiting(
        proposals_to_review=len(proposal_queries.pending_for(user)),
        flags=len(proposal_queries.flagged_for(user)),
        offers_to_value=len(review_queue(user, (OfferStatus.OFFERED,))),
        report_back=sum(1 for _d, record in report_back_for(user) if record is None),
        cycles=cycles,
    )
