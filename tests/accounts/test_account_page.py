"""The account page: profile, home area lock while a vote is open, password change."""

from __future__ import annotations

from pbplatform.extensions import db
from pbplatform.voting.models import Participation
from tests.accounts.helpers import audit_actions, is_logged_in, login
from tests.factories import PASSWORD, login_as

NEW = "another very good passphrase"


def test_account_page_shows_profile(client, make_user, make_area):
    area = make_area("Alt-Hohenschönhausen")
    user = make_user("resident", name="Jo <b>Doe</b>", area=area)
    login_as(client, user)
    page = client.get("/account")
    assert page.status_code == 200
    assert user.email.encode() in page.data
    assert "Alt-Hohenschönhausen".encode() in page.data
    assert b"Jo &lt;b&gt;Doe&lt;/b&gt;" in page.data
    assert b"<b>Doe</b>" not in page.data


def test_change_name_and_home_area(client, make_user, make_area):
    old, new = make_area(), make_area()
    user = make_user("resident", area=old)
    login_as(client, user)
    response = client.post(
        "/account/profile",
        data={"display_name": "Renamed", "home_area": str(new.id), "role": "admin"},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.home_area_id, user.role) == ("Renamed", new.id, "resident")
    [entry] = audit_actions("account.profile_changed")
    assert entry.before["home_area_id"] == old.id
    assert entry.after["home_area_id"] == new.id


def test_home_area_is_locked_after_voting_in_an_open_cycle(client, make_user, make_cycle):
    cycle = make_cycle("voting")
    area_a, area_b = (ca.area for ca in cycle.areas)
    user = make_user("resident", area=area_a)
    db.session.add(
        Participation(
            cycle_id=cycle.id, voter_key=f"user:{user.id}", user_id=user.id, channel="online"
        )
    )
    db.session.flush()
    login_as(client, user)
    response = client.post(
        "/account/profile", data={"display_name": user.display_name, "home_area": str(area_b.id)}
    )
    assert response.status_code == 409
    assert b"still open" in response.data
    db.session.refresh(user)
    assert user.home_area_id == area_a.id
    # The name alone may still change.
    response = client.post(
        "/account/profile", data={"display_name": "Still Me", "home_area": str(area_a.id)}
    )
    assert response.status_code == 302


def test_invalid_area_choice_is_refused(client, make_user):
    user = make_user("resident")
    login_as(client, user)
    response = client.post("/account/profile", data={"display_name": "X Y", "home_area": "999"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.display_name != "X Y"


def test_password_change_needs_the_current_password(app, client, make_user):
    user = make_user("resident", email="pw@example.org")
    login(client, "pw@example.org", PASSWORD)
    elsewhere = app.test_client()
    login(elsewhere, "pw@example.org", PASSWORD)

    wrong = client.post(
        "/account/password",
        data={"current_password": "not my password", "password": NEW, "password_confirm": NEW},
    )
    assert wrong.status_code == 422
    assert b"current password is not correct" in wrong.data

    ok = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert ok.status_code == 302
    assert is_logged_in(client)  # this session continues
    assert not is_logged_in(elsewhere)  # every other one ended
    assert login(elsewhere, "pw@example.org", NEW).status_code == 302
    assert [e.object_id for e in audit_actions("account.password_changed")] == [str(user.id)]


def test_password_change_applies_the_policy(client, make_user):
    login_as(client, make_user("resident"))
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "password1234",
            "password_confirm": "password1234",
        },
    )
    assert response.status_code == 422
    assert b"too common" in response.data


def test_api_token_slot_renders(client, make_user):
    # accounts/_tokens.html comes from the API feature; the page includes it when it exists.
    login_as(client, make_user())
    page = client.get("/account")
    assert page.status_code == 200
    assert b"api-tokens-heading" in page.data
