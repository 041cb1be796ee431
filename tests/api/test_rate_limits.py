"""Rate limits on the API answer 429 as problem+json `rate_limited`.

The testing config switches the limiter off, and Flask-Limiter sets itself up only for an
app that has it on, so this builds a second app (own in-memory database) with limits on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from pbplatform import ROOT
from pbplatform.extensions import db
from tests import limits
from tests.api.conftest import bearer
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


def test_a_patch_is_a_write(limited_app):
    client = limited_app.test_client()
    headers = {"Authorization": "Bearer pbp_made_up"}
    statuses = [
        client.patch("/api/v1/surveys/1", json={"title": "T"}, headers=headers).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]


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


def test_every_answer_names_the_limit_nearest_to_refusing(limited_app):
    """X-RateLimit-* of the tightest window: here the write limit (2) of a POST, the read limit
    (3) of a GET; a refusal says when to come back."""
    client = limited_app.test_client()
    headers = {"Authorization": "Bearer pbp_made_up"}
    first = client.post("/api/v1/cycles/x/ballot", json={}, headers=headers)
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert int(first.headers["X-RateLimit-Reset"]) > time.time()
    read = client.get("/api/v1/cycles", headers=headers)
    assert (read.headers["X-RateLimit-Limit"], read.headers["X-RateLimit-Remaining"]) == ("3", "1")
    client.post("/api/v1/cycles/x/ballot", json={}, headers=headers)
    refused = client.post("/api/v1/cycles/x/ballot", json={}, headers=headers)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


REDIS_URL = os.environ.get("PBP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKER = textwrap.dedent("""
    import sys
    from pbplatform import create_app
    from pbplatform.extensions import db
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": sys.argv[1], "RATELIMIT_KEY_PREFIX": sys.argv[2],
                      "API_WRITE_RATE_LIMIT": "2 per minute",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    codes = [client.post("/api/v1/cycles/x/ballot", json={},
                         headers={"Authorization": "Bearer pbp_shared"}).status_code
             for _ in range(2)]
    print(" ".join(map(str, codes)))
""")


@pytest.fixture
def redis_store() -> Iterator[tuple[str, str]]:
    """The test Redis and a key prefix of this test's own (only its keys are deleted)."""
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        yield REDIS_URL, prefix
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()


def test_an_api_request_counts_all_its_limits_in_one_redis_command(redis_store, monkeypatch):
    """Issue 17: read, write and address limits in one round trip (Flask-Limiter spent five a
    cast: one per limit, two for the headers), still shared by every worker through Redis."""

    url, prefix = redis_store
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, url, prefix],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert worker.stdout.split() == ["401", "401"]  # another process, the same token
    commands = limits.count_redis_commands(monkeypatch)
    with limits.limited_app(
        RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix, API_WRITE_RATE_LIMIT="2 per minute"
    ) as app:
        client = app.test_client()
        assert client.get("/api/v1/cycles").status_code == 200
        commands.clear()
        shared = {"Authorization": "Bearer pbp_shared"}
        refused = client.post("/api/v1/cycles/x/ballot", json={}, headers=shared)
        assert refused.status_code == 429  # the worker's two casts count here too
        assert commands == ["EVALSHA"]
        commands.clear()
        other = client.post("/api/v1/cycles/x/ballot", json={}, headers=bearer("pbp_other"))
        assert other.status_code == 401
        assert other.headers["X-RateLimit-Remaining"] == "1"
        assert commands == ["EVALSHA"]
