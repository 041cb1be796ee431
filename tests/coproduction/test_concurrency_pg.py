"""Status changes serialise on the offer's row (PostgreSQL, real commits, separate connections):
of many simultaneous withdrawals of one offer exactly one succeeds, the rest get 409."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.coproduction import services
from pbplatform.coproduction.models import Offer
from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from tests.concurrency import race
from tests.factories import create_cycle, create_proposal, create_user

THREADS = 8


@pytest.mark.postgres
def test_concurrent_withdrawals_change_the_status_once(app):
    with app.app_context(), app.test_request_context():
        cycle = create_cycle("review")
        proposal = create_proposal(cycle, area=cycle.areas[0].area)
        user = create_user()
        offer = services.make_offer(
            by=user,
            proposal=proposal,
            kind="materials",
            quantity=Decimal(1),
            unit="bench",
            description="A bench",
        )
        db.session.commit()
        ids = {
            "cycle": cycle.id,
            "areas": [ca.area_id for ca in cycle.areas],
            "user": user.id,
            "offer": offer.id,
            "login": user.get_id(),
        }

    def logged_in(_i: int) -> Any:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids["login"]
        return client

    def withdraw(client: Any) -> int:
        return client.post(f"/offers/{ids['offer']}/withdraw").status_code

    try:
        statuses = race(THREADS, withdraw, before=logged_in, timeout=60)
        assert sorted(statuses) == [303] + [409] * (THREADS - 1)
        with app.app_context():
            assert db.session.get(Offer, ids["offer"]).status == "withdrawn"
    finally:
        with app.app_context():
            db.session.execute(sa.delete(Offer).where(Offer.id == ids["offer"]))
            db.session.execute(sa.delete(Proposal).where(Proposal.cycle_id == ids["cycle"]))
            db.session.execute(sa.delete(Cycle).where(Cycle.id == ids["cycle"]))
            db.session.execute(sa.delete(Area).where(Area.id.in_(ids["areas"])))
            db.session.execute(sa.delete(User).where(User.id == ids["user"]))
            db.session.commit()
