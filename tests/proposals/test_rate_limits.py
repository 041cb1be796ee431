"""Anti-automation: submissions and flags are limited per person (429 beyond the limit).

The testing config switches the limiter off, so this builds a second app (own in-memory
database) with limits on: tests/limits.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from tests import limits
from tests.factories import create_cycle, create_proposal, create_user, login_as
from tests.proposals.helpers import form


@pytest.fixture
def limited_app(app) -> Iterator[Flask]:
    with limits.limited_app(
        PROPOSAL_RATE_LIMIT="2 per minute", FLAG_RATE_LIMIT="1 per minute"
    ) as limited:
        yield limited


def test_submissions_and_flags_are_rate_limited_per_person(limited_app):
    with limited_app.app_context():
        cycle = create_cycle("proposals")
        target = create_proposal(cycle)
        alice, bob = create_user(), create_user()
        db.session.commit()
        slug, number = cycle.slug, target.tracking_number
        client_a, client_b = limited_app.test_client(), limited_app.test_client()
        login_as(client_a, alice)
        login_as(client_b, bob)
    url = f"/proposals/new?cycle={slug}"
    assert [client_a.post(url, data=form()).status_code for _ in range(3)] == [303, 303, 429]
    assert client_a.get(url).status_code == 200  # reading the form is not limited
    assert client_b.post(url, data=form()).status_code == 303  # per person, not global
    flag = f"/proposals/{number}/flag"
    assert client_a.post(flag, data={"reason": "x"}).status_code == 303
    assert client_a.post(flag, data={"reason": "y"}).status_code == 429
    with limited_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 4  # 3 + target
