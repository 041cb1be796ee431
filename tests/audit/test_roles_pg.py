"""Two PostgreSQL roles (issue 12): the app's role cannot rewrite history; the owner can only
by lifting triggers, and then the HMAC gives it away.

The suite's app runs as `<dbname>_app` (tests/conftest.py); `owner_db` runs as
`<dbname>_owner`. Every statement below is tried in a savepoint and must fail.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from pbplatform.audit import chain
from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry
from pbplatform.db import utcnow
from pbplatform.results.models import ResultVersion
from tests.factories import create_cycle, create_user

pytestmark = pytest.mark.postgres


def _refused(session, statement: str, match: str) -> None:
    with pytest.raises(DBAPIError, match=match), session.begin_nested():
        session.execute(sa.text(statement))


def _published(session) -> ResultVersion:
    version = ResultVersion(
        cycle_id=create_cycle("results").id,
        version=1,
        config={},
        outcome={"lists": []},
        content_hash="h",
        published_at=utcnow(),
    )
    session.add(version)
    session.flush()
    return version


def test_the_app_role_is_not_the_owner(db):
    who = db.session.execute(
        sa.text("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
    ).one()
    assert who[0].endswith("_app")
    assert who[1] is False


def test_app_role_cannot_rewrite_the_audit_log(db):
    entry = audit.record("probe", actor=create_user("admin"))
    denied = "permission denied|must be owner"
    for statement in (
        f"UPDATE audit_entries SET action = 'forged' WHERE id = {entry.id}",
        f"DELETE FROM audit_entries WHERE id = {entry.id}",
        "TRUNCATE audit_entries CASCADE",
        "ALTER TABLE audit_entries DISABLE TRIGGER USER",
        "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only",
        f"DELETE FROM audit_personal WHERE entry_id = {entry.id}",
        "TRUNCATE audit_personal",
        "ALTER TABLE audit_personal DISABLE TRIGGER USER",
    ):
        _refused(db.session, statement, denied)
    # The one update the role may make is into a pseudonym; anything else is refused.
    _refused(
        db.session,
        f"UPDATE audit_personal SET ip = '10.0.0.1' WHERE entry_id = {entry.id}",
        "only into a pseudonym",
    )
    db.session.expire_all()
    assert audit.verify_chain() is None


def test_app_role_cannot_change_published_results(db):
    version = _published(db.session)
    for statement, match in (
        (f"UPDATE result_versions SET outcome = '{{}}' WHERE id = {version.id}", "published"),
        (f"DELETE FROM result_versions WHERE id = {version.id}", "published"),
        (f"DELETE FROM cycles WHERE id = {version.cycle_id}", "published"),
        ("TRUNCATE result_versions CASCADE", "permission denied"),
        ("ALTER TABLE result_versions DISABLE TRIGGER USER", "must be owner"),
        ("UPDATE result_files SET content = ''", "permission denied"),
    ):
        _refused(db.session, statement, match)


def _with_file(session) -> ResultVersion:
    from pbplatform.results.models import ResultFile

    version = _published(session)
    session.add(
        ResultFile(version_id=version.id, list_key="district", sha256="0" * 64, content=b"x")
    )
    session.flush()
    return version


def test_app_role_cannot_delete_a_published_results_file(db):
    """Attack 2026-12-07 ("left" list): the app role could DELETE a published version's
    stored `ballots.pb`, which was then rebuilt from the ballot tables as they stood."""
    version = _with_file(db.session)
    for statement, match in (
        (f"DELETE FROM result_files WHERE version_id = {version.id}", "permission denied"),
        ("DELETE FROM result_files", "permission denied"),
        ("TRUNCATE result_files", "permission denied"),
        ("ALTER TABLE result_files DISABLE TRIGGER USER", "must be owner"),
    ):
        _refused(db.session, statement, match)
    granted = db.session.scalar(
        sa.text("SELECT has_table_privilege(current_user, 'result_files', 'DELETE')")
    )
    assert granted is False


def test_the_owner_cannot_change_a_results_file_without_lifting_the_trigger(owner_db):
    version = _with_file(owner_db.session)
    _refused(
        owner_db.session,
        f"UPDATE result_files SET content = 'y' WHERE version_id = {version.id}",
        "cannot change",
    )
    _refused(owner_db.session, "TRUNCATE result_files", "cannot change")


def test_even_the_owner_needs_to_lift_the_triggers(owner_db):
    audit.record("probe", actor=create_user("admin"))
    _published(owner_db.session)
    for statement, match in (
        ("TRUNCATE audit_entries CASCADE", "append-only"),
        ("TRUNCATE audit_personal", "append-only"),
        ("UPDATE audit_entries SET action = 'forged'", "append-only"),
        ("UPDATE result_versions SET content_hash = 'x'", "published"),
        # the files and the council's decisions on a version go with it
        (
            "TRUNCATE result_versions, result_files, council_decisions, council_decision_entries",
            "published",
        ),
        ("TRUNCATE council_decisions, council_decision_entries", "confirmed"),
    ):
        _refused(owner_db.session, statement, match)


def test_owner_rewriting_and_rehashing_the_chain_is_detected(app, owner_db):
    admin = create_user("admin")
    entries = [audit.record("probe", actor=admin, after={"n": n}) for n in range(3)]
    session = owner_db.session
    session.execute(sa.text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[1].id).values(after={"n": 99})
    )
    session.expire_all()
    prev = entries[0].entry_hash
    for entry in session.scalars(
        sa.select(AuditEntry).where(AuditEntry.id >= entries[1].id).order_by(AuditEntry.id)
    ):
        entry.prev_hash = prev
        prev = entry.entry_hash = chain.entry_hash(entry)  # what anyone can recompute
    session.flush()
    session.execute(sa.text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    result = app.test_cli_runner().invoke(args=["pb", "audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {entries[1].id}" in result.output
    assert "HMAC" in result.output
