"""`flask pb advance-phases` closes voting through the close-voting job, the one an officer's
close starts (issue 17 item 2): one job, never two, and the same close. Runs on SQLite and, with
PBP_TEST_DATABASE_URL, on PostgreSQL; jobs run in-process here (no Redis), as in development.
With Redis and a real worker: tests/jobs/test_timer_close_pg.py."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles import services
from pbplatform.cycles.models import Cycle, CyclePhase
from pbplatform.db import utcnow
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot, BallotChoice
from pbplatform.voting.services import cast_ballot

CHOICES = (("Playground",), ("Playground", "Benches"), ("Benches",), ("Playground",))


def _voting_cycle(db, make_cycle, make_user, make_proposal):
    """A cycle in voting whose voting ended yesterday, with four ballots cast."""
    cycle = make_cycle("voting", areas=1, area_budget=100_00)
    area = cycle.areas[0].area
    proposals = {t: make_proposal(cycle, area=area, cost=10_00, title=t) for t in CHOICES[1]}
    for titles in CHOICES:
        user = make_user(area=area)
        cast_ballot(
            cycle, f"user:{user.id}", [(proposals[t].id, 1) for t in titles], area_id=area.id
        )
    cycle.phase_dates.clear()
    db.session.flush()
    now = utcnow()
    cycle.phase_dates = [
        CyclePhase(phase="voting", starts_at=now - timedelta(days=5)),
        CyclePhase(phase="counting", starts_at=now - timedelta(days=1)),
    ]
    db.session.flush()
    return cycle


def _jobs(db, cycle) -> list[Job]:
    return [
        j
        for j in db.session.scalars(sa.select(Job).where(Job.kind == JobKind.CLOSE_VOTING))
        if j.params.get("cycle_id") == cycle.id
    ]


def _closes(db, cycle) -> list[AuditEntry]:
    return [
        e
        for e in db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "cycle.phase", AuditEntry.object_id == str(cycle.id)
            )
        )
        if e.after == {"phase": "counting"}
    ]


def _state(db, cycle) -> tuple:
    """What a close leaves: the phase, the sealed and unsealed ballots, each ballot's channel,
    validity and choices (by title: the two cycles' proposals have their own ids)."""
    db.session.expire_all()
    phase = db.session.get(Cycle, cycle.id).phase
    sealed = db.session.scalar(sa.select(sa.func.count()).where(SealedBallot.cycle_id == cycle.id))
    rows = db.session.execute(
        sa.select(Ballot.id, Ballot.channel, Ballot.is_valid, Proposal.title, BallotChoice.points)
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .join(Proposal, Proposal.id == BallotChoice.proposal_id)
        .where(Ballot.cycle_id == cycle.id)
    ).all()
    ballots: dict[str, list] = {}
    for ballot_id, channel, valid, title, points in rows:
        ballots.setdefault(ballot_id, [channel, valid]).append((title, points))
    shapes = Counter(
        (channel, valid, tuple(sorted(choices))) for channel, valid, *choices in ballots.values()
    )
    return phase, sealed, shapes


def test_the_timer_starts_the_close_job_once(runner, db, make_cycle, make_user, make_proposal):
    cycle = _voting_cycle(db, make_cycle, make_user, make_proposal)
    first = runner.invoke(args=["pb", "advance-phases"])
    assert first.exit_code == 0, (first.output, first.exception)
    assert f"{cycle.slug}: counting" in first.output
    jobs = _jobs(db, cycle)
    assert len(jobs) == 1
    job = jobs[0]
    assert (job.status, job.created_by_id, job.result) == (
        JobStatus.DONE,
        None,  # the system's: administrators see it on its job page
        {"slug": cycle.slug, "closed": True},
    )
    assert _state(db, cycle)[:2] == ("counting", 0)
    again = runner.invoke(args=["pb", "advance-phases"])
    assert again.exit_code == 0
    assert "no phase due" in again.output
    assert len(_jobs(db, cycle)) == 1
    closes = _closes(db, cycle)
    assert len(closes) == 1
    assert closes[0].actor_id is None


def test_a_queued_close_is_not_started_twice(db, make_cycle, make_user, make_proposal):
    """While the first close job waits for a worker, the next timer run starts none."""
    cycle = _voting_cycle(db, make_cycle, make_user, make_proposal)
    waiting = Job(kind=JobKind.CLOSE_VOTING, params={"cycle_id": cycle.id})
    db.session.add(waiting)
    db.session.flush()
    assert services.advance_due_phases() == []
    assert [j.id for j in _jobs(db, cycle)] == [waiting.id]
    assert _state(db, cycle)[0] == "voting"  # nothing closed inside the command
    waiting.status = JobStatus.FAILED  # a failed close is started again by the next run
    db.session.flush()
    assert [(c.id, p) for c, p in services.advance_due_phases()] == [(cycle.id, "counting")]
    assert len(_jobs(db, cycle)) == 2


def test_the_timers_close_is_the_officers_close(db, make_cycle, make_user, make_proposal):
    by_timer = _voting_cycle(db, make_cycle, make_user, make_proposal)
    by_officer = _voting_cycle(db, make_cycle, make_user, make_proposal)
    before = _state(db, by_officer)
    assert before[:2] == ("voting", len(CHOICES))
    admin = make_user("admin")
    officer_job = services.start_close_voting(by_officer, admin)
    moved = services.advance_due_phases()
    assert [(c.id, p) for c, p in moved] == [(by_timer.id, "counting")]
    (timer_job,) = _jobs(db, by_timer)
    assert (timer_job.kind, timer_job.status) == (officer_job.kind, officer_job.status)
    assert timer_job.result["closed"] is officer_job.result["closed"] is True
    timer_state, officer_state = _state(db, by_timer), _state(db, by_officer)
    assert timer_state == officer_state
    assert timer_state[0] == "counting"
    assert timer_state[1] == 0
    assert sum(timer_state[2].values()) == len(CHOICES)
    assert [e.actor_id for e in _closes(db, by_timer)] == [None]
    assert [e.actor_id for e in _closes(db, by_officer)] == [admin.id]
