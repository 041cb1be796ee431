"""Telling followers at scale (issue: fan-out and e-mail inside the request): the notifications
of one event are written in a fixed number of statements whatever the number of followers, and
the e-mails of those who want each at once are written by a job (`notification_mail`): in
development and tests in-process, in production by a worker after the request's commit. A
notification is claimed (`mailed_at`) in the transaction that writes its e-mail, so a job run
again, a second job or the daily digest never mails it twice."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError

from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.mail.models import OutboxMessage
from pbplatform.notifications.models import Notification, NotificationSetting
from tests.factories import login_as
from tests.statements import statements

# A Redis database of this test's own (it is emptied): set it where several suites share Redis.
REDIS_URL = os.environ.get("PBP_TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/14")


def _followers(db, proposal, make_user, n, immediate_every=3):
    """n followers of the proposal; every third wants each notification by e-mail at once."""
    from pbplatform.notifications.services import follow

    people = [make_user() for _n in range(n)]
    for i, user in enumerate(people):
        follow(user, proposal=proposal)
        if i % immediate_every == 0:
            db.session.add(NotificationSetting(user_id=user.id, email="immediate"))
    db.session.flush()
    return people


def _approve(client, officer, proposal):
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/approve",
        data={"officer_cost": "1500.00", "feasibility": "Parks office can plant."},
    )
    assert response.status_code == 303


def _count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _scene(make_cycle, make_user, make_proposal):
    cycle = make_cycle("review")
    area = cycle.areas[0].area
    officer = make_user("officer", officer_areas=(area,))
    return area, officer, [make_proposal(cycle, area=area, status="pending") for _n in "ab"]


def test_the_request_runs_as_many_statements_for_3_followers_as_for_30(
    app, db, make_cycle, make_user, make_proposal
):
    _area, officer, (few, many) = _scene(make_cycle, make_user, make_proposal)
    _followers(db, few, make_user, 3)
    _followers(db, many, make_user, 30)
    counts = []
    for proposal in (few, many):
        client = app.test_client()
        login_as(client, officer)
        with statements() as seen:
            _approve(client, officer, proposal)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    assert _count(db, Notification, Notification.proposal_id == many.id) == 30
    assert _count(db, OutboxMessage) == 1 + 10  # every third of 3, and of 30


def test_immediate_mail_is_a_job_and_nothing_is_mailed_twice(
    app, client, db, make_cycle, make_user, make_proposal
):
    from pbplatform.notifications.services import send_digests, send_immediate

    _area, officer, (proposal, _other) = _scene(make_cycle, make_user, make_proposal)
    people = _followers(db, proposal, make_user, 6)
    _approve(client, officer, proposal)
    [job] = db.session.scalars(sa.select(Job).where(Job.kind == JobKind.NOTIFICATION_MAIL)).all()
    assert (job.status, job.result, job.created_by_id) == (JobStatus.DONE, {"sent": 2}, None)
    mailed = {m.recipient for m in db.session.scalars(sa.select(OutboxMessage))}
    assert mailed == {people[0].email, people[3].email}
    # Run again (a retried job, a second job): everything is claimed already.
    assert send_immediate() == 0
    # The daily digest takes the others' notifications, never an immediate one.
    assert send_digests() == 4
    assert _count(db, OutboxMessage) == 2 + 4
    assert _count(db, Notification, Notification.mailed_at.is_(None)) == 0


@pytest.fixture
def queue(app, monkeypatch):
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as exc:
        pytest.skip(f"needs Redis at {REDIS_URL} ({exc.__class__.__name__})")
    connection.flushdb()
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", REDIS_URL)
    yield connection
    connection.flushdb()


def test_with_a_queue_the_request_writes_no_mail_and_the_worker_does(
    app, client, db, queue, make_cycle, make_user, make_proposal
):
    from pbplatform.jobs.runner import perform

    _area, officer, (proposal, _other) = _scene(make_cycle, make_user, make_proposal)
    _followers(db, proposal, make_user, 6)
    _approve(client, officer, proposal)
    assert _count(db, Notification, Notification.proposal_id == proposal.id) == 6
    assert _count(db, OutboxMessage) == 0  # not in the request
    [job] = db.session.scalars(sa.select(Job).where(Job.kind == JobKind.NOTIFICATION_MAIL)).all()
    assert job.status == JobStatus.QUEUED
    assert queue.llen("rq:queue:pbplatform") == 1  # handed to RQ after the commit
    job_id = job.id
    db.session.commit()  # the test's own savepoint: the worker's session must not undo it
    perform(job_id)  # what the worker runs
    assert _count(db, OutboxMessage) == 2
    perform(job_id)  # RQ runs it again (a retry after a lost acknowledgement): nothing new
    assert _count(db, OutboxMessage) == 2
