"""Jobs in-process (no Redis, as in development and `make test`): the count and the privacy
download run as jobs, the job page refreshes itself until done, and only its starter or an
administrator sees it."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.jobs.runner import perform
from pbplatform.jobs.services import start_job
from pbplatform.results.models import ResultVersion
from pbplatform.results.services import run_count
from tests.factories import create_user, login_as
from tests.results.conftest import build_counted


def _versions(db, cycle):
    return db.session.scalars(
        sa.select(ResultVersion)
        .where(ResultVersion.cycle_id == cycle.id)
        .order_by(ResultVersion.version)
    ).all()


def test_count_as_a_job_stores_the_same_version_as_before(client, db):
    s = build_counted(db)
    login_as(client, s.counter)
    posted = client.post(f"/officer/cycles/{s.cycle.slug}/count")
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith("/jobs/")
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.status, job.progress, job.kind) == (JobStatus.DONE, 100, JobKind.COUNT)
    assert job.created_by_id == s.counter.id
    (by_job,) = _versions(db, s.cycle)
    direct = run_count(s.cycle, s.counter)  # the service, called directly as before
    assert direct.version == 2
    assert by_job.content_hash == direct.content_hash
    assert by_job.outcome == direct.outcome

    page = client.get(posted.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/officer/cycles/{s.cycle.slug}/results/1" in html  # the result is linked
    assert 'http-equiv="refresh"' not in html  # finished: no more reloading
    assert page.headers["Cache-Control"] == "no-store"


def test_a_refused_count_stores_nothing(client, db):
    s = build_counted(db)
    s.cycle.phase = "voting"
    db.session.flush()
    login_as(client, s.counter)
    refused = client.post(f"/officer/cycles/{s.cycle.slug}/count")
    assert refused.status_code == 409
    assert "Close voting before counting." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    assert _versions(db, s.cycle) == []


def test_a_running_job_page_refreshes_itself_and_has_live_updates(client, db):
    user = create_user("resident")
    job = Job(kind=JobKind.PRIVACY_EXPORT, created_by_id=user.id, status="running", progress=40)
    job.message = "collecting"
    db.session.add(job)
    db.session.flush()
    login_as(client, user)
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert "job-progress.js" in html  # a static file: the CSP forbids inline scripts
    assert 'value="40"' in html
    assert "Collecting your data" in html
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["status"] == "running"
    assert status["progress"] == 40
    assert status["finished"] is False
    assert status["result_url"] is None


def test_only_the_starter_or_an_administrator_sees_a_job(client, db, app):
    s = build_counted(db)
    login_as(client, s.counter)
    location = client.post(f"/officer/cycles/{s.cycle.slug}/count").headers["Location"]
    for user, expected in (
        (s.counter, 200),
        (s.checker, 200),  # an administrator
        (create_user("officer"), 404),  # another whole-district officer
        (s.resident, 404),
    ):
        other = app.test_client()
        login_as(other, user)
        assert other.get(location).status_code == expected, user.email
        assert other.get(f"{location}/status").status_code == expected
    assert app.test_client().get(location).status_code == 401


def test_privacy_download_is_a_job_linked_from_the_account_page(client, db):
    user = create_user("resident")
    login_as(client, user)
    posted = client.post("/account/privacy/export")
    assert posted.status_code == 303
    job = db.session.get(Job, int(posted.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == JobStatus.DONE
    assert job.kind == JobKind.PRIVACY_EXPORT
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert f"/account/privacy/export/{job.result['export_id']}" in page
    assert client.get(f"/account/privacy/export/{job.result['export_id']}").status_code == 200


def test_running_a_done_job_again_does_nothing(db):
    s = build_counted(db)
    job = start_job(JobKind.COUNT, s.counter, {"cycle_id": s.cycle.id})
    assert job.status == JobStatus.DONE
    db.session.commit()
    job_id, cycle_id = job.id, s.cycle.id
    perform(job_id)  # as a worker would, had RQ delivered it twice
    versions = sa.select(ResultVersion).where(ResultVersion.cycle_id == cycle_id)
    assert len(db.session.scalars(versions).all()) == 1
    assert db.session.get(Job, job_id).attempts == 1


def test_a_worker_records_a_refusal_as_failed_with_the_reason(db):
    s = build_counted(db)
    job = Job(kind=JobKind.COUNT, created_by_id=s.resident.id, params={"cycle_id": s.cycle.id})
    db.session.add(job)
    db.session.commit()
    job_id, cycle_id = job.id, s.cycle.id
    perform(job_id)  # the worker's path: its own transaction; a resident may not count
    job = db.session.get(Job, job_id)
    assert job.status == JobStatus.FAILED
    assert "may count and publish results" in job.error
    assert (
        db.session.scalars(sa.select(ResultVersion).where(ResultVersion.cycle_id == cycle_id)).all()
        == []
    )


def test_with_the_queue_down_the_job_says_it_never_started(client, db, app, monkeypatch):
    # Nothing listens on this port (5209 is this branch's own range): the enqueue fails.
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", "redis://127.0.0.1:5209/0")
    user = create_user("resident")
    login_as(client, user)
    posted = client.post("/account/privacy/export")
    assert posted.status_code == 303
    page = client.get(posted.headers["Location"])
    assert "The job queue (Redis) was unavailable" in page.get_data(as_text=True)
    job = db.session.scalars(sa.select(Job)).one()
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED


def test_a_job_finished_elsewhere_meanwhile_keeps_only_that_result(db, monkeypatch):
    """Two workers on one job (RQ gave up on a slow one): the later finisher's work is rolled
    back, so the count is stored once."""
    from pbplatform.jobs import kinds, runner

    s = build_counted(db)
    job = Job(kind=JobKind.COUNT, created_by_id=s.counter.id, params={"cycle_id": s.cycle.id})
    db.session.add(job)
    db.session.commit()
    job_id, cycle_id = job.id, s.cycle.id

    def count_while_another_worker_finishes(job, progress):
        result = kinds.count(job, progress)
        runner.write_status(job_id, status=JobStatus.DONE)  # the other worker's commit
        return result

    monkeypatch.setitem(runner.HANDLERS, JobKind.COUNT, count_while_another_worker_finishes)
    perform(job_id)
    versions = sa.select(ResultVersion).where(ResultVersion.cycle_id == cycle_id)
    assert db.session.scalars(versions).all() == []


def test_the_worker_command_needs_redis_and_says_so(runner):
    result = runner.invoke(args=["pb", "worker", "--burst"])
    assert result.exit_code != 0
    assert "JOBS_REDIS_URL is not set" in result.output
