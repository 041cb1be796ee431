"""A paper CSV of 8,000 rows imported as a job by a real worker on PostgreSQL (issue 17: it
could not finish inside a request), killed while it stores the ballots: nothing of the file is
stored, RQ retries with the file it kept, and the retry stores every row once. A file with a
bad row fails its job with that row named and stores nothing.

Real commits (no `db` fixture); everything is removed afterwards. Redis DB 13 is this test's.
"""

from __future__ import annotations

import signal
import time

import pytest
import sqlalchemy as sa
from redis import Redis
from rq.registry import StartedJobRegistry

from pbplatform.accounts.models import User
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.channels.models import PaperImport, VotingSite
from pbplatform.channels.paper import start_paper_import
from pbplatform.cycles.models import Area
from pbplatform.extensions import db
from pbplatform.jobs.models import Job, JobStatus
from tests.concurrency import purge_cycle
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.jobs import test_worker_pg as worker_test

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/13"
ROWS = 8_000


def _stored(app, cycle_id: int) -> tuple[int, int]:
    """(import records, sealed ballots) as committed."""
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).where(PaperImport.cycle_id == cycle_id)),
            db.session.scalar(sa.select(sa.func.count()).where(SealedBallot.cycle_id == cycle_id)),
        )


@pytest.fixture
def paper_scene(app, monkeypatch):
    worker_test._redis()  # skips without Redis
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    monkeypatch.setattr(worker_test, "REDIS_URL", REDIS_URL)  # its worker helper reads this
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_RETRIES", 2)
    made: dict = {"jobs": []}
    with app.app_context():
        area = create_area()
        cycle = create_cycle("voting", areas=[area], area_budget=100_000_00)
        props = [create_proposal(cycle, area=area, cost=10_00) for _ in range(3)]
        officer = create_user("officer", officer_areas=(area,))
        site = VotingSite(cycle_id=cycle.id, area_id=area.id, name="Hall", address="Main St 1")
        db.session.add(site)
        db.session.commit()
        made.update(
            cycle=cycle.id,
            site=site.id,
            officer=officer.id,
            area=area.id,
            code=area.code,
            tns=[p.tracking_number for p in props],
        )

    def start(rows: list[str], name: str) -> int:
        data = ("serial,area_code,choices\n" + "\n".join(rows) + "\n").encode()
        with app.app_context():
            from pbplatform.cycles.models import Cycle

            job = start_paper_import(
                db.session.get(Cycle, made["cycle"]),
                db.session.get(VotingSite, made["site"]),
                name,
                data,
                db.session.get(User, made["officer"]),
            )
            assert job.status == JobStatus.QUEUED
            db.session.commit()  # hands the job (and the file) to RQ
            made["jobs"].append(job.id)
            return job.id

    made["start"] = start
    try:
        yield made
    finally:
        purge_cycle(
            app,
            made["cycle"],
            owned=(
                sa.delete(Job).where(Job.id.in_(made["jobs"])),
                sa.delete(PaperImport).where(PaperImport.cycle_id == made["cycle"]),
                sa.delete(VotingSite).where(VotingSite.id == made["site"]),
            ),
            then=(
                sa.update(User)
                .where(User.id == made["officer"])
                .values(is_active_account=False, home_area_id=None),
                sa.delete(Area).where(Area.id == made["area"]),
            ),
        )
        redis.flushdb()


def test_8000_rows_killed_mid_way_store_nothing_and_the_retry_stores_all(app, paper_scene):
    s = paper_scene
    rows = [f"K{i:05d},{s['code']},{s['tns'][i % 3]}" for i in range(ROWS)]
    job_id = s["start"](rows, "big.csv")
    worker = worker_test._worker(sleep=60)
    try:
        deadline = time.monotonic() + 300
        while worker_test._job(app, job_id).progress < 70:  # rows checked, storing now
            assert worker.poll() is None, "the worker stopped early"
            assert time.monotonic() < deadline, "the worker never got to storing"
            time.sleep(0.3)
        time.sleep(2)
        assert worker_test._job(app, job_id).status == JobStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert _stored(app, s["cycle"]) == (0, 0)  # nothing half-applied
    with app.app_context():
        registry = StartedJobRegistry("pbplatform", connection=Redis.from_url(REDIS_URL))
        registry.cleanup(timestamp=time.time() + 3600)

    again = worker_test._worker(sleep=0)
    assert again.wait(300) == 0
    job = worker_test._job(app, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2), job.error
    assert (job.result["rows"], job.result["invalid"]) == (ROWS, 0)
    assert _stored(app, s["cycle"]) == (1, ROWS)


def test_a_bad_row_fails_the_job_with_its_number_and_stores_nothing(app, paper_scene):
    s = paper_scene
    rows = [f"B{i:04d},{s['code']},{s['tns'][0]}" for i in range(500)]
    rows[55] = f"B0055,{s['code']},LI-2026-0999"  # row 57 of the file
    job_id = s["start"](rows, "bad.csv")
    assert worker_test._worker(sleep=0).wait(120) == 0
    job = worker_test._job(app, job_id)
    assert job.status == JobStatus.FAILED
    assert "row 57: unknown project LI-2026-0999" in job.error.split("\n")
    assert _stored(app, s["cycle"]) == (0, 0)
