"""A job's page and its status as JSON (for static/job-progress.js). Only the person who
started a job, or an administrator, sees it; anyone else gets 404."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from pbplatform.jobs import queries
from pbplatform.jobs.kinds import result_url
from pbplatform.jobs.models import Job
from pbplatform.jobs.progress import message_label
from pbplatform.security.access import login_required

bp = Blueprint("jobs", __name__)
REFRESH_SECONDS = 2


def _job(job_id: int) -> Job:
    job = queries.visible_job(current_user, job_id)
    if job is None:
        abort(404)
    return job


def _message(job: Job) -> str:
    # What a running job is doing; once it has finished the status says it all.
    return "" if job.state.finished else message_label(job.message)


@bp.get("/jobs/<int:job_id>")
@login_required
def show(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    response = render_template(
        "jobs/show.html",
        job=job,
        message=_message(job),
        result_url=result_url(job),
        refresh_seconds=REFRESH_SECONDS,
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/jobs/<int:job_id>/status")
@login_required
def status(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    body = jsonify(
        id=job.id,
        kind=job.kind,
        status=job.status,
        status_label=job.state.label,
        progress=job.progress,
        message=_message(job),
        finished=job.state.finished,
        result_url=result_url(job),
    )
    body.headers["Cache-Control"] = "no-store"
    return body
