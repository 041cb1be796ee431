"""Tracking numbers under concurrent submissions (PostgreSQL, real commits, separate
connections): every proposal gets its own number, none is skipped or repeated."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from tests.concurrency import race
from tests.factories import create_cycle, create_user
from tests.proposals.helpers import form

THREADS = 12


@pytest.mark.postgres
def test_concurrent_submissions_get_distinct_consecutive_numbers(app):
    with app.app_context():
        cycle = create_cycle("proposals")
        users = [create_user() for _ in range(THREADS)]
        db.session.commit()
        cycle_id, slug, prefix = cycle.id, cycle.slug, cycle.tracking_prefix
        area_ids = [ca.area_id for ca in cycle.areas]
        logins = [(u.id, u.get_id()) for u in users]

    def logged_in(i: int) -> Any:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = logins[i][1]
        return client

    def submit(client: Any) -> int:
        return client.post(f"/proposals/new?cycle={slug}", data=form()).status_code

    try:
        statuses = race(len(logins), submit, before=logged_in, timeout=60)
        assert statuses == [303] * THREADS
        with app.app_context():
            numbers = sorted(
                db.session.scalars(
                    sa.select(Proposal.tracking_number).where(Proposal.cycle_id == cycle_id)
                )
            )
            year = numbers[0].split("-")[1]
            assert numbers == [f"{prefix}-{year}-{n:04d}" for n in range(1, THREADS + 1)]
            assert db.session.get(Cycle, cycle_id).next_tracking_seq == THREADS + 1
    finally:
        with app.app_context():
            db.session.execute(sa.delete(Proposal).where(Proposal.cycle_id == cycle_id))
            db.session.execute(sa.delete(Cycle).where(Cycle.id == cycle_id))
            db.session.execute(sa.delete(Area).where(Area.id.in_(area_ids)))
            db.session.execute(sa.delete(User).where(User.id.in_([i for i, _ in logins])))
            db.session.commit()
