"""Issue 12, broken case 8: a quantity of 1e26 or more in an offer or a delivery is a 422
with the message beside the field (re-rendering it must not crash), nothing stored."""

from __future__ import annotations

import pytest

from pbplatform.coproduction.models import OfferDelivery
from tests.coproduction.conftest import offer_count, offer_on
from tests.factories import login_as

from .test_offers import HELP, url

HUGE = ["1e27", "1E26", "9" * 40, "1e999999", "-1e27"]


@pytest.mark.parametrize("quantity", HUGE)
def test_huge_offer_quantity_is_422(client, db, scene, quantity):
    login_as(client, scene["resident"])
    response = client.post(url(scene), data={**HELP, "help-quantity": quantity})
    assert response.status_code == 422, quantity
    assert offer_count(db) == 0


@pytest.mark.parametrize("quantity", HUGE)
def test_huge_delivered_quantity_is_422(client, db, scene, quantity):
    offer = offer_on(scene["proposal"], scene["resident"], quantity="10")
    login_as(client, scene["officer"])
    assert client.post(f"/officer/offers/{offer.id}/accept", data={}).status_code == 303
    response = client.post(
        f"/officer/offers/{offer.id}/deliveries",
        data={"delivered_on": "2026-06-01", "description": "Some hours", "quantity": quantity},
    )
    assert response.status_code in (303, 422), quantity
    assert db.session.query(OfferDelivery).count() == 0
