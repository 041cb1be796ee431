"""Security case 46 (issue 12, broken case 7): with the rate-limit store (Redis) down, the
rate-limited routes answer 503 with a clear message, never 500, or, when configured, fall
back to per-process limits; /healthz says the store is down.

Redis "down" is a closed port on 127.0.0.1 (this engineer's range), so the connection is
refused at once, as when the Redis service is stopped."""

from __future__ import annotations

import pytest

from pbplatform.extensions import db
from tests.accounts.helpers import login
from tests.factories import PASSWORD, create_user

DOWN = "redis://127.0.0.1:5139/4"
ROUTES = [
    ("post", "/login", {"email": "a@example.org", "password": "wrong password here"}),
    ("post", "/register", {"email": "new@example.org"}),
    ("post", "/reset", {"email": "a@example.org"}),
    ("get", "/api/v1/cycles", None),
    ("post", "/api/v1/cycles/x/ballot", None),  # the API counts its limits itself (api/views.py)
]


@pytest.fixture
def redis_down_app(build_app):
    def make(**overrides):
        app = build_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DOWN, **overrides)
        with app.app_context():
            create_user("officer", email="staff@example.org")
            create_user("resident", email="a@example.org")
            db.session.commit()
        return app

    return make


@pytest.mark.parametrize(("method", "url", "data"), ROUTES)
def test_rate_limited_routes_answer_503_with_a_message(redis_down_app, method, url, data):
    client = redis_down_app().test_client()
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 503
    assert response.headers.get("Retry-After")
    text = response.get_data(as_text=True)
    if url.startswith("/api/"):
        assert response.json["code"] == "rate_limit_unavailable"
    else:
        assert "try again in a few minutes" in text
    assert "Traceback" not in text


def test_healthz_reports_the_rate_limit_store(redis_down_app, build_app):
    down = redis_down_app().test_client().get("/healthz")
    assert down.status_code == 503
    assert down.json == {"status": "degraded", "database": True, "rate_limit_storage": False}
    up = build_app(RATELIMIT_ENABLED=True).test_client().get("/healthz")
    assert up.status_code == 200
    assert up.json == {"status": "ok", "database": True, "rate_limit_storage": True}


def test_pages_without_limits_still_work(redis_down_app):
    client = redis_down_app().test_client()
    assert client.get("/").status_code == 200
    assert client.get("/login").status_code == 200


def test_memory_fallback_keeps_login_working_with_per_process_limits(redis_down_app):
    app = redis_down_app(RATELIMIT_FALLBACK="memory")
    client = app.test_client()
    assert login(client, "a@example.org", PASSWORD).status_code == 302
    assert client.get("/healthz").json["rate_limit_storage"] is False
    assert client.get("/healthz").status_code == 200  # degraded but serving
    other = app.test_client()
    codes = [
        other.post("/login", data={"email": "x@example.org", "password": "wrong password here"})
        for _ in range(6)
    ]
    assert [r.status_code for r in codes] == [200] * 5 + [429]


def test_memory_fallback_keeps_the_api_limited_per_process(redis_down_app):
    client = redis_down_app(
        RATELIMIT_FALLBACK="memory", API_RATE_LIMIT="2 per minute"
    ).test_client()
    statuses = [client.get("/api/v1/cycles").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_healthz_with_limits_switched_off_checks_no_store(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": True, "rate_limit_storage": None}
