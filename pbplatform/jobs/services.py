"""Starting jobs. Flushes, never commits: with Redis the job is handed to RQ only after the
caller's transaction has committed (a worker must find the row); without Redis it runs now."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from rq import Callback, Retry

from pbplatform.accounts.models import User
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.jobs.queue import get_queue
from pbplatform.jobs.runner import on_failure, perform, run_inline, write_status

log = logging.getLogger(__name__)
# Stored as the job's error (English: the worker side has no locale either).
QUEUE_DOWN = "The job queue (Redis) was unavailable; please try again."


# A queued job's file (its RQ arguments) stays in Redis this long after the job ended.
UPLOAD_TTL_SECONDS = 3600


def start_job(
    kind: JobKind,
    user: User | None,
    params: dict[str, Any] | None = None,
    upload: bytes | None = None,
    *,
    refuse_inline: bool = False,
) -> Job:
    """`upload`: a file the job works on (runner.upload()); it travels with the queued job in
    Redis, never into the database, and is dropped an hour after the job ends.
    `refuse_inline`: without Redis, a refusal raises its DomainError here (runner.run_inline).
    `user` None: the platform's own job (notification e-mail), seen by administrators only."""
    job = Job(kind=kind, created_by_id=user.id if user is not None else None, params=params or {})
    db.session.add(job)
    db.session.flush()
    queue = get_queue()
    if queue is None:
        run_inline(job, upload, reraise=refuse_inline)
        return job
    job_id = job.id
    retries = current_app.config["JOBS_RETRIES"]
    session = db.session()

    def hand_over(_session: Any) -> None:
        try:
            extra: dict[str, Any] = {}
            if upload is not None:
                extra = {"result_ttl": UPLOAD_TTL_SECONDS, "failure_ttl": UPLOAD_TTL_SECONDS}
            queue.enqueue(
                perform,
                *((job_id,) if upload is None else (job_id, upload)),
                **extra,
                job_id=f"pbp-job-{job_id}",
                job_timeout=current_app.config["JOBS_TIMEOUT_SECONDS"],
                retry=Retry(max=retries) if retries > 0 else None,
                on_failure=Callback(on_failure),
            )
        except RedisError as exc:
            # The request has committed; its job page must say the job never started.
            log.error("job %s not queued: %s", job_id, exc.__class__.__name__)
            write_status(job_id, status=JobStatus.FAILED, error=QUEUE_DOWN, finished_at=utcnow())

    sa.event.listen(session, "after_commit", hand_over, once=True)
    return job


def pending_job(kind: JobKind, cycle_id: int) -> Job | None:
    """A job of `kind` for cycle `cycle_id` that is queued or running (not yet done or failed)."""
    return db.session.scalar(
        sa.select(Job)
        .where(
            Job.kind == kind,
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
            Job.params["cycle_id"].as_integer() == cycle_id,
        )
        .order_by(Job.id)
        .limit(1)
    )
