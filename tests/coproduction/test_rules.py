"""Service rules and database guarantees behind the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pbplatform.coproduction import services
from pbplatform.coproduction.models import Offer, OfferStatus
from pbplatform.errors import DomainError
from tests.coproduction.conftest import audit_actions, offer_count, offer_on
from tests.factories import create_proposal, login_as


def test_transition_table_covers_every_status():
    assert set(services.TRANSITIONS) == set(OfferStatus)
    for targets in services.TRANSITIONS.values():
        assert targets <= set(OfferStatus)


def test_a_resident_can_never_value_an_offer(db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    with pytest.raises(DomainError) as refused:
        services.accept_offer(offer, scene["resident"], value_minor=1_000_00, basis="mine")
    assert refused.value.status == 403
    assert (offer.status, offer.value_minor) == ("offered", None)
    assert audit_actions(db) == []


def test_officer_of_another_area_is_refused_by_the_service_too(db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    with pytest.raises(DomainError) as refused:
        services.decline_offer(offer, scene["other_officer"], "not mine")
    assert refused.value.status == 403
    assert offer.status == "offered"


@pytest.mark.parametrize("quantity", ["0", "-1", "-0.01", "NaN", "Infinity", "0.001"])
def test_quantity_must_be_a_positive_amount(db, scene, quantity):
    with pytest.raises(DomainError) as refused:
        offer_on(scene["proposal"], scene["resident"], quantity=quantity)
    assert refused.value.code == "bad_quantity"
    assert offer_count(db) == 0


@pytest.mark.parametrize("status", ["withdrawn", "rejected"])
def test_no_offers_on_closed_proposals(db, scene, status):
    closed = create_proposal(scene["cycle"], area=scene["area"], status=status)
    with pytest.raises(DomainError) as refused:
        offer_on(closed, scene["resident"])
    assert refused.value.code == "proposal_closed"
    assert offer_count(db) == 0


def test_no_offers_on_savings(db, scene):
    saving = create_proposal(scene["cycle"], area=scene["area"], kind="saving")
    with pytest.raises(DomainError):
        offer_on(saving, scene["resident"])


def test_negative_value_is_refused(db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    with pytest.raises(DomainError) as refused:
        services.accept_offer(offer, scene["officer"], value_minor=-5, basis="x")
    assert refused.value.code == "bad_value"
    assert offer.status == "offered"


def test_hourly_valuation_rounds_to_the_cent(db, scene):
    offer = offer_on(scene["proposal"], scene["resident"], quantity="2.5")
    services.accept_offer(offer, scene["officer"])
    assert offer.value_minor == 37_50
    # The rule set it: the rate is stored, the sentence is said in the reader's language.
    assert (offer.value_basis, offer.value_rate_minor) == (None, 15_00)
    assert offer.shown_basis == "2.5 hours at the published rate of €15.00 per hour."


def test_one_hour_is_said_in_the_singular(db, scene):
    offer = offer_on(scene["proposal"], scene["resident"], quantity="1")
    services.accept_offer(offer, scene["officer"])
    assert offer.shown_basis == "1 hour at the published rate of €15.00 per hour."


def test_money_is_valued_at_face_value(db, scene):
    offer = offer_on(scene["proposal"], scene["resident"], quantity="40", kind="money", unit="EUR")
    services.accept_offer(offer, scene["officer"])
    assert (offer.value_minor, offer.value_basis) == (40_00, None)
    assert offer.shown_basis == "Money at face value."


def test_maintenance_in_years_needs_a_value(db, scene):
    offer = offer_on(
        scene["proposal"], scene["resident"], quantity="2", kind="maintenance", unit="years"
    )
    with pytest.raises(DomainError) as refused:
        services.accept_offer(offer, scene["officer"])
    assert refused.value.code == "value_required"


def test_accepted_offer_cannot_be_withdrawn_while_voting(db, scene):
    offer = services.accept_offer(offer_on(scene["proposal"], scene["resident"]), scene["officer"])
    scene["cycle"].phase = "voting"
    with pytest.raises(DomainError) as refused:
        services.withdraw_offer(offer, scene["resident"])
    assert refused.value.code == "costs_frozen"
    assert offer.status == "accepted"


def test_linking_to_a_proposal_of_another_cycle_is_refused(db, scene, make_cycle):
    other = create_proposal(make_cycle("review"))
    offer = services.make_offer(
        by=scene["resident"],
        cycle=scene["cycle"],
        kind="materials",
        quantity=Decimal(3),
        unit="benches",
        description="Benches",
    )
    with pytest.raises(DomainError) as refused:
        services.link_offer(offer, other, scene["admin"])
    assert refused.value.code == "other_cycle"
    assert offer.proposal_id is None


def test_offer_without_proposal_needs_an_open_cycle(db, scene, make_cycle):
    with pytest.raises(DomainError) as refused:
        services.make_offer(
            by=scene["resident"],
            cycle=make_cycle("draft"),
            kind="money",
            quantity=Decimal(5),
            unit="EUR",
            description="Five euros",
        )
    assert refused.value.code == "cycle_closed"


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"quantity": Decimal(0)}, "quantity_positive"),
        ({"status": "accepted"}, "valued_has_value"),
        ({"status": "declined"}, "declined_has_reason"),
        ({"status": "maybe"}, "status_valid"),
        ({"kind": "cake"}, "kind_valid"),
        ({"value_minor": -1}, "value_nonnegative"),
    ],
)
def test_database_refuses_inconsistent_offers(db, scene, fields, constraint):
    values = (
        dict(
            cycle_id=scene["cycle"].id,
            proposal_id=scene["proposal"].id,
            offerer_id=scene["resident"].id,
            kind="materials",
            quantity=Decimal(1),
            unit="x",
            description="y",
            status="offered",
        )
        | fields
    )
    nested = db.session.begin_nested()
    db.session.add(Offer(**values))
    with pytest.raises(IntegrityError) as failed:
        db.session.flush()
    nested.rollback()
    assert constraint in str(failed.value).lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Offer)) == 0


def test_proposal_page_includes_the_offers_partial(client, db, scene, app):
    if "proposals.show" not in app.view_functions:
        pytest.skip("the proposal page is not there yet")
    login_as(client, scene["resident"])
    page = client.get(f"/proposals/{scene['proposal'].tracking_number}").get_data(as_text=True)
    assert "Offers of help" in page
    assert f'action="/proposals/{scene["proposal"].tracking_number}/offers"' in page
