"""Session cookie in the production configuration (security case 35).

tests/accounts covers rotation on login, server-side logout (replayed cookie refused), the
absolute timeout and HttpOnly/SameSite in the testing config. What only the production
config shows is proven here: the cookie is `__Host-` prefixed, Secure, HttpOnly,
SameSite=Lax, Path=/ and carries no Domain (the prefix requires both), and the app refuses
to start without its secrets.
"""

from __future__ import annotations

import re

import pytest

from pbplatform import create_app
from tests.factories import PASSWORD


def _attributes(set_cookie: str) -> dict[str, str]:
    parts = [p.strip() for p in set_cookie.split(";")]
    name, _, _value = parts[0].partition("=")
    attrs = {"name": name}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        attrs[key.lower()] = value
    return attrs


def test_production_session_cookie_flags(production_app):
    assert production_app.config["ENV_NAME"] == "production"
    assert not production_app.testing
    client = production_app.test_client()
    site = "https://pb.council.example"
    page = client.get("/login", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        base_url=site,
        headers={"Referer": f"{site}/login"},
        data={"csrf_token": token, "email": "prod@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302  # signed in (CSRF is on in production)
    cookies = [_attributes(c) for c in response.headers.getlist("Set-Cookie")]
    session = next(c for c in cookies if c["name"] == "__Host-pbp_session")
    assert "secure" in session
    assert "httponly" in session
    assert session.get("samesite") == "Lax"
    assert session.get("path") == "/"
    assert "domain" not in session
    for other in cookies:  # any other cookie (remember-me ...) is at least as strict
        assert "secure" in other, other
        assert "httponly" in other, other


def test_production_refuses_to_start_without_its_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(KeyError):
        create_app({"ENV_NAME": "production"})


def test_production_refuses_cross_origin_posts_even_with_a_token(production_app):
    """Case 32's cross-origin check: over HTTPS Flask-WTF requires a same-origin Referer.

    A forged cross-site form carries the attacker's Referer, or none (Referrer-Policy
    no-referrer); both are refused even with a valid token.
    """
    client = production_app.test_client()
    site = "https://pb.council.example"
    page = client.get("/login", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": "prod@example.org", "password": PASSWORD}
    for headers in ({"Referer": "https://evil.test/form", "Origin": "https://evil.test"}, {}):
        response = client.post("/login", base_url=site, headers=headers, data=data)
        assert response.status_code == 400, headers
        assert client.get("/account", base_url=site).status_code == 401  # not signed in


def test_production_refuses_a_forged_host_so_reset_links_stay_ours(production_app):
    """Password-reset poisoning: a forged Host must never reach the link in the e-mail."""
    import sqlalchemy as sa

    from pbplatform.extensions import db
    from pbplatform.mail.models import OutboxMessage

    client = production_app.test_client()
    for forged in (
        {"base_url": "https://evil.test"},
        {"base_url": "https://pb.council.example", "headers": {"X-Forwarded-Host": "evil.test"}},
    ):
        response = client.post("/reset", data={"email": "prod@example.org"}, **forged)
        assert response.status_code == 400, forged
    site = "https://pb.council.example"
    page = client.get("/reset", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/reset",
        base_url=site,
        headers={"Referer": f"{site}/reset"},
        data={"email": "prod@example.org", "csrf_token": token},
    )
    assert response.status_code in (200, 302, 303)
    with production_app.app_context():
        bodies = [m.body for m in db.session.scalars(sa.select(OutboxMessage))]
    assert len(bodies) == 1
    assert f"{site}/reset/" in bodies[0]
    assert "evil" not in bodies[0]


def test_production_refuses_to_start_without_its_host_names(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "y" * 32)
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", "5X8lEhRIbKOofXcJ3Q0wqO2Zw9dHQk0Ag7nSXyKx6kM=")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    with pytest.raises(KeyError, match="TRUSTED_HOSTS"):
        create_app({"ENV_NAME": "production"})


def test_production_refuses_to_start_without_its_data_encryption_key(monkeypatch):
    """TOTP secrets and queued mail are encrypted with a key outside the database: production
    has no fallback derived from SECRET_KEY."""
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("TRUSTED_HOSTS", "pb.council.example")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "y" * 32)
    monkeypatch.delenv("DATA_ENCRYPTION_KEY", raising=False)
    with pytest.raises(KeyError, match="DATA_ENCRYPTION_KEY"):
        create_app({"ENV_NAME": "production"})
