"""Removing a person's contributions on request, where nobody else's work depends on them."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.channels.models import MeetingCountEntry, MeetingTotal
from pbplatform.coproduction.models import Offer, OfferStatus
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.voting.models import BallotChoice

# A proposal others may have built on (reviewed and costed, on a ballot, merged) stays.
REMOVABLE_PROPOSALS = (ProposalStatus.PENDING, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN)
# An offer that no officer valued and nothing counts on.
REMOVABLE_OFFERS = (OfferStatus.OFFERED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN)


def _others_depend_on(proposal: Proposal) -> bool:
    checks = (
        sa.select(Proposal.id).where(Proposal.merged_into_id == proposal.id),
        # Own removable offers are gone by now; any other offer is someone's work.
        sa.select(Offer.id).where(Offer.proposal_id == proposal.id),
        sa.select(BallotChoice.ballot_id).where(BallotChoice.proposal_id == proposal.id),
        sa.select(MeetingCountEntry.id).where(MeetingCountEntry.proposal_id == proposal.id),
        sa.select(MeetingTotal.id).where(MeetingTotal.proposal_id == proposal.id),
    )
    return any(db.session.scalar(check.limit(1)) is not None for check in checks)


def remove_independent_contributions(user: User) -> int:
    """Delete the person's removable offers, then their proposals nothing else rests on."""
    removed = 0
    offers = sa.select(Offer).where(Offer.offerer_id == user.id, Offer.status.in_(REMOVABLE_OFFERS))
    for offer in db.session.scalars(offers).all():
        db.session.delete(offer)
        removed += 1
    db.session.flush()
    proposals = sa.select(Proposal).where(
        Proposal.author_id == user.id, Proposal.status.in_(REMOVABLE_PROPOSALS)
    )
    for proposal in db.session.scalars(proposals).all():
        if not _others_depend_on(proposal):
            db.session.delete(proposal)
            removed += 1
    db.session.flush()
    return removed
