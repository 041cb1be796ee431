"""Fixtures in the shape of Flask's tutorial (app, client, runner) with per-test rollback.

The schema is built once per session; each test runs inside an outer transaction that is
rolled back, and the app's own commits become savepoint releases
(`join_transaction_mode="create_savepoint"`), so tests see real commits yet leave nothing.
Set PBP_TEST_DATABASE_URL to run everything on PostgreSQL as well.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from pbplatform import create_app
from pbplatform.extensions import db as _db

PG_URL = os.environ.get("PBP_TEST_DATABASE_URL")


def _reset_schema(app: Flask) -> None:
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _db.drop_all()
        _db.create_all()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    overrides = {"TESTING": True}
    if not PG_URL:
        # One shared in-memory database for every connection in the session.
        overrides["SQLALCHEMY_DATABASE_URI"] = "sqlite:///file:pbtest?mode=memory&cache=shared&uri=true"
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": sa.pool.StaticPool,
                                                  "connect_args": {"check_same_thread": False}}
    app = create_app(overrides)
    _reset_schema(app)  # on PostgreSQL a refused connection fails the run here, never skips
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """The app's session, bound to a connection whose outer transaction is rolled back."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session.remove()
        _db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield _db.session
        finally:
            _db.session.remove()
            _db.session.configure(bind=None, join_transaction_mode="conservative_savepoint")
            if outer.is_active:
                outer.rollback()
            connection.close()
            assert original is _db.session


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL-only: set PBP_TEST_DATABASE_URL (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: Session) -> FlaskCliRunner:
    return app.test_cli_runner()
