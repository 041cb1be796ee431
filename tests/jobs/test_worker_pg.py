"""A real worker (`flask pb worker --burst`, RQ on Redis DB 11) against PostgreSQL, killed with
SIGKILL in the middle of a count: nothing of the count is committed, the progress written
meanwhile was visible, RQ's clean-up of abandoned jobs retries it (runner.on_failure records
that), and the second worker finishes it with exactly one result version; with no retries
left the job is marked failed with the reason.

Real commits (no `db` fixture); everything is removed afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import StartedJobRegistry

from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.jobs.services import start_job
from pbplatform.results.models import ResultVersion
from tests.concurrency import purge_cycle
from tests.conftest import pg_role_url
from tests.results.conftest import build_counted

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/11"
ROOT = Path(__file__).resolve().parents[2]


def _redis() -> Redis:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as exc:
        pytest.skip(f"needs Redis on 127.0.0.1:6379 ({exc.__class__.__name__})")
    return connection


def _worker(sleep: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "PBP_ENV": "testing",
        "PBP_TEST_DATABASE_URL": pg_role_url("app"),
        "JOBS_REDIS_URL": REDIS_URL,
        "JOBS_TEST_SLEEP": str(sleep),
    }
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen(
        [flask, "--app", "wsgi", "pb", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _versions(app, cycle_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ResultVersion)
            .where(ResultVersion.cycle_id == cycle_id)
        )


@pytest.fixture
def queued_count(app, monkeypatch, request):
    redis = _redis()
    redis.flushdb()  # DB 11 is this test's own
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_RETRIES", getattr(request, "param", 2))
    with app.app_context():
        s = build_counted(db)
        job = start_job(JobKind.COUNT, s.counter, {"cycle_id": s.cycle.id})
        assert job.status == JobStatus.QUEUED
        db.session.commit()  # hands the job to RQ
        ids = {"job": job.id, "cycle": s.cycle.id}
        users = [s.counter.id, s.checker.id, s.resident.id]
        areas = [s.home.id, s.other.id]
    try:
        yield ids
    finally:
        from pbplatform.accounts.models import User
        from pbplatform.cycles.models import Area

        purge_cycle(
            app,
            ids["cycle"],
            owned=(
                sa.delete(Job).where(Job.id == ids["job"]),
                sa.delete(ResultVersion).where(ResultVersion.cycle_id == ids["cycle"]),
            ),
            then=(
                # Named in the audit log: kept, inactive, without the areas that go.
                sa.update(User)
                .where(User.id.in_(users))
                .values(is_active_account=False, home_area_id=None),
                sa.delete(Area).where(Area.id.in_(areas)),
            ),
        )
        redis.flushdb()


def _kill_mid_count(app, ids) -> None:
    """Start a worker, wait until the count runs (its progress committed apart), kill it."""
    assert Queue("pbplatform", connection=Redis.from_url(REDIS_URL)).count == 1
    worker = _worker(sleep=60)
    try:
        deadline = time.monotonic() + 60
        while _job(app, ids["job"]).progress < 10:  # committed apart, while the count runs
            assert worker.poll() is None, "the worker stopped early"
            assert time.monotonic() < deadline, "the worker never reported progress"
            time.sleep(0.2)
        time.sleep(1)  # inside the count's transaction now (it sleeps before committing)
        assert _job(app, ids["job"]).status == JobStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert _versions(app, ids["cycle"]) == 0  # the count was flushed, never committed
    # RQ's clean-up (which a live worker runs periodically) finds the abandoned job once its
    # heartbeat has expired; "later" stands in for waiting that long.
    with app.app_context():
        registry = StartedJobRegistry("pbplatform", connection=Redis.from_url(REDIS_URL))
        registry.cleanup(timestamp=time.time() + 3600)


def test_a_killed_worker_leaves_nothing_half_applied_and_the_job_is_retried(app, queued_count):
    ids = queued_count
    _kill_mid_count(app, ids)
    job = _job(app, ids["job"])
    assert job.status == JobStatus.QUEUED
    assert job.message == "retrying"
    assert "AbandonedJobError" in job.error

    again = _worker(sleep=0)
    assert again.wait(120) == 0
    job = _job(app, ids["job"])
    assert (job.status, job.progress, job.attempts) == (JobStatus.DONE, 100, 2)
    assert _versions(app, ids["cycle"]) == 1


@pytest.mark.parametrize("queued_count", [0], indirect=True)
def test_without_retries_left_a_killed_job_is_marked_failed_with_the_reason(app, queued_count):
    ids = queued_count
    _kill_mid_count(app, ids)
    job = _job(app, ids["job"])
    assert job.status == JobStatus.FAILED
    assert "AbandonedJobError" in job.error
    assert Queue("pbplatform", connection=Redis.from_url(REDIS_URL)).count == 0
    assert _versions(app, ids["cycle"]) == 0
