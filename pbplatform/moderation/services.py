"""Officers' moderation and review: approve, reject, merge, hide, resolve flags.
(Delivery after the results is pbplatform/delivery.)

Every action checks the officer's area remit (district-wide proposals need an officer with
district scope), writes the proposal's public timeline and an audit entry with before and
after. Status changes only while proposals are collected or reviewed: once voting opens the
ballot is fixed, and only a withdrawal by two officers (moderation.withdrawal) changes it.
Hiding hides abusive TEXT only, at any phase: the project stays on the ballot and in the count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.mail.services import send_mail
from pbplatform.proposals.models import (
    OPEN_STATUSES,
    EventKind,
    Proposal,
    ProposalFlag,
)
from pbplatform.proposals.services import (
    MAX_COST_MINOR,
    OPEN_PHASES,
    _,
    add_event,
)
from pbplatform.security.access import require_remit

TEXT_MAX = 10_000
_SNAPSHOT = (
    "status",
    "officer_cost_minor",
    "feasibility",
    "impact_statement",
    "rejection_reason",
    "merged_into_id",
    "is_hidden",
)


def snapshot(proposal: Proposal) -> dict[str, Any]:
    return {name: getattr(proposal, name) for name in _SNAPSHOT}


def _require_open(proposal: Proposal) -> None:
    if proposal.cycle.current_phase not in OPEN_PHASES:
        raise DomainError(
            "ballot_fixed",
            _(
                "Once voting opens the ballot is fixed: the status "
                "of a proposal can no longer change."
            ),
            status=409,
        )


def _required_text(value: str | None, message: str) -> str:
    text = (value or "").replace("\x00", "").strip()
    if not text:
        raise DomainError("text_required", message)
    if len(text) > TEXT_MAX:
        raise DomainError("too_long", _("The text is too long."))
    return text


def _log(action: str, proposal: Proposal, officer: User, before: dict[str, Any]) -> None:
    audit.record(
        action,
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        before=before,
        after=snapshot(proposal),
    )


def approve_proposal(
    proposal: Proposal,
    officer: User,
    cost_minor: int,
    feasibility: str,
    impact_statement: str | None = None,
) -> Proposal:
    """Put a pending proposal on the ballot with the officer's cost estimate (also revises an
    approved one). A saving needs the responsible department's impact statement."""
    require_remit(officer, proposal)
    _require_open(proposal)
    if proposal.status not in OPEN_STATUSES:
        raise DomainError("not_pending", _("Only pending proposals can be approved."), status=409)
    if not isinstance(cost_minor, int) or cost_minor < 0 or cost_minor > MAX_COST_MINOR:
        raise DomainError("negative_cost", _("The officer's cost estimate must not be negative."))
    feasibility = _required_text(feasibility, _("A feasibility statement is required."))
    impact = (impact_statement or "").strip() or None
    if proposal.is_saving:
        impact = _required_text(
            impact, _("A savings proposal needs the department's impact statement.")
        )
    before = snapshot(proposal)
    proposal.status, proposal.officer_cost_minor = "approved", cost_minor
    proposal.feasibility, proposal.impact_statement = feasibility, impact
    proposal.rejection_reason = None
    add_event(proposal, EventKind.APPROVED)
    db.session.flush()
    _log("proposal.approved", proposal, officer, before)
    return proposal


def reject_proposal(proposal: Proposal, officer: User, reason: str) -> Proposal:
    """Reject with a reason the author sees on the page and, with an account, by mail."""
    require_remit(officer, proposal)
    _require_open(proposal)
    if proposal.status not in OPEN_STATUSES:
        raise DomainError(
            "not_pending", _("Only pending or approved proposals can be rejected."), status=409
        )
    reason = _required_text(reason, _("A reason is required to reject a proposal."))
    before = snapshot(proposal)
    proposal.status, proposal.rejection_reason = "rejected", reason
    add_event(proposal, EventKind.REJECTED, reason)
    db.session.flush()
    _log("proposal.rejected", proposal, officer, before)
    if proposal.author is not None:
        _mail_rejection(proposal, proposal.author, reason)
    return proposal


