"""Token-authenticated writes: proposals and ballots, strict bodies, idempotency, no 500s."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from pbplatform.api.models import ApiIdempotencyKey
from pbplatform.audit.models import AuditEntry
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot, Participation
from tests.api.conftest import bearer
from tests.factories import login_as
from tests.sealed import unseal_all

PROBLEM = "application/problem+json"


@pytest.fixture
def proposing(make_cycle, make_user, make_token):
    cycle = make_cycle("proposals", areas=2)
    user = make_user(area=cycle.areas[0].area)
    return cycle, user, make_token(user)


@pytest.fixture
def voting(make_cycle, make_user, make_token, make_proposal):
    cycle = make_cycle("voting", areas=2, area_budget=100_00, district_budget=100_00)
    area = cycle.areas[0].area
    user = make_user(area=area)
    cheap = make_proposal(cycle, area=area, cost=60_00)
    other = make_proposal(cycle, area=area, cost=50_00)
    return cycle, user, make_token(user), cheap, other


def post(client, url, token, body, **headers):
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={**bearer(token), **headers},
    )


def problem_code(response) -> str:
    assert response.mimetype == PROBLEM, response.get_data(as_text=True)[:300]
    return response.get_json()["code"]


# --- proposals ------------------------------------------------------------------------------


def test_submit_proposal(client, db, proposing):
    cycle, user, token = proposing
    body = {
        "title": "Benches in the park",
        "description": "Three benches.",
        "area_id": cycle.areas[0].area_id,
        "category": "green",
        "estimated_cost": 1_500_00,
    }
    response = post(client, f"/api/v1/cycles/{cycle.slug}/proposals", token, body)
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/proposals/{record['tracking_number']}")
    assert record["status"] == "pending"
    assert record["gross_cost"] == 1_500_00
    assert record["net_cost"] == 1_500_00
    assert record["coproduction_value"] == 0
    stored = db.session.scalars(
        sa.select(Proposal).where(Proposal.tracking_number == record["tracking_number"])
    ).one()
    assert stored.author_id == user.id
    assert stored.channel == "api"
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "extra",
    [{"status": "approved"}, {"author_id": 1}, {"officer_cost_minor": 0}, {"is_hidden": True}],
)
def test_unknown_fields_are_rejected_and_listed(client, db, proposing, count_rows, extra):
    cycle, _, token = proposing
    body = {"title": "T", "description": "D", **extra}
    response = post(client, f"/api/v1/cycles/{cycle.slug}/proposals", token, body)
    assert response.status_code == 422
    assert problem_code(response) == "validation_error"
    assert [e["field"] for e in response.get_json()["errors"]] == list(extra)
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"title": "T"},
        {"title": 5, "description": "D"},
        {"title": "T", "description": "D", "estimated_cost": -1},
        {"title": "T", "description": "D", "estimated_cost": 12.5},
        {"title": "T", "description": "D", "estimated_cost": "100"},
        {"title": "T", "description": "D", "estimated_cost": True},
        {"title": "T", "description": "D", "estimated_cost": 10**40},
        {"title": "x" * 161, "description": "D"},
        {"title": "T", "description": "x" * 10_001},
        {"title": "T\x00", "description": "D"},
        {"title": "T", "description": "nul \x00 byte"},
        {"title": "T", "description": "lone \ud800 surrogate"},
        {"title": "T", "description": "D", "kind": "grant"},
        {"title": "T", "description": "D", "area_id": 0},
        [],
        "just a string",
    ],
)
def test_invalid_proposal_bodies_are_422_and_store_nothing(client, proposing, count_rows, body):
    cycle, _, token = proposing
    response = post(client, f"/api/v1/cycles/{cycle.slug}/proposals", token, body)
    assert response.status_code == 422
    assert problem_code(response) == "validation_error"
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 0


def test_service_refusals_are_problems(client, proposing, count_rows):
    cycle, _, token = proposing
    url = f"/api/v1/cycles/{cycle.slug}/proposals"
    response = post(client, url, token, {"title": "   ", "description": "D"})
    assert response.status_code == 422
    assert problem_code(response) == "missing_fields"
    response = post(client, url, token, {"title": "T", "description": "D", "area_id": 999999})
    assert response.status_code == 422
    assert problem_code(response) == "invalid_area"
    response = post(client, url, token, {"title": "T", "description": "D", "kind": "saving"})
    assert response.status_code == 422
    assert problem_code(response) == "savings_required"
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 0


def test_submit_outside_proposals_phase_is_409(client, make_cycle, make_user, make_token):
    cycle = make_cycle("voting", areas=1)
    token = make_token(make_user())
    response = post(
        client, f"/api/v1/cycles/{cycle.slug}/proposals", token, {"title": "T", "description": "D"}
    )
    assert response.status_code == 409
    assert problem_code(response) == "phase_closed"


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'{"title": NaN, "description": "D"}', "application/json", 400),
        (b"\xff\xfe{}", "application/json", 400),
        (b"[" * 50_000 + b"]" * 50_000, "application/json", 413),
        (b"[" * 20_000 + b"]" * 20_000, "application/json", 400),
        (b'{"title": "T", "description": "D"}', "text/plain", 415),
        (b"title=T&description=D", "application/x-www-form-urlencoded", 415),
        (b'{"title": "' + b"x" * 200_000 + b'", "description": "D"}', "application/json", 413),
        (
            b'{"estimated_cost": 1' + b"0" * 5000 + b', "title": "T", "description": "D"}',
            "application/json",
            400,
        ),
    ],
)
def test_malformed_bodies_are_4xx_problems(
    client, proposing, count_rows, raw, content_type, status
):
    cycle, _, token = proposing
    response = client.post(
        f"/api/v1/cycles/{cycle.slug}/proposals",
        data=raw,
        content_type=content_type,
        headers=bearer(token),
    )
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 0


def test_idempotent_proposal_retry_returns_the_first_outcome(client, proposing, count_rows):
    cycle, _, token = proposing
    url, body = f"/api/v1/cycles/{cycle.slug}/proposals", {"title": "T", "description": "D"}
    first = post(client, url, token, body, **{"Idempotency-Key": "abc-123"})
    again = post(client, url, token, body, **{"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 1
    other = post(client, url, token, {**body, "title": "U"}, **{"Idempotency-Key": "abc-123"})
    assert other.status_code == 422
    assert problem_code(other) == "idempotency_key_reused"
    fresh = post(client, url, token, body, **{"Idempotency-Key": "another"})
    assert fresh.status_code == 201
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 2
    bad = post(client, url, token, body, **{"Idempotency-Key": "x" * 201})
    assert bad.status_code == 400


def test_writes_need_a_token_not_a_session(client, proposing, count_rows):
    cycle, user, _ = proposing
    login_as(client, user)
    response = client.post(
        f"/api/v1/cycles/{cycle.slug}/proposals", json={"title": "T", "description": "D"}
    )
    assert response.status_code == 401
    assert problem_code(response) == "unauthorized"
    assert count_rows(Proposal, Proposal.cycle_id == cycle.id) == 0


# --- ballots --------------------------------------------------------------------------------


def test_cast_ballot_then_already_voted(client, db, voting, count_rows):
    cycle, user, token, cheap, _ = voting
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    response = post(client, url, token, {"selections": [{"proposal_id": cheap.id}]})
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()
    assert receipt["status"] == "cast"
    assert set(receipt) == {"status", "cast_on"}
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 1
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 1
    part = db.session.scalars(
        sa.select(Participation).where(Participation.cycle_id == cycle.id)
    ).one()
    assert part.channel == "online"
    assert part.user_id == user.id
    again = post(client, url, token, {"selections": [{"proposal_id": cheap.id}]})
    assert again.status_code == 409
    assert problem_code(again) == "already_voted"
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 1


def test_over_budget_is_422_with_limit_and_total_and_stores_nothing(client, voting, count_rows):
    cycle, _, token, cheap, other = voting
    response = post(
        client,
        f"/api/v1/cycles/{cycle.slug}/ballot",
        token,
        {"selections": [{"proposal_id": cheap.id}, {"proposal_id": other.id}]},
    )
    assert response.status_code == 422
    assert problem_code(response) == "over_budget"
    body = response.get_json()
    assert body["limit"] == 100_00
    assert body["total"] == 110_00
    assert "110" in body["detail"]
    assert "100" in body["detail"]
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 0
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 0
    assert count_rows(AuditEntry, AuditEntry.action.like("ballot%")) == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"selections": [{"proposal_id": 1}, {"proposal_id": 1}]}, "validation_error"),
        ({"selections": [{"proposal_id": -5}]}, "validation_error"),
        ({"selections": [{"proposal_id": 2**40}]}, "validation_error"),
        ({"selections": [{"proposal_id": 1.5}]}, "validation_error"),
        ({"selections": [{"proposal_id": "1"}]}, "validation_error"),
        ({"selections": [{"proposal_id": 1, "cost": 0}]}, "validation_error"),
        ({"selections": [{"proposal_id": 1, "points": 0.001}]}, "validation_error"),
        ({"selections": [{"proposal_id": 1, "stance": 0}]}, "validation_error"),
        ({"selections": [{"proposal_id": 1, "stance": 1, "points": 1}]}, "validation_error"),
        ({"selections": []}, "validation_error"),
        ({"selections": [{"proposal_id": i} for i in range(1, 502)]}, "validation_error"),
        ({"selections": [{"proposal_id": 1}], "voter_id": 7}, "validation_error"),
        ({"selections": [{"proposal_id": 1}], "channel": "paper"}, "validation_error"),
        ({"selections": [{"proposal_id": 1}], "area_id": 999999}, "validation_error"),
        ({"selections": [{"proposal_id": 999999}]}, "invalid_project"),
    ],
)
def test_tampered_ballots_are_rejected_whole(client, voting, count_rows, body, code):
    cycle, _, token, cheap, _ = voting
    text = json.dumps(body).replace('"proposal_id": 1}', f'"proposal_id": {cheap.id}}}')
    raw = json.loads(text)
    response = post(client, f"/api/v1/cycles/{cycle.slug}/ballot", token, raw)
    assert response.status_code == 422, response.get_json()
    assert problem_code(response) == code
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 0
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 0


def test_a_10000_entry_ballot_is_refused_early(client, voting, count_rows):
    cycle, _, token, _, _ = voting
    body = {"selections": [{"proposal_id": i} for i in range(1, 10_001)]}
    response = post(client, f"/api/v1/cycles/{cycle.slug}/ballot", token, body)
    assert response.status_code == 413
    assert problem_code(response) == "request_entity_too_large"
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 0


def test_ballot_outside_voting_is_voting_closed(
    client, make_cycle, make_user, make_token, make_proposal
):
    cycle = make_cycle("counting", areas=1)
    proposal = make_proposal(cycle, area=cycle.areas[0].area)
    token = make_token(make_user(area=cycle.areas[0].area))
    response = post(
        client,
        f"/api/v1/cycles/{cycle.slug}/ballot",
        token,
        {"selections": [{"proposal_id": proposal.id}]},
    )
    assert response.status_code == 409
    assert problem_code(response) == "voting_closed"


def test_idempotent_ballot_retry_returns_the_original_outcome(client, voting, count_rows):
    cycle, _, token, cheap, _ = voting
    url, body = f"/api/v1/cycles/{cycle.slug}/ballot", {"selections": [{"proposal_id": cheap.id}]}
    first = post(client, url, token, body, **{"Idempotency-Key": "cast-1"})
    again = post(client, url, token, body, **{"Idempotency-Key": "cast-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 1
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 1
    key = post(client, url, token, body, **{"Idempotency-Key": "cast-2"})
    assert key.status_code == 409
    assert problem_code(key) == "already_voted"


def test_idempotency_rows_hold_no_trace_of_the_choices(client, db, voting):
    cycle, _, token, cheap, _ = voting
    post(
        client,
        f"/api/v1/cycles/{cycle.slug}/ballot",
        token,
        {"selections": [{"proposal_id": cheap.id}]},
        **{"Idempotency-Key": "k"},
    )
    row = db.session.scalars(sa.select(ApiIdempotencyKey)).one()
    assert set(row.body) == {"status", "cast_on"}
    path_only = hashlib.sha256(f"POST /api/v1/cycles/{cycle.slug}/ballot ".encode()).hexdigest()
    assert row.request_hash == path_only


def test_session_cookie_cannot_cast(client, voting, count_rows):
    cycle, user, _, cheap, _ = voting
    login_as(client, user)
    response = client.post(
        f"/api/v1/cycles/{cycle.slug}/ballot", json={"selections": [{"proposal_id": cheap.id}]}
    )
    assert response.status_code == 401
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 0


def test_a_bearer_cast_is_the_token_owners_whoever_is_signed_in(
    client, voting, make_user, count_rows
):
    """The cast reads the token's owner without an ORM account (issue 17): a session cookie
    of another resident sent along changes nothing."""
    cycle, owner, token, cheap, _ = voting
    signed_in = make_user(area=cycle.areas[0].area)
    login_as(client, signed_in)
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    response = post(client, url, token, {"selections": [{"proposal_id": cheap.id}]})
    assert response.status_code == 201, response.get_json()
    assert count_rows(Participation, Participation.user_id == owner.id) == 1
    assert count_rows(Participation, Participation.user_id == signed_in.id) == 0
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["id"] == owner.id


def test_cumulative_points_over_the_limit_report_numbers(
    client, make_cycle, make_user, make_token, make_proposal, count_rows
):
    cycle = make_cycle("voting", areas=1, ballot_rule="cumulative", points_total=5)
    area = cycle.areas[0].area
    a, b = make_proposal(cycle, area=area, cost=1_00), make_proposal(cycle, area=area, cost=1_00)
    token = make_token(make_user(area=area))
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    response = post(
        client,
        url,
        token,
        {"selections": [{"proposal_id": a.id, "points": 3}, {"proposal_id": b.id, "points": 2.5}]},
    )
    assert response.status_code == 422
    assert problem_code(response) == "too_many_points"
    assert response.get_json()["limit"] == 5
    assert response.get_json()["total"] == 5.5
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 0
    ok = post(
        client,
        url,
        token,
        {
            "selections": [
                {"proposal_id": a.id, "points": 2.5},
                {"proposal_id": b.id, "points": 2.5},
            ]
        },
    )
    assert ok.status_code == 201, ok.get_json()


def test_savings_are_voted_with_a_stance(
    client, make_cycle, make_user, make_token, make_proposal, db
):
    cycle = make_cycle("voting", areas=1)
    area = cycle.areas[0].area
    saving = make_proposal(cycle, area=None, kind="saving", cost=5_00)
    spend = make_proposal(cycle, area=area, cost=1_00)
    token = make_token(make_user(area=area))
    response = post(
        client,
        f"/api/v1/cycles/{cycle.slug}/ballot",
        token,
        {
            "area_id": area.id,
            "selections": [{"proposal_id": spend.id}, {"proposal_id": saving.id, "stance": -1}],
        },
    )
    assert response.status_code == 201, response.get_json()
    unseal_all()
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id)).one()
    assert {(c.proposal_id, c.stance) for c in ballot.choices} == {(spend.id, 1), (saving.id, -1)}


def test_projects_the_voter_may_not_choose_reject_the_whole_ballot(
    client, voting, count_rows, make_proposal, make_cycle
):
    cycle, _, token, cheap, _ = voting
    elsewhere = make_proposal(cycle, area=cycle.areas[1].area, cost=1_00)
    pending = make_proposal(cycle, area=cycle.areas[0].area, status="pending", cost=1_00)
    withdrawn = make_proposal(cycle, area=cycle.areas[0].area, cost=1_00, status="withdrawn")
    foreign = make_proposal(make_cycle("voting", areas=1), cost=1_00)
    for bad in (elsewhere, pending, withdrawn, foreign):
        response = post(
            client,
            f"/api/v1/cycles/{cycle.slug}/ballot",
            token,
            {"selections": [{"proposal_id": cheap.id}, {"proposal_id": bad.id}]},
        )
        assert response.status_code == 422
        assert problem_code(response) == "invalid_project"
    assert count_rows(Participation, Participation.cycle_id == cycle.id) == 0
    assert count_rows(Ballot, Ballot.cycle_id == cycle.id) == 0
