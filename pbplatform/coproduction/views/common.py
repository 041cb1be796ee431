"""Lookups shared by the residents' and officers' views."""

from __future__ import annotations

from flask import request

from pbplatform.coproduction import queries as offer_queries
from pbplatform.coproduction.models import Offer
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import get_proposal


def locked_offer(offer_id: int) -> Offer | None:
    """The offer; POSTs lock its row so concurrent reviews and withdrawals serialise."""
    return offer_queries.offer_by_id(offer_id, lock=request.method != "GET")


def area_of(offer: Offer) -> int | None:
    return offer.proposal.area_id if offer.proposal is not None else None


def find_proposal(tracking_number: str) -> Proposal | None:
    """The proposal with this tracking number as typed into a form (surrounding spaces ignored)."""
    return get_proposal(tracking_number.strip())
