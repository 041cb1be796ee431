"""Issue 5: the API's proposal records carry gross_cost, coproduction_value and net_cost,
consistent with the rule for every proposal of the demo cycle."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.cycles.models import Cycle
from pbplatform.proposals.models import Proposal


def all_records(client, slug: str) -> list[dict]:
    records, page = [], 1
    while True:
        body = client.get(f"/api/v1/cycles/{slug}/proposals?per_page=100&page={page}").get_json()
        records += body["items"]
        if page * body["per_page"] >= body["total"]:
            return records
        page += 1


@pytest.mark.parametrize("phase", ["proposals", "voting", "results"])
def test_demo_cycle_costs_in_the_api(runner, client, db, phase):
    result = runner.invoke(args=["pb", "demo", "--phase", phase])
    assert result.exit_code == 0, result.output
    cycles = db.session.scalars(sa.select(Cycle).where(Cycle.phase != "draft")).all()
    if not cycles:
        pytest.skip("the demo loader is not implemented yet")
    checked = 0
    for cycle in cycles:
        records = {r["id"]: r for r in all_records(client, cycle.slug)}
        proposals = db.session.scalars(
            sa.select(Proposal).where(Proposal.cycle_id == cycle.id, Proposal.id.in_(records))
        ).all()
        assert len(proposals) == len(records)
        costs = cost_breakdown(proposals)
        for p in proposals:
            record, expected = records[p.id], costs[p.id]
            gross = (
                p.officer_cost_minor if p.officer_cost_minor is not None else p.estimated_cost_minor
            )
            assert record["gross_cost"] == expected.gross_minor == gross
            assert record["coproduction_value"] == expected.coproduction_minor
            assert record["coproduction_value"] <= gross * cycle.coproduction_cap_pct // 100
            assert record["net_cost"] == expected.net_minor
            assert record["net_cost"] == max(0, gross - record["coproduction_value"])
            checked += 1
    assert checked > 0
