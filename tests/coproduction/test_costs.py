"""Net public cost: the cap, what counts, one query, and its use by ballots and the count."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from pbplatform import tally
from pbplatform.coproduction import services
from pbplatform.coproduction.costs import CostBreakdown, cost_breakdown, is_conditional
from pbplatform.errors import DomainError
from pbplatform.results.models import ResultVersion
from pbplatform.voting.models import Ballot, BallotChoice
from tests.coproduction.conftest import offer_on
from tests.factories import create_proposal, login_as
from tests.sealed import unseal


def accepted(proposal, user, officer, value):
    offer = offer_on(proposal, user, kind="materials", unit="items")
    return services.accept_offer(offer, officer, value_minor=value, basis="price list")


def test_gross_is_officer_cost_or_estimate_before_review(db, scene):
    pending = create_proposal(scene["cycle"], area=scene["area"], status="pending", cost=300_00)
    costs = cost_breakdown([scene["proposal"], pending])
    assert costs[scene["proposal"].id] == CostBreakdown(1_000_00, 0, 1_000_00, 0, 50)
    assert costs[pending.id].gross_minor == 300_00
    assert not is_conditional(costs[pending.id])
    assert cost_breakdown([]) == {}


def test_accepted_offers_lower_the_net_cost(db, scene):
    accepted(scene["proposal"], scene["resident"], scene["officer"], 100_00)
    accepted(scene["proposal"], scene["other_resident"], scene["officer"], 150_00)
    c = cost_breakdown([scene["proposal"]])[scene["proposal"].id]
    assert (c.gross_minor, c.coproduction_minor, c.net_minor) == (1_000_00, 250_00, 750_00)
    assert is_conditional(c)
    assert c.to_api() == {
        "gross_cost": 1_000_00,
        "coproduction_value": 250_00,
        "net_cost": 750_00,
        "conditional_on_offers": True,
    }


def test_cap_an_offer_worth_80_percent_counts_only_50(db, scene):
    accepted(scene["proposal"], scene["resident"], scene["officer"], 800_00)
    c = cost_breakdown([scene["proposal"]])[scene["proposal"].id]
    assert (c.coproduction_minor, c.net_minor, c.offered_minor) == (500_00, 500_00, 800_00)
    assert c.capped


def test_net_never_below_zero_even_with_a_full_cap(db, scene):
    scene["cycle"].coproduction_cap_pct = 100
    accepted(scene["proposal"], scene["resident"], scene["officer"], 5_000_00)
    c = cost_breakdown([scene["proposal"]])[scene["proposal"].id]
    assert (c.coproduction_minor, c.net_minor) == (1_000_00, 0)


def test_only_accepted_fulfilled_and_partly_fulfilled_count(db, scene):
    from datetime import date
    from decimal import Decimal

    p, r, o = scene["proposal"], scene["resident"], scene["officer"]
    offer_on(p, r)  # offered: not counted
    services.decline_offer(offer_on(p, r), o, "no")  # declined
    services.withdraw_offer(offer_on(p, r), r)  # withdrawn
    full = services.accept_offer(offer_on(p, r, quantity="2"), o)  # 30.00
    services.record_delivery(
        full, o, delivered_on=date(2026, 1, 5), description="all", complete=True
    )
    part = services.accept_offer(offer_on(p, r, quantity="4"), o)  # 60.00
    services.record_delivery(
        part, o, delivered_on=date(2026, 1, 5), description="some", quantity=Decimal(1)
    )
    lapsing = services.accept_offer(offer_on(p, r, quantity="100"), o)  # 1,500 -> lapses
    assert (full.status, part.status) == ("fulfilled", "partly_fulfilled")
    scene["cycle"].phase = "results"
    services.lapse_offer(lapsing, o, "The council pays the difference.")
    c = cost_breakdown([p])[p.id]
    assert c.coproduction_minor == 90_00
    assert c.net_minor == 910_00


def test_one_query_for_many_proposals(db, scene):
    proposals = [create_proposal(scene["cycle"], area=scene["area"]) for _ in range(6)]
    for p in proposals:
        accepted(p, scene["resident"], scene["officer"], 1_00)
    db.session.flush()
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = cost_breakdown(proposals)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert all(result[p.id].coproduction_minor == 1_00 for p in proposals)


def test_proposal_page_shows_gross_coproduction_and_net(client, db, scene):
    accepted(scene["proposal"], scene["resident"], scene["officer"], 800_00)
    page = client.get(f"/proposals/{scene['proposal'].tracking_number}/offers").get_data(
        as_text=True
    )
    for cell, value in (("gross", "1,000.00"), ("coproduction", "500.00"), ("net", "500.00")):
        assert f'data-cost="{cell}">€{value}' in page, cell
    assert "at most 50 % of the cost can be co-produced" in page
    assert "conditional on the accepted offers" in page


# --- the net cost in the ballot check and in the count --------------------------------------


@pytest.fixture
def tight(db, rq):
    """An area budget of 700.00 and a 1,000.00 project: it fits only with 300.00 of offers."""
    from tests.factories import create_cycle, create_user

    cycle = create_cycle(
        "review",
        areas=1,
        area_budget=700_00,
        district_budget=0,
        hourly_rate_minor=15_00,
        coproduction_cap_pct=50,
    )
    area = cycle.areas[0].area
    project = create_proposal(cycle, area=area, cost=1_000_00, title="Community garden")
    offer = offer_on(project, create_user("resident", area=area), quantity="20")  # 300.00
    officer = create_user("officer", officer_areas=(area,))
    return {
        "cycle": cycle,
        "area": area,
        "project": project,
        "offer": offer,
        "officer": officer,
        "admin": create_user("admin"),
    }


def test_ballot_budget_check_uses_the_net_cost(db, tight):
    from pbplatform.voting.services import check_ballot

    cycle, area, project = tight["cycle"], tight["area"], tight["project"]
    cycle.phase = "voting"
    with pytest.raises(DomainError) as refused:
        check_ballot(cycle, area.id, {str(project.id): "1"})
    assert refused.value.code == "over_budget"
    cycle.phase = "review"
    services.accept_offer(tight["offer"], tight["officer"])
    cycle.phase = "voting"
    ballot = check_ballot(cycle, area.id, {str(project.id): "1"})
    assert ballot.totals["area"] == 700_00


def _vote_and_count(db, tight):
    """Three ballots for the project, then the results engineer's run_count."""
    from pbplatform.results.services import run_count

    cycle = tight["cycle"]
    cycle.phase = "counting"
    for _ in range(3):
        ballot = Ballot(cycle_id=cycle.id, area_id=tight["area"].id, channel="online")
        ballot.choices = [BallotChoice(proposal_id=tight["project"].id)]
        db.session.add(ballot)
    db.session.flush()
    unseal(cycle)  # the close records what the count will check
    version = run_count(cycle, tight["admin"])
    area_list = next(x for x in version.outcome["lists"] if x["area_id"] == tight["area"].id)
    return area_list["projects"][0]


