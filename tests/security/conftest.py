"""Apps for the cross-cutting security tests, each on its own SQLite file with real commits.

The suite's shared app runs with CSRF and the limiter off and rolls every test back; the
invariants here need the opposite (CSRF on, real commits to count rows, the production
config), so each test builds the app it needs with `build_app(**overrides)`. The limiter is
one process-wide extension object, so its state is restored afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from pbplatform import create_app
from pbplatform.extensions import db
from tests.conftest import IsolatedClient
from tests.limits import app_builder, limiter_restored

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def build_app(tmp_path) -> Iterator[Callable[..., Flask]]:
    def config(n: int) -> dict[str, Any]:
        return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/app{n}.sqlite3"}

    with app_builder(config, IsolatedClient) as make:
        yield make


def row_counts() -> dict[str, int]:
    """Rows in every table the models define (call inside an app context)."""
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for name, table in db.metadata.tables.items()
    }


def app_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, r.endpoint),
    )


def fill_rule(rule: Rule, values: dict[str, Any]) -> str:
    """The rule's path with each argument taken from `values` (a new argument name fails)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        assert name in values, f"{rule.rule}: no scene value for <{name}>; add one to the scene"
        return str(values[name])

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def login(app: Flask, client: Any, user_id: int) -> None:
    """Sign `client` in as the user (the login form itself is tested in tests/accounts)."""
    from pbplatform.accounts.models import User
    from pbplatform.security.access import MFA_VERIFIED

    with app.app_context():
        ident = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True
        session[MFA_VERIFIED] = user_id  # a complete login: officers passed TOTP too


@pytest.fixture
def production_app(tmp_path, monkeypatch):
    """The production config (secrets from the environment), with one resident."""
    from tests.factories import create_user

    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-the-test-only")
    monkeypatch.setenv("BALLOT_BOX_SECRET", "a-ballot-box-secret-for-the-test-only")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("TRUSTED_HOSTS", "pb.council.example")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "an-audit-key-for-the-test-only")
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", "5X8lEhRIbKOofXcJ3Q0wqO2Zw9dHQk0Ag7nSXyKx6kM=")
    with limiter_restored():
        app = create_app({"ENV_NAME": "production"})
        app.test_client_class = IsolatedClient
        with app.app_context():
            db.create_all()
            create_user("resident", email="prod@example.org")
            db.session.commit()
        yield app
        with app.app_context():
            db.engine.dispose()
