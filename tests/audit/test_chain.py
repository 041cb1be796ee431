"""The audit chain against someone who can write the database (security case 39, issue 12).

Every column is in the hash (ip and area too); every entry carries an HMAC under a key
outside the database, so a rewritten and re-hashed chain fails; deleting the newest entries
is caught by a head kept elsewhere (checkpoint file, --head, published results); and
`flask pb audit verify` exits non-zero naming every bad entry. The `insider` fixture is
the table owner on PostgreSQL (triggers disabled) and anyone on SQLite.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from pbplatform.audit import chain
from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.audit.verify import Head, check_chain
from tests.factories import create_area, create_user

IP = "203.0.113.7"


def _three(app):
    """Three entries written in a request from IP, by an admin, about an area."""
    admin = create_user("admin", name="Ada Admin")
    area = create_area("Rummelsburg")
    with app.test_request_context(environ_base={"REMOTE_ADDR": IP}):
        return [
            audit.record("area.create", area, actor=admin, area_id=area.id, after={"n": 1}),
            audit.record("area.rename", area, actor=admin, area_id=area.id, after={"n": 2}),
            audit.record("area.rename", area, actor=admin, area_id=area.id, after={"n": 3}),
        ]


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["pb", "audit", "verify", *args])


def test_every_chained_column_changes_the_hash(app, db):
    entry = _three(app)[0]
    assert entry.ip == IP
    assert entry.area_id is not None
    fields = [c.name for c in AuditEntry.__table__.columns]
    original = chain.entry_hash(entry)
    for name in set(fields) - {"entry_hash", "entry_mac"}:
        value = getattr(entry, name)
        if name == "at":
            changed = value.replace(year=value.year - 1)
        elif name in ("before", "after"):
            changed = {"forged": True}
        elif isinstance(value, int):
            changed = value + 1
        else:
            changed = (value or "") + "x"
        copy = SimpleNamespace(**{f: getattr(entry, f) for f in fields})
        setattr(copy, name, changed)
        assert chain.entry_hash(copy) != original, name
    # The personal fields (who, from where) are committed to by personal_digest.
    personal = entry.personal
    salt = personal.salt
    base = chain.personal_fields(personal.actor_label, personal.ip, personal.data)
    assert chain.personal_digest(salt, base) == entry.personal_digest
    for forged in (["x", IP, None], [personal.actor_label, "198.51.100.1", None]):
        assert chain.personal_digest(salt, forged) != entry.personal_digest


def test_a_changed_area_is_detected(app, insider):
    entries = _three(app)
    insider.lift()
    insider.db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[1].id).values(area_id=999_999)
    )
    insider.db.session.expire_all()
    report = check_chain()
    assert (report.bad_id, "content" in report.reason) == (entries[1].id, True)


def test_a_changed_ip_is_detected(app, insider):
    entries = _three(app)
    insider.lift()
    insider.db.session.execute(
        sa.update(AuditPersonal)
        .where(AuditPersonal.entry_id == entries[0].id)
        .values(ip="198.51.100.1")
    )
    insider.db.session.expire_all()
    assert audit.verify_chain() == entries[0].id


def test_app_role_rewriting_personal_fields_as_a_pseudonym_is_detected(app, db):
    """The app's role may turn personal rows into pseudonyms (the trigger allows it); doing
    so without the key to re-authenticate them is caught."""
    entry = _three(app)[0]
    db.session.execute(
        sa.update(AuditPersonal)
        .where(AuditPersonal.entry_id == entry.id)
        .values(actor_label="Someone Else", pseudonymised=True, salt=None)
    )
    db.session.expire_all()
    report = check_chain()
    assert report.bad_id == entry.id
    assert "personal" in report.reason


def test_rewritten_and_rehashed_chain_fails_the_hmac(app, insider):
    entries = _three(app)
    insider.lift()
    session = insider.db.session
    # The insider changes the first entry and re-computes every hash after it, as the old
    # chain allowed; without AUDIT_HMAC_KEY the MACs cannot follow.
    session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[0].id).values(outcome="denied")
    )
    session.expire_all()
    prev = db_prev = entries[0].prev_hash
    for entry in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
        if entry.id < entries[0].id:
            continue
        entry.prev_hash = prev
        prev = entry.entry_hash = chain.entry_hash(entry)
    session.flush()
    assert db_prev is not None
    session.expire_all()
    report = check_chain()
    assert report.bad_id == entries[0].id
    assert "HMAC" in report.reason
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at entry {entries[0].id}" in result.output
    assert "HMAC" in result.output


def test_another_key_does_not_verify(app, db):
    """Entries are authenticated under AUDIT_HMAC_KEY: with any other key nothing verifies."""
    first = _three(app)[0]
    assert audit.verify_chain() is None
    app.config["AUDIT_HMAC_KEY"] = "a key the insider guessed"
    try:
        assert audit.verify_chain() is not None
        assert audit.verify_chain() <= first.id
    finally:
        app.config["AUDIT_HMAC_KEY"] = None
    assert audit.verify_chain() is None


def test_deleted_newest_entries_are_caught_by_a_recorded_head(app, insider, tmp_path):
    entries = _three(app)
    checkpoint = tmp_path / "audit-head"
    written = app.test_cli_runner().invoke(
        args=["pb", "audit", "checkpoint", "--file", str(checkpoint)]
    )
    assert written.exit_code == 0, written.output
    head = Head.parse(checkpoint.read_text())
    assert head == Head(entries[2].id, entries[2].entry_hash)
    assert _verify(app, "--checkpoint", str(checkpoint)).exit_code == 0

    insider.lift()
    session = insider.db.session
    for model, column in ((AuditPersonal, AuditPersonal.entry_id), (AuditEntry, AuditEntry.id)):
        session.execute(sa.delete(model).where(column >= entries[1].id))
    session.expire_all()
    assert check_chain().ok, "the chain alone cannot see a cut tail"
    for args in (("--checkpoint", str(checkpoint)), ("--head", str(head))):
        result = _verify(app, *args)
        assert result.exit_code == 1, args
        assert f"BROKEN at entry {entries[2].id}" in result.output
        assert "newest entries were deleted" in result.output


def test_verify_command_passes_and_refuses_a_malformed_head(app, db):
    entries = _three(app)
    head = Head(entries[-1].id, entries[-1].entry_hash)
    ok = _verify(app, "--head", str(head))
    assert ok.exit_code == 0, ok.output
    assert "audit chain verified: " in ok.output
    assert str(head) in ok.output
    assert _verify(app, "--head", "12:nothex").exit_code == 2
    wrong = replace(head, hash="0" * 64)
    assert _verify(app, "--head", str(wrong)).exit_code == 1
    printed = app.test_cli_runner().invoke(args=["pb", "audit", "head"])
    assert printed.output.strip() == str(head)


@pytest.mark.parametrize("configured", [True, False])
def test_checkpoint_setting(app, db, tmp_path, configured):
    _three(app)
    path = tmp_path / "cp"
    app.config["AUDIT_CHECKPOINT_FILE"] = str(path) if configured else None
    try:
        result = app.test_cli_runner().invoke(args=["pb", "audit", "checkpoint"])
    finally:
        app.config["AUDIT_CHECKPOINT_FILE"] = None
    assert (result.exit_code == 0) is configured, result.output
    assert path.exists() is configured


def test_a_truncated_log_is_detected(app, insider):
    """Even with the TRUNCATE trigger lifted (owner), the head kept elsewhere is gone."""
    entries = _three(app)
    head = Head(entries[-1].id, entries[-1].entry_hash)
    insider.lift()
    session = insider.db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("TRUNCATE audit_personal, audit_entries"))
    else:  # SQLite has no TRUNCATE; an unqualified DELETE is its equivalent
        session.execute(sa.text("DELETE FROM audit_personal"))
        session.execute(sa.text("DELETE FROM audit_entries"))
    session.expire_all()
    result = _verify(app, "--head", str(head))
    assert result.exit_code == 1
    assert "newest entries were deleted" in result.output


def test_verify_reports_every_break_and_exits_non_zero(app, insider):
    """Attack 2026-12-07 ("left" list): verify stopped at the first break, so a forged entry
    hid every later change until someone repaired it. Now one run names every break: two
    changed entries, an inserted one and a recorded head that is gone."""
    entries = _three(app)
    more = [audit.record("area.rename", None, after={"n": n}) for n in (4, 5)]
    insider.lift()
    session = insider.db.session
    session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[0].id).values(outcome="denied")
    )
    session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[2].id).values(area_id=999_999)
    )
    session.expire_all()
    gone = Head(more[-1].id + 50, "a" * 64)
    report = check_chain([gone])
    assert [bad for bad, _ in report.breaks] == [entries[0].id, entries[2].id, gone.id]
    assert report.bad_id == entries[0].id
    assert report.checked == len(session.scalars(sa.select(AuditEntry.id)).all()) - 2
    result = _verify(app, "--head", str(gone))
    assert result.exit_code == 1
    for bad_id in (entries[0].id, entries[2].id, gone.id):
        assert f"BROKEN at entry {bad_id}" in result.output
    assert "3 break(s)" in result.output
