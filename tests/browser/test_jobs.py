"""A job's page in a real browser: with JavaScript it follows the job live and shows the result
link once done; without, the <noscript> meta refresh reloads it until it has finished."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobKind
from tests.browser.helpers import assert_accessible, committed, log_in
from tests.factories import create_user


def _running_job(live_app):
    with committed(live_app):
        user = create_user("resident")
        job = Job(kind=JobKind.PRIVACY_EXPORT, created_by_id=user.id, status="running")
        job.progress, job.message = 30, "collecting"
        db.session.add(job)
        db.session.flush()
        return user.email, job.id


def _finish(live_app, job_id: int) -> None:
    with committed(live_app):
        db.session.execute(
            sa.update(Job)
            .where(Job.id == job_id)
            .values(status="done", progress=100, result={"export_id": 4242})
        )


def _follow(browser, live_app, live_url, *, javascript: bool) -> None:
    email, job_id = _running_job(live_app)
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        log_in(page, live_url, email)
        page.goto(f"{live_url}/jobs/{job_id}")
        assert page.locator("#job-status").inner_text() == "Running"
        assert page.locator("#job-percent").inner_text() == "30 %"
        assert page.locator("a[href='/account/privacy/export/4242']").count() == 0
        assert_accessible(page)
        _finish(live_app, job_id)
        link = page.locator("a[href='/account/privacy/export/4242']")
        link.wait_for(state="visible", timeout=10_000)
        assert page.locator("#job-status").inner_text() == "Finished"
        assert page.locator("#job-percent").inner_text() == "100 %"
    finally:
        context.close()


def test_the_job_page_follows_the_job_with_javascript(browser, live_app, live_url):
    _follow(browser, live_app, live_url, javascript=True)


def test_the_job_page_reloads_itself_without_javascript(browser, live_app, live_url):
    _follow(browser, live_app, live_url, javascript=False)
