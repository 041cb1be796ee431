"""The Alembic history: one head, upgrades an empty database to exactly the models, downgrades."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from decimal import Decimal

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from pbplatform import ROOT, create_app
from pbplatform.db import utcnow
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
    """The migration installs the same guards as create_all: history cannot be rewritten,
    TRUNCATE included (PostgreSQL), and a published result version cannot change."""
    with db.engine.connect() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_entries (at, action, outcome, personal_digest, prev_hash, "
                "entry_hash, entry_mac) VALUES (CURRENT_TIMESTAMP, 'probe', 'ok', 'd', 'x', "
                "'y', 'm')"
            )
        )
        statements = ["UPDATE audit_entries SET action = 'forged'", "DELETE FROM audit_entries"]
        if conn.dialect.name == "postgresql":
            statements.append("TRUNCATE audit_entries CASCADE")
        for statement in statements:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), conn.begin_nested():
                conn.execute(sa.text(statement))
        conn.rollback()
    _assert_published_versions_frozen()


def _assert_published_versions_frozen() -> None:
    from pbplatform.results.models import ResultVersion
    from tests.factories import create_cycle

    version = ResultVersion(
        cycle_id=create_cycle("results").id,
        version=1,
        config={},
        outcome={},
        content_hash="h",
        published_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    with pytest.raises(sa.exc.DBAPIError, match="published"), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE result_versions SET content_hash = 'forged' WHERE id = :id"),
            {"id": version.id},
        )
    db.session.rollback()


def _assert_ballot_tables_have_no_insertion_order() -> None:
    """Autogenerate cannot see WITHOUT ROWID, so check the migrated SQLite tables directly."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        for table in ("participations", "ballots", "ballot_choices", "sealed_ballots"):
            with pytest.raises(sa.exc.OperationalError, match="rowid"):
                conn.execute(sa.text(f"SELECT rowid FROM {table}"))


def _legacy_entries(conn: sa.Connection) -> None:
    """Two entries written under the hash rule before the audit-chain revision."""
    import hashlib
    import json
    from datetime import UTC, datetime

    prev = "0" * 64
    for n, after in enumerate(({"email": "ada@example.org", "home_area_id": 3}, {"x": 1})):
        at = datetime(2026, 11, 30, 12, n, tzinfo=UTC)
        row = [prev, at.isoformat(), None, "Ada <ada@example.org>", f"legacy.{n}", None, None]
        digest = hashlib.sha256(
            json.dumps([*row, None, after, "ok"], sort_keys=True, default=str).encode()
        ).hexdigest()
        conn.execute(
            sa.text(
                "INSERT INTO audit_entries (at, actor_label, action, after, ip, outcome, "
                "prev_hash, entry_hash) VALUES (:at, :label, :action, :after, '10.0.0.9', "
                "'ok', :prev, :hash)"
            ),
            {
                "at": at.replace(tzinfo=None) if conn.dialect.name == "sqlite" else at,
                "label": row[3],
                "action": row[4],
                "after": json.dumps(after),
                "prev": prev,
                "hash": digest,
            },
        )
        prev = digest


def test_upgrade_reseals_existing_entries_and_downgrade_restores_them(empty_database_url):
    """Entries from before the revision verify after it (personal fields moved apart, HMAC
    added) and after the downgrade again (the old columns and hash rule come back)."""
    from pbplatform.audit.models import AuditEntry, AuditPersonal
    from pbplatform.audit.services import verify_chain

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="96833cdc813a")
            with db.engine.begin() as conn:
                _legacy_entries(conn)
            flask_migrate.upgrade(revision="20261207c0a1")
            assert verify_chain() is None
            first = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()
            assert first.after == {"email": "[personal]", "home_area_id": 3}
            assert first.shown("after")["email"] == "ada@example.org"
            assert first.ip == "10.0.0.9"
            assert first.actor_label == "Ada <ada@example.org>"
            assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditPersonal)) == 2
            db.session.rollback()
            flask_migrate.downgrade(revision="96833cdc813a")
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT after, prev_hash FROM audit_entries")).all()
            assert "ada@example.org" in str(rows[0][0])
            assert rows[0][1] == "0" * 64
        finally:
            db.session.remove()
            db.engine.dispose()


def test_downgrade_of_offer_value_rate_writes_the_sentences_back(empty_database_url):
    """Accepted offers valued by the rule store the rate and their notes the value; the
    downgrade writes the sentences the earlier code showed (English) before dropping the
    column."""
    from pbplatform.coproduction import services as coproduction
    from tests.factories import create_cycle, create_proposal, create_user

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade()
            cycle = create_cycle("review", hourly_rate_minor=15_00)
            area = cycle.areas[0].area
            proposal = create_proposal(cycle, area=area)
            resident, officer = create_user(), create_user("officer")
            offers = [
                coproduction.make_offer(
                    by=resident,
                    proposal=proposal,
                    kind=kind,
                    quantity=Decimal(q),
                    unit=unit,
                    description="x",
                )
                for kind, q, unit in (("volunteer_hours", "2.5", "hours"), ("money", "40", "EUR"))
            ]
            for offer in offers:
                coproduction.accept_offer(offer, officer)
            db.session.commit()
            flask_migrate.downgrade(revision="20261208_mail_job_kind")
            with db.engine.connect() as conn:
                bases = conn.execute(sa.text("SELECT value_basis FROM offers ORDER BY id"))
                notes = conn.execute(
                    sa.text("SELECT note FROM proposal_events WHERE kind = 'offer_accepted'")
                )
                assert [b for (b,) in bases] == [
                    "2.5 hours at the published rate of 15.00 EUR per hour.",
                    "Money at face value.",
                ]
                assert sorted(n for (n,) in notes) == [
                    "Offer of help accepted, valued at 37.50 EUR.",
                    "Offer of help accepted, valued at 40.00 EUR.",
                ]
        finally:
            db.session.remove()
            db.engine.dispose()
