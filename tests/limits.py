"""Apps built beside the suite's shared one: with the rate limiter on, on their own database.

The shared test app runs with the limiter off and rolls every test back. Tests of limits (and
the security tests that need real commits) build their own app instead, and two things must
not leak out of them:

- the limiter: Flask-Limiter's `limiter` is ONE process-wide extension object, and building an
  app with limits on reconfigures it (enabled flag, storage, strategy) for every app; so every
  builder here restores its state afterwards (`limiter_restored`).
- their commits: they go to a private database, an in-memory SQLite (`limited_app`; StaticPool
  keeps the one connection, so every request sees the same data) or a throw-away SQLite file
  (`app_builder`, for tests that commit for real and read back from other connections).

tests/channels/test_code_rate_limit.py goes further and runs its app in a subprocess: nothing
of that app, limiter included, exists in the test process at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
import redis.exceptions
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from limits.errors import StorageError

from pbplatform import create_app
from pbplatform.extensions import db, limiter

LIMITS_ON = {"TESTING": True, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
IN_MEMORY_DB = {
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.StaticPool},
}


@contextmanager
def limiter_restored() -> Iterator[None]:
    """Put the process-wide limiter back as it was (enabled flag, storage, limiter and its
    in-memory fallback state, which Flask-Limiter only ever switches on)."""
    names = (
        "enabled",
        "_storage",
        "_limiter",
        "_storage_dead",
        "_in_memory_fallback_enabled",
        "_fallback_storage",
        "_fallback_limiter",
    )
    saved = {name: getattr(limiter, name, None) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(limiter, name, value)


def _dispose(apps: list[Flask]) -> None:
    for app in apps:
        with app.app_context():
            db.engine.dispose()


class BufferedClient(FlaskClient):
    """Reads each response whole and closes it, as a server would (files sent from disk)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@contextmanager
def limited_app(**overrides: Any) -> Iterator[Flask]:
    """An app with limits on and its own in-memory database (`overrides` set the limits)."""
    with limiter_restored():
        app = create_app({**LIMITS_ON, **IN_MEMORY_DB, **overrides})
        app.test_client_class = BufferedClient
        with app.app_context():
            db.create_all()
        try:
            yield app
        finally:
            # A store that is down (tests of RATELIMIT_FALLBACK) holds nothing to reset.
            with contextlib.suppress(redis.exceptions.RedisError, StorageError):
                limiter.reset()
            _dispose([app])


@contextmanager
def app_builder(
    base_config: Callable[[int], dict[str, Any]], client_class: type | None = None
) -> Iterator[Callable[..., Flask]]:
    """`make(**overrides)` builds an app from `base_config(n)` (n: apps built so far) plus the
    overrides, with tables created on SQLite; all are disposed and the limiter restored after.
    """
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app({**base_config(len(apps)), **overrides})
        if client_class is not None:
            app.test_client_class = client_class
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            with app.app_context():
                db.create_all()
        apps.append(app)
        return app

    with limiter_restored():
        try:
            yield make
        finally:
            _dispose(apps)


def count_redis_commands(monkeypatch: Any) -> list[str]:
    """The name of every command this process sends to Redis from now on (the test's
    monkeypatch undoes the counting)."""
    commands: list[str] = []
    real = redis.Redis.execute_command

    def counted(self: redis.Redis, *args: Any, **options: Any) -> Any:
        commands.append(str(args[0]))
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return commands
