"""Personal API tokens: created and revoked in the account pages, stored hashed, checked."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from pbplatform.api.models import ApiToken
from pbplatform.audit.models import AuditEntry
from tests.api.conftest import bearer
from tests.factories import login_as

TOKEN_RE = re.compile(r'value="(pbp_[A-Za-z0-9_-]{43})"')


def create_via_page(client, name: str = "my app") -> str:
    response = client.post("/account/tokens", data={"token_name": name})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "the new token is shown once on the page"
    return match.group(1)


def test_create_shows_once_stores_only_hash_and_authenticates(client, db, make_user):
    user = make_user(area=None)
    login_as(client, user)
    plaintext = create_via_page(client)
    row = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {row.name, row.prefix, row.token_hash}
    assert plaintext.startswith(row.prefix)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert row.prefix in listing
    assert plaintext not in listing
    me = client.get("/api/v1/me", headers=bearer(plaintext))
    assert me.status_code == 200
    assert me.get_json() == {"id": user.id, "display_name": user.display_name, "home_area": None}
    db.session.refresh(row)
    assert row.last_used_on is not None
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == user.id)
    ).all()
    assert "api_token.created" in actions
    assert all(plaintext not in str(e.after) for e in db.session.scalars(sa.select(AuditEntry)))


def test_account_page_includes_the_token_section(client, make_user, app):
    if "accounts.account" not in app.view_functions:
        pytest.skip("account page not built yet")
    login_as(client, make_user())
    page = client.get("/account").get_data(as_text=True)
    assert 'id="api-tokens-heading"' in page
    assert "/account/tokens" in page


def test_revoke_through_the_page_kills_the_token(client, db, make_user):
    user = make_user()
    login_as(client, user)
    plaintext = create_via_page(client)
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    response = client.get("/api/v1/me", headers=bearer(plaintext))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_cannot_revoke_someone_elses_token(client, db, make_user, make_token):
    owner, other = make_user(), make_user()
    plaintext = make_token(owner)
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    login_as(client, other)
    refused = client.post(f"/account/tokens/{token.id}/revoke")
    assert refused.status_code == 404
    # The app-wide DomainError handler: the error page says why.
    assert "No such token." in refused.get_data(as_text=True)
    assert client.post("/account/tokens/99999999999/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 200


def test_token_pages_need_a_login(client):
    assert client.get("/account/tokens").status_code == 401
    assert client.post("/account/tokens", data={"token_name": "x"}).status_code == 401


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_bad_token_name_stores_nothing(client, db, make_user, name):
    user = make_user()
    login_as(client, user)
    response = client.post("/account/tokens", data={"token_name": name})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(ApiToken.user_id == user.id))
        == 0
    )


def test_mass_assignment_on_token_form_is_ignored(client, db, make_user):
    user, other = make_user(), make_user()
    login_as(client, user)
    client.post(
        "/account/tokens",
        data={"token_name": "n", "user_id": other.id, "revoked_at": "", "token_hash": "0" * 64},
    )
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "n")).one()
    assert token.user_id == user.id
    assert token.token_hash != "0" * 64


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer pbp_" + "A" * 43,
        "Basic abc",
        "Bearer",
        "bearer  ",
        "Bearer pbp_\x00",
    ],
)
def test_unknown_or_malformed_tokens_are_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_deactivated_user_token_is_401(client, db, make_user, make_token):
    user = make_user()
    plaintext = make_token(user)
    user.is_active_account = False
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401


def test_session_cookie_alone_is_not_an_api_login(client, make_user):
    login_as(client, make_user())
    assert client.get("/api/v1/me").status_code == 401


@pytest.fixture
def csrf_on(app) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_token_forms_are_csrf_protected(client, db, make_user, make_token, csrf_on):
    user = make_user()
    make_token(user)
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    login_as(client, user)
    assert client.post("/account/tokens", data={"token_name": "x"}).status_code == 400
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    db.session.refresh(token)
    assert token.revoked_at is None
    assert (
        db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(ApiToken.user_id == user.id))
        == 1
    )


def test_api_with_bearer_token_needs_no_csrf_token(client, make_user, make_token, csrf_on):
    plaintext = make_token(make_user())
    response = client.post(
        "/api/v1/cycles/nope/ballot", json={"selections": []}, headers=bearer(plaintext)
    )
    assert response.status_code == 404  # got past CSRF and auth to the cycle lookup
