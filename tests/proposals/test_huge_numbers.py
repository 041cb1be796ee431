"""Issue 12, broken case 8: a cost of 1e26 or more on a proposal form is a 422 with the
message beside the field (re-rendering the typed value must not crash), nothing stored."""

from __future__ import annotations

import pytest

from tests.factories import login_as
from tests.proposals.helpers import form, proposals_of


@pytest.mark.parametrize("field", ["estimated_cost", "savings_per_year"])
@pytest.mark.parametrize("amount", ["1e27", "1E26", "9" * 40, "1e999999", "-1e27"])
def test_huge_amounts_on_a_proposal_are_422(client, make_cycle, make_user, field, amount):
    cycle = make_cycle("proposals")
    area = cycle.areas[0].area
    login_as(client, make_user(area=area))
    data = form(area=str(area.id), **{field: amount})
    if field == "savings_per_year":
        data["kind"] = "saving"
    response = client.post(f"/proposals/new?cycle={cycle.slug}", data=data)
    assert response.status_code == 422, amount
    assert proposals_of(cycle) == []
