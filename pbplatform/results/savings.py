"""The savings list of a count (issue 5): ranked by net support against the cycle's target.

Reads the valid ballots' for/against stances on the cycle's approved savings proposals (those
with hidden text too: hiding never changes a count) and ranks them with the pure
`pbplatform.tally.rules.savings.rank_savings`. The budget bonus (a share of the savings achieved,
added to the spending budgets by `run_count`) is applied only when the cycle announced the
share before voting, i.e. its rules were frozen.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalKind, ProposalStatus
from pbplatform.tally.rules.savings import SavingsItem, rank_savings
from pbplatform.voting.models import Ballot, BallotChoice


def plain_money(currency: str):
    """A locale-free formatter, so published explanations never depend on the reader."""

    def fmt(minor: int) -> str:
        return f"{minor // 100:,}.{minor % 100:02d} {currency}"

    return fmt


def saving_amount(proposal: Proposal) -> int:
    """The amount saved per year; the officer's figure when there is no resident's one."""
    if proposal.savings_per_year_minor is not None:
        return proposal.savings_per_year_minor
    return proposal.officer_cost_minor or 0


def savings_proposals(cycle: Cycle) -> list[Proposal]:
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.cycle_id == cycle.id,
                Proposal.kind == ProposalKind.SAVING,
                Proposal.status == ProposalStatus.APPROVED,
            )
            .order_by(Proposal.id)
        )
    )


def stance_totals(cycle: Cycle, ids: list[int]) -> dict[tuple[int, int], int]:
    """(proposal id, stance) -> number of valid ballots, in one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(BallotChoice.proposal_id, BallotChoice.stance, sa.func.count())
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(
            Ballot.cycle_id == cycle.id,
            Ballot.is_valid.is_(True),
            BallotChoice.proposal_id.in_(ids),
        )
        .group_by(BallotChoice.proposal_id, BallotChoice.stance)
    ).all()
    return {(pid, int(stance)): int(n) for pid, stance, n in rows}


def count_savings(cycle: Cycle) -> dict[str, Any]:
    """Rank the cycle's savings proposals; JSON-able, with the bonus added to spending budgets."""
    proposals = savings_proposals(cycle)
    totals = stance_totals(cycle, [p.id for p in proposals])
    items = [
        SavingsItem(
            id=str(p.id),
            amount=saving_amount(p),
            votes_for=totals.get((p.id, 1), 0),
            votes_against=totals.get((p.id, -1), 0),
        )
        for p in proposals
    ]
    announced = cycle.rules_frozen and cycle.savings_share_pct > 0
    share = cycle.savings_share_pct if announced else 0
    outcome = rank_savings(
        items, cycle.savings_target_minor, share, fmt=plain_money(cycle.currency)
    )
    by_id = {str(p.id): p for p in proposals}
    rows = []
    for r in outcome.items:
        p = by_id[r.id]
        rows.append(
            {
                **r.to_dict(),
                "proposal_id": p.id,
                "tracking_number": p.tracking_number,
                "title": p.record_title,
                "hidden": p.is_hidden,
                "amount_minor": r.amount,
                "cumulative_minor": r.cumulative,
                "target_line_after": r.id == outcome.target_line_after,
            }
        )
    return {
        "items": rows,
        "target_minor": outcome.target,
        "achieved_minor": outcome.achieved,
        "target_met": outcome.target_met,
        "share_pct": share,
        "share_announced": announced,
        "budget_bonus_minor": outcome.budget_bonus,
        "currency": cycle.currency,
    }
