"""Oversized and malformed input on every form and query string (security case 31).

Every write route of url_map gets, as admin, its own form's fields (read from its GET page)
plus common field names, filled with 1 MB of text, with NUL bytes, and as a body that is not
UTF-8; every GET route gets NUL and invalid UTF-8 in its query string. The answer is a 4xx or
a page with a form error, never a 5xx, and no oversized value is stored. These use the
suite's shared app, so they also run on PostgreSQL (where NUL in text is a driver error).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import login_as
from tests.security.conftest import MUTATING, app_rules, fill_rule
from tests.security.scene import build_scene

MEGABYTE = "A" * (1024 * 1024)
COMMON = (
    "title",
    "description",
    "name",
    "display_name",
    "place",
    "address",
    "reason",
    "note",
    "label",
    "unit",
    "conditions",
    "email",
    "password",
    "serial",
    "voter_ref",
    "identifier",
    "postcode",
    "q",
    "next",
    "location",
    "category",
    "comment",
)
BAD_QUERY = "q=%00&page=%FF&sort=%C3%28&per_page=%00%00&next=%FF%00&area=%FE"


@pytest.fixture
def admin_client(app, db):
    scene = build_scene("voting")
    from pbplatform.accounts.models import User

    client = app.test_client()
    login_as(client, db.session.get(User, scene.admin_id))
    return client, scene


def _form_fields(client, url: str) -> set[str]:
    page = client.get(url)
    if page.status_code != 200 or page.mimetype != "text/html":
        return set()
    html = page.get_data(as_text=True)
    return set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', html)) - {
        "csrf_token"
    }


def _writes(app):
    return [
        (rule, method)
        for rule in app_rules(app)
        for method in sorted(rule.methods & MUTATING)
        if not rule.rule.startswith("/api/")
    ]


def _longest_stored(db) -> tuple[int, str]:
    longest = (0, "")
    for name, table in db.metadata.tables.items():
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text):
                size = db.session.scalar(sa.select(sa.func.max(sa.func.length(column))))
                longest = max(longest, (size or 0, f"{name}.{column.name}"))
    return longest


@pytest.mark.parametrize("kind", ["megabyte", "nul"])
def test_every_form_survives_hostile_values(app, db, admin_client, kind):
    client, scene = admin_client
    value = MEGABYTE if kind == "megabyte" else "ok\x00<x>\x00"
    failures = []
    for rule, method in _writes(app):
        url = fill_rule(rule, scene.values)
        names = set(COMMON) | (_form_fields(client, url) if "GET" in rule.methods else set())
        response = client.open(url, method=method, data=dict.fromkeys(names, value))
        if response.status_code >= 500:
            failures.append((method, url, response.status_code))
    assert not failures
    size, where = _longest_stored(db)
    assert size < 100_000, f"{where} stored {size} characters"
    if kind == "nul":
        for name, table in db.metadata.tables.items():
            for column in table.columns:
                if isinstance(column.type, sa.String | sa.Text):
                    # Checked in Python: SQLite's LIKE stops at a NUL and matches everything.
                    values = db.session.scalars(sa.select(column)).all()
                    assert not any("\x00" in (v or "") for v in values), f"{name}.{column.name}"


def test_every_form_survives_a_body_that_is_not_utf8(app, db, admin_client):
    client, scene = admin_client
    body = b"&".join(f"{n}=".encode() + b"%FF%FE%C3%28" for n in COMMON)
    for rule, method in _writes(app):
        url = fill_rule(rule, scene.values)
        response = client.open(
            url, method=method, data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500, (method, url)


def test_every_get_route_survives_a_hostile_query_string(app, db, admin_client):
    client, scene = admin_client
    anonymous = app.test_client()
    for rule in app_rules(app):
        if "GET" not in rule.methods:
            continue
        url = fill_rule(rule, scene.values)
        for who in (client, anonymous):
            response = who.get(f"{url}?{BAD_QUERY}")
            assert response.status_code < 500, url


def test_bodies_over_the_limit_are_413(app, db, admin_client):
    client, scene = admin_client
    assert app.config["MAX_CONTENT_LENGTH"] <= 10 * 1024 * 1024
    too_big = "A" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for url in ("/login", "/proposals/new", f"/admin/census/{scene.values['slug']}"):
        assert client.post(url, data={"title": too_big}).status_code == 413, url


def test_nul_in_path_arguments_is_a_client_error(app, db, admin_client):
    client, scene = admin_client
    values = {k: (f"{v}%00" if isinstance(v, str) else v) for k, v in scene.values.items()}
    for rule in app_rules(app):
        if "GET" in rule.methods and any(
            isinstance(scene.values.get(a), str) for a in rule.arguments
        ):
            response = client.get(fill_rule(rule, values))
            assert response.status_code == 404, rule.rule


def test_api_json_with_nul_is_a_4xx_problem(app, db, admin_client):
    client, scene = admin_client
    auth = {"Authorization": f"Bearer {scene.api_token}"}
    for rule in app_rules(app):
        if rule.rule.startswith("/api/") and "POST" in rule.methods:
            response = client.post(
                fill_rule(rule, scene.values),
                headers=auth,
                json={
                    "title": "a\x00b",
                    "description": "\x00" * 30,
                    "selections": [{"proposal_id": 1}],
                },
            )
            assert 400 <= response.status_code < 500, rule.rule
            assert response.mimetype == "application/problem+json"


def test_every_form_survives_a_wrong_content_type(app, db, admin_client):
    client, scene = admin_client
    bodies = (
        ("application/json", b'{"title": [1, {"deep": ' * 50),
        ("text/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"),
        ("multipart/form-data", b"--no-boundary\r\n\r\n"),
    )
    for rule, method in _writes(app):
        url = fill_rule(rule, scene.values)
        for content_type, body in bodies:
            response = client.open(url, method=method, data=body, content_type=content_type)
            assert response.status_code < 500, (method, url, content_type)
