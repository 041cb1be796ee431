"""The shared builders produce rows the app can load, and login_as signs a client in."""

import sqlalchemy as sa

from pbplatform.accounts.models import User
from tests.factories import login_as


def test_login_as_loads_user_through_session_token(client, db, make_user):
    user = make_user("officer", name="Olga Officer")
    login_as(client, user)
    assert b"Olga Officer" in client.get("/").data
    user.session_token = "rotated"
    db.session.flush()
    assert b"Olga Officer" not in client.get("/").data


def test_request_commit_is_visible_to_the_test(client, db, make_area):
    """A request's own session commits through a savepoint on the test's connection."""
    area = make_area()
    password = "a long enough passphrase 2026"
    response = client.post(
        "/register",
        data={
            "email": "visible@example.org",
            "display_name": "Visible",
            "home_area": str(area.id),
            "password": password,
            "password_confirm": password,
        },
    )
    assert response.status_code in (200, 302)
    stored = db.session.scalar(sa.select(User).where(User.email == "visible@example.org"))
    assert stored is not None
    assert stored.home_area_id == area.id


def test_the_previous_tests_rows_were_rolled_back(db):
    assert db.session.scalar(sa.select(User).where(User.email == "visible@example.org")) is None


def test_cycle_and_proposal_builders(make_cycle, make_proposal):
    cycle = make_cycle("voting", areas=3)
    proposal = make_proposal(cycle, area=cycle.areas[0].area)
    assert len(cycle.areas) == 3
    assert cycle.rules_frozen
    assert proposal.on_ballot
    assert proposal.officer_cost_minor == proposal.estimated_cost_minor
