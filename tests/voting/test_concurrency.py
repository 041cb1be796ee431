"""On PostgreSQL, with real commits on separate connections (case 1 and 1b, INV-1, INV-4).

These tests do not use the `db` rollback fixture: each thread's request commits for real, so the
setup is committed too and removed again in `finally`.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db
from pbplatform.voting.models import Ballot, Participation
from tests.concurrency import purge_cycle
from tests.conftest import IsolatedClient
from tests.factories import create_area, create_cycle, create_proposal, create_user

THREADS = 20


def _setup(app):
    with app.app_context():
        area = create_area()
        cycle = create_cycle("voting", areas=[area])
        proposal = create_proposal(cycle, area=area, cost=1_000_00)
        user = create_user("resident", area=area)
        db.session.commit()
        return {
            "area": area.id,
            "cycle": cycle.id,
            "slug": cycle.slug,
            "proposal": proposal.id,
            "user": user.id,
            "login": user.get_id(),
        }


def _cleanup(app, ids):
    purge_cycle(
        app,
        ids["cycle"],
        then=(
            sa.delete(User).where(User.id == ids["user"]),
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
        return n(Participation), n(Ballot) + n(SealedBallot)


@pytest.mark.postgres
def test_twenty_concurrent_casts_of_one_resident_leave_one_ballot(app):
    ids = _setup(app)
    try:
        barrier = threading.Barrier(THREADS)
        statuses: list[int] = []
        bodies: list[str] = []
        lock = threading.Lock()

        def vote() -> None:
            client = IsolatedClient(app, app.response_class, use_cookies=True)
            with client.session_transaction() as session:  # one session per "browser tab"
                session["_user_id"] = ids["login"]
                session["_fresh"] = True
            barrier.wait()
            response = client.post(
                f"/cycles/{ids['slug']}/ballot/cast", data={f"p-{ids['proposal']}": "1"}
            )
            with lock:
                statuses.append(response.status_code)
                bodies.append(response.get_data(as_text=True))

        threads = [threading.Thread(target=vote) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(statuses) == [200] + [409] * (THREADS - 1)
        assert sum("already voted" in b for b in bodies) == THREADS - 1
        assert _counts(app, ids["cycle"]) == (1, 1)
    finally:
        _cleanup(app, ids)


@pytest.mark.postgres
def test_cast_and_close_race_never_commits_a_ballot_after_close(app):
    """A cast holds FOR SHARE on the cycle row; closing takes FOR UPDATE and waits for it."""
    ids = _setup(app)
    try:
        with app.app_context():
            from pbplatform.voting.services import cast_ballot

            cycle = db.session.get(Cycle, ids["cycle"])
            cast_ballot(cycle, "race:1", {ids["proposal"]: 1}, area_id=ids["area"])
            closed = threading.Event()

            def close() -> None:
                with app.app_context():
                    locked = db.session.scalar(
                        sa.select(Cycle).where(Cycle.id == ids["cycle"]).with_for_update()
                    )
                    locked.phase = "counting"
                    db.session.commit()
                    closed.set()

            closer = threading.Thread(target=close)
            closer.start()
            assert not closed.wait(1.0)  # the close waits for the cast in flight
            db.session.commit()  # the cast commits first: it was before the close
        closer.join(30)
        assert closed.is_set()
        with app.app_context():
            from pbplatform.errors import DomainError
            from pbplatform.voting.services import cast_ballot

            cycle = db.session.get(Cycle, ids["cycle"])
            with pytest.raises(DomainError) as err:
                cast_ballot(cycle, "race:2", {ids["proposal"]: 1}, area_id=ids["area"])
            assert err.value.code == "voting_closed"
            db.session.rollback()
        assert _counts(app, ids["cycle"]) == (1, 1)
    finally:
        _cleanup(app, ids)


@pytest.mark.postgres
def test_unique_constraint_on_participations_exists_in_postgres(app):
    with app.app_context():
        rows = (
            db.session.execute(
                sa.text(
                    "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
                    "JOIN pg_class t ON t.oid = c.conrelid "
                    "WHERE t.relname = 'participations' AND c.contype IN ('u', 'p')"
                )
            )
            .scalars()
            .all()
        )
    assert {"UNIQUE (cycle_id, voter_key)", "PRIMARY KEY (cycle_id, voter_key)"} & set(rows)
