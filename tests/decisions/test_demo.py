"""`flask pb demo --phase results` shows the loop after the vote: the council's decisions
with one deviation from the count and its reason, a forwarded and a carried-over proposal."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.cycles.models import Cycle
from pbplatform.decisions import queries
from pbplatform.decisions.models import RoutingKind
from pbplatform.demo.decisions import DEFERRED_REASON, NEXT_SLUG
from pbplatform.demo.loader import DEMO_SLUG


def test_results_demo_has_decisions_a_deviation_and_routing(app, runner, db):
    result = runner.invoke(args=["pb", "demo", "--phase", "results"])
    assert result.exit_code == 0, result.output
    cycle = db.session.scalars(sa.select(Cycle).where(Cycle.slug == DEMO_SLUG)).one()
    with app.app_context():
        comparisons = queries.compare(cycle)
        assert comparisons
        deviations = [line for c in comparisons for line in c.lines]
        assert len(deviations) == 1
        assert deviations[0].decision.reason == DEFERRED_REASON
        counts = queries.routing_counts(cycle)
        assert counts[RoutingKind.FORWARDED] == 1
        assert counts[RoutingKind.CARRIED_OVER] == 1
    page = app.test_client().get(f"/cycles/{DEMO_SLUG}/results").get_data(as_text=True)
    assert "Funded by the count, not adopted by the council" in page
    carried = queries.routings(cycle, RoutingKind.CARRIED_OVER)[0].proposal
    assert carried.cycle.slug == NEXT_SLUG
    again = runner.invoke(args=["pb", "demo", "--phase", "results"])  # resets cleanly
    if db.session.get_bind().dialect.name == "sqlite":
        assert again.exit_code == 0, again.output
