"""Database outage: fail closed with a 503, never a stack trace (security case 13, INV-10).

The app points at a PostgreSQL port where nothing listens, so every connect is refused
(psycopg's OperationalError, wrapped by SQLAlchemy as a DBAPIError). Both configurations are
checked: TESTING (no generic 500 handler, so an unhandled error would surface as an
exception) and the production-like one with the generic handler.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db
from tests.conftest import PG_URL
from tests.security.test_headers import assert_secure_headers

DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/pbp_down?connect_timeout=2"


@pytest.fixture(params=[True, False], ids=["testing", "generic-handler"])
def down_app(request, build_app):
    return build_app(
        TESTING=request.param,
        ENV_NAME="development",
        WTF_CSRF_ENABLED=False,
        SQLALCHEMY_DATABASE_URI=DOWN,
    )


def _no_trace(body: str) -> None:
    for leak in ("Traceback", "OperationalError", "psycopg", "127.0.0.1:1", "sqlalchemy"):
        assert leak not in body


def test_healthz_reports_503_json(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["database"]) == ("unavailable", False)
    # The rate-limit store (memory:// here) is reported too; None where limits are off.
    assert body["rate_limit_storage"] in (True, None)


@pytest.mark.parametrize("url", ["/", "/proposals", "/results"])
def test_pages_answer_503_nothing_saved(down_app, url):
    response = down_app.test_client().get(url)
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Nothing was saved" in body
    _no_trace(body)
    assert_secure_headers(response, url)


def test_signed_in_visitor_gets_503_not_500(down_app):
    # The session names a user, so loading current_user itself hits the database.
    client = down_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:abc"
    for url in ("/", "/account"):
        response = client.get(url)
        assert response.status_code == 503, url
        _no_trace(response.get_data(as_text=True))
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 16})
    assert response.status_code == 503
    # Error pages render the layout, which loads the user too: still a 503 page, no crash.
    for url in ("/no/such/page", "/admin/audit"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "Nothing was saved" in response.get_data(as_text=True)


def test_api_answers_problem_json_503(down_app):
    client = down_app.test_client()
    for method, url, kwargs in (
        ("GET", "/api/v1/cycles", {}),
        ("GET", "/api/v1/me", {"headers": {"Authorization": "Bearer pbp_nothing"}}),
        (
            "POST",
            "/api/v1/cycles/x/ballot",
            {"json": {"choices": []}, "headers": {"Authorization": "Bearer pbp_x"}},
        ),
    ):
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == 503, url
        assert response.mimetype == "application/problem+json", url
        assert response.get_json()["code"] == "unavailable"
        _no_trace(response.get_data(as_text=True))


def test_only_a_connection_idle_past_the_limit_is_checked_before_use(build_app, monkeypatch):
    """Issue 17: pool_pre_ping cost a round trip on every request; a connection used a moment
    ago is not checked again (DB_PING_IDLE_SECONDS)."""
    app = build_app(DB_PING_IDLE_SECONDS=0.3)
    with app.app_context():
        dialect = db.engine.dialect
    pings: list[object] = []
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(conn) or real(conn))
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(3)] == [200] * 3
    assert pings == []
    time.sleep(0.4)
    assert client.get("/healthz").status_code == 200
    assert len(pings) == 1


def _drop_pooled_connection(app) -> None:
    """End the pooled connection's backend from outside, as a database restart would."""
    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()  # back to the pool
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL-only: set PBP_TEST_DATABASE_URL")
def test_a_connection_dropped_while_idle_is_replaced_unseen(build_app):
    app = build_app(SQLALCHEMY_DATABASE_URI=PG_URL, DB_PING_IDLE_SECONDS=0.2)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    _drop_pooled_connection(app)
    time.sleep(0.3)
    assert client.get("/healthz").status_code == 200


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL-only: set PBP_TEST_DATABASE_URL")
def test_a_connection_dropped_right_after_use_fails_one_request_then_recovers(build_app):
    """The price of not checking busy connections (README, Configuration)."""
    app = build_app(SQLALCHEMY_DATABASE_URI=PG_URL, DB_PING_IDLE_SECONDS=60)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    _drop_pooled_connection(app)
    assert [client.get("/healthz").status_code for _ in range(2)] == [503, 200]
