"""Net public cost of proposals: officer estimate less accepted co-production (issue 5).

Every place that needs what a proposal costs the public purse (ballot pages, the ballot
budget check, the count, the API) calls `cost_breakdown`; nothing else computes it.

The rule: gross = the officer's cost estimate (the proposer's estimate before review);
co-production = the value of the proposal's offers that are accepted, fulfilled or partly
fulfilled, counted up to the cycle's cap (``coproduction_cap_pct`` % of gross);
net = gross - counted co-production, never below zero.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pbplatform.coproduction.models import COUNTED_STATUSES, Offer
from pbplatform.cycles.models import Cycle
from pbplatform.db import core_connection
from pbplatform.extensions import db
from pbplatform.proposals.models import BallotWithdrawal, Proposal, ProposalKind, ProposalStatus


@dataclass(frozen=True)
class CostBreakdown:
    gross_minor: int
    coproduction_minor: int  # counted value, after the cap
    net_minor: int
    offered_minor: int = 0  # accepted value before the cap
    cap_pct: int = 100

    @property
    def is_conditional(self) -> bool:
        """The net cost relies on co-production: funding it is conditional on the offers."""
        return self.coproduction_minor > 0

    @property
    def capped(self) -> bool:
        return self.offered_minor > self.coproduction_minor

    def to_api(self) -> dict[str, int | bool]:
        """The API's names (minor units): gross_cost, coproduction_value, net_cost."""
        return {
            "gross_cost": self.gross_minor,
            "coproduction_value": self.coproduction_minor,
            "net_cost": self.net_minor,
            "conditional_on_offers": self.is_conditional,
        }


def is_conditional(breakdown: CostBreakdown) -> bool:
    """True when a project's net cost depends on accepted offers (mark funded ones as such)."""
    return breakdown.is_conditional


@dataclass(frozen=True, slots=True)
class BallotProposal:
    """A proposal as the ballot check reads it (`ballot_proposals_with_costs`): no ORM object."""

    id: int
    cycle_id: int
    area_id: int | None
    status: str
    kind: str
    estimated_cost_minor: int
    officer_cost_minor: int | None
    withdrawn_from_ballot: bool  # taken off the opened ballot by two officers

    @property
    def is_saving(self) -> bool:
        return self.kind == ProposalKind.SAVING

    @property
    def on_ballot(self) -> bool:
        return self.status == ProposalStatus.APPROVED


def gross_cost(proposal: Proposal | BallotProposal) -> int:
    if proposal.officer_cost_minor is not None:
        return proposal.officer_cost_minor
    return proposal.estimated_cost_minor or 0


def apply_cap(gross: int, offered: int, cap_pct: int) -> CostBreakdown:
    counted = min(offered, gross * cap_pct // 100)
    return CostBreakdown(gross, counted, max(0, gross - counted), offered, cap_pct)


def _with_offers(*columns: Any) -> sa.Select[Any]:
    """`columns` of proposals with their cycle's cap and their counted offers' value."""
    p, c, o = Proposal.__table__.c, Cycle.__table__.c, Offer.__table__.c
    counted = sa.and_(o.proposal_id == p.id, o.status.in_(COUNTED_STATUSES))
    return (
        sa.select(*columns, c.coproduction_cap_pct, sa.func.coalesce(sa.func.sum(o.value_minor), 0))
        .select_from(Proposal.__table__)
        .join(Cycle.__table__, c.id == p.cycle_id)
        .outerjoin(Offer.__table__, counted)
        .group_by(p.id, c.coproduction_cap_pct)
    )


@functools.cache
def _ballot_proposals_query() -> sa.Select[Any]:
    """Built once per process (a cast runs it every time): Core columns, no ORM entity."""
    p, w = Proposal.__table__.c, BallotWithdrawal.__table__.c
    withdrawn = sa.and_(
        p.status == ProposalStatus.WITHDRAWN,
        sa.exists().where(w.proposal_id == p.id, w.confirmed_at.is_not(None)),
    )
    columns = (p.id, p.cycle_id, p.area_id, p.status, p.kind, p.estimated_cost_minor)
    return _with_offers(*columns, p.officer_cost_minor, withdrawn).where(
        p.id.in_(sa.bindparam("ids", expanding=True))
    )


def ballot_proposals_with_costs(
    ids: Iterable[int],
) -> tuple[dict[int, BallotProposal], dict[int, CostBreakdown]]:
    """The proposals with these ids and their costs, in one statement (a cast's check)."""
    ids = list(ids)
    if not ids:
        return {}, {}
    rows = core_connection(db.session).execute(_ballot_proposals_query(), {"ids": ids}).all()
    proposals = {row[0]: BallotProposal(*row[:8]) for row in rows}
    costs = {row[0]: apply_cap(gross_cost(proposals[row[0]]), int(row[9]), row[8]) for row in rows}
    return proposals, costs


def cost_breakdown(proposals: Sequence[Proposal]) -> dict[int, CostBreakdown]:
    """Gross, co-produced and net cost per proposal id (one query for all, not one per row)."""
    ids = [p.id for p in proposals]
    if not ids:
        return {}
    rows = db.session.execute(_with_offers(Proposal.id).where(Proposal.id.in_(ids))).all()
    found = {pid: (cap, int(total)) for pid, cap, total in rows}
    result = {}
    for p in proposals:
        cap, offered = found.get(p.id, (0, 0))
        result[p.id] = apply_cap(gross_cost(p), offered, cap)
    return result
