"""Concurrent API writes on PostgreSQL (real commits, one connection per thread).

Case 1 through the API: one token, many simultaneous casts → one ballot. Case 11: many
simultaneous retries with one Idempotency-Key → one proposal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from pbplatform.accounts.models import User
from pbplatform.api.models import ApiToken
from pbplatform.api.services import hash_token
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot, Participation
from tests.concurrency import race
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.postgres
THREADS = 12
TOKEN = "pbp_concurrency-test-token-0000000000000000000000"


@pytest.fixture
def committed_scene(app: Flask) -> Iterator[Callable[[str], dict[str, Any]]]:
    made: dict[str, Any] = {}

    def build(phase: str) -> dict[str, Any]:
        with app.app_context():
            area = create_area()
            cycle = create_cycle(phase, areas=[area], area_budget=100_00)
            user = create_user("resident", area=area)
            db.session.add(
                ApiToken(user_id=user.id, name="t", token_hash=hash_token(TOKEN), prefix=TOKEN[:12])
            )
            proposal = create_proposal(cycle, area=area, cost=10_00)
            db.session.commit()
            made.update(cycle=cycle.id, area=area.id, user=user.id)
            return {"slug": cycle.slug, "cycle_id": cycle.id, "proposal_id": proposal.id}

    yield build
    with app.app_context():
        if "cycle" in made:
            db.session.execute(sa.delete(Ballot).where(Ballot.cycle_id == made["cycle"]))
            db.session.execute(sa.delete(Cycle).where(Cycle.id == made["cycle"]))
            db.session.execute(sa.delete(User).where(User.id == made["user"]))
            db.session.execute(sa.delete(Area).where(Area.id == made["area"]))
            db.session.commit()


def hammer(app: Flask, url: str, body: dict[str, Any], headers: dict[str, str]) -> list[Any]:
    def one(client: Any) -> tuple[int, Any]:
        response = client.post(
            url,
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {TOKEN}", **headers},
        )
        return response.status_code, response.get_json()

    return race(THREADS, one, before=lambda _i: app.test_client())


def count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_concurrent_casts_with_one_token_store_one_ballot(app, committed_scene):
    scene = committed_scene("voting")
    results = hammer(
        app,
        f"/api/v1/cycles/{scene['slug']}/ballot",
        {"selections": [{"proposal_id": scene["proposal_id"]}]},
        {},
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (THREADS - 1), results
    assert all(body["code"] == "already_voted" for status, body in results if status == 409)
    assert count(app, Participation, Participation.cycle_id == scene["cycle_id"]) == 1
    assert count(app, SealedBallot, SealedBallot.cycle_id == scene["cycle_id"]) == 1  # sealed
    assert count(app, Ballot, Ballot.cycle_id == scene["cycle_id"]) == 0


def test_concurrent_retries_with_one_key_store_one_proposal(app, committed_scene):
    scene = committed_scene("proposals")
    results = hammer(
        app,
        f"/api/v1/cycles/{scene['slug']}/proposals",
        {"title": "Same", "description": "Sent many times"},
        {"Idempotency-Key": "retry-storm"},
    )
    assert all(status in (201, 409) for status, _ in results), results
    created = {body["tracking_number"] for status, body in results if status == 201}
    assert len(created) == 1
    assert all(body["code"] == "idempotency_conflict" for status, body in results if status == 409)
    assert (
        count(app, Proposal, Proposal.cycle_id == scene["cycle_id"], Proposal.title == "Same") == 1
    )
