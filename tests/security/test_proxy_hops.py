"""Issue 12, broken case 8: with the production defaults (PROXY_HOPS=0) a client that reaches
the app directly cannot pick its own address with X-Forwarded-For, so per-address limits and
audit addresses hold; PROXY_HOPS=1 trusts exactly one proxy in front."""

from __future__ import annotations

from flask import request

from pbplatform import create_app
from pbplatform.security.access import public
from tests.limits import limiter_restored


def _address_echo(app):
    """A test-only route that shows the client address the app believes in."""
    app.add_url_rule("/_test/address", "test_address", public(lambda: request.remote_addr))
    return app.test_client()


def test_production_default_ignores_a_forged_forwarded_for(production_app):
    assert production_app.config["PROXY_HOPS"] == 0
    client = _address_echo(production_app)
    response = client.get(
        "/_test/address",
        base_url="https://pb.council.example",
        headers={"X-Forwarded-For": "203.0.113.77"},
        environ_base={"REMOTE_ADDR": "198.51.100.5"},
    )
    assert response.get_data(as_text=True) == "198.51.100.5"


def test_one_trusted_proxy_takes_the_last_forwarded_address(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-the-test-only")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("TRUSTED_HOSTS", "pb.council.example")
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", "5X8lEhRIbKOofXcJ3Q0wqO2Zw9dHQk0Ag7nSXyKx6kM=")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "an-audit-key-for-the-test-only")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("PROXY_HOPS", "1")
    with limiter_restored():
        client = _address_echo(create_app({"ENV_NAME": "production"}))
        response = client.get(
            "/_test/address",
            base_url="https://pb.council.example",
            headers={"X-Forwarded-For": "203.0.113.77, 192.0.2.10"},  # forged, then the proxy's
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    assert response.get_data(as_text=True) == "192.0.2.10"
