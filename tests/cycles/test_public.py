"""The public cycle page: phase, timeline, budgets and the rules in plain words."""

from __future__ import annotations

from datetime import timedelta

from pbplatform.db import utcnow
from tests.factories import login_as


def test_public_page_shows_budgets_rules_and_policy(client, db, make_cycle):
    cycle = make_cycle(
        "proposals",
        area_budget=12_500_00,
        district_budget=250_000_00,
        tie_seed="lichtenberg-2026",
        channel_weights={"code": "2.5"},
        count_rule="greedy",
        vote_policy="registered",
        min_age=14,
    )
    page = client.get(f"/cycles/{cycle.slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert cycle.name in text
    assert "Current phase" in text
    assert 'aria-current="step"' in text
    assert "€250,000.00" in text
    assert "€12,500.00" in text
    assert cycle.areas[0].area.name in text
    assert "Counting rule: greedy by votes" in text
    assert (
        "Ties are broken by lower cost, then more votes, then a lot drawn from the "
        "published seed “lichtenberg-2026”." in text
    )
    assert "Voting codes: weight 2.5" in text
    # nothing can be entered for a postal survey, so no weight is published for it
    assert "Postal survey" not in text
    assert "Everyone votes once" in text
    assert "Minimum age: 14." in text
    assert "as long as their total cost fits the budget" in text


def test_other_rules_in_plain_words(client, db, make_cycle):
    cycle = make_cycle(
        "proposals",
        ballot_rule="cumulative",
        points_total=5,
        max_points_per_project=2.5,
        count_rule="greedy-threshold",
        count_threshold=100,
        tie_break="name",
    )
    text = client.get(f"/cycles/{cycle.slug}").get_data(as_text=True)
    assert "Distribute 5 points among the projects" in text
    assert "At most 2.5 points may go to one project." in text
    assert "with a score of at least 100" in text
    assert "identifiers as text" in text
    other = make_cycle(
        "proposals", ballot_rule="k_approval", max_projects=3, count_rule="top-n", count_top_n=10
    )
    text = client.get(f"/cycles/{other.slug}").get_data(as_text=True)
    assert "Choose at most 3 projects." in text
    assert "the 10 projects with the highest scores" in text


def test_draft_cycle_is_not_public(client, db, make_cycle, make_user):
    cycle = make_cycle("draft")
    assert client.get(f"/cycles/{cycle.slug}").status_code == 404
    assert client.get("/cycles/no-such-cycle").status_code == 404
    login_as(client, make_user("officer"))
    assert client.get(f"/cycles/{cycle.slug}").status_code == 200


def test_voting_cycle_links_to_the_ballot(client, db, make_cycle):
    cycle = make_cycle("voting")
    text = client.get(f"/cycles/{cycle.slug}").get_data(as_text=True)
    assert f"/cycles/{cycle.slug}/ballot" in text
    assert f"/cycles/{cycle.slug}/results" in text
    assert f"/proposals?cycle={cycle.slug}" in text
    assert "These rules are fixed since voting opened." in text


def test_user_text_is_escaped(client, db, make_cycle, make_area):
    area = make_area('<script>alert("a")</script>')
    cycle = make_cycle("proposals", areas=[area], tie_seed="<b>seed</b>")
    cycle.name = "<img src=x onerror=alert(1)>"
    db.session.flush()
    text = client.get(f"/cycles/{cycle.slug}").get_data(as_text=True)
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "<b>seed</b>" not in text
    assert "&lt;script&gt;" in text


def test_draft_cycle_is_public_once_its_calendar_opens_it(client, db, make_cycle):
    cycle = make_cycle("draft")
    cycle.phase_dates[0].starts_at = utcnow() - timedelta(minutes=1)  # proposals
    cycle.phase_dates[1].starts_at = utcnow() + timedelta(days=1)  # review
    db.session.flush()
    assert client.get(f"/cycles/{cycle.slug}").status_code == 200
    db.session.refresh(cycle)
    assert cycle.phase == "draft"  # shown as open, stored by `flask pb advance-phases` only


def test_a_limit_of_one_is_said_in_the_singular(client, db, make_cycle):
    one = make_cycle("proposals", ballot_rule="k_approval", max_projects=1)
    assert "Choose at most 1 project." in client.get(f"/cycles/{one.slug}").get_data(as_text=True)
    points = make_cycle(
        "proposals", ballot_rule="cumulative", points_total=5, max_points_per_project=1
    )
    text = client.get(f"/cycles/{points.slug}", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )
    assert "Höchstens 1 Punkt darf an ein Projekt gehen." in text
