"""Case 41 (docs/attack-2026-12-07.md, B3): the ballots the close unsealed cannot change
unnoticed before the count. The close records, in its HMAC-authenticated audit entry, the
ballots per channel and area and a digest of their contents; the count recomputes them and
refuses (audited) any difference, and a missing or forged close entry.

Each tamper runs on SQLite and, with PBP_TEST_DATABASE_URL, on PostgreSQL as the application's
role (the `db` fixture connects as `<db>_app` there: the role the attack used).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.ballotbox.digest import CLOSE_ACTION, figures
from pbplatform.errors import DomainError
from pbplatform.results.services import run_count
from pbplatform.voting.models import Ballot
from tests.factories import login_as
from tests.results.conftest import build_counted
from tests.sealed import unseal


def _one_ballot(db, s, channel: str = "online") -> str:
    return db.session.scalars(
        sa.select(Ballot.id)
        .where(Ballot.cycle_id == s.cycle.id, Ballot.channel == channel, Ballot.is_valid)
        .order_by(Ballot.id)
    ).first()


def _update_a_choice(db, s) -> None:
    """29 votes moved from one project to another, in the live attack: here one."""
    db.session.execute(
        sa.text(
            "UPDATE ballot_choices SET proposal_id = :to "
            "WHERE proposal_id = :frm AND ballot_id = :b"
        ),
        {"to": s.c.id, "frm": s.a.id, "b": _ballot_choosing(db, s.a.id)},
    )


def _ballot_choosing(db, proposal_id: int) -> str:
    return db.session.scalar(
        sa.text(
            "SELECT ballot_id FROM ballot_choices WHERE proposal_id = :p ORDER BY ballot_id LIMIT 1"
        ),
        {"p": proposal_id},
    )


def _insert_a_ballot(db, s) -> None:
    db.session.execute(
        sa.text(
            "INSERT INTO ballots (id, cycle_id, area_id, channel, is_valid) "
            "VALUES ('00000000-0000-4000-8000-000000000001', :c, :a, 'online', :t)"
        ),
        {"c": s.cycle.id, "a": s.home.id, "t": True},
    )
    db.session.execute(
        sa.text(
            "INSERT INTO ballot_choices (ballot_id, proposal_id, points, stance) "
            "VALUES ('00000000-0000-4000-8000-000000000001', :p, 1, 1)"
        ),
        {"p": s.c.id},
    )


def _delete_a_ballot(db, s) -> None:
    ballot = _one_ballot(db, s, "paper")
    db.session.execute(sa.text("DELETE FROM ballot_choices WHERE ballot_id = :b"), {"b": ballot})
    db.session.execute(sa.text("DELETE FROM ballots WHERE id = :b"), {"b": ballot})


TAMPERS = {
    "update a choice": (_update_a_choice, "same number of ballots, but their contents differ"),
    "insert a ballot": (_insert_a_ballot, "Online: 5 ballots at the close, 6 now"),
    "delete a ballot": (_delete_a_ballot, "Paper ballots: 2 ballots at the close, 1 now"),
}


def _refusals(db) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "results.count", AuditEntry.outcome == "refused"
            )
        )
    )


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_ballots_changed_in_the_database_after_the_close_are_refused_by_the_count(db, tamper):
    change, said = TAMPERS[tamper]
    s = build_counted(db)
    db.session.commit()  # the close is done (a savepoint release in tests)
    if db.session.get_bind().dialect.name == "postgresql":
        assert db.session.scalar(sa.text("SELECT session_user")).endswith("_app")
    change(db, s)  # the insider, with the application's own database role
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        run_count(s.cycle, s.counter)
    assert refused.value.code == "ballots_changed"
    assert said in refused.value.message
    assert "nothing was counted" in refused.value.message
    [entry] = _refusals(db)  # audited, though the count's transaction was rolled back
    assert entry.after["code"] == "ballots_changed"
    assert db.session.scalar(sa.text("SELECT count(*) FROM result_versions")) == 0


def test_an_untouched_count_passes_and_shows_the_close_figures(db, client):
    s = build_counted(db)
    version = run_count(s.cycle, s.counter)
    close = version.outcome["close"]
    assert close["per_channel"] == {"online": 5, "paper": 2}
    assert close["invalid_per_channel"] == {"paper": 1}
    assert close["digest"] == figures(s.cycle.id).digest
    db.session.commit()
    login_as(client, s.counter)
    page = client.get(f"/officer/cycles/{s.cycle.slug}/results/{version.version}")
    html = page.get_data(as_text=True)
    assert "Ballots unsealed at the close of voting" in html
    assert "Online: 5" in html
    assert close["digest"] in html


def test_the_digest_ignores_ids_and_storage_order(db):
    s = build_counted(db)
    before = figures(s.cycle.id)
    unseal(s.cycle)  # nothing sealed any more: same ballots, same figures
    assert figures(s.cycle.id) == before
    ballot = _one_ballot(db, s)
    for statement in (
        "INSERT INTO ballots (id, cycle_id, area_id, channel, serial, is_valid, invalid_reason)"
        " SELECT 'fresh-id', cycle_id, area_id, channel, serial, is_valid, invalid_reason"
        " FROM ballots WHERE id = :b",
        "UPDATE ballot_choices SET ballot_id = 'fresh-id' WHERE ballot_id = :b",
        "DELETE FROM ballots WHERE id = :b",
    ):
        db.session.execute(sa.text(statement), {"b": ballot})
    assert figures(s.cycle.id).digest == before.digest


def test_a_count_without_an_authentic_close_entry_is_refused(db, insider):
    """No close entry (ballots written around the close), or one forged in the database
    (hash recomputed, HMAC unknown): refused, never counted."""
    s = build_counted(insider.db)
    insider.db.session.commit()
    insider.lift()
    entry = insider.db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == CLOSE_ACTION, AuditEntry.object_id == str(s.cycle.id))
        .order_by(AuditEntry.id.desc())
    )
    forged = dict(entry.after, digest="0" * 64)
    insider.db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(after=forged)
    )
    insider.db.session.commit()
    with pytest.raises(DomainError) as refused:
        run_count(s.cycle, s.counter)
    assert refused.value.code == "close_not_authentic"
    insider.db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(action="renamed")
    )
    insider.db.session.commit()
    with pytest.raises(DomainError) as refused:
        run_count(s.cycle, s.counter)
    assert refused.value.code == "close_unrecorded"


def test_a_forged_newer_close_entry_is_passed_over(db):
    """The app role may append to the audit log: a forged close entry carrying the digest of
    changed ballots has no valid HMAC, so the count keeps checking against the authentic
    one (and refuses); the forgery alone blocks nothing."""
    from pbplatform.audit import chain
    from pbplatform.audit.services import _next_id

    s = build_counted(db)
    db.session.commit()
    _insert_a_ballot(db, s)
    newest = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    forged = AuditEntry(
        id=_next_id(),  # the sequence's next value on PostgreSQL
        at=newest.at,
        action=CLOSE_ACTION,
        object_type="Cycle",
        object_id=str(s.cycle.id),
        after={"unsealed": 0, **figures(s.cycle.id).to_dict()},
        outcome="ok",
        personal_digest=newest.personal_digest,
        prev_hash=newest.entry_hash,
    )
    forged.entry_hash = chain.entry_hash(forged)  # anyone can; the HMAC needs the key
    forged.entry_mac = "0" * 64
    db.session.add(forged)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        run_count(s.cycle, s.counter)
    assert refused.value.code == "ballots_changed"
