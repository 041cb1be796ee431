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
from types import SimpleNamespace

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
    from pbplatform.tally import engines as _tally_engines

    _tally_engines.set_default("python")


def pg_role_url(kind: str) -> str:
    """The test database's URL as its owner or app role (`<dbname>_owner`, `<dbname>_app`).

    PG_URL names a superuser, who creates both roles (idempotently; roles are cluster-wide,
    hence the database's name in theirs). The schema is built as the owner; the app runs as
    the app role, which cannot truncate, disable triggers or rewrite audit and published
    result rows (pbplatform/dbroles).
    """
    url = sa.make_url(PG_URL)
    return url.set(username=f"{url.database}_{kind}").render_as_string(hide_password=False)


def _create_pg_roles() -> None:
    url = sa.make_url(PG_URL)
    owner, app = (f"{url.database}_{kind}" for kind in ("owner", "app"))
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in (owner, app):
            known = conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
            if not known:
                conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        # The owner hands the CLUSTERed voting tables to the app role (pbplatform/dbroles).
        conn.execute(sa.text(f'GRANT "{app}" TO "{owner}"'))
        conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{url.database}" TO "{app}"'))
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text(f'CREATE SCHEMA public AUTHORIZATION "{owner}"'))
    admin.dispose()


def _reset_schema(app: Flask) -> None:
    if not PG_URL:
        with app.app_context():
            _db.drop_all()
            _db.create_all()
        return
    from pbplatform.dbroles import grant_statements

    _create_pg_roles()
    owner = sa.create_engine(pg_role_url("owner"))
    with app.app_context(), owner.begin() as conn:
        _db.metadata.create_all(conn)
        tables = sa.inspect(conn).get_table_names()
        for statement in grant_statements(sa.make_url(pg_role_url("app")).username, tables):
            conn.execute(sa.text(statement))
    owner.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    Without this a request reuses the test's app context, and with it `g` (Flask-Login's
    cached user) and the test's own session. Here each request gets its own session on the
    test connection, so it sees only what was flushed and commits only through a savepoint.
    Each response is read whole and closed before the test sees it, as a server would (a
    file sent with send_file is closed then, pbplatform/filecache.py).
    """

    def open(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("buffered", True)
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
    else:
        overrides["SQLALCHEMY_DATABASE_URI"] = pg_role_url("app")
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
        yield from _joined(app, _db._app_engines[app][None])


def _joined(app: Flask, engine: sa.Engine) -> Iterator[SQLAlchemy]:
    engines = _db._app_engines[app]
    real_engine = engines[None]
    connection = engine.connect()
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


@pytest.fixture(scope="session")
def owner_engine(app: Flask) -> Iterator[sa.Engine]:
    """PostgreSQL as the schema's owner role (which can lift triggers; the app cannot)."""
    if not PG_URL:
        pytest.skip("PostgreSQL-only: the owner role")
    engine = sa.create_engine(pg_role_url("owner"))
    yield engine
    engine.dispose()


@pytest.fixture
def owner_db(app: Flask, owner_engine: sa.Engine) -> Iterator[SQLAlchemy]:
    """Like `db`, but everything (requests and commands too) runs as the schema's owner
    role, which can lift triggers: the insider the audit chain's HMAC is there to catch."""
    with app.app_context():
        yield from _joined(app, owner_engine)


GUARDED_TABLES = ("audit_entries", "audit_personal", "result_versions", "result_files")


@pytest.fixture
def insider(request: pytest.FixtureRequest) -> SimpleNamespace:
    """Someone who can lift the database's guards: on PostgreSQL the schema's owner (the test
    then runs on `owner_db`: use `insider.db`, and `app.test_client()` rather than `client`),
    on SQLite anyone (its triggers are dropped inside the test's transaction, so the rollback
    restores them). Call `insider.lift()` after the test's first write."""
    from pbplatform.audit.models import APPEND_ONLY_DROPS
    from pbplatform.results.models import FILE_GUARD_DROPS, PUBLISHED_GUARD_DROPS

    if PG_URL:
        database = request.getfixturevalue("owner_db")
        statements = [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in GUARDED_TABLES]
    else:
        database = request.getfixturevalue("db")
        statements = (
            APPEND_ONLY_DROPS["sqlite"]
            + PUBLISHED_GUARD_DROPS["sqlite"]
            + FILE_GUARD_DROPS["sqlite"]
        )

    def lift() -> None:
        for statement in statements:
            database.session.execute(sa.text(statement))

    return SimpleNamespace(db=database, lift=lift)


@pytest.fixture(autouse=True)
def _purge_committed_audit_entries(request: pytest.FixtureRequest) -> Iterator[None]:
    """PostgreSQL tests that really commit leave audit entries the log refuses to delete.

    Later tests assert on the audit log, so after such a test its entries (the newest, at the
    tail of the hash chain) are removed with the append-only triggers lifted for a moment.
    Only the schema's owner role can do that; the application's role never can.
    """
    if not PG_URL or request.node.get_closest_marker("postgres") is None:
        yield
        return
    owner = request.getfixturevalue("owner_engine")
    with owner.connect() as conn:
        mark = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM audit_entries"))
    yield
    with owner.begin() as conn:
        for table in ("audit_personal", "audit_entries"):
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        conn.execute(sa.text("DELETE FROM audit_personal WHERE entry_id > :m"), {"m": mark})
        conn.execute(sa.text("DELETE FROM audit_entries WHERE id > :m"), {"m": mark})
        for table in ("audit_personal", "audit_entries"):
            conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


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
