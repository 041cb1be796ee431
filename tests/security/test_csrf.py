"""CSRF on every state-changing route, enumerated from url_map (security case 32).

Session-authenticated routes refuse a POST without a token, or with another session's token,
with 400 and no change in any table. The token-authenticated JSON API ignores the session
cookie entirely (so CSRF cannot apply) and must refuse a cookie-only request with 401.
No state change by GET: routes that only accept writes answer 405 to GET.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db
from tests.security.conftest import MUTATING, app_rules, fill_rule, login, row_counts
from tests.security.scene import build_scene


@pytest.fixture
def csrf_app(build_app):
    app = build_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        scene = build_scene()
    return app, scene


# Writes that carry their own authority instead of the session's token: the one-click
# unsubscribe link is signed and must work from a mail client (RFC 8058), which has no session.
SIGNED_LINK_WRITES = {"/notifications/unsubscribe/<token>"}


def _writes(app, api: bool):
    return [
        (rule, method)
        for rule in app_rules(app)
        for method in sorted(rule.methods & MUTATING)
        if rule.rule.startswith("/api/v1/") == api and rule.rule not in SIGNED_LINK_WRITES
    ]


def test_a_signed_unsubscribe_link_needs_no_session_but_a_valid_signature(csrf_app):
    app, scene = csrf_app
    before = _counts(app)
    response = app.test_client().post("/notifications/unsubscribe/not-a-real-token")
    assert response.status_code == 404
    assert _counts(app) == before


def _token_of_another_session(app) -> str:
    page = app.test_client().get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _counts(app):
    with app.app_context():
        return row_counts()


def test_every_session_write_needs_this_sessions_token(csrf_app):
    app, scene = csrf_app
    foreign = _token_of_another_session(app)
    writes = _writes(app, api=False)
    assert len(writes) > 40  # the enumeration really found the app's forms
    client = app.test_client()
    login(app, client, scene.admin_id)
    before = _counts(app)
    failures = []
    for rule, method in writes:
        url = fill_rule(rule, scene.values)
        for label, data in (("no token", {}), ("foreign token", {"csrf_token": foreign})):
            response = client.open(url, method=method, data={**data, "title": "x"})
            if response.status_code != 400:
                failures.append((method, url, label, response.status_code))
    assert not failures
    assert _counts(app) == before


def test_a_valid_token_is_accepted(csrf_app):
    # The control: the refusals above are the token's doing, not a broken form.
    app, scene = csrf_app
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/language", data={"csrf_token": token, "language": "de"})
    assert response.status_code == 302


def test_api_writes_ignore_the_session_cookie(csrf_app):
    app, scene = csrf_app
    writes = _writes(app, api=True)
    assert writes
    client = app.test_client()
    login(app, client, scene.admin_id)
    before = _counts(app)
    for rule, method in writes:
        response = client.open(fill_rule(rule, scene.values), method=method, json={})
        assert response.status_code == 401, (method, rule.rule)
        assert response.mimetype == "application/problem+json"
    assert _counts(app) == before


def test_write_only_routes_refuse_get(csrf_app):
    app, scene = csrf_app
    client = app.test_client()
    login(app, client, scene.admin_id)
    before = _counts(app)
    readable = {r.rule for r in app_rules(app) if "GET" in r.methods}
    write_only = [r for r in app_rules(app) if r.rule not in readable]
    assert any(r.rule == "/logout" for r in write_only)
    for rule in write_only:
        response = client.get(fill_rule(rule, scene.values))
        assert response.status_code == 405, rule.rule
    assert _counts(app) == before
    assert client.get("/account").status_code == 200  # GET /logout did not sign us out


def test_no_get_request_changes_any_table(csrf_app):
    """Every GET route, for every role, leaves every table as it was (no state change on GET)."""
    app, scene = csrf_app
    clients = [app.test_client()]
    for user_id in (scene.admin_id, scene.officer_id, scene.evil_id):
        clients.append(app.test_client())
        login(app, clients[-1], user_id)
    before = _snapshot(app)
    for rule in app_rules(app):
        if "GET" in rule.methods:
            for client in clients:
                client.get(fill_rule(rule, scene.values), query_string={"next": "/"}).close()
    after = _snapshot(app)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed


def _snapshot(app):
    """Every row of every table, so updates show as well as inserts and deletes."""
    with app.app_context():
        return {
            name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
            for name, table in db.metadata.tables.items()
        }
