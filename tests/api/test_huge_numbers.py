"""Issue 12, broken case 8: huge numbers in API bodies are a 422 problem, never a 500."""

from __future__ import annotations

import pytest

from pbplatform.voting.models import Ballot

from .test_writes import problem_code

HUGE = ["1e27", "1E26", "9" * 40, "1e999999", "-1e27"]


@pytest.mark.parametrize("points", HUGE)
def test_huge_points_in_an_api_ballot_are_422(
    client, make_cycle, make_user, make_token, make_proposal, count_rows, points
):
    cycle = make_cycle("voting", areas=1, ballot_rule="cumulative", points_total=5)
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area, cost=1_00)
    token = make_token(make_user(area=area))
    # Raw JSON text: the number must reach the server as typed, not as a Python float.
    body = '{"selections": [{"proposal_id": ' + str(proposal.id) + ', "points": ' + points + "}]}"
    response = client.post(
        f"/api/v1/cycles/{cycle.slug}/ballot",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, (points, response.get_data(as_text=True)[:300])
    assert problem_code(response) == "validation_error"
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 0


@pytest.mark.parametrize("cost", ["1e27", "9" * 40, "1e999999"])
def test_huge_cost_in_an_api_proposal_is_422(client, make_cycle, make_user, make_token, cost):
    cycle = make_cycle("proposals", areas=1)
    token = make_token(make_user(area=cycle.areas[0].area))
    body = (
        '{"title": "Benches at the pond", "description": "Six benches on the east bank.", '
        '"category": "green", "estimated_cost": ' + cost + "}"
    )
    response = client.post(
        f"/api/v1/cycles/{cycle.slug}/proposals",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, (cost, response.get_data(as_text=True)[:300])
    assert problem_code(response) == "validation_error"
