"""Registration: the happy path, password policy, mass assignment, honeypot, no enumeration."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from tests.accounts.helpers import audit_actions, is_logged_in, login, without_csrf

GOOD = "purple elephants dance quietly"


def form(area=None, **overrides):
    data = {
        "email": "new@example.org",
        "display_name": "New Person",
        "password": GOOD,
        "password_confirm": GOOD,
    }
    if area is not None:
        data["home_area"] = str(area.id)
    data.update(overrides)
    return data


def users_with(email: str) -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(User).where(User.email == email)))


def outbox_for(email: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == email))
    )


def test_register_then_log_in_then_out(client, make_area):
    area = make_area("Fennpfuhl")
    page = client.get("/register")
    assert page.status_code == 200
    assert b"Fennpfuhl" in page.data
    response = client.post("/register", data=form(area, email=" New@Example.ORG "))
    assert response.status_code == 200
    assert b"Check your e-mail" in response.data
    [user] = users_with("new@example.org")
    assert user.role == "resident"
    assert user.home_area_id == area.id
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD not in user.password_hash
    assert len(outbox_for("new@example.org")) == 1
    assert [e.object_id for e in audit_actions("account.registered")] == [str(user.id)]
    assert login(client, "new@example.org", GOOD).status_code == 302
    assert is_logged_in(client)
    client.post("/logout")
    assert not is_logged_in(client)


def test_home_area_is_required_when_areas_exist(client, make_area):
    make_area()
    response = client.post("/register", data=form())
    assert response.status_code == 422
    assert b"Choose your home area." in response.data
    assert users_with("new@example.org") == []


def test_home_area_is_optional_without_areas(client):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("areas"))) == 0
    assert client.post("/register", data=form()).status_code == 200
    [user] = users_with("new@example.org")
    assert user.home_area_id is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short7c", b"at least 12 characters"),
        ("elevenchars", b"at least 12 characters"),
        ("password1234", b"too common"),
        ("PasswordPassword", b"too common"),
        ("aaaaaaaaaaaaaaaa", b"too common"),
        ("new@example.org", b"too common"),
        ("x" * 257, b"at most 256"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_stored(client, password, message):
    response = client.post("/register", data=form(password=password, password_confirm=password))
    assert response.status_code == 422
    assert message in response.data
    assert users_with("new@example.org") == []
    assert outbox_for("new@example.org") == []


@pytest.mark.parametrize(
    "password",
    ["fifteen chars!!", "a" + "b" * 10 + "cdefgh" * 9, "Ünïcödé-Pässwört-2026", "x y" * 30],
)
def test_long_passwords_without_composition_rules_are_accepted(client, password):
    response = client.post("/register", data=form(password=password, password_confirm=password))
    assert response.status_code == 200
    assert len(users_with("new@example.org")) == 1


def test_password_confirmation_must_match(client):
    response = client.post("/register", data=form(password_confirm=GOOD + "x"))
    assert response.status_code == 422
    assert b"The passwords differ." in response.data
    assert users_with("new@example.org") == []


@pytest.mark.parametrize("bad", ["", "not-an-email", "a@b", "x" * 250 + "@example.org"])
def test_bad_email_is_refused(client, bad):
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = client.post("/register", data=form(email=bad))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_mass_assignment_is_ignored(client, make_area):
    area, other = make_area(), make_area()
    response = client.post(
        "/register",
        data=form(
            area,
            role="admin",
            is_admin="1",
            is_active_account="0",
            id="999",
            officer_areas=str(other.id),
            session_token="fixed",
            verified="1",
            password_hash="$argon2id$forged",
        ),
    )
    assert response.status_code == 200
    [user] = users_with("new@example.org")
    assert user.role == "resident"
    assert not user.is_admin
    assert user.is_active_account
    assert user.id != 999
    assert user.officer_area_list == []
    assert user.session_token != "fixed"
    assert user.password_hash != "$argon2id$forged"


def test_honeypot_silently_rejects_bots(client):
    response = client.post("/register", data=form(website="http://spam.example"))
    assert response.status_code == 200
    assert b"Check your e-mail" in response.data
    assert users_with("new@example.org") == []
    assert outbox_for("new@example.org") == []


def test_existing_email_gets_the_same_page_and_the_owner_a_mail(client, make_user):
    owner = make_user("resident", email="taken@example.org", name="Owner")
    fresh = client.post("/register", data=form(email="fresh@example.org"))
    taken = client.post("/register", data=form(email="taken@example.org", display_name="Evil"))
    assert fresh.status_code == taken.status_code == 200
    assert without_csrf(fresh.data) == without_csrf(taken.data)
    [still] = users_with("taken@example.org")
    assert still.id == owner.id
    assert still.display_name == "Owner"
    [mail] = outbox_for("taken@example.org")
    assert "already have an account" in mail.body
