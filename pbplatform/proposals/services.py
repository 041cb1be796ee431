"""Proposals: submission by every channel, author edits, withdrawal and residents' flags.

Services flush and never commit; the request (or CLI command) commits once at the end.
Refusals a person can act on are `DomainError`s with a stable code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import today
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import (
    OPEN_STATUSES,
    EventKind,
    IntakeChannel,
    Proposal,
    ProposalCategory,
    ProposalEvent,
    ProposalFlag,
    ProposalKind,
    ProposalStatus,
)
from pbplatform.vocabulary import member_of

# Channels an officer types in on a resident's behalf (issue 4).
OFFICER_CHANNELS = (
    IntakeChannel.LETTER,
    IntakeChannel.PHONE,
    IntakeChannel.EMAIL,
    IntakeChannel.MEETING,
)
# Phases in which a proposal's status may still change; from voting on the ballot is fixed.
OPEN_PHASES = (Phase.PROPOSALS, Phase.REVIEW)
MAX_COST_MINOR = 10**13  # 100 billion in major units: beyond any district budget
TITLE_MAX, DESCRIPTION_MAX, LOCATION_MAX = 160, 10_000, 200
CONTACT_NAME_MAX, CONTACT_DETAILS_MAX, FLAG_REASON_MAX = 120, 200, 500


def _(text: str, **values: object) -> str:
    """gettext in a request; plain English (the source text) in CLI commands and the demo."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


@dataclass
class ProposalInput:
    """What a proposer supplies. Everything else (status, costs, author) is set by services."""

    title: str
    description: str
    area_id: int | None = None  # None = the district-wide pot
    category: str = "other"
    estimated_cost_minor: int = 0
    location: str | None = None
    kind: str = "spending"
    savings_per_year_minor: int | None = None
    contact_name: str | None = None
    contact_details: str | None = None
    contact_consent: bool = False


def _text(value: object) -> str:
    if not isinstance(value, str):  # API callers: a number or null where text belongs
        value = "" if value is None else str(value)
    return value.replace("\x00", "").strip()


# Complexity: one guard per field rule of a proposal (title, description, cost, area, category,
# kind), each refusal naming its field.
def _check_input(cycle: Cycle, data: ProposalInput) -> None:
    title, description = _text(data.title), _text(data.description)
    if not title or not description:
        raise DomainError("missing_fields", _("A title and a description are required."))
    if len(title) > TITLE_MAX or len(description) > DESCRIPTION_MAX:
        raise DomainError("too_long", _("The title or the description is too long."))
    if len(_text(data.location)) > LOCATION_MAX:
        raise DomainError("too_long", _("The location is too long."))
    if member_of(ProposalKind, data.kind) is None:
        raise DomainError("invalid_kind", _("Choose a spending or a savings proposal."))
    if member_of(ProposalCategory, data.category) is None:
        raise DomainError("invalid_category", _("Choose a category from the list."))
    if data.area_id is not None and data.area_id not in {ca.area_id for ca in cycle.areas}:
        raise DomainError("invalid_area", _("That area does not take part in this cycle."))
    cost = data.estimated_cost_minor
    if not isinstance(cost, int) or isinstance(cost, bool) or cost < 0:
        raise DomainError("negative_cost", _("The estimated cost must not be negative."))
    if cost > MAX_COST_MINOR:
        raise DomainError("cost_too_high", _("The estimated cost is too high."))
    savings = data.savings_per_year_minor
    if data.kind == ProposalKind.SAVING and (
        not isinstance(savings, int) or savings <= 0 or savings > MAX_COST_MINOR
    ):
        raise DomainError(
            "savings_required",
            _("A savings proposal needs the amount it saves per year (more than 0)."),
        )


def _check_contact(data: ProposalInput) -> None:
    if (
        len(_text(data.contact_name)) > CONTACT_NAME_MAX
        or len(_text(data.contact_details)) > CONTACT_DETAILS_MAX
    ):
        raise DomainError("too_long", _("The contact details are too long."))


def _apply(proposal: Proposal, data: ProposalInput) -> None:
    proposal.title = _text(data.title)
    proposal.description = _text(data.description)
    proposal.area_id = data.area_id
    proposal.category = data.category
    proposal.estimated_cost_minor = data.estimated_cost_minor
    proposal.location = _text(data.location) or None
    proposal.kind = data.kind
    proposal.savings_per_year_minor = (
        data.savings_per_year_minor if data.kind == ProposalKind.SAVING else None
    )


def add_event(proposal: Proposal, kind: str, note: str | None = None) -> ProposalEvent:
    """Append one step to the proposal's public life history."""
    event = ProposalEvent(proposal=proposal, kind=kind, note=note)
    db.session.add(event)
    db.session.flush()
    from pbplatform.notifications.services import notify_proposal_event  # it imports this one

    notify_proposal_event(event)
    return event


def cycle_year(cycle: Cycle) -> int:
    """The year in tracking numbers: when the cycle's proposals phase starts."""
    for phase in cycle.phase_dates:
        if phase.phase == Phase.PROPOSALS:
            return phase.starts_at.year
    return cycle.created_at.year if cycle.created_at else today().year


