"""The officers' and administrators' home pages: what waits, with counts scoped to the
officer's areas, and a link to every tool of the role (also from the header)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from pbplatform.channels.models import Meeting
from pbplatform.coproduction import services as coproduction
from pbplatform.proposals.models import ProposalFlag
from pbplatform.results.models import ResultVersion
from tests.factories import login_as


def _waiting(html: str) -> dict[str, int]:
    return {
        key: int(n)
        for key, n in re.findall(
            r'data-waiting="(\w+)">.*?<strong class="count">(\d+)</strong>', html, re.S
        )
    }


def _scene(db, make_cycle, make_user, make_proposal):
    review = make_cycle("review")
    area_a, area_b = (ca.area for ca in review.areas)
    resident = make_user(area=area_a)
    for area in (area_a, area_a, area_b):
        make_proposal(review, area=area, status="pending", author=resident)
    flagged = make_proposal(review, area=area_b, status="approved", author=resident)
    db.session.add(ProposalFlag(proposal_id=flagged.id, user_id=resident.id, reason="rude"))
    coproduction.make_offer(
        by=resident,
        proposal=flagged,
        kind="volunteer_hours",
        quantity=Decimal(5),
        unit="hours",
        description="Painting",
    )
    counting = make_cycle("counting", areas=[area_a, area_b])
    for area in (area_a, area_b, area_b):
        db.session.add(
            Meeting(cycle_id=counting.id, area_id=area.id, held_on=date(2026, 6, 1), place="Hall")
        )
    db.session.add(
        ResultVersion(cycle_id=counting.id, version=1, config={}, outcome={}, content_hash="a" * 64)
    )
    db.session.flush()
    return review, counting, area_a, area_b


def test_officer_limited_to_an_area_sees_that_areas_work_only(
    client, db, app, make_cycle, make_user, make_proposal
):
    with app.test_request_context():
        review, counting, area_a, area_b = _scene(db, make_cycle, make_user, make_proposal)
    login_as(client, make_user("officer", officer_areas=(area_a,)))
    page = client.get("/officer")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # two pending proposals in area A; the flag and the offer are in area B; one meeting in A;
    # an officer limited to an area cannot publish, so no count waits for them
    assert _waiting(html) == {
        "proposals": 2,
        "flags": 0,
        "offers": 0,
        "report_back": 0,
        "meetings": 1,
        "counts": 0,
    }
    assert "Your areas: " + area_a.name in html


def test_district_officer_and_admin_see_everything(
    client, db, app, make_cycle, make_user, make_proposal
):
    with app.test_request_context():
        review, counting, *_ = _scene(db, make_cycle, make_user, make_proposal)
    expected = {
        "proposals": 3,
        "flags": 1,
        "offers": 1,
        "report_back": 0,
        "meetings": 3,
        "counts": 1,
    }
    login_as(client, make_user("officer"))
    assert _waiting(client.get("/officer").get_data(as_text=True)) == expected
    login_as(client, make_user("admin"))
    html = client.get("/admin").get_data(as_text=True)
    assert _waiting(html) == expected
    assert "version 1 waits for publication" in html


def test_every_tool_is_linked_from_the_home_pages_and_the_header(client, db, make_cycle, make_user):
    cycle = make_cycle("voting")
    login_as(client, make_user("admin"))
    html = client.get("/admin").get_data(as_text=True)
    for url in (
        "/officer/queue",
        "/officer/offers",
        "/officer/proposals/new",
        f"/officer/paper/{cycle.slug}",
        f"/officer/meetings/{cycle.slug}",
        f"/officer/cycles/{cycle.slug}/count",
        f"/admin/codes/{cycle.slug}",
        f"/admin/census/{cycle.slug}",
        "/admin/cycles",
        "/admin/areas",
        "/admin/users",
        "/admin/audit",
        "/admin/outbox",
    ):
        assert f'href="{url}' in html, url
        assert client.get(url).status_code == 200, url
    assert 'href="/admin">Administration</a>' in html
    assert 'href="/officer">Officer home</a>' in html
    login_as(client, make_user("officer"))
    html = client.get("/officer").get_data(as_text=True)
    assert f'href="/officer/paper/{cycle.slug}"' in html
    # erasure requests from people who wrote or phoned: reachable from the officer's home
    assert 'href="/privacy/requests"' in html
    assert client.get("/privacy/requests").status_code == 200
    assert "/admin/codes/" not in html
    assert 'href="/officer">Officer home</a>' in html
    assert 'href="/admin"' not in html


def test_residents_are_refused(client, make_user):
    login_as(client, make_user())
    assert client.get("/officer").status_code == 403
    assert client.get("/admin").status_code == 403


def _cards(html: str) -> dict[str, str]:
    """Each card's words as read: the count and what it counts."""
    found = re.findall(r'data-waiting="(\w+)"><(?:a|span)[^>]*>(.*?)</(?:a|span)></li>', html)
    return {key: " ".join(re.sub(r"<[^>]+>", "", text).split()) for key, text in found}


def test_each_count_says_what_it_counts_in_the_singular_and_the_plural(
    client, db, app, make_cycle, make_user, make_proposal
):
    with app.test_request_context():
        _scene(db, make_cycle, make_user, make_proposal)
    login_as(client, make_user("officer"))
    assert _cards(client.get("/officer").get_data(as_text=True)) == {
        "proposals": "3 proposals to review",
        "flags": "1 proposal with open reports",
        "offers": "1 offer of help to value",
        "report_back": "0 funded proposals without a delivery report",
        "meetings": "3 meetings whose dot counts are not confirmed",
        "counts": "1 count waiting for publication",
    }
    german = client.get("/officer", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert _cards(german) == {
        "proposals": "3 Vorschläge zu prüfen",
        "flags": "1 Vorschlag mit offenen Meldungen",
        "offers": "1 Hilfsangebot zu bewerten",
        "report_back": "0 geförderte Vorschläge ohne Umsetzungsbericht",
        "meetings": "3 Versammlungen mit unbestätigten Punktzählungen",
        "counts": "1 Auszählung wartet auf Veröffentlichung",
    }
