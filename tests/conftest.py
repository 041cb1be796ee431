"""Fixtures in the shape of Flask's tutorial (app, client, runner) with per-test rollback.

The schema is built once per session; each test runs inside an outer transaction that is
rolled back, and the app's own commits become savepoint releases
(`join_transaction_mode="create_savepoint"`), so tests see real commits yet leave nothing.
Set PBP_TEST_DATABASE_URL to run everything on PostgreSQL as well.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_sqlalchemy import SQLAlchemy

from pbplatform import create_app
from pbplatform.extensions import db as _db

PG_URL = os.environ.get("PBP_TEST_DATABASE_URL")

# `PBP_TALLY_KERNEL=0 make test` runs every count on its pure-Python path. The count reads no
# environment of its own (only its command line does), so the test harness sets the default.
if os.environ.get("PBP_TALLY_KERNEL") == "0":
    from pbplatform.tally import kernel as _tally_kernel

    _tally_kernel.set_default("python")


def _reset_schema(app: Flask) -> None:
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _db.drop_all()
        _db.create_all()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    Without this a request reuses the test's app context, and with it `g` (Flask-Login's
    cached user) and the test's own session. Here each request gets its own session on the
    test connection, so it sees only what was flushed and commits only through a savepoint.
    """

    def open(self, *args, **kwargs):  # type: ignore[override]
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    overrides = {"TESTING": True}
    if not PG_URL:
        # One shared in-memory database for every connection in the session.
        overrides["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///file:pbtest?mode=memory&cache=shared&uri=true"
        )
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "poolclass": sa.pool.StaticPool,
            "connect_args": {"check_same_thread": False},
        }
    app = create_app(overrides)
    app.test_client_class = IsolatedClient
    _reset_schema(app)  # on PostgreSQL a refused connection fails the run here, never skips
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[SQLAlchemy]:
    """The extension (use `db.session`), on one connection whose transaction is rolled back.

    Flask-SQLAlchemy picks its engine per query, so the test swaps the default engine for the
    connection; every session (the test's and each request's) then joins the outer
    transaction through savepoints.
    """
    with app.app_context():
        engines = _db._app_engines[app]
        real_engine = engines[None]
        connection = real_engine.connect()
        outer = connection.begin()
        engines[None] = connection
        _db.session.remove()
        _db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session.configure(join_transaction_mode="conditional_savepoint")
            engines[None] = real_engine
            if outer.is_active:
                outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _purge_committed_audit_entries(request: pytest.FixtureRequest) -> Iterator[None]:
    """PostgreSQL tests that really commit leave audit entries the log refuses to delete.

    Later tests assert on the audit log, so after such a test its entries (the newest, at the
    tail of the hash chain) are removed with the append-only trigger lifted for a moment.
    Only the test database's superuser can do that; the application never does.
    """
    if not PG_URL or request.node.get_closest_marker("postgres") is None:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        mark = _audit_high_water_mark()
    yield
    with app.app_context(), _db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
        conn.execute(sa.text("DELETE FROM audit_entries WHERE id > :mark"), {"mark": mark})
        conn.execute(sa.text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))


def _audit_high_water_mark() -> int:
    with _db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM audit_entries")).scalar_one()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL-only: set PBP_TEST_DATABASE_URL (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def client(app: Flask, db: SQLAlchemy) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: SQLAlchemy) -> FlaskCliRunner:
    return app.test_cli_runner()


pytest_plugins = ["tests.factories"]
