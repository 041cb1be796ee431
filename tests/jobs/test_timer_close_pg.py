"""`flask pb advance-phases` on PostgreSQL with Redis (issue 17 item 2): the command closes
nothing itself; it queues the close-voting job once (a second run queues none), and a real
worker (`flask pb worker --burst`) closes voting with it, every ballot unsealed once.

Real commits (no `db` fixture); everything is removed afterwards. The Redis database is
PBP_TEST_JOBS_REDIS_URL (default DB 14), emptied before and after.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue

from pbplatform.accounts.models import User
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles.models import Area, Cycle, CyclePhase
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.voting.models import Ballot
from pbplatform.voting.services import cast_ballot
from tests.concurrency import purge_cycle
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.jobs import test_worker_pg as worker_test

pytestmark = pytest.mark.postgres

REDIS_URL = os.environ.get("PBP_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/14")
VOTERS = 12


def _state(app, cycle_id: int) -> tuple[str, int, int, list[tuple[str, int | None]]]:
    """(phase, sealed, unsealed ballots, the cycle's close jobs as (status, owner)), committed."""
    with app.app_context():
        jobs = [
            (j.status, j.created_by_id)
            for j in db.session.scalars(sa.select(Job).where(Job.kind == JobKind.CLOSE_VOTING))
            if j.params.get("cycle_id") == cycle_id
        ]
        return (
            db.session.get(Cycle, cycle_id).phase,
            db.session.scalar(sa.select(sa.func.count()).where(SealedBallot.cycle_id == cycle_id)),
            db.session.scalar(sa.select(sa.func.count()).where(Ballot.cycle_id == cycle_id)),
            jobs,
        )


@pytest.fixture
def voting_ended(app, monkeypatch):
    worker_test._redis()  # skips without Redis
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    monkeypatch.setattr(worker_test, "REDIS_URL", REDIS_URL)  # its worker helper reads this
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", REDIS_URL)
    with app.app_context():
        area = create_area()
        cycle = create_cycle("voting", areas=[area], area_budget=100_00)
        proposal = create_proposal(cycle, area=area, cost=10_00)
        voters = [create_user("resident", area=area) for _ in range(VOTERS)]
        db.session.flush()
        for voter in voters:
            cast_ballot(
                cycle, f"user:{voter.id}", [(proposal.id, 1)], area_id=area.id, user_id=voter.id
            )
        cycle.phase_dates.clear()
        db.session.flush()
        cycle.phase_dates = [
            CyclePhase(phase="counting", starts_at=utcnow() - timedelta(minutes=1))
        ]
        db.session.commit()
        cycle_id, area_id, users = cycle.id, area.id, [v.id for v in voters]
    try:
        yield cycle_id
    finally:
        purge_cycle(
            app,
            cycle_id,
            owned=(
                sa.delete(SealedBallot).where(SealedBallot.cycle_id == cycle_id),
                sa.delete(Job).where(
                    Job.kind == JobKind.CLOSE_VOTING,
                    Job.params["cycle_id"].as_integer() == cycle_id,
                ),
            ),
            then=(
                sa.update(User)
                .where(User.id.in_(users))
                .values(is_active_account=False, home_area_id=None),
                sa.delete(Area).where(Area.id == area_id),
            ),
        )
        redis.flushdb()


def _advance(app) -> str:
    result = app.test_cli_runner().invoke(args=["pb", "advance-phases"])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_the_timer_queues_one_close_job_and_a_worker_closes(app, voting_ended):
    cycle_id = voting_ended
    queue = Queue("pbplatform", connection=Redis.from_url(REDIS_URL))
    assert "closing voting: a job" in _advance(app)
    # Nothing closed inside the command: the box is still sealed, the job waits in the queue.
    assert _state(app, cycle_id) == ("voting", VOTERS, 0, [(JobStatus.QUEUED, None)])
    assert queue.count == 1
    assert "no phase due" in _advance(app)  # the next minute's run: the job is still queued
    assert _state(app, cycle_id) == ("voting", VOTERS, 0, [(JobStatus.QUEUED, None)])
    assert queue.count == 1

    worker = worker_test._worker(sleep=0)
    assert worker.wait(120) == 0
    assert _state(app, cycle_id) == ("counting", 0, VOTERS, [(JobStatus.DONE, None)])
    assert "no phase due" in _advance(app)
    assert len(_state(app, cycle_id)[3]) == 1
    assert queue.count == 0
