"""Issue 12, broken case 8: a cost of 1e26 or more in the officers' review is refused with its
message beside the field (422, the review page again with what was typed), never a 500, and the
proposal stays pending."""

from __future__ import annotations

import pytest

from tests.factories import login_as
from tests.proposals.helpers import fresh

from .test_moderation import _scene


@pytest.mark.parametrize("cost", ["1e27", "1E26", "9" * 40, "1e999999", "-1e27"])
def test_huge_officer_cost_is_refused(client, make_cycle, make_user, make_proposal, cost):
    *_, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/approve",
        data={"officer_cost": cost, "feasibility": "Feasible."},
    )
    assert response.status_code == 422, cost
    assert fresh(proposal).status == "pending"
    page = response.get_data(as_text=True)
    assert "Enter an amount of 0 or more." in page