def next_tracking_number(cycle: Cycle) -> str:
    """Reserve the cycle's next number (`PREFIX-YEAR-0042`) under a row lock on the cycle.

    The lock serialises concurrent submissions on PostgreSQL (SQLite serialises writers
    anyway); the unique constraint on `proposals.tracking_number` is the last guard.
    """
    locked = db.session.scalars(
        sa.select(Cycle)
        .where(Cycle.id == cycle.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    seq = locked.next_tracking_seq
    locked.next_tracking_seq = seq + 1
    db.session.flush()
    return f"{locked.tracking_prefix}-{cycle_year(locked)}-{seq:04d}"


# Complexity: the intake rules of every channel (web, letter, phone, meeting) meet here so that all
# channels obey the same checks.
def submit_proposal(
    cycle: Cycle,
    author: User | None,
    data: ProposalInput,
    *,
    channel: str = "web",
    entered_by: User | None = None,
    received_on: date | None = None,
) -> Proposal:
    """Record a new pending proposal with a tracking number, by any intake channel.

    `channel` is web, api, letter, phone, email or meeting. Offline channels need the officer
    who typed it in (`entered_by`) and default `received_on` to today. Contact details are
    kept only with the resident's consent. Refuses (DomainError) outside the proposals phase.
    """
    if cycle.current_phase != Phase.PROPOSALS:
        raise DomainError(
            "phase_closed", _("Proposals can only be submitted in the proposals phase."), status=409
        )
    if member_of(IntakeChannel, channel) is None:
        raise DomainError("invalid_channel", _("Unknown intake channel."))
    if channel in OFFICER_CHANNELS:
        if entered_by is None or not entered_by.is_officer:
            raise DomainError(
                "officer_required",
                _(
                    "Only an officer can enter proposals "
                    "received by letter, phone, e-mail or at "
                    "a meeting."
                ),
                status=403,
            )
        if not entered_by.can_act_on_area(data.area_id):
            raise DomainError(
                "area_forbidden", _("You may only enter proposals for your areas."), status=403
            )
        received_on = received_on or today()
        if received_on > today():
            raise DomainError("future_date", _("The date received cannot be in the future."))
    elif author is None:
        raise DomainError("author_required", _("Please log in to submit a proposal."), status=401)
    _check_input(cycle, data)
    _check_contact(data)
    proposal = Proposal(
        cycle=cycle,
        author=author,
        status=ProposalStatus.PENDING,
        channel=channel,
        entered_by=entered_by,
        received_on=received_on,
    )
    _apply(proposal, data)
    if data.contact_consent:
        proposal.contact_consent = True
        proposal.contact_name = _text(data.contact_name) or None
        proposal.contact_details = _text(data.contact_details) or None
    proposal.tracking_number = next_tracking_number(cycle)
    db.session.add(proposal)
    add_event(proposal, EventKind.SUBMITTED, channel)
    db.session.flush()
    if entered_by is not None:
        audit.record(
            "proposal.entered",
            proposal,
            actor=entered_by,
            area_id=proposal.area_id,
            after={
                "tracking_number": proposal.tracking_number,
                "channel": channel,
                "received_on": received_on.isoformat() if received_on else None,
                "contact_consent": proposal.contact_consent,
            },
        )
    return proposal


def _require_author(proposal: Proposal, user: User) -> None:
    if proposal.author_id is None or proposal.author_id != user.id:
        raise DomainError("not_author", _("Only the author can change this proposal."), status=403)


def update_proposal(proposal: Proposal, user: User, data: ProposalInput) -> Proposal:
    """The author edits their proposal while it is pending (and the cycle still takes them)."""
    _require_author(proposal, user)
    if proposal.status != ProposalStatus.PENDING or proposal.cycle.current_phase not in OPEN_PHASES:
        raise DomainError("not_editable", _("Only pending proposals can be edited."), status=409)
    _check_input(proposal.cycle, data)
    _apply(proposal, data)
    add_event(proposal, EventKind.EDITED)
    db.session.flush()
    return proposal


def withdraw_proposal(proposal: Proposal, user: User) -> Proposal:
    """The author withdraws a pending or approved proposal before voting opens."""
    _require_author(proposal, user)
    phase = proposal.cycle.current_phase
    if proposal.status not in OPEN_STATUSES or phase not in OPEN_PHASES:
        raise DomainError(
            "not_withdrawable", _("This proposal can no longer be withdrawn."), status=409
        )
    proposal.status = ProposalStatus.WITHDRAWN
    add_event(proposal, EventKind.WITHDRAWN)
    db.session.flush()
    return proposal


def flag_proposal(proposal: Proposal, user: User, reason: str) -> ProposalFlag:
    """A resident reports abusive content; one flag per resident and proposal."""
    reason = _text(reason)
    if not reason:
        raise DomainError("reason_required", _("Please say why you report this proposal."))
    if len(reason) > FLAG_REASON_MAX:
        raise DomainError("too_long", _("The reason is too long."))
    existing = db.session.scalar(
        sa.select(ProposalFlag.id).where(
            ProposalFlag.proposal_id == proposal.id, ProposalFlag.user_id == user.id
        )
    )
    if existing is not None:
        raise DomainError(
            "already_flagged", _("You have already reported this proposal."), status=409
        )
    flag = ProposalFlag(proposal=proposal, user_id=user.id, reason=reason)
    try:
        with db.session.begin_nested():  # the unique constraint settles a double click
            db.session.add(flag)
    except IntegrityError as exc:
        raise DomainError(
            "already_flagged", _("You have already reported this proposal."), status=409
        ) from exc
    return flag
