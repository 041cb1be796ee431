"""Read endpoints: what is listed, pagination, filters, sort allow-list, costs, no leaks."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.coproduction.models import Offer
from pbplatform.extensions import db as _db
from pbplatform.results.models import ResultVersion
from tests.factories import create_published_version, create_user

PROBLEM = "application/problem+json"


def test_cycles_list_hides_drafts_and_pages(client, make_cycle):
    visible = [make_cycle("proposals", areas=1) for _ in range(3)]
    draft = make_cycle("draft", areas=1)
    body = client.get("/api/v1/cycles?per_page=2").get_json()
    slugs = [c["slug"] for c in body["items"]]
    assert body["page"] == 1
    assert body["per_page"] == 2
    assert len(slugs) == 2
    assert body["total"] >= 3
    every = client.get("/api/v1/cycles?per_page=100").get_json()["items"]
    assert {c.slug for c in visible} <= {c["slug"] for c in every}
    assert draft.slug not in {c["slug"] for c in every}
    assert client.get(f"/api/v1/cycles/{draft.slug}").status_code == 404


def test_per_page_is_capped_and_bad_paging_is_a_problem(client, make_cycle):
    make_cycle("proposals", areas=1)
    body = client.get("/api/v1/cycles?per_page=10000").get_json()
    assert body["per_page"] == 100
    for query in ("page=0", "page=abc", "per_page=0", "page=1.5", "page=99999999999999"):
        response = client.get(f"/api/v1/cycles?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == PROBLEM
        assert response.get_json()["code"] == "invalid_parameter"


def test_unknown_query_parameters_are_ignored(client, make_cycle):
    make_cycle("proposals", areas=1)
    response = client.get("/api/v1/cycles?q[author_email_cont]=x&foo=1")
    assert response.status_code == 200


def test_cycle_detail_has_budgets_rules_and_areas(client, make_cycle):
    cycle = make_cycle(
        "voting",
        areas=2,
        area_budget=50_000_00,
        district_budget=80_000_00,
        ballot_rule="cumulative",
        points_total=Decimal("5.00"),
    )
    body = client.get(f"/api/v1/cycles/{cycle.slug}").get_json()
    assert body["phase"] == "voting"
    assert body["currency"] == "EUR"
    assert body["budgets"]["district"] == 80_000_00
    assert [a["budget"] for a in body["budgets"]["areas"]] == [50_000_00, 50_000_00]
    assert body["rules"]["ballot_rule"] == "cumulative"
    assert body["rules"]["points_total"] == 5
    assert body["rules"]["rules_frozen"] is True
    assert "tie_seed" not in json.dumps(body)
    areas = client.get(f"/api/v1/cycles/{cycle.slug}/areas").get_json()["items"]
    assert [a["id"] for a in areas] == [ca.area_id for ca in cycle.areas]


def test_listing_follows_phase_and_never_shows_hidden_text(client, make_cycle, make_proposal):
    cycle = make_cycle("proposals", areas=1)
    approved = make_proposal(cycle, status="approved")
    pending = make_proposal(cycle, status="pending")
    hidden = make_proposal(
        cycle, status="approved", is_hidden=True, title="Rude words", location="Rude place"
    )
    rejected = make_proposal(cycle, status="rejected", rejection_reason="no")
    url = f"/api/v1/cycles/{cycle.slug}/proposals"
    listed = {p["tracking_number"] for p in client.get(url).get_json()["items"]}
    assert listed == {approved.tracking_number, pending.tracking_number, hidden.tracking_number}
    cycle.phase = "voting"
    _db.session.flush()
    listed = {p["tracking_number"] for p in client.get(url).get_json()["items"]}
    # Moderation hides the text only (issue 12): the project stays listed, with a placeholder.
    assert listed == {approved.tracking_number, hidden.tracking_number}
    record = client.get(f"/api/v1/proposals/{hidden.tracking_number}").get_json()
    assert "Rude" not in str(record)
    assert record["title"] == "Text hidden by moderation"
    for p in (pending, rejected):
        response = client.get(f"/api/v1/proposals/{p.tracking_number}")
        assert response.status_code == 404
        assert response.mimetype == PROBLEM
    assert client.get(f"/api/v1/proposals/{approved.tracking_number}").status_code == 200


def test_filters_and_sort_allow_list(client, make_cycle, make_proposal):
    cycle = make_cycle("voting", areas=2)
    area_a, area_b = cycle.areas[0].area, cycle.areas[1].area
    p1 = make_proposal(cycle, area=area_a, category="green", title="Beta")
    p2 = make_proposal(cycle, area=area_b, category="play", title="alpha")
    p3 = make_proposal(cycle, area=None, kind="saving", title="Gamma")
    url = f"/api/v1/cycles/{cycle.slug}/proposals"

    def numbers(query: str) -> list[str]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, response.get_json()
        return [p["tracking_number"] for p in response.get_json()["items"]]

    assert numbers(f"area={area_a.id}") == [p1.tracking_number]
    assert numbers("category=play") == [p2.tracking_number]
    assert numbers("kind=saving") == [p3.tracking_number]
    assert numbers("sort=title") == [p2.tracking_number, p1.tracking_number, p3.tracking_number]
    assert numbers("sort=-title")[0] == p3.tracking_number
    for query in (
        "sort=votes",
        "sort=author.email",
        "sort=title;DROP TABLE proposals",
        "sort=' OR 1=1--",
        "area=1 OR 1=1",
        "kind=other",
        "category=nope",
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["code"] == "invalid_parameter"


def test_records_carry_costs_from_cost_breakdown(client, make_cycle, make_proposal, make_user):
    cycle = make_cycle("voting", areas=1, coproduction_cap_pct=50)
    offered = make_proposal(cycle, cost=10_000_00)
    plain = make_proposal(cycle, cost=3_000_00)
    resident = make_user()
    _db.session.add(
        Offer(
            cycle_id=cycle.id,
            proposal_id=offered.id,
            offerer_id=resident.id,
            kind="volunteer_hours",
            quantity=Decimal(100),
            unit="hours",
            description="We build it",
            status="accepted",
            value_minor=2_000_00,
        )
    )
    _db.session.flush()
    items = client.get(f"/api/v1/cycles/{cycle.slug}/proposals").get_json()["items"]
    by_id = {p["id"]: p for p in items}
    costs = cost_breakdown([offered, plain])
    for proposal in (offered, plain):
        record, expected = by_id[proposal.id], costs[proposal.id]
        assert record["gross_cost"] == expected.gross_minor
        assert record["coproduction_value"] == expected.coproduction_minor
        assert record["net_cost"] == expected.net_minor
        assert record["currency"] == "EUR"
    assert by_id[offered.id]["coproduction_value"] == 2_000_00
    assert by_id[offered.id]["net_cost"] == 8_000_00
    detail = client.get(f"/api/v1/proposals/{offered.tracking_number}").get_json()
    assert detail["net_cost"] == 8_000_00
    assert isinstance(detail["timeline"], list)


def test_a_page_of_proposals_costs_a_constant_number_of_queries(
    client, make_cycle, make_proposal, statements
):
    cycle = make_cycle("voting", areas=1)
    url = f"/api/v1/cycles/{cycle.slug}/proposals"
    make_proposal(cycle, area=cycle.areas[0].area)
    statements.clear()
    client.get(url)
    few = len(statements)
    for _ in range(8):
        make_proposal(cycle, area=cycle.areas[0].area)
    statements.clear()
    client.get(url)
    assert len(statements) == few


def test_no_authors_emails_or_vote_counts(client, make_cycle, make_proposal):
    author = create_user("resident", email="secret.author@example.org", name="Ann Author")
    cycle = make_cycle("voting", areas=1)
    proposal = make_proposal(
        cycle,
        author=author,
        contact_name="Ann",
        contact_consent=True,
        contact_details="+49 30 1234",
    )
    text = client.get(f"/api/v1/cycles/{cycle.slug}/proposals").get_data(as_text=True)
    text += client.get(f"/api/v1/proposals/{proposal.tracking_number}").get_data(as_text=True)
    for leak in ("secret.author", "Ann Author", "1234", "votes", "score", "author"):
        assert leak not in text


def test_results_only_when_published(client, make_cycle):
    cycle = make_cycle("results", areas=1)
    url = f"/api/v1/cycles/{cycle.slug}/results"
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.get_json()["code"] == "results_not_published"
    draft = ResultVersion(
        cycle_id=cycle.id,
        version=1,
        config={"rule": "greedy"},
        outcome={"funded": ["1"], "score": 99},
        content_hash="a" * 64,
    )
    _db.session.add(draft)
    _db.session.flush()
    assert client.get(url).get_json()["code"] == "results_not_published"
    published = create_published_version(cycle, 2, {"rule": "greedy"}, {"funded": ["2"]})
    body = client.get(url).get_json()
    assert body["version"] == 2
    assert body["content_hash"] == published.content_hash
    assert body["outcome"] == {"funded": ["2"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cycles/%00",
        "/api/v1/proposals/%00abc",
        "/api/v1/cycles/" + "x" * 300,
        "/api/v1/proposals/%E2%80%AE",
    ],
)
def test_odd_path_segments_are_404_problems(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def test_unsupported_method_is_a_405_problem_with_allow(client):
    response = client.delete("/api/v1/cycles")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert "GET" in response.headers["Allow"]
