"""The Alembic history: one head, upgrades an empty database to exactly the models, downgrades."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from pbplatform import ROOT, create_app
from pbplatform.extensions import db

PG_URL = os.environ.get("PBP_TEST_DATABASE_URL")


def test_single_head() -> None:
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    # A throwaway database beside the test database, so the suite's schema is untouched.
    name = f"pbp_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_matches_models_and_downgrade_empties(empty_database_url: str) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == [], f"models and migrations disagree: {diff}"
            _assert_audit_log_append_only()
            _assert_ballot_tables_have_no_insertion_order()
            flask_migrate.downgrade(revision="base")
            tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
        finally:
            db.engine.dispose()


def _assert_audit_log_append_only() -> None:
    """The migration installs the same guard as create_all: history cannot be rewritten."""
    with db.engine.connect() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_entries "
                "(at, actor_label, action, outcome, prev_hash, entry_hash) "
                "VALUES (CURRENT_TIMESTAMP, 'system', 'probe', 'ok', 'x', 'y')"
            )
        )
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            conn.execute(sa.text("UPDATE audit_entries SET action = 'forged'"))
        conn.rollback()


def _assert_ballot_tables_have_no_insertion_order() -> None:
    """Autogenerate cannot see WITHOUT ROWID, so check the migrated SQLite tables directly."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        for table in ("participations", "ballots", "ballot_choices", "sealed_ballots"):
            with pytest.raises(sa.exc.OperationalError, match="rowid"):
                conn.execute(sa.text(f"SELECT rowid FROM {table}"))
