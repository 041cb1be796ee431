"""Routing beyond the vote: forwarded (and the authority's answer), done without a vote,
carried over to the next cycle with the same tracking number and history (issue 15 item 3)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pbplatform.decisions import queries
from pbplatform.decisions.models import Routing, RoutingKind
from tests.factories import create_cycle, create_user, login_as


def _officer_client(app, officer):
    client = app.test_client()
    login_as(client, officer)
    return client


def test_forwarded_with_the_authoritys_later_answer(app, db, published):
    s = published
    client = _officer_client(app, s.recorder)
    url = f"/officer/proposals/{s.b.tracking_number}/routing"
    r = client.post(url, data={"kind": "forwarded", "authority": "Senate Department for Transport"})
    assert r.status_code == 303
    routing = db.session.scalar(sa.select(Routing))
    r = client.post(
        f"/officer/routings/{routing.id}/answer",
        data={"answer": "Included in the 2027 cycle-lane plan.", "answered_on": "2026-12-01"},
    )
    assert r.status_code == 303
    page = app.test_client().get(f"/proposals/{s.b.tracking_number}").get_data(as_text=True)
    assert 'data-routing="forwarded"' in page
    assert "Senate Department for Transport" in page
    assert "Included in the 2027 cycle-lane plan." in page
    assert "Forwarded to another authority" in page  # also in its history


def test_forwarding_needs_an_authority(app, db, published):
    s = published
    client = _officer_client(app, s.recorder)
    r = client.post(f"/officer/proposals/{s.b.tracking_number}/routing", data={"kind": "forwarded"})
    assert r.status_code == 422
    assert "Name the authority" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Routing.id))) == 0
    db.session.add(Routing(proposal_id=s.b.id, cycle_id=s.cycle.id, kind=RoutingKind.FORWARDED))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_done_without_a_vote_shows_cost_and_date(app, db, published):
    s = published
    client = _officer_client(app, s.recorder)
    r = client.post(
        f"/officer/proposals/{s.c.tracking_number}/routing",
        data={"kind": "done_without_vote", "cost": "850", "done_on": "2026-10-02"},
    )
    assert r.status_code == 303
    page = app.test_client().get(f"/proposals/{s.c.tracking_number}").get_data(as_text=True)
    assert 'data-routing="done_without_vote"' in page
    assert "850" in page


def test_carried_over_keeps_its_number_and_history(app, db, published):
    s = published
    next_cycle = create_cycle("proposals", areas=[s.home, s.other])
    number, events_before = s.b.tracking_number, len(s.b.events)
    client = _officer_client(app, s.recorder)
    r = client.post(
        f"/officer/proposals/{number}/routing",
        data={"kind": "carried_over", "to_cycle": next_cycle.slug, "note": "Next year"},
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    db.session.expire_all()
    db.session.refresh(s.b)
    assert s.b.tracking_number == number
    assert s.b.cycle_id == next_cycle.id
    assert s.b.status == "pending"  # reviewed again in the next cycle
    assert len(s.b.events) == events_before + 1
    page = app.test_client().get(f"/proposals/{number}").get_data(as_text=True)
    assert 'data-routing="carried_over"' in page
    assert next_cycle.name in page
    # Its history keeps the earlier cycle's ranking.
    assert "Ranked " in page
    assert s.cycle.name in page
    with app.app_context():
        counts = queries.routing_counts(s.cycle)
        assert counts[RoutingKind.CARRIED_OVER] == 1
        assert counts[RoutingKind.FORWARDED] == 0


def test_routing_counts_per_area(app, db, published):
    s = published
    client = _officer_client(app, s.recorder)
    client.post(
        f"/officer/proposals/{s.b.tracking_number}/routing",
        data={"kind": "forwarded", "authority": "Water board"},
    )
    client.post(
        f"/officer/proposals/{s.d.tracking_number}/routing",
        data={"kind": "done_without_vote", "cost": "100", "done_on": "2026-10-02"},
    )
    with app.app_context():
        whole = queries.routing_counts(s.cycle)
        home = queries.routing_counts(s.cycle, area=s.home)
        assert whole[RoutingKind.FORWARDED] == 1
        assert whole[RoutingKind.DONE_WITHOUT_VOTE] == 1
        assert home[RoutingKind.FORWARDED] == 1
        assert home[RoutingKind.DONE_WITHOUT_VOTE] == 0
        assert queries.routing_counts(s.cycle, area=s.home.id) == home


def test_an_officer_of_another_area_cannot_route(app, db, published):
    s = published
    client = _officer_client(app, create_user("officer", officer_areas=(s.other,)))
    r = client.post(
        f"/officer/proposals/{s.b.tracking_number}/routing",
        data={"kind": "forwarded", "authority": "Somebody"},
    )
    assert r.status_code == 403
