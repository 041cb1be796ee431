"""Reading the participation records of a cycle into plain counts (nothing is written)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.channels.models import Meeting, MeetingStatus, VotingCode
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Participation

# Age bands (lower bound, label key); the last is open-ended.
AGE_BANDS = ((0, "under_18"), (18, "18_29"), (30, "30_44"), (45, "45_64"), (65, "65_plus"))
UNKNOWN = None  # area or age not known


def _participant_area():
    """A participant's area: the account's home area, else the voting code's area."""
    return sa.func.coalesce(User.home_area_id, VotingCode.area_id)


def _participations(cycle: Cycle, *columns):
    code_key = sa.literal("code:") + sa.cast(VotingCode.id, sa.String)
    return (
        sa.select(*columns)
        .select_from(Participation)
        .outerjoin(User, User.id == Participation.user_id)
        .outerjoin(VotingCode, Participation.voter_key == code_key)
        .where(Participation.cycle_id == cycle.id)
    )


def participants(cycle: Cycle) -> dict[int | None, Counter]:
    """People recorded as having voted, per area and channel."""
    area = _participant_area().label("area_id")
    rows = db.session.execute(
        _participations(cycle, area, Participation.channel, sa.func.count()).group_by(
            area, Participation.channel
        )
    )
    found: dict[int | None, Counter] = defaultdict(Counter)
    for area_id, channel, n in rows:
        found[area_id][channel] += n
    return found


def meeting_attendance(cycle: Cycle) -> dict[int, int]:
    """Attendance of the meetings whose dot totals were confirmed, per area."""
    rows = db.session.execute(
        sa.select(Meeting.area_id, sa.func.sum(Meeting.attendance))
        .where(Meeting.cycle_id == cycle.id, Meeting.status == MeetingStatus.CONFIRMED)
        .group_by(Meeting.area_id)
    )
    return {area_id: int(n or 0) for area_id, n in rows}


def age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    band = AGE_BANDS[0][1]
    for lower, key in AGE_BANDS:
        if age >= lower:
            band = key
    return band


def age_bands(cycle: Cycle) -> dict[int | None, Counter]:
    """Participants whose birth date is known (their account's), per area and age band on the
    day they voted."""
    area = _participant_area()
    rows = db.session.execute(
        _participations(cycle, area, User.birth_date, Participation.voted_on).where(
            User.birth_date.is_not(None)
        )
    )
    found: dict[int | None, Counter] = defaultdict(Counter)
    for area_id, born, voted_on in rows:
        found[area_id][age_band(born, voted_on)] += 1
    return found


def proposals_by_intake(cycle: Cycle) -> dict[int | None, Counter]:
    """Proposals submitted, per area (None: district-wide) and intake channel."""
    rows = db.session.execute(
        sa.select(Proposal.area_id, Proposal.channel, sa.func.count())
        .where(Proposal.cycle_id == cycle.id)
        .group_by(Proposal.area_id, Proposal.channel)
    )
    found: dict[int | None, Counter] = defaultdict(Counter)
    for area_id, channel, n in rows:
        found[area_id][channel] += n
    return found
