"""Links in notification e-mails name the site's public address: PUBLIC_BASE_URL from the
environment, in production https:// and the first TRUSTED_HOSTS name when it is not set (the
worker writes these e-mails outside any request)."""

from __future__ import annotations

import pytest

from pbplatform import create_app
from pbplatform.notifications.services import _url


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-the-test-only")
    monkeypatch.setenv("BALLOT_BOX_SECRET", "a-ballot-box-secret-for-the-test-only")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("TRUSTED_HOSTS", "pb.council.example, www.pb.council.example")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "an-audit-key-for-the-test-only")
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", "5X8lEhRIbKOofXcJ3Q0wqO2Zw9dHQk0Ag7nSXyKx6kM=")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return monkeypatch


def _link(app) -> str:
    with app.app_context():  # as the worker runs the job: no request
        return _url("notifications.index")


def test_production_links_name_the_first_trusted_host(production_env):
    assert _link(create_app({"ENV_NAME": "production"})) == (
        "https://pb.council.example/notifications"
    )


def test_public_base_url_from_the_environment_wins(production_env):
    production_env.setenv("PUBLIC_BASE_URL", "https://buergerhaushalt.example")
    assert _link(create_app({"ENV_NAME": "production"})) == (
        "https://buergerhaushalt.example/notifications"
    )
    assert _link(create_app({"TESTING": True})) == "https://buergerhaushalt.example/notifications"
