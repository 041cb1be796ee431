"""Closing voting as a job (issue 17 items 2 and 5), with a real worker on PostgreSQL killed
in the middle of the close: the cycle is still in voting with its box sealed, RQ retries the
job and the second worker closes it, unsealing every ballot exactly once.

Real commits (no `db` fixture); everything is removed afterwards. Redis DB 12 is this test's.
"""

from __future__ import annotations

import signal
import time

import pytest
import sqlalchemy as sa
from redis import Redis
from rq.registry import StartedJobRegistry

from pbplatform.accounts.models import User
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.jobs.services import start_job
from pbplatform.voting.models import Ballot
from pbplatform.voting.services import cast_ballot
from tests.concurrency import purge_cycle
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.jobs import test_worker_pg as worker_test

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/12"
VOTERS = 30


def _counts(app, cycle_id: int) -> tuple[str, int, int]:
    """(phase, sealed ballots, unsealed ballots) as committed."""
    with app.app_context():
        return (
            db.session.get(Cycle, cycle_id).phase,
            db.session.scalar(sa.select(sa.func.count()).where(SealedBallot.cycle_id == cycle_id)),
            db.session.scalar(sa.select(sa.func.count()).where(Ballot.cycle_id == cycle_id)),
        )


@pytest.fixture
def queued_close(app, monkeypatch):
    worker_test._redis()  # skips without Redis
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    monkeypatch.setattr(worker_test, "REDIS_URL", REDIS_URL)  # its worker helper reads this
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_RETRIES", 2)
    with app.app_context():
        area = create_area()
        cycle = create_cycle("voting", areas=[area], area_budget=100_00)
        proposal = create_proposal(cycle, area=area, cost=10_00)
        admin = create_user("admin")
        voters = [create_user("resident", area=area) for _ in range(VOTERS)]
        db.session.flush()
        for voter in voters:
            cast_ballot(
                cycle, f"user:{voter.id}", [(proposal.id, 1)], area_id=area.id, user_id=voter.id
            )
        job = start_job(JobKind.CLOSE_VOTING, admin, {"cycle_id": cycle.id})
        assert job.status == JobStatus.QUEUED
        db.session.commit()  # hands the job to RQ
        ids = {"job": job.id, "cycle": cycle.id}
        users = [admin.id, *(v.id for v in voters)]
        area_id = area.id
    try:
        yield ids
    finally:
        purge_cycle(
            app,
            ids["cycle"],
            owned=(sa.delete(Job).where(Job.id == ids["job"]),),
            then=(
                sa.update(User)
                .where(User.id.in_(users))
                .values(is_active_account=False, home_area_id=None),
                sa.delete(Area).where(Area.id == area_id),
            ),
        )
        redis.flushdb()


def test_a_close_killed_mid_way_changes_nothing_and_the_retry_closes(app, queued_close):
    ids = queued_close
    assert _counts(app, ids["cycle"]) == ("voting", VOTERS, 0)
    worker = worker_test._worker(sleep=60)
    try:
        deadline = time.monotonic() + 60
        while worker_test._job(app, ids["job"]).progress < 70:  # unsealed, about to commit
            assert worker.poll() is None, "the worker stopped early"
            assert time.monotonic() < deadline, "the worker never reported progress"
            time.sleep(0.2)
        time.sleep(1)
        assert worker_test._job(app, ids["job"]).status == JobStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert _counts(app, ids["cycle"]) == ("voting", VOTERS, 0)  # nothing half-applied
    with app.app_context():
        registry = StartedJobRegistry("pbplatform", connection=Redis.from_url(REDIS_URL))
        registry.cleanup(timestamp=time.time() + 3600)
    assert worker_test._job(app, ids["job"]).status == JobStatus.QUEUED

    again = worker_test._worker(sleep=0)
    assert again.wait(120) == 0
    job = worker_test._job(app, ids["job"])
    assert (job.status, job.progress, job.attempts) == (JobStatus.DONE, 100, 2)
    assert job.result == {"slug": job.result["slug"], "closed": True}
    assert _counts(app, ids["cycle"]) == ("counting", 0, VOTERS)
