"""Retention removes exactly what is due, and nothing else; --dry-run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from pbplatform.accounts.models import PasswordResetToken, User
from pbplatform.audit import services as audit
from pbplatform.channels.models import CensusEntry, VotingCode, VotingCodeBatch
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.privacy.models import AccountErasure, DataExport, InactivityWarning
from pbplatform.privacy.retention import apply_retention
from pbplatform.proposals.models import Proposal
from pbplatform.results.models import ResultVersion
from pbplatform.voting.models import Participation
from tests.factories import create_cycle, create_proposal, create_user

NOW = utcnow()
DAY = timedelta(days=1)


def _published(cycle, days_ago: int) -> None:
    db.session.add(
        ResultVersion(
            cycle_id=cycle.id,
            version=1,
            config={},
            outcome={},
            content_hash="0" * 64,
            published_at=NOW - days_ago * DAY,
        )
    )


def _cycle_with_data(phase: str, published_days_ago: int | None, tag: str) -> SimpleNamespace:
    cycle = create_cycle(phase)
    if published_days_ago is not None:
        _published(cycle, published_days_ago)
    offline = create_proposal(
        cycle, channel="letter", contact_name=f"Contact {tag}", contact_details=f"Street {tag}"
    )
    census = CensusEntry(cycle_id=cycle.id, entry_hash=tag.ljust(64, "0"))
    batch = VotingCodeBatch(cycle_id=cycle.id, count=1, label=tag)
    db.session.add_all([census, batch])
    db.session.flush()
    code = VotingCode(batch_id=batch.id, code_hash=tag.ljust(64, "1"))
    db.session.add(code)
    db.session.flush()
    return SimpleNamespace(cycle=cycle, offline=offline, census=census, code=code)


def _account(created_days_ago: int, *, login_days_ago: int | None = None) -> User:
    user = create_user("resident")
    user.created_at = NOW - created_days_ago * DAY
    if login_days_ago is not None:
        entry = audit.record("auth.login", user, actor=user)
        assert entry.at > NOW - DAY  # written now: a recent login
    db.session.flush()
    return user


def _scene() -> SimpleNamespace:
    old = _cycle_with_data("results", 200, "old")  # results 200 days ago
    recent = _cycle_with_data("results", 10, "recent")  # results 10 days ago
    running = _cycle_with_data("voting", None, "running")  # no results yet
    # a sent mail keeps no body (its links are erased at sending): only the row is left
    sent_old = OutboxMessage(recipient="a@example.org", subject="s", sent_at=NOW - DAY)
    unsent = OutboxMessage(recipient="b@example.org", subject="s", body="b")
    holder = create_user("resident")
    reset_old = PasswordResetToken(
        user_id=holder.id, token_hash="1" * 64, expires_at=NOW - 40 * DAY
    )
    reset_young = PasswordResetToken(
        user_id=holder.id, token_hash="2" * 64, expires_at=NOW - 10 * DAY
    )
    expired = DataExport(
        user_id=holder.id, content=b"x", created_at=NOW - 3 * DAY, expires_at=NOW - DAY
    )
    live = DataExport(user_id=holder.id, content=b"y", created_at=NOW, expires_at=NOW + DAY)
    db.session.add_all([sent_old, unsent, reset_old, reset_young, expired, live])
    to_warn = _account(4 * 365)
    came_back = _account(4 * 365, login_days_ago=0)
    to_erase = _account(5 * 365)
    db.session.add(InactivityWarning(user_id=to_erase.id, warned_at=NOW - 90 * DAY))
    db.session.add(
        Participation(cycle_id=old.cycle.id, voter_key="erased:" + "e" * 64, channel="online")
    )
    db.session.flush()
    return SimpleNamespace(**locals())


EXPECTED = {
    "offline_contacts": 1,
    "offline_offerers": 0,
    "census_entries": 2,
    "voting_codes": 2,
    "erased_voter_keys": 1,
    "outbox_sent": 1,
    "reset_tokens": 1,
    "data_exports": 1,
    "inactivity_returned": 0,
    "inactive_erase": 1,
    "inactive_warn": 1,
}


def _present(model, ident) -> bool:
    return db.session.get(model, ident) is not None


def test_dry_run_reports_and_changes_nothing(runner):
    s = _scene()
    assert apply_retention(NOW, dry_run=True) == EXPECTED
    db.session.expire_all()
    assert _present(CensusEntry, s.old.census.id)
    assert db.session.get(Proposal, s.old.offline.id).contact_name == "Contact old"
    result = runner.invoke(args=["pb", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "census_entries: 2 due" in result.output


def test_retention_removes_exactly_what_is_due(db):
    s = _scene()
    assert apply_retention(NOW) == EXPECTED
    db.session.expire_all()
    # Offline contacts: only in the cycle whose results are older than six months.
    assert db.session.get(Proposal, s.old.offline.id).contact_name is None
    assert db.session.get(Proposal, s.old.offline.id).contact_details is None
    assert db.session.get(Proposal, s.recent.offline.id).contact_name == "Contact recent"
    # Census and codes: gone once results are published; kept while the cycle runs.
    assert not _present(CensusEntry, s.old.census.id)
    assert not _present(CensusEntry, s.recent.census.id)
    assert _present(CensusEntry, s.running.census.id)
    assert not _present(VotingCode, s.recent.code.id)
    assert _present(VotingCode, s.running.code.id)
    assert not _present(OutboxMessage, s.sent_old.id)
    assert _present(OutboxMessage, s.unsent.id)
    assert not _present(PasswordResetToken, s.reset_old.id)
    assert _present(PasswordResetToken, s.reset_young.id)
    assert not _present(DataExport, s.expired.id)
    assert _present(DataExport, s.live.id)
    # Inactive accounts: warned (by mail), erased after the grace period, not if they came back.
    assert _present(InactivityWarning, s.to_warn.id)
    assert not _present(InactivityWarning, s.came_back.id)
    assert _present(AccountErasure, s.to_erase.id)
    assert not _present(AccountErasure, s.to_warn.id)
    warning = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == s.to_warn.email)
    )
    assert warning is not None
    assert "delete" in warning.subject
    [key] = db.session.scalars(sa.select(Participation.voter_key)).all()
    assert key.startswith("erased:random:")
    # A second run finds nothing left to do.
    assert set(apply_retention(NOW).values()) == {0}


def test_periods_come_from_the_settings(app, db):
    s = _scene()
    app.config["RETENTION_OFFLINE_CONTACT_DAYS"] = 5
    try:
        done = apply_retention(NOW)
    finally:
        app.config["RETENTION_OFFLINE_CONTACT_DAYS"] = 183
    assert done["offline_contacts"] == 2
    db.session.expire_all()
    assert db.session.get(Proposal, s.recent.offline.id).contact_name is None
    assert db.session.get(Proposal, s.running.offline.id).contact_name == "Contact running"