def test_count_funds_a_project_that_fits_only_thanks_to_an_accepted_offer(db, tight):
    services.accept_offer(tight["offer"], tight["officer"])
    row = _vote_and_count(db, tight)
    assert row["selected"] is True
    assert (row["gross"], row["coproduction"], row["net"]) == (1_000_00, 300_00, 700_00)


def test_count_does_not_fund_it_when_the_offer_is_declined(db, tight):
    services.decline_offer(tight["offer"], tight["officer"], "Not insurable")
    row = _vote_and_count(db, tight)
    assert row["selected"] is False
    assert row["net"] == 1_000_00
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultVersion)) == 1


def test_pure_tally_on_net_costs_agrees(db, tight):
    """The same decision with the tally engine alone, fed from cost_breakdown."""

    def funded() -> bool:
        net = cost_breakdown([tight["project"]])[tight["project"].id].net_minor
        election = tally.Election(
            projects=[tally.Project(id="garden", cost=net)],
            ballots=[tally.Ballot(id=str(i), approvals=("garden",)) for i in range(3)],
            budget=700_00,
        )
        return tally.count(election).selected == ["garden"]

    assert not funded()
    services.accept_offer(tight["offer"], tight["officer"])
    assert funded()


def test_officer_page_lists_net_cost_via_review(client, db, tight):
    login_as(client, tight["officer"])
    page = client.get(f"/officer/offers/{tight['offer'].id}").get_data(as_text=True)
    assert "€300.00" in page  # suggested value: 20 hours x 15.00
    assert 'data-cost="net">€1,000.00' in page
