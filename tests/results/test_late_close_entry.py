"""A cycle already in counting when the close digest was introduced has no close entry, so
its count is refused. `flask pb record-close-entry SLUG --reason ...` records one from the
ballots as they are now, as a distinct audit event marked as recorded after the fact; the
count then runs and the results page says that the close was attested late, and why. It is
refused when any close entry exists (a real close's cannot be replaced), outside counting,
and while the audit chain does not verify (a removed entry)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.ballotbox.digest import CLOSE_ACTION, LATE_CLOSE_ACTION, figures
from pbplatform.errors import DomainError
from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.models import Ballot, BallotChoice
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as
from tests.results.conftest import build_counted

REASON = "Cycle closed on 2026-11-30, before close digests existed (ticket OPS-17)"


def _closed_before_the_digest(db, *, attested: bool = True):
    """A cycle in counting whose ballots were stored in plain before the ballot box and the
    close digest existed: no close entry, but the log's entry of its move to counting (unless
    not `attested`: moved with SQL)."""
    home, other = create_area(), create_area()
    cycle = create_cycle("counting", areas=[home, other], area_budget=100_000_00)
    a = create_proposal(cycle, area=home, cost=60_000_00, title="Playground")
    b = create_proposal(cycle, area=home, cost=30_000_00, title="Benches")
    x = create_proposal(cycle, area=other, cost=10_000_00, title="Skate park")
    for area, chosen, channel in (
        (home, [a], "online"),
        (home, [a, b], "online"),
        (home, [b], "paper"),
        (other, [x], "online"),
    ):
        ballot = Ballot(cycle_id=cycle.id, area_id=area.id, channel=channel)
        ballot.choices = [BallotChoice(proposal_id=p.id) for p in chosen]
        db.session.add(ballot)
    counter = create_user("officer", name="Counting Officer")
    checker = create_user("admin", name="Checking Admin")
    if attested:
        audit.record("cycle.phase", cycle, before={"phase": "voting"}, after={"phase": "counting"})
    db.session.flush()
    return cycle, counter, checker


def _entries(db, cycle, action):
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.object_id == str(cycle.id)
            )
        )
    )


def test_missing_entry_refused_then_recorded_late_then_counted_and_shown(app, db, runner):
    cycle, counter, checker = _closed_before_the_digest(db)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        run_count(cycle, counter)
    assert refused.value.code == "close_unrecorded"

    result = runner.invoke(args=["pb", "record-close-entry", cycle.slug, "--reason", REASON])
    assert result.exit_code == 0, result.output
    assert "recorded after the fact" in result.output
    assert "4 ballots" in result.output
    [entry] = _entries(db, cycle, LATE_CLOSE_ACTION)
    assert _entries(db, cycle, CLOSE_ACTION) == []  # a distinct kind of event
    assert entry.after["recorded_after_the_fact"] is True
    assert entry.after["reason"] == REASON
    assert entry.after["digest"] == figures(cycle.id).digest
    assert entry.actor_label == "system"

    version = run_count(cycle, counter)
    close = version.outcome["close"]
    assert close["audit_entry"] == entry.id
    assert close["per_channel"] == {"online": 3, "paper": 1}
    assert close["recorded_late"] == {"at": entry.at.isoformat(), "reason": REASON}
    publish_results(version, checker)
    db.session.commit()

    page = app.test_client().get(f"/cycles/{cycle.slug}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "attested late" in html
    assert REASON in html
    assert entry.at.date().isoformat() in html
    # The admins' audit log lists it under its own kind.
    admin = app.test_client()
    login_as(admin, create_user("admin"))
    log = admin.get(f"/admin/audit?action={LATE_CLOSE_ACTION}").get_data(as_text=True)
    assert LATE_CLOSE_ACTION in log
    assert "recorded_after_the_fact" in log


def test_refused_when_a_close_entry_exists(db, runner):
    """A real close's entry (or an earlier late one) can never be replaced: recording one
    over changed ballots would launder the change."""
    s = build_counted(db)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    result = runner.invoke(args=["pb", "record-close-entry", s.cycle.slug, "--reason", REASON])
    assert result.exit_code != 0
    assert "already has a close entry" in result.output
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before
    assert _entries(db, s.cycle, LATE_CLOSE_ACTION) == []

    cycle, _counter, _checker = _closed_before_the_digest(db)
    db.session.commit()
    first = runner.invoke(args=["pb", "record-close-entry", cycle.slug, "--reason", REASON])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["pb", "record-close-entry", cycle.slug, "--reason", "again"])
    assert again.exit_code != 0
    assert "already has a close entry" in again.output
    assert len(_entries(db, cycle, LATE_CLOSE_ACTION)) == 1


@pytest.mark.parametrize("phase", ["voting", "results", "proposals"])
def test_refused_outside_counting(db, runner, phase):
    cycle, _counter, _checker = _closed_before_the_digest(db)
    cycle.phase = phase
    db.session.commit()
    result = runner.invoke(args=["pb", "record-close-entry", cycle.slug, "--reason", REASON])
    assert result.exit_code != 0
    assert "only for a cycle in counting" in result.output
    assert _entries(db, cycle, LATE_CLOSE_ACTION) == []


def test_refused_without_a_reason_or_for_an_unknown_cycle(db, runner):
    cycle, _counter, _checker = _closed_before_the_digest(db)
    db.session.commit()
    blank = runner.invoke(args=["pb", "record-close-entry", cycle.slug, "--reason", "   "])
    assert blank.exit_code != 0
    assert "reason" in blank.output
    missing = runner.invoke(args=["pb", "record-close-entry", cycle.slug])
    assert missing.exit_code != 0
    unknown = runner.invoke(args=["pb", "record-close-entry", "no-such-cycle", "--reason", REASON])
    assert unknown.exit_code != 0
    assert "no cycle" in unknown.output
    assert _entries(db, cycle, LATE_CLOSE_ACTION) == []


def test_refused_while_the_audit_chain_does_not_verify(app, db, insider):
    """Whoever removed a cycle's real close entry (lifting the log's guards) breaks the chain;
    the command then refuses rather than attest the ballots as they are."""
    s = build_counted(insider.db)
    # the phase change a real close records after its close entry
    audit.record("cycle.phase", s.cycle, before={"phase": "voting"}, after={"phase": "counting"})
    insider.db.session.commit()
    insider.lift()
    entry = insider.db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == CLOSE_ACTION, AuditEntry.object_id == str(s.cycle.id)
        )
    )
    insider.db.session.execute(sa.delete(AuditPersonal).where(AuditPersonal.entry_id == entry.id))
    insider.db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entry.id))
    insider.db.session.commit()
    runner = app.test_cli_runner()  # as the insider's role on PostgreSQL
    result = runner.invoke(args=["pb", "record-close-entry", s.cycle.slug, "--reason", REASON])
    assert result.exit_code != 0
    assert "audit chain does not verify" in result.output
    assert _entries(insider.db, s.cycle, LATE_CLOSE_ACTION) == []
