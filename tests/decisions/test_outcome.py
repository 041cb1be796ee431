"""The outcome everywhere once a count is published: the proposal page, the list (badge and
filter) and the API; the decision beside it once confirmed (issue 15 items 1 and 7)."""

from __future__ import annotations

from tests.decisions.helpers import confirm, record
from tests.factories import create_cycle, create_decided_proposal


def test_before_publication_the_page_says_on_the_ballot_and_the_api_says_null(app, db, counted):
    s = counted
    page = app.test_client().get(f"/proposals/{s.a.tracking_number}").get_data(as_text=True)
    assert "On the ballot</span>" in page
    assert "Result of the vote" not in page
    body = app.test_client().get(f"/api/v1/proposals/{s.a.tracking_number}").get_json()
    assert body["outcome"] is None
    assert body["decision"] is None


def test_the_proposal_page_shows_the_outcome_instead_of_on_the_ballot(app, db, published):
    s = published
    page = app.test_client().get(f"/proposals/{s.a.tracking_number}").get_data(as_text=True)
    assert "On the ballot</span>" not in page
    assert "If funded" not in page
    assert 'data-outcome="funded"' in page
    assert "Rank on its list" in page
    assert "Weighted score (all channels)" in page
    assert "Online: " in page or "online" in page.lower()  # the channel breakdown
    loser = app.test_client().get(f"/proposals/{s.b.tracking_number}").get_data(as_text=True)
    assert 'data-outcome="not_funded"' in loser
    # The whole life: submitted, on the ballot, ranked.
    assert "Ranked 1 in the count (version 1)" in page


def test_the_list_has_outcome_badges_and_filters(app, db, published):
    s = published
    client = app.test_client()
    url = f"/proposals?cycle={s.cycle.slug}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="outcome"' in page
    assert 'data-outcome="funded"' in page
    funded = client.get(url + "&outcome=funded&per_page=50").get_data(as_text=True)
    assert s.a.tracking_number in funded
    assert s.b.tracking_number not in funded
    unfunded = client.get(url + "&outcome=not_funded&per_page=50").get_data(as_text=True)
    assert s.b.tracking_number in unfunded
    assert s.a.tracking_number not in unfunded
    ignored = client.get(url + "&outcome=bogus&per_page=50").get_data(as_text=True)
    assert s.a.tracking_number in ignored
    assert s.b.tracking_number in ignored


def test_the_api_carries_outcome_and_decision(app, db, published):
    s = published
    number = s.d.tracking_number
    body = app.test_client().get(f"/api/v1/proposals/{number}").get_json()
    assert body["outcome"]["funded"] is True
    assert body["outcome"]["list"] == "district"
    assert body["outcome"]["rank"] >= 1
    assert body["outcome"]["explanation"]
    assert body["decision"] is None
    record(
        app,
        s.recorder,
        s.cycle,
        "district",
        {number: {"status": "rejected", "reason": "No funds this year"}},
    )
    confirm(app, s.confirmer, s.cycle, "district")
    body = app.test_client().get(f"/api/v1/proposals/{number}").get_json()
    assert body["decision"] == {
        "status": "rejected",
        "amount": None,
        "changes": None,
        "reason": "No funds this year",
        "session_date": "2026-11-20",
        "minutes_url": "https://bvv.example.org/minutes/42",
        "version": 1,
    }
    listing = app.test_client().get(f"/api/v1/cycles/{s.cycle.slug}/proposals?per_page=100")
    items = {p["tracking_number"]: p for p in listing.get_json()["items"]}
    assert items[number]["decision"]["status"] == "rejected"
    assert items[s.b.tracking_number]["outcome"]["funded"] is False


def test_a_decided_proposal_page_shows_funded_and_decided(app, db):
    cycle = create_cycle("results", areas=1)
    proposal = create_decided_proposal(cycle)
    db.session.flush()
    page = app.test_client().get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert 'data-outcome="funded"' in page
    assert 'data-decision="adopted"' in page
    assert "Council decision (version 1): Adopted" in page  # in its history
