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
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal


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


def gross_cost(proposal: Proposal) -> int:
    if proposal.officer_cost_minor is not None:
        return proposal.officer_cost_minor
    return proposal.estimated_cost_minor or 0


def apply_cap(gross: int, offered: int, cap_pct: int) -> CostBreakdown:
    counted = min(offered, gross * cap_pct // 100)
    return CostBreakdown(gross, counted, max(0, gross - counted), offered, cap_pct)


def _with_offers(*columns: Any) -> sa.Select[Any]:
    """`columns` of proposals with their cycle's cap and their counted offers' value."""
    counted = sa.and_(Offer.proposal_id == Proposal.id, Offer.status.in_(COUNTED_STATUSES))
    return (
        sa.select(
            *columns,
            Cycle.coproduction_cap_pct,
            sa.func.coalesce(sa.func.sum(Offer.value_minor), 0),
        )
        .join(Cycle, Cycle.id == Proposal.cycle_id)
        .outerjoin(Offer, counted)
        .group_by(Proposal.id, Cycle.coproduction_cap_pct)
    )


@functools.cache
def _proposals_with_offers() -> sa.Select[Any]:
    return _with_offers(Proposal)  # built once per process: a cast runs it every time


def proposals_with_costs(
    ids: Iterable[int],
) -> tuple[dict[int, Proposal], dict[int, CostBreakdown]]:
    """The proposals with these ids and their costs, in one statement (a cast's check)."""
    ids = list(ids)
    if not ids:
        return {}, {}
    rows = db.session.execute(_proposals_with_offers().where(Proposal.id.in_(ids))).all()
    proposals = {p.id: p for p, _cap, _offered in rows}
    costs = {p.id: apply_cap(gross_cost(p), int(offered), cap) for p, cap, offered in rows}
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
