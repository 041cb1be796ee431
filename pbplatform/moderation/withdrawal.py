"""Withdrawing a project from a ballot that voting has opened: four eyes and a public trace.

Before voting opens an officer rejects a proposal (moderation.services); afterwards the ballot
is fixed, and taking a project off it changes what the count can fund. So it is a separate
act: one officer proposes it with a reason, a SECOND officer confirms it (the same rule as
publishing results). Only the confirmation takes the project off the ballot (status
'withdrawn'); the ballots already cast keep their choices, and the count leaves the project
out with a line saying when, why, and how many ballots chose it (results.services). Both
steps are audited and the proposal's public history shows the withdrawal and its reason.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Phase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.moderation.services import _required_text, snapshot
from pbplatform.proposals.models import BallotWithdrawal, EventKind, Proposal, ProposalStatus
from pbplatform.proposals.services import _, add_event
from pbplatform.security.access import require_remit
from pbplatform.voting.models import Ballot, BallotChoice

# Voting has opened and no result is published yet: a published result is a public record.
WITHDRAWAL_PHASES = (Phase.VOTING, Phase.COUNTING)
REASON_MAX = 2_000


def withdrawal_of(proposal: Proposal) -> BallotWithdrawal | None:
    return db.session.scalar(
        sa.select(BallotWithdrawal).where(BallotWithdrawal.proposal_id == proposal.id)
    )


def _require_withdrawable(proposal: Proposal) -> None:
    if (
        proposal.cycle.current_phase not in WITHDRAWAL_PHASES
        or proposal.status != ProposalStatus.APPROVED
    ):
        raise DomainError(
            "not_withdrawable",
            _(
                "Only a project on a ballot that voting has opened, before the results are "
                "published, can be withdrawn this way."
            ),
            status=409,
        )


def _audit(action: str, proposal: Proposal, officer: User, withdrawal: BallotWithdrawal) -> None:
    audit.record(
        action,
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        after={
            **snapshot(proposal),
            "tracking_number": proposal.tracking_number,
            "reason": withdrawal.reason,
            "proposed_by_id": withdrawal.proposed_by_id,
            "confirmed_by_id": withdrawal.confirmed_by_id,
        },
    )


def propose_withdrawal(proposal: Proposal, officer: User, reason: str) -> BallotWithdrawal:
    """The first officer's step: nothing changes on the ballot until a second one confirms."""
    require_remit(officer, proposal)
    _require_withdrawable(proposal)
    reason = _required_text(reason, _("A reason is required."))
    if len(reason) > REASON_MAX:
        raise DomainError("too_long", _("The text is too long."))
    if withdrawal_of(proposal) is not None:
        raise DomainError(
            "already_proposed",
            _("A withdrawal of this project is already waiting for confirmation."),
            status=409,
        )
    withdrawal = BallotWithdrawal(proposal_id=proposal.id, reason=reason, proposed_by_id=officer.id)
    db.session.add(withdrawal)
    db.session.flush()
    _audit("proposal.withdrawal_proposed", proposal, officer, withdrawal)
    return withdrawal


def confirm_withdrawal(proposal: Proposal, officer: User) -> BallotWithdrawal:
    """The second officer's step: the project leaves the ballot; its votes stay stored."""
    require_remit(officer, proposal)
    _require_withdrawable(proposal)
    withdrawal = withdrawal_of(proposal)
    if withdrawal is None or withdrawal.is_confirmed:
        raise DomainError(
            "nothing_to_confirm", _("No withdrawal of this project is waiting."), status=409
        )
    if withdrawal.proposed_by_id == officer.id:
        raise DomainError(
            "four_eyes",
            _("A second officer must confirm: you proposed this withdrawal."),
            status=403,
        )
    withdrawal.confirmed_by_id, withdrawal.confirmed_at = officer.id, utcnow()
    proposal.status = ProposalStatus.WITHDRAWN
    add_event(proposal, EventKind.WITHDRAWN_FROM_BALLOT, withdrawal.reason)
    db.session.flush()
    _audit("proposal.withdrawal_confirmed", proposal, officer, withdrawal)
    return withdrawal


def cancel_withdrawal(proposal: Proposal, officer: User) -> None:
    """Drop a withdrawal that is still waiting (any officer with remit; audited)."""
    require_remit(officer, proposal)
    withdrawal = withdrawal_of(proposal)
    if withdrawal is None or withdrawal.is_confirmed:
        raise DomainError(
            "nothing_to_confirm", _("No withdrawal of this project is waiting."), status=409
        )
    _audit("proposal.withdrawal_cancelled", proposal, officer, withdrawal)
    db.session.delete(withdrawal)
    db.session.flush()


def waiting_for(officer: User) -> list[BallotWithdrawal]:
    """Withdrawals another officer proposed that this one may confirm (or cancel)."""
    waiting = db.session.scalars(
        sa.select(BallotWithdrawal)
        .where(
            BallotWithdrawal.confirmed_at.is_(None),
            BallotWithdrawal.proposed_by_id != officer.id,
        )
        .order_by(BallotWithdrawal.proposed_at, BallotWithdrawal.id)
    )
    return [w for w in waiting if officer.can_act_on_area(w.proposal.area_id)]


def confirmed_withdrawals(cycle_id: int) -> list[BallotWithdrawal]:
    """The cycle's confirmed withdrawals, for the count (oldest first)."""
    return list(
        db.session.scalars(
            sa.select(BallotWithdrawal)
            .join(Proposal, Proposal.id == BallotWithdrawal.proposal_id)
            .where(Proposal.cycle_id == cycle_id, BallotWithdrawal.confirmed_at.is_not(None))
            .order_by(BallotWithdrawal.confirmed_at, BallotWithdrawal.id)
        )
    )


def withdrawal_lines(cycle_id: int, area_id: int | None) -> list[dict[str, Any]]:
    """What the count states about one list's withdrawn projects: when, why, confirmed by a
    second officer, and how many valid ballots chose them (their votes stay stored)."""
    lines = []
    for w in confirmed_withdrawals(cycle_id):
        p = w.proposal
        if p.area_id != area_id:
            continue
        ballots = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(BallotChoice)
            .join(Ballot, Ballot.id == BallotChoice.ballot_id)
            .where(BallotChoice.proposal_id == p.id, Ballot.is_valid.is_(True))
        )
        lines.append(
            {
                "id": str(p.id),
                "tracking_number": p.tracking_number,
                "title": p.record_title,
                "hidden": p.is_hidden,
                "reason": w.reason,
                "withdrawn_on": w.confirmed_at.date().isoformat() if w.confirmed_at else None,
                "ballots": int(ballots or 0),
            }
        )
    return lines
