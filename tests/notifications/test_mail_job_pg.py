"""The notification e-mail job under real workers (`flask pb worker --burst`, RQ) against
PostgreSQL: a worker killed in the middle of the job leaves nothing mailed and nothing claimed,
the retried job mails each notification once; two jobs worked at once by two workers mail
each notification once between them (the claim waits for the other's commit).

Real commits (no `db` fixture); everything is removed afterwards. Redis: the database
`PBP_TEST_JOBS_REDIS_URL` names (default 14), emptied before and after.
"""

from __future__ import annotations

import signal
import time

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Area
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.mail.models import OutboxMessage
from pbplatform.notifications.models import Follow, Notification, NotificationSetting
from tests.concurrency import purge_cycle
from tests.factories import create_cycle, create_user
from tests.jobs import test_worker_pg as worker_test
from tests.notifications.test_mail_job import REDIS_URL

pytestmark = pytest.mark.postgres

FOLLOWERS = 9  # every third wants each notification at once


@pytest.fixture
def scene(app, monkeypatch):
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"needs Redis at {REDIS_URL} ({exc.__class__.__name__})")
    redis.flushdb()
    monkeypatch.setattr(worker_test, "REDIS_URL", REDIS_URL)  # its worker helper reads this
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", REDIS_URL)
    with app.app_context():
        cycle = create_cycle("review")
        people = [create_user() for _n in range(FOLLOWERS)]
        for i, user in enumerate(people):
            db.session.add(Follow(user_id=user.id, cycle_id=cycle.id))
            if i % 3 == 0:
                db.session.add(NotificationSetting(user_id=user.id, email="immediate"))
        db.session.commit()
        ids = {
            "cycle": cycle.id,
            "users": [u.id for u in people],
            "emails": [u.email for u in people],
            "areas": [ca.area_id for ca in cycle.areas],
        }
    try:
        yield ids
    finally:
        users = ids["users"]
        purge_cycle(
            app,
            ids["cycle"],
            owned=(
                sa.delete(Notification).where(Notification.cycle_id == ids["cycle"]),
                sa.delete(Job).where(Job.kind == JobKind.NOTIFICATION_MAIL),
                sa.delete(OutboxMessage).where(OutboxMessage.recipient.in_(ids["emails"])),
            ),
            then=(
                sa.delete(User).where(User.id.in_(users)),
                sa.delete(Area).where(Area.id.in_(ids["areas"])),
            ),
        )
        redis.flushdb()


def _announce(app, cycle_id: int) -> int:
    """Voting opens: the cycle's followers are told; the e-mail job goes to RQ at commit."""
    from pbplatform.cycles.models import Cycle
    from pbplatform.notifications.services import announce_phase

    with app.app_context():
        assert announce_phase(db.session.get_one(Cycle, cycle_id), "voting") == FOLLOWERS
        db.session.commit()
        return db.session.scalars(
            sa.select(Job.id).where(Job.kind == JobKind.NOTIFICATION_MAIL).order_by(Job.id.desc())
        ).first()


def _state(app, ids) -> tuple[int, int]:
    with app.app_context():
        mails = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient.in_(ids["emails"]))
        )
        claimed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .join(NotificationSetting, NotificationSetting.user_id == Notification.user_id)
            .where(Notification.cycle_id == ids["cycle"], Notification.mailed_at.is_not(None))
        )
        return mails, claimed


def _job(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_a_killed_worker_mails_nothing_and_the_retry_mails_each_once(app, scene):
    job_id = _announce(app, scene["cycle"])
    assert _state(app, scene) == (0, 0)  # nothing mailed in the request
    worker = worker_test._worker(sleep=60)
    try:
        deadline = time.monotonic() + 60
        while _job(app, job_id).progress < 10:  # committed apart, while the job runs
            assert worker.poll() is None, "the worker stopped early"
            assert time.monotonic() < deadline, "the worker never reported progress"
            time.sleep(0.2)
        time.sleep(1)  # inside the job's transaction now (it sleeps before committing)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert _state(app, scene) == (0, 0)  # claimed and written, never committed
    with app.app_context():
        registry = StartedJobRegistry("pbplatform", connection=Redis.from_url(REDIS_URL))
        registry.cleanup(timestamp=time.time() + 3600)
    assert _job(app, job_id).status == JobStatus.QUEUED  # retrying
    again = worker_test._worker(sleep=0)
    assert again.wait(120) == 0
    job = _job(app, job_id)
    assert (job.status, job.result, job.attempts) == (JobStatus.DONE, {"sent": 3}, 2)
    assert _state(app, scene) == (3, 3)


def test_two_jobs_worked_at_once_mail_each_notification_once(app, scene):
    first = _announce(app, scene["cycle"])
    second = _announce(app, scene["cycle"])  # a second event: 6 to mail in all
    assert Queue("pbplatform", connection=Redis.from_url(REDIS_URL)).count == 2
    # Two workers at once: each takes one job, claims, then sleeps before committing.
    workers = [worker_test._worker(sleep=2), worker_test._worker(sleep=2)]
    for worker in workers:
        assert worker.wait(120) == 0
    sent = [_job(app, job_id).result["sent"] for job_id in (first, second)]
    assert sorted(sent) == [0, 6]  # the second claim waited for the first, then found none
    assert _state(app, scene) == (6, 6)
