"""Reading jobs: one for its page, scoped to who may see it."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind


def visible_job(user: User, job_id: int) -> Job | None:
    """The job if `user` started it or is an administrator; None otherwise (a 404: another
    person's job is not even confirmed to exist)."""
    job = db.session.get(Job, job_id)
    if job is None or not (job.created_by_id == user.id or user.is_admin):
        return None
    return job


def latest_job(user: User, kind: JobKind) -> Job | None:
    """The person's newest job of a kind, for pages that link to its progress."""
    return db.session.scalar(
        sa.select(Job)
        .where(Job.created_by_id == user.id, Job.kind == kind)
        .order_by(Job.id.desc())
        .limit(1)
    )
