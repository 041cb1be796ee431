"""Phases move forward one step at a time: by an admin's button, by date (the CLI, from a timer).
Pages read the phase the clock implies (`Cycle.current_phase`) and never store it."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.cycles import services
from pbplatform.cycles.models import Cycle, CyclePhase
from pbplatform.db import utcnow
from pbplatform.extensions import db


def _reload(db, cycle):
    db.session.expire_all()
    return db.session.get(Cycle, cycle.id)


def _phase_entries(db, cycle):
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "cycle.phase", AuditEntry.object_id == str(cycle.id))
        .order_by(AuditEntry.id)
    ).all()


def test_admin_moves_a_cycle_through_every_phase(admin_client, db, make_cycle, make_proposal):
    cycle = make_cycle("draft")
    make_proposal(cycle, status="approved")
    for target in ("proposals", "review", "voting", "counting", "results"):
        response = admin_client.post(f"/admin/cycles/{cycle.id}/advance", data={"to": target})
        assert response.status_code == 302
        assert _reload(db, cycle).phase == target
    cycle = _reload(db, cycle)
    assert cycle.rules_frozen_at is not None
    entries = _phase_entries(db, cycle)
    assert [(e.before["phase"], e.after["phase"]) for e in entries] == [
        ("draft", "proposals"),
        ("proposals", "review"),
        ("review", "voting"),
        ("voting", "counting"),
        ("counting", "results"),
    ]
    assert all(e.actor_id == admin_client.admin.id for e in entries)
    last = admin_client.post(
        f"/admin/cycles/{cycle.id}/advance", data={"to": "results"}, follow_redirects=True
    )
    assert b"it can only move on to the next phase" in last.data


def test_no_skipping_and_no_going_back(admin_client, db, make_cycle):
    cycle = make_cycle("proposals")
    for target in ("voting", "draft", "proposals", "results"):
        response = admin_client.post(
            f"/admin/cycles/{cycle.id}/advance", data={"to": target}, follow_redirects=True
        )
        assert b"it can only move on to the next phase" in response.data
    assert (
        admin_client.post(f"/admin/cycles/{cycle.id}/advance", data={"to": "nonsense"}).status_code
        == 400
    )
    assert _reload(db, cycle).phase == "proposals"
    assert _phase_entries(db, cycle) == []


def test_double_submit_moves_one_step_only(admin_client, db, make_cycle):
    cycle = make_cycle("proposals")
    for _ in range(2):
        admin_client.post(f"/admin/cycles/{cycle.id}/advance", data={"to": "review"})
    assert _reload(db, cycle).phase == "review"
    assert len(_phase_entries(db, cycle)) == 1


def test_voting_needs_an_approved_proposal(admin_client, db, make_cycle, make_proposal):
    cycle = make_cycle("review")
    make_proposal(cycle, status="pending")
    response = admin_client.post(
        f"/admin/cycles/{cycle.id}/advance", data={"to": "voting"}, follow_redirects=True
    )
    assert b"no proposal has been approved for the ballot yet" in response.data
    cycle = _reload(db, cycle)
    assert cycle.phase == "review"
    assert cycle.rules_frozen_at is None


def test_voting_needs_valid_rules(admin_client, db, make_cycle, make_proposal):
    # Stored by some other path: equal shares while meeting totals still count.
    cycle = make_cycle("review", count_rule="equalshares")
    make_proposal(cycle, status="approved")
    response = admin_client.post(
        f"/admin/cycles/{cycle.id}/advance", data={"to": "voting"}, follow_redirects=True
    )
    assert b"needs every voter" in response.data
    assert _reload(db, cycle).phase == "review"


def test_opening_voting_freezes_the_rules(admin_client, db, make_cycle, make_proposal):
    cycle = make_cycle("review")
    make_proposal(cycle, status="approved")
    assert cycle.rules_frozen_at is None
    admin_client.post(f"/admin/cycles/{cycle.id}/advance", data={"to": "voting"})
    cycle = _reload(db, cycle)
    assert cycle.phase == "voting"
    assert cycle.rules_frozen_at is not None
    assert utcnow() - cycle.rules_frozen_at < timedelta(minutes=1)


def _dated_cycle(make_cycle, phase, **days):
    """A cycle whose phases start `days` from now (negative: in the past)."""
    cycle = make_cycle(phase)
    cycle.phase_dates.clear()
    db.session.flush()
    now = utcnow()
    cycle.phase_dates = [
        CyclePhase(phase=p, starts_at=now + timedelta(days=d)) for p, d in days.items()
    ]
    db.session.flush()
    return cycle


def test_cli_advances_due_phases_one_step_each(runner, db, make_cycle, make_proposal):
    behind = _dated_cycle(make_cycle, "draft", proposals=-9, review=-5, voting=-1, counting=3)
    make_proposal(behind, status="approved")
    # Nothing approved: voting cannot open, so it waits in review.
    blocked = _dated_cycle(make_cycle, "draft", proposals=-9, review=-5, voting=-1)
    waiting = _dated_cycle(make_cycle, "proposals", review=2)
    undated = _dated_cycle(make_cycle, "review", counting=-1)  # voting has no date: no skipping
    db.session.flush()
    result = runner.invoke(args=["pb", "advance-phases"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert f"{behind.slug}: voting" in result.output
    assert _reload(db, behind).phase == "voting"
    assert _reload(db, behind).rules_frozen_at is not None
    assert _reload(db, blocked).phase == "review"
    assert _reload(db, waiting).phase == "proposals"
    assert _reload(db, undated).phase == "review"
    entries = _phase_entries(db, behind)
    assert [e.after["phase"] for e in entries] == ["proposals", "review", "voting"]
    assert all(e.actor_label == "system" and e.actor_id is None for e in entries)
    again = runner.invoke(args=["pb", "advance-phases"])
    assert again.exit_code == 0
    assert "no phase due" in again.output


def test_advance_due_phases_service(db, make_cycle):
    cycle = _dated_cycle(make_cycle, "voting", counting=-1, results=1)
    moved = services.advance_due_phases()
    assert [(c.id, p) for c, p in moved] == [(cycle.id, "counting")]
    later = services.advance_due_phases(utcnow() + timedelta(days=2))
    assert [(c.id, p) for c, p in later] == [(cycle.id, "results")]


def test_public_page_shows_due_phase_without_storing_it(client, db, make_cycle):
    cycle = _dated_cycle(make_cycle, "proposals", review=-1)
    db.session.commit()
    page = client.get(f"/cycles/{cycle.slug}")
    assert page.status_code == 200
    assert re.search(r'aria-current="step">\s*<strong>Review</strong>', page.get_data(as_text=True))
    assert _reload(db, cycle).phase == "proposals"  # stored by `flask pb advance-phases` only
    assert _phase_entries(db, cycle) == []


def test_current_phase_follows_the_clock_but_never_opens_voting(db, make_cycle):
    cycle = _dated_cycle(make_cycle, "draft", proposals=-3, review=-2, voting=-1, counting=1)
    assert cycle.current_phase == "review"  # opening voting freezes the rules: the timer's job
    assert cycle.phase_at(utcnow() + timedelta(days=2)) == "review"
    voting = _dated_cycle(make_cycle, "voting", counting=-1, results=1)
    assert voting.current_phase == "counting"
    assert voting.phase_at(utcnow() + timedelta(days=2)) == "results"
    assert voting.phase_at(utcnow() - timedelta(days=2)) == "voting"
    assert voting.phase == "voting"


def test_opening_a_phase_asks_for_confirmation_first(admin_client, db, make_cycle):
    """The cycle list links to a page that says what will happen; only its button acts."""
    cycle = make_cycle("voting")
    listing = admin_client.get("/admin/cycles").get_data(as_text=True)
    confirm_url = f"/admin/cycles/{cycle.id}/advance?to=counting"
    assert f'href="{confirm_url}"' in listing
    assert f'action="/admin/cycles/{cycle.id}/advance"' not in listing  # no one-click button
    page = admin_client.get(confirm_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The cycle moves from phase Voting to phase Counting." in text
    assert "Voting closes in every channel" in text
    assert "This cannot be undone." in text
    assert f'action="/admin/cycles/{cycle.id}/advance"' in text
    assert 'name="to" value="counting"' in text
    assert _reload(db, cycle).phase == "voting"  # the GET changed nothing
    assert admin_client.get(f"/admin/cycles/{cycle.id}/advance?to=results").status_code == 404
