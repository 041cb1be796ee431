"""The ballot check and the count use the net public cost (gross less accepted co-production)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pbplatform.coproduction.models import Offer
from pbplatform.errors import DomainError
from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.services import cast_ballot, check_ballot
from tests.factories import create_area, create_cycle, create_proposal
from tests.sealed import unseal


def _offer(db, proposal, status, value):
    offer = Offer(
        cycle_id=proposal.cycle_id,
        proposal_id=proposal.id,
        offerer_name="Neighbours",
        kind="volunteer_hours",
        quantity=Decimal(100),
        unit="hours",
        description="We build it ourselves",
        status=status,
        value_minor=value,
        decline_reason="no" if status == "declined" else None,
    )
    db.session.add(offer)
    db.session.flush()
    return offer


@pytest.mark.parametrize(("status", "funded"), [("accepted", True), ("declined", False)])
def test_a_project_that_fits_only_thanks_to_its_offer(client, db, make_user, status, funded):
    area = create_area("Friedrichsfelde")
    cycle = create_cycle(
        "voting", areas=[area], area_budget=100_000_00, district_budget=0, coproduction_cap_pct=50
    )
    garden = create_proposal(cycle, area=area, cost=120_000_00, title="Community garden")
    with pytest.raises(DomainError) as err:  # gross 120,000 does not fit 100,000
        check_ballot(cycle, area.id, {garden.id: 1})
    assert err.value.code == "over_budget"
    offer = _offer(db, garden, "accepted", 30_000_00)
    cast_ballot(cycle, "t:1", {garden.id: 1}, area_id=area.id)  # net 90,000 fits
    offer.status = status
    offer.decline_reason = "withdrawn by the council" if status == "declined" else None
    unseal(cycle)  # as closing voting does
    cycle.phase = "counting"
    db.session.flush()
    version = publish_results(run_count(cycle, make_user("admin")), make_user("admin"))
    (row,) = version.outcome["lists"][0]["projects"]
    assert row["selected"] is funded
    if not funded:
        assert (row["net"], row["reason"]) == (120_000_00, "did_not_fit")
        return
    assert (row["gross"], row["coproduction"], row["net"], row["cost"]) == (
        120_000_00,
        30_000_00,
        90_000_00,
        90_000_00,
    )
    assert row["conditional"]
    text = client.get(f"/cycles/{cycle.slug}/results").get_data(as_text=True)
    for amount in ("€120,000.00", "€30,000.00", "€90,000.00", "conditional on the co-production"):
        assert amount in text
