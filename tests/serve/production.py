"""What the tests that start production-configured servers share (two app servers, nginx in
front): the throwaway secrets, the environment gunicorn runs with, and an answer as read by
our own small HTTP clients (their cookies are Secure, so no library client keeps them)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PBP_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST = "pb.test"
SECRETS = {
    "SECRET_KEY": "two-servers-secret-key",
    "BALLOT_BOX_SECRET": "two-servers-ballot-box",
    "AUDIT_HMAC_KEY": "two-servers-audit-hmac",
    "DATA_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
    "CODE_PEPPER": "two-servers-pepper",
}


def production_environment(database_url: str, **extra: str) -> dict[str, str]:
    """gunicorn's environment: production, one trusted proxy, limits and jobs in Redis; none
    of the test run's own FLASK_ or PBP_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PBP_"))}
    env.update(SECRETS)
    env.update(
        PBP_ENV="production",
        DATABASE_URL=database_url,
        TRUSTED_HOSTS=HOST,
        PROXY_HOPS="1",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        JOBS_REDIS_URL=REDIS_URL,
        LOGIN_RATE_LIMIT="4 per minute",
        WEB_CONCURRENCY="2",
        WEB_THREADS="2",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def csrf(self) -> str:
        match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', self.text)
        assert match, "no CSRF token on the page"
        return match[1]


def seeding_app(database_url: str) -> Any:
    """An app in this process for writing the servers' scene with the test factories, under
    the servers' secrets (ballots sealed and audit entries signed as the servers would)."""
    from pbplatform import create_app

    return create_app(
        {
            "ENV_NAME": "development",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "JOBS_REDIS_URL": None,
            **SECRETS,
        }
    )