def _mail_rejection(proposal: Proposal, author: User, reason: str) -> None:
    # In the site's language, as every notification e-mail: the author's is not known, and
    # the officer's is not theirs.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        send_mail(
            author.email,
            _("Your proposal %(number)s was not accepted", number=proposal.tracking_number),
            _(
                'Your proposal "%(title)s" (%(number)s) was not put on the ballot.\n\n'
                "Reason: %(reason)s",
                title=proposal.title,
                number=proposal.tracking_number,
                reason=reason,
            ),
        )


def merge_proposals(originals: Sequence[Proposal], target: Proposal, officer: User) -> Proposal:
    """Merge duplicates into `target`: originals become 'merged' and link to it. Officers
    propose merges (codesign.services.propose_merge); this runs once the authors consent."""
    check_merge(originals, target, officer)
    for original in originals:
        before = snapshot(original)
        original.status, original.merged_into = "merged", target
        add_event(original, "merged", target.tracking_number)
        add_event(target, "merged_from", original.tracking_number)
        db.session.flush()
        _log("proposal.merged", original, officer, before)
    return target


def check_merge(originals: Sequence[Proposal], target: Proposal, officer: User) -> None:
    """Refuse a merge that cannot happen: nothing named, outside the officer's areas, a closed
    phase, or proposals that can no longer be merged."""
    if not originals:
        raise DomainError("nothing_to_merge", _("Name at least one proposal to merge."))
    for proposal in (target, *originals):
        require_remit(officer, proposal)
    _require_open(target)
    if target.status not in OPEN_STATUSES:
        raise DomainError(
            "bad_target",
            _("Proposals can only be merged into a pending or approved proposal."),
            status=409,
        )
    for original in originals:
        if original.id == target.id or original.cycle_id != target.cycle_id:
            raise DomainError(
                "bad_merge",
                _("A proposal can only be merged into another proposal of the same cycle."),
            )
        if original.status not in OPEN_STATUSES:
            raise DomainError(
                "bad_merge",
                _("%(number)s can no longer be merged.", number=original.tracking_number),
                status=409,
            )


def hide_proposal(proposal: Proposal, officer: User, reason: str) -> Proposal:
    """Hide abusive text: pages, ballots and exports show a placeholder instead of the title,
    description and location. The project stays on the ballot and in the count."""
    return _set_hidden(proposal, officer, reason, hidden=True)


def unhide_proposal(proposal: Proposal, officer: User, reason: str) -> Proposal:
    return _set_hidden(proposal, officer, reason, hidden=False)


def _set_hidden(proposal: Proposal, officer: User, reason: str, *, hidden: bool) -> Proposal:
    require_remit(officer, proposal)
    reason = _required_text(reason, _("A reason is required."))
    if proposal.is_hidden == hidden:
        raise DomainError("no_change", _("Nothing to change."), status=409)
    before = snapshot(proposal)
    proposal.is_hidden = hidden
    add_event(proposal, EventKind.HIDDEN if hidden else "unhidden")
    db.session.flush()
    audit.record(
        "proposal.hidden" if hidden else "proposal.unhidden",
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        before=before,
        after={**snapshot(proposal), "reason": reason},
    )
    return proposal


def resolve_flags(proposal: Proposal, officer: User) -> int:
    """Mark every open flag on the proposal as dealt with; returns how many."""
    require_remit(officer, proposal)
    flags = db.session.scalars(
        sa.select(ProposalFlag).where(
            ProposalFlag.proposal_id == proposal.id, ProposalFlag.resolved_at.is_(None)
        )
    ).all()
    now = utcnow()
    for flag in flags:
        flag.resolved_at = now
    db.session.flush()
    audit.record(
        "proposal.flags_resolved",
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        before={"open_flags": len(flags)},
        after={"open_flags": 0},
    )
    return len(flags)
