"""On PostgreSQL with real commits: a code redeemed 20 times at once gives one ballot; the same
paper CSV imported twice at once is stored once. Setup is committed and removed in `finally`."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.channels.codes import generate_codes
from pbplatform.channels.models import PaperImport, VotingCode, VotingCodeBatch, VotingSite
from pbplatform.cycles.models import Area
from pbplatform.extensions import db
from pbplatform.jobs.models import Job
from pbplatform.voting.models import Ballot, Participation
from tests.concurrency import purge_cycle, race
from tests.conftest import IsolatedClient
from tests.factories import create_area, create_cycle, create_proposal, create_user, sign_in

THREADS = 20


def _setup(app):
    with app.app_context():
        area = create_area()
        cycle = create_cycle("voting", areas=[area])
        proposal = create_proposal(cycle, area=area, cost=1_000_00)
        officer = create_user("officer")
        site = VotingSite(cycle_id=cycle.id, area_id=area.id, name="Race hall", address="x")
        db.session.add(site)
        db.session.flush()
        _batch, codes = generate_codes(cycle, 1, "race", area.id)
        db.session.commit()
        return {
            "area": area.id,
            "area_code": area.code,
            "cycle": cycle.id,
            "slug": cycle.slug,
            "proposal": proposal.id,
            "tn": proposal.tracking_number,
            "site": site.id,
            "officer": officer.id,
            "login": officer.get_id(),
            "code": codes[0],
        }


def _cleanup(app, ids):
    cycle_id = ids["cycle"]
    batches = sa.select(VotingCodeBatch.id).where(VotingCodeBatch.cycle_id == cycle_id)
    purge_cycle(
        app,
        cycle_id,
        owned=(
            sa.delete(PaperImport).where(PaperImport.cycle_id == cycle_id),
            sa.delete(VotingSite).where(VotingSite.cycle_id == cycle_id),
            sa.delete(VotingCode).where(VotingCode.batch_id.in_(batches)),
            sa.delete(VotingCodeBatch).where(VotingCodeBatch.cycle_id == cycle_id),
            # a paper import is a job (run in the request without Redis)
            sa.delete(Job).where(Job.created_by_id == ids["officer"]),
        ),
        then=(
            # the officer stays (deactivated): audit entries are append-only and name them
            sa.update(User).where(User.id == ids["officer"]).values(is_active_account=False),
            sa.delete(Area).where(Area.id == ids["area"]),
        ),
    )


def _counts(app, cycle_id):
    with app.app_context():

        def n(model):
            return db.session.scalar(
                sa.select(sa.func.count()).select_from(model).where(model.cycle_id == cycle_id)
            )

        # Ballots sealed while voting is open, or unsealed by the close.
        return n(Participation), n(Ballot) + n(SealedBallot), n(PaperImport)


def _race(threads: int, request) -> list[int]:
    return sorted(race(threads, lambda _i: request(), timeout=120))


@pytest.mark.postgres
def test_one_code_redeemed_by_twenty_concurrent_requests_gives_one_ballot(app):
    ids = _setup(app)
    try:

        def redeem() -> int:
            client = IsolatedClient(app, app.response_class, use_cookies=True)
            return client.post(
                "/vote/code/cast", data={"code": ids["code"], f"p-{ids['proposal']}": "1"}
            ).status_code

        assert _race(THREADS, redeem) == [200] + [409] * (THREADS - 1)
        assert _counts(app, ids["cycle"]) == (1, 1, 0)
    finally:
        _cleanup(app, ids)


@pytest.mark.postgres
def test_same_paper_csv_imported_twice_at_once_is_stored_once(app):
    ids = _setup(app)
    data = (
        "serial,area_code,choices\n"
        + "".join(f"R{i},{ids['area_code']},{ids['tn']}\n" for i in range(50))
    ).encode()
    try:

        def upload() -> int:
            client = IsolatedClient(app, app.response_class, use_cookies=True)
            sign_in(client, ids["login"], ids["officer"])
            return client.post(
                f"/officer/paper/{ids['slug']}/sites/{ids['site']}/import",
                data={"file": (io.BytesIO(data), "race.csv")},
                content_type="multipart/form-data",
            ).status_code

        assert _race(2, upload) == [302, 409]
        assert _counts(app, ids["cycle"]) == (0, 50, 1)
    finally:
        _cleanup(app, ids)
