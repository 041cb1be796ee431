"""Issue 12, broken case 8: points of 1e26 and more (beyond decimal's 28 digits) are a 422
with a message beside the field on the web ballot, never a 500, and nothing is stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import login_as

from .conftest import count_rows

HUGE = ["1e27", "1E26", "100000000000000000000000000", "9" * 40, "1e999999", "-1e27"]


@pytest.mark.parametrize("points", HUGE)
def test_huge_points_on_the_web_ballot_are_422(client, db, scene, points):
    scene.cycle.ballot_rule = "cumulative"
    scene.cycle.points_total = Decimal(5)
    db.session.flush()
    login_as(client, scene.resident)
    url = f"/cycles/{scene.cycle.slug}/ballot"
    for step in ("/review", "/cast"):
        response = client.post(url + step, data={f"p-{scene.a60.id}": points})
        assert response.status_code == 422, (step, points)
    assert count_rows(db) == (0, 0, 0)
