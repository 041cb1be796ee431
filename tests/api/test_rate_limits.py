"""Rate limits on the API answer 429 as problem+json `rate_limited`.

The testing config switches the limiter off, and Flask-Limiter sets itself up only for an
app that has it on, so this builds a second app (own in-memory database) with limits on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from pbplatform.extensions import db
from tests import limits
from tests.factories import create_user, login_as


@pytest.fixture
def limited_app(app) -> Iterator[Flask]:
    with limits.limited_app(
        API_RATE_LIMIT="3 per minute",
        API_WRITE_RATE_LIMIT="2 per minute",
        API_TOKEN_CREATE_RATE_LIMIT="2 per hour",
    ) as limited:
        yield limited


def test_reads_are_limited_per_client(limited_app):
    client = limited_app.test_client()
    statuses = [client.get("/api/v1/cycles").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/cycles")
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "rate_limited"
    assert "Retry-After" in response.headers


def test_writes_have_a_stricter_limit_per_token(limited_app):
    client = limited_app.test_client()
    headers = {"Authorization": "Bearer pbp_made_up"}
    statuses = [
        client.post("/api/v1/cycles/x/ballot", json={}, headers=headers).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    other = {"Authorization": "Bearer pbp_another"}
    assert client.post("/api/v1/cycles/x/ballot", json={}, headers=other).status_code == 401


def test_token_creation_is_limited_per_user(limited_app):
    with limited_app.app_context():
        user = create_user()
        db.session.commit()
        client = limited_app.test_client()
        login_as(client, user)
        statuses = [
            client.post("/account/tokens", data={"token_name": f"t{i}"}).status_code
            for i in range(3)
        ]
    assert statuses == [200, 200, 429]
