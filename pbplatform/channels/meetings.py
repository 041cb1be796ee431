"""Neighbourhood meetings: dots per proposal, counted twice by two different officers.

Each officer enters every proposal's dots on their own. `confirm_meeting_counts` keeps only
the proposals where both numbers agree (as `MeetingTotal`, the only rows the count reads) and
lists the others for correction: an entrant corrects by entering their numbers again, then the
meeting is confirmed again. Dots above attendance x dots per person are refused. Meetings are
an aggregate channel: they record no one's participation, so they block no other vote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.models import Meeting, MeetingCountEntry, MeetingStatus, MeetingTotal
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.services import ballot_proposals

OPEN_PHASES = (Phase.VOTING, Phase.COUNTING)


@dataclass(frozen=True)
class Mismatch:
    proposal: Proposal
    counts: dict[int, int]  # officer id -> dots


def _ensure_open(cycle: Cycle) -> None:
    if cycle.current_phase not in OPEN_PHASES:
        raise DomainError(
            "meetings_closed",
            _("Meeting counts can be entered while voting is open or being counted, not now."),
            status=409,
        )


def _snapshot(meeting: Meeting) -> dict[str, object]:
    return {
        "area_id": meeting.area_id,
        "held_on": meeting.held_on.isoformat(),
        "place": meeting.place,
        "attendance": meeting.attendance,
        "dots_per_person": meeting.dots_per_person,
        "status": meeting.status,
    }


def create_meeting(
    cycle: Cycle,
    area_id: int,
    held_on: date,
    place: str,
    attendance: int,
    dots_per_person: int = 5,
    actor: User | None = None,
) -> Meeting:
    _ensure_open(cycle)
    if area_id not in {ca.area_id for ca in cycle.areas}:
        raise DomainError("invalid_area", _("This area does not take part in this cycle."))
    if attendance < 0 or dots_per_person < 1:
        raise DomainError(
            "invalid_numbers", _("Attendance and dots per person must be positive numbers.")
        )
    meeting = Meeting(
        cycle_id=cycle.id,
        area_id=area_id,
        held_on=held_on,
        place=place.strip(),
        attendance=attendance,
        dots_per_person=dots_per_person,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.create", meeting, after=_snapshot(meeting), area_id=area_id, actor=actor)
    return meeting


def update_attendance(meeting: Meeting, attendance: int, actor: User | None = None) -> Meeting:
    _ensure_editable(meeting)
    if attendance < 0:
        raise DomainError("invalid_numbers", _("Attendance cannot be negative."))
    before = _snapshot(meeting)
    meeting.attendance = attendance
    db.session.flush()
    audit.record(
        "meeting.attendance",
        meeting,
        before=before,
        after=_snapshot(meeting),
        area_id=meeting.area_id,
        actor=actor,
    )
    return meeting


def _ensure_editable(meeting: Meeting) -> None:
    _ensure_open(meeting.cycle)
    if meeting.status == MeetingStatus.CONFIRMED:
        raise DomainError(
            "meeting_confirmed", _("This meeting's counts are confirmed."), status=409
        )


def meeting_proposals(meeting: Meeting) -> list[Proposal]:
    """What could be dotted: the area's and the district-wide proposals on the ballot."""
    return ballot_proposals(meeting.cycle, meeting.area_id)


def entrants(meeting: Meeting) -> list[int]:
    return sorted({e.officer_id for e in meeting.entries})


