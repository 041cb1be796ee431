"""A resident's own page (proposals, offers, where they voted but never what) and the home
page's "what you can do now" per cycle."""

from __future__ import annotations

import re
from decimal import Decimal

from pbplatform.coproduction import services as coproduction
from pbplatform.voting.services import cast_ballot
from tests.factories import login_as


def test_my_page_lists_proposals_offers_and_where_not_what_i_voted(
    app, client, db, make_cycle, make_user, make_proposal
):
    voting = make_cycle("voting")
    area = voting.areas[0].area
    resident = make_user(area=area)
    mine = make_proposal(voting, area=area, author=resident, title="Benches by the pond")
    chosen = make_proposal(voting, area=area, title="Secret choice of the voter")
    with app.test_request_context():
        coproduction.make_offer(
            by=resident,
            proposal=mine,
            kind="volunteer_hours",
            quantity=Decimal(6),
            unit="hours",
            description="Painting",
        )
        cast_ballot(
            voting,
            f"user:{resident.id}",
            {chosen.id: 1},
            area_id=area.id,
            channel="online",
            user_id=resident.id,
        )
    login_as(client, resident)
    page = client.get("/my")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Benches by the pond" in html
    assert mine.tracking_number in html
    assert "6 hours" in html
    vote = re.search(r'<li data-vote-cycle="[^"]+">(.*?)</li>', html, re.S).group(1)
    assert f"{voting.name}: you voted on" in vote
    assert "channel: Online" in vote
    assert "Secret choice of the voter" not in html  # what was voted is never shown
    assert chosen.tracking_number not in html
    assert 'href="/my"' in html  # in the header


def test_my_page_without_votes(client, make_user):
    login_as(client, make_user())
    html = client.get("/my").get_data(as_text=True)
    assert "You have not voted yet." in html
    assert "You have not submitted a proposal." in html


def test_home_page_says_what_can_be_done_now(app, client, db, make_cycle, make_user, make_proposal):
    proposals = make_cycle("proposals")
    voting = make_cycle("voting")
    project = make_proposal(voting, area=voting.areas[0].area)
    results = make_cycle("results")
    resident = make_user(area=voting.areas[0].area)
    html = client.get("/").get_data(as_text=True)

    def card(cycle, page):
        return re.search(rf'data-cycle="{cycle.slug}">.*?</li>\s*</ul>', page, re.S).group(0)

    assert "Submit a proposal" in card(proposals, html)
    assert f'href="/cycles/{voting.slug}/ballot"' in card(voting, html)
    assert "See the results" in card(results, html)
    with app.test_request_context():
        cast_ballot(
            voting,
            f"user:{resident.id}",
            {project.id: 1},
            area_id=resident.home_area_id,
            channel="paper",
            user_id=resident.id,
            serial="P-1",
        )
    login_as(client, resident)
    html = client.get("/").get_data(as_text=True)
    assert "You have voted (channel: Paper ballots)" in card(voting, html)
    assert f'href="/cycles/{voting.slug}/ballot"' not in card(voting, html)
