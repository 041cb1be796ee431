"""Starting jobs. Flushes, never commits: with Redis the job is handed to RQ only after the
caller's transaction has committed (a worker must find the row); without Redis it runs now."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from rq import Callback, Retry

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind
from pbplatform.jobs.queue import get_queue
from pbplatform.jobs.runner import on_failure, perform, run_inline


def start_job(kind: JobKind, user: User, params: dict[str, Any] | None = None) -> Job:
    job = Job(kind=kind, created_by_id=user.id, params=params or {})
    db.session.add(job)
    db.session.flush()
    queue = get_queue()
    if queue is None:
        run_inline(job)
        return job
    job_id = job.id
    session = db.session()

    def hand_over(_session: Any) -> None:
        queue.enqueue(
            perform,
            job_id,
            job_id=f"pbp-job-{job_id}",
            job_timeout=current_app.config["JOBS_TIMEOUT_SECONDS"],
            retry=Retry(max=current_app.config["JOBS_RETRIES"]),
            on_failure=Callback(on_failure),
        )

    sa.event.listen(session, "after_commit", hand_over, once=True)
    return job
