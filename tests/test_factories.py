"""The shared builders produce rows the app can load, and login_as signs a client in."""

from tests.factories import login_as


def test_login_as_loads_user_through_session_token(client, db, make_user):
    user = make_user("officer", name="Olga Officer")
    login_as(client, user)
    assert b"Olga Officer" in client.get("/").data
    user.session_token = "rotated"
    db.session.flush()
    assert b"Olga Officer" not in client.get("/").data


def test_request_commit_is_visible_to_the_test(client, db, make_user):
    user = make_user()
    login_as(client, user)
    client.post("/language", data={"lang": "de"})
    db.session.refresh(user)  # the request ran in its own session on the same connection
    assert user.id


def test_cycle_and_proposal_builders(make_cycle, make_proposal):
    cycle = make_cycle("voting", areas=3)
    proposal = make_proposal(cycle, area=cycle.areas[0].area)
    assert len(cycle.areas) == 3
    assert cycle.rules_frozen
    assert proposal.on_ballot
    assert proposal.officer_cost_minor == proposal.estimated_cost_minor
