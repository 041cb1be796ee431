"""Recording delivery: the record of a funded proposal and its milestones with photos.

Officers act within their area remit (district-wide proposals need district scope), only on
proposals the council is to deliver (`queries.deliverable_proposals`). Every change writes the
proposal's public timeline and an audit entry with before and after. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Cycle
from pbplatform.db import today
from pbplatform.delivery import photos as photo_files
from pbplatform.delivery import queries
from pbplatform.delivery.models import Delivery, DeliveryStatus, Milestone, MilestonePhoto
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.services import MAX_COST_MINOR, add_event
from pbplatform.security.access import require_remit

TEXT_MAX = 10_000
DEPARTMENT_MAX = 160
MAX_PHOTOS = 6  # per milestone


@dataclass
class DeliveryInput:
    status: str
    progress: int
    department: str | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    committed_minor: int = 0
    spent_minor: int = 0
    not_done_reason: str | None = None


def require_deliverable(proposal: Proposal) -> queries.Deliverable:
    found = queries.deliverable(proposal)
    if found is None:
        raise DomainError(
            "not_deliverable",
            _("Delivery is recorded for funded proposals once the results are published."),
            status=409,
        )
    return found


def _text(value: str | None, limit: int = TEXT_MAX) -> str | None:
    text = (value or "").replace("\x00", "").strip()
    return text[:limit] if text else None


def _money(value: int, field_name: str) -> int:
    if value < 0 or value > MAX_COST_MINOR:
        raise DomainError(
            "bad_amount", _("Enter an amount of zero or more."), field=field_name, status=422
        )
    return value


# Complexity: one guard per rule of a delivery record (status, progress, money, date order, reason
# when not done), each refusal naming its field.
def _check(data: DeliveryInput) -> DeliveryStatus:
    if data.status not in tuple(DeliveryStatus):
        raise DomainError("bad_status", _("Choose a status from the list."), field="status")
    status = DeliveryStatus(data.status)
    if not 0 <= data.progress <= 100:
        raise DomainError(
            "bad_progress", _("Progress is a percentage from 0 to 100."), field="progress"
        )
    if status is DeliveryStatus.NOT_DONE and not _text(data.not_done_reason):
        raise DomainError("reason_required", _("Say why it was not done."), field="not_done_reason")
    for start, end, name in (
        (data.planned_start, data.planned_end, "planned_end"),
        (data.actual_start, data.actual_end, "actual_end"),
    ):
        if start and end and end < start:
            raise DomainError("dates_order", _("The end cannot be before the start."), field=name)
    for when, name in ((data.actual_start, "actual_start"), (data.actual_end, "actual_end")):
        if when and when > today():
            raise DomainError(
                "future_date", _("An actual date cannot be in the future."), field=name
            )
    return status


def _snapshot(record: Delivery | None) -> dict[str, Any]:
    if record is None:
        return {}
    names = ("status", "progress", "department", "committed_minor", "spent_minor")
    return {
        **{n: getattr(record, n) for n in names},
        **{
            n: getattr(record, n).isoformat() if getattr(record, n) else None
            for n in ("planned_start", "planned_end", "actual_start", "actual_end")
        },
        "not_done_reason": record.not_done_reason,
    }


def ensure_delivery(proposal: Proposal) -> Delivery:
    record = queries.delivery_of(proposal)
    if record is None:
        record = Delivery(proposal_id=proposal.id, proposal=proposal, milestones=[])
        db.session.add(record)
    return record


def update_delivery(proposal: Proposal, officer: User, data: DeliveryInput) -> Delivery:
    """Set the delivery record of a funded proposal (created on first use)."""
    require_remit(officer, proposal)
    require_deliverable(proposal)
    status = _check(data)
    record = ensure_delivery(proposal)
    before = _snapshot(record) if record.id else {}
    changed_status = record.status != status or not record.id
    record.status = status
    record.progress = 100 if status is DeliveryStatus.DONE else data.progress
    record.department = _text(data.department, DEPARTMENT_MAX)
    record.planned_start, record.planned_end = data.planned_start, data.planned_end
    record.actual_start, record.actual_end = data.actual_start, data.actual_end
    if status is DeliveryStatus.DONE and record.actual_end is None:
        record.actual_end = today()
    record.committed_minor = _money(data.committed_minor, "committed")
    record.spent_minor = _money(data.spent_minor, "spent")
    record.not_done_reason = (
        _text(data.not_done_reason) if status is DeliveryStatus.NOT_DONE else None
    )
    record.updated_by_id = officer.id
    if changed_status:
        add_event(proposal, "delivery", status)
    db.session.flush()
    if changed_status and status is DeliveryStatus.DONE:
        # Co-assessment: residents rate what was delivered (surveys build on delivery's news).
        from pbplatform.surveys.coassessment import open_coassessment

        open_coassessment(proposal, officer)
    audit.record(
        "delivery.updated",
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        before=before,
        after=_snapshot(record),
    )
    return record


def add_milestone(
    proposal: Proposal,
    officer: User,
    on_date: date | None,
    text: str | None,
    photos: list[bytes] | None = None,
) -> Milestone:
    """A dated step of delivery with its text and optional photos (checked and re-encoded)."""
    require_remit(officer, proposal)
    require_deliverable(proposal)
    body = _text(text)
    if body is None:
        raise DomainError("text_required", _("Describe the milestone."), field="text")
    if on_date is None or on_date > today():
        raise DomainError(
            "future_date", _("A milestone's date cannot be in the future."), field="on_date"
        )
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise DomainError(
            "too_many_photos",
            _("At most %(n)s photos per milestone.", n=MAX_PHOTOS),
            field="photos",
        )
    cleaned = [photo_files.clean_photo(p) for p in photos]  # all checked before any is stored
    record = ensure_delivery(proposal)
    milestone = Milestone(delivery=record, on_date=on_date, text=body, created_by_id=officer.id)
    db.session.add(milestone)
    for photo in cleaned:
        milestone.photos.append(
            MilestonePhoto(
                file_name=photo_files.store(photo),
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                byte_size=len(photo.content),
            )
        )
    add_event(proposal, "milestone", body[:200])
    db.session.flush()
    audit.record(
        "delivery.milestone",
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        after={
            "milestone_id": milestone.id,
            "on_date": on_date.isoformat(),
            "photos": len(cleaned),
        },
    )
    return milestone


def schedule_open_data(cycle: Cycle, user: User) -> Any:
    """Rebuild the cycle's open-data zip as a background job (nothing before publication).
    Returns the job, or None."""
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import start_job

    if queries.published_version(cycle) is None:
        return None
    return start_job(JobKind.OPEN_DATA, user, {"cycle_id": cycle.id})
