"""Closing voting runs as a job (in-process here, as in development): the admin's button goes
to the job's page, the box is unsealed with the close, and running the close again changes
nothing."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles import services as cycles
from pbplatform.jobs.models import Job, JobKind, JobStatus
from pbplatform.voting.models import Ballot
from pbplatform.voting.services import cast_ballot
from tests.factories import login_as


def _voting_cycle(make_cycle, make_user, make_proposal, voters=3):
    cycle = make_cycle("voting", areas=1, area_budget=100_00)
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area, cost=10_00)
    for _ in range(voters):
        user = make_user(area=area)
        cast_ballot(cycle, f"user:{user.id}", [(proposal.id, 1)], area_id=area.id)
    return cycle


def _count(db, model, cycle):
    return db.session.scalar(sa.select(sa.func.count()).where(model.cycle_id == cycle.id))


def test_closing_voting_is_a_job_with_a_page(client, db, make_cycle, make_user, make_proposal):
    cycle = _voting_cycle(make_cycle, make_user, make_proposal)
    admin = make_user("admin")
    login_as(client, admin)
    posted = client.post(f"/admin/cycles/{cycle.id}/advance", data={"to": "counting"})
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith("/jobs/")
    job = db.session.get(Job, int(posted.headers["Location"].rsplit("/", 1)[1]))
    assert (job.kind, job.status, job.progress) == (JobKind.CLOSE_VOTING, JobStatus.DONE, 100)
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "Closing of voting" in page
    assert "/admin/cycles" in page  # the result link
    db.session.expire_all()
    assert cycle.phase == "counting"
    assert (_count(db, SealedBallot, cycle), _count(db, Ballot, cycle)) == (0, 3)


def test_closing_again_changes_nothing(db, make_cycle, make_user, make_proposal):
    cycle = _voting_cycle(make_cycle, make_user, make_proposal)
    admin = make_user("admin")
    assert cycles.close_voting(cycle, admin) is True
    assert cycles.close_voting(cycle, admin) is False  # a retried job, or the timer was first
    assert cycle.phase == "counting"
    assert (_count(db, SealedBallot, cycle), _count(db, Ballot, cycle)) == (0, 3)


def test_a_close_outside_voting_is_refused_at_once(client, db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    login_as(client, make_user("admin"))
    response = client.post(
        f"/admin/cycles/{cycle.id}/advance", data={"to": "counting"}, follow_redirects=True
    )
    assert b"it can only move on to the next phase" in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_refused_job_page_lists_every_problem(client, db, make_user):
    """A rejected paper file's job names each bad row on its page, one per line."""
    officer = make_user("officer")
    job = Job(
        kind=JobKind.PAPER_IMPORT,
        created_by_id=officer.id,
        status=JobStatus.FAILED,
        error="The file was rejected; nothing was stored.\nrow 3: unknown area X\nrow 57: bad",
    )
    db.session.add(job)
    db.session.flush()
    login_as(client, officer)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "The job failed: The file was rejected; nothing was stored." in page
    assert "<li>row 3: unknown area X</li>" in page
    assert "<li>row 57: bad</li>" in page
