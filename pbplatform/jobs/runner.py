"""Running a job: the worker's entry point and the in-process path.

The rules (issue 17): a job's effects and its `done` status commit in ONE transaction, so a
worker killed mid-way leaves nothing applied and the retried job redoes everything; a job that
is already done does nothing when run again. Progress is committed apart on a short session of
its own, so the job page sees it while the work's transaction is still open. The work's
transaction never touches the job row before its last progress write, so the two never wait
for each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from pbplatform.db import rows_changed, utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind, JobStatus

# A handler does the work in the current session (flush, never commit), reporting progress
# (percent, a key of progress.MESSAGES), and returns a small JSON summary of the result.
Progress = Callable[[int, str], None]
Handler = Callable[[Job, Progress], dict[str, Any]]
HANDLERS: dict[JobKind, Handler] = {}
# A file the job works on (a paper CSV): handed over with the job (RQ keeps it in Redis with
# the queued job, not in the database) and read by the handler with `upload()`.
_UPLOAD: ContextVar[bytes | None] = ContextVar("job_upload", default=None)


def upload() -> bytes:
    """The file the running job was started with (start_job(..., upload=...))."""
    data = _UPLOAD.get()
    if data is None:
        raise DomainError("job_upload_missing", "The file of this job is no longer available.")
    return data


@contextmanager
def _with_upload(data: bytes | None) -> Iterator[None]:
    token = _UPLOAD.set(data)
    try:
        yield
    finally:
        _UPLOAD.reset(token)


def failure_text(exc: DomainError) -> str:
    """What a refused job stores as its error: the reason, then one line per listed problem
    (a rejected file's rows: "row 57: ...")."""
    lines = [exc.message, *(str(e) for e in exc.extra.get("errors", []))]
    return "\n".join(lines)


def handler(kind: JobKind) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def _handlers() -> dict[JobKind, Handler]:
    from pbplatform.jobs import kinds  # noqa: F401  (registers the handlers)

    return HANDLERS


def _short_session() -> Session:
    # db.engine: the app's engine (in tests, the test's connection, joined by savepoint).
    return Session(db.engine, join_transaction_mode="create_savepoint", expire_on_commit=False)


def write_status(job_id: int, **values: Any) -> None:
    """Commit a change to the job row at once, outside the work's transaction."""
    with _short_session() as session:
        session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
        session.commit()


def _finish(job: Job, result: dict[str, Any]) -> None:
    job.status = JobStatus.DONE
    job.progress = 100
    job.result = result
    job.error = None
    job.finished_at = utcnow()


def _test_sleep() -> None:
    seconds = current_app.config.get("JOBS_TEST_SLEEP") or 0
    if seconds:
        time.sleep(seconds)


# --- in a worker ------------------------------------------------------------------------------


def perform(job_id: int, upload: bytes | None = None) -> None:
    """RQ's entry point: run one job in its own app context and transaction."""
    with _with_upload(upload):
        if has_app_context():
            _perform(job_id)
            return
        with worker_app().app_context():
            _perform(job_id)


_APP: Flask | None = None


def worker_app() -> Flask:
    global _APP
    if _APP is None:
        from pbplatform import create_app

        _APP = create_app()
    return _APP


def _perform(job_id: int) -> None:
    with _short_session() as session:
        job = session.get(Job, job_id)
        if job is None or job.state is JobStatus.DONE:
            return  # idempotent: a done job's work is committed already
        job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
        job.attempts += 1
        session.commit()
    db.session.remove()
    try:
        job = db.session.get(Job, job_id)
        assert job is not None  # its row was read and marked running just above
        result = _handlers()[job.kind_enum](job, lambda p, m: _progress(job_id, p, m))
        _test_sleep()
        if not _mark_done(job_id, result):
            db.session.rollback()  # another worker finished it meanwhile: keep theirs
            return
        db.session.commit()
    except DomainError as exc:
        # A refusal (wrong phase...) will not change on a retry: fail now, with the reason.
        db.session.rollback()
        write_status(job_id, status=JobStatus.FAILED, error=failure_text(exc), finished_at=utcnow())
    except BaseException:
        db.session.rollback()
        raise  # RQ retries or fails it; on_failure records which (below)
    finally:
        db.session.remove()


def _mark_done(job_id: int, result: dict[str, Any]) -> bool:
    """`done` in the work's own transaction, only if nobody else got there first (the same
    job run twice at once, after RQ gave up on a slow worker: on PostgreSQL the second UPDATE
    waits for the first commit, then matches no row and its work is rolled back)."""
    done = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status != JobStatus.DONE)
        .values(
            status=JobStatus.DONE, progress=100, result=result, error=None, finished_at=utcnow()
        )
        .execution_options(synchronize_session=False)
    )
    return rows_changed(done) == 1


def _progress(job_id: int, percent: int, message: str) -> None:
    write_status(job_id, progress=max(0, min(100, percent)), message=message[:300])


def on_failure(rq_job: Any, connection: Any, exc_type: Any, exc: Any, tb: Any) -> None:
    """RQ's failure callback, also for a job whose worker died (AbandonedJobError)."""
    job_id = rq_job.args[0]
    retrying = bool(rq_job.retries_left)
    reason = f"{exc_type.__name__}: {exc}" if exc_type else "worker stopped"
    ctx = None if has_app_context() else worker_app().app_context()
    if ctx is not None:
        ctx.push()
    try:
        values: dict[str, Any] = {"error": reason[:2000]}
        if retrying:
            values.update(status=JobStatus.QUEUED, progress=0, message="retrying")
        else:
            values.update(status=JobStatus.FAILED, finished_at=utcnow())
        with _short_session() as session:
            session.execute(
                sa.update(Job)
                .where(Job.id == job_id, Job.status != JobStatus.DONE)
                .values(**values)
            )
            session.commit()
    finally:
        if ctx is not None:
            ctx.pop()


# --- in-process (no Redis) --------------------------------------------------------------------


def run_inline(job: Job, upload: bytes | None = None, *, reraise: bool = False) -> None:
    """Development and tests: do the work now, inside the caller's transaction (a savepoint
    keeps a refused job's partial writes out), which commits it with the request.
    `reraise`: a refusal deletes the job and is raised again, for the caller to answer as
    it did before the work became a job."""
    job.status, job.started_at, job.attempts = JobStatus.RUNNING, utcnow(), 1
    savepoint = db.session.begin_nested()
    try:

        def progress(percent: int, message: str) -> None:
            job.progress, job.message = percent, message[:300]

        with _with_upload(upload):
            result = _handlers()[job.kind_enum](job, progress)
        savepoint.commit()
    except DomainError as exc:
        savepoint.rollback()
        if reraise:  # refused as if there were no job: nothing of it is kept
            db.session.delete(job)
            db.session.flush()
            raise
        job.status, job.error, job.finished_at = JobStatus.FAILED, failure_text(exc), utcnow()
        db.session.flush()
        return
    _finish(job, result)
    db.session.flush()
