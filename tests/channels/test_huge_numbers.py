"""Issue 12, broken case 8: points of 1e26 or more on paper (one by one and in a CSV) are a
422 with the row named, never a 500, and nothing is stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pbplatform.voting.models import Ballot
from tests.factories import login_as

from .test_paper import _count, _csv, _import, _scene

HUGE = ["1e27", "1E26", "9" * 40, "1e999999", "-1e27"]


@pytest.mark.parametrize("points", HUGE)
def test_huge_points_in_paper_entry_are_422(
    client, db, make_cycle, make_proposal, make_user, points
):
    cycle, area, (p1, *_), officer, site = _scene(
        make_cycle, make_proposal, make_user, ballot_rule="cumulative", points_total=Decimal(5)
    )
    login_as(client, officer)
    url = f"/officer/paper/{cycle.slug}/sites/{site.id}/ballot?area={area.id}"
    response = client.post(url, data={"serial": "H-1", f"p-{p1.id}": points})
    assert response.status_code == 422, points
    assert _count(db, Ballot, cycle_id=cycle.id) == 0


@pytest.mark.parametrize("points", HUGE)
def test_huge_points_in_paper_csv_are_422(client, db, make_cycle, make_proposal, make_user, points):
    cycle, area, (p1, *_), officer, site = _scene(
        make_cycle, make_proposal, make_user, ballot_rule="cumulative", points_total=Decimal(5)
    )
    login_as(client, officer)
    data = _csv(
        [f"C1,{area.code},{p1.tracking_number}:1", f"C2,{area.code},{p1.tracking_number}:{points}"]
    )
    response = _import(client, cycle, site, data)
    assert response.status_code == 422, points
    assert b"row 3" in response.data
    assert _count(db, Ballot, cycle_id=cycle.id) == 0