def enter_counts(meeting: Meeting, officer: User, counts: Mapping[int, int]) -> None:
    """Record (or correct) one officer's count for every proposal; missing means 0."""
    _ensure_editable(meeting)
    others = [o for o in entrants(meeting) if o != officer.id]
    if len(others) >= 2:
        raise DomainError(
            "two_entrants",
            _(
                "Two officers have already counted this meeting; "
                "only they can correct their counts."
            ),
            status=409,
        )
    allowed = {p.id for p in meeting_proposals(meeting)}
    if set(counts) - allowed:
        raise DomainError("invalid_project", _("A count names a proposal not on this ballot."))
    if any(n < 0 for n in counts.values()):
        raise DomainError("invalid_numbers", _("Dots cannot be negative."))
    total = sum(counts.values())
    if total > meeting.capacity:
        raise DomainError(
            "over_attendance",
            _(
                "%(total)s dots is more than %(attendance)s people x %(dots)s dots = %(cap)s.",
                total=total,
                attendance=meeting.attendance,
                dots=meeting.dots_per_person,
                cap=meeting.capacity,
            ),
        )
    _replace_entries(meeting, officer, {pid: counts.get(pid, 0) for pid in allowed})
    audit.record(
        "meeting.counts_entered",
        meeting,
        actor=officer,
        area_id=meeting.area_id,
        after={"officer_id": officer.id, "total": total},
    )


def _replace_entries(meeting: Meeting, officer: User, counts: Mapping[int, int]) -> None:
    for entry in [e for e in meeting.entries if e.officer_id == officer.id]:
        meeting.entries.remove(entry)
    db.session.flush()
    for pid, dots in sorted(counts.items()):
        meeting.entries.append(MeetingCountEntry(officer_id=officer.id, proposal_id=pid, dots=dots))
    db.session.flush()


def compare_counts(meeting: Meeting) -> tuple[dict[int, int], list[Mismatch]]:
    """(agreed dots per proposal id, mismatches) between the two entrants."""
    officers = entrants(meeting)
    if len(officers) != 2:
        raise DomainError(
            "needs_two_counts",
            _("Two different officers must each enter the counts before they can be confirmed."),
            status=409,
        )
    by_proposal: dict[int, dict[int, int]] = {}
    for e in meeting.entries:
        by_proposal.setdefault(e.proposal_id, dict.fromkeys(officers, 0))[e.officer_id] = e.dots
    agreed, mismatches = {}, []
    proposals = {
        p.id: p for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(by_proposal)))
    }
    for pid, counts in sorted(by_proposal.items()):
        if len(set(counts.values())) == 1:
            agreed[pid] = next(iter(counts.values()))
        else:
            mismatches.append(Mismatch(proposals[pid], counts))
    return agreed, mismatches


def confirm_meeting_counts(meeting: Meeting, actor: User | None = None) -> list[Mismatch]:
    """Keep the agreed totals; return the mismatches (the meeting stays open for those)."""
    _ensure_editable(meeting)
    agreed, mismatches = compare_counts(meeting)
    if sum(agreed.values()) > meeting.capacity:
        raise DomainError(
            "over_attendance",
            _(
                "The agreed totals (%(total)s dots) exceed attendance x dots per person (%(cap)s).",
                total=sum(agreed.values()),
                cap=meeting.capacity,
            ),
        )
    for total in list(meeting.totals):
        meeting.totals.remove(total)
    db.session.flush()
    meeting.totals = [MeetingTotal(proposal_id=pid, dots=n) for pid, n in agreed.items()]
    meeting.status = MeetingStatus.NEEDS_CORRECTION if mismatches else MeetingStatus.CONFIRMED
    if not mismatches:
        meeting.confirmed_at = utcnow()
        meeting.confirmed_by_id = actor.id if actor else None
    db.session.flush()
    audit.record(
        "meeting.confirm",
        meeting,
        actor=actor,
        area_id=meeting.area_id,
        after={
            "status": meeting.status,
            "agreed": len(agreed),
            "mismatches": [m.proposal.tracking_number for m in mismatches],
        },
    )
    return mismatches


def list_meetings(cycle: Cycle, area_ids: set[int] | None = None) -> list[Meeting]:
    stmt = sa.select(Meeting).where(Meeting.cycle_id == cycle.id)
    if area_ids is not None:
        stmt = stmt.where(Meeting.area_id.in_(area_ids))
    return list(db.session.scalars(stmt.order_by(Meeting.held_on, Meeting.id)))
