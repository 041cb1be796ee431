"""Scenes for co-production tests: a cycle with an hourly rate, a proposal, people."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.coproduction import services
from pbplatform.coproduction.models import Offer
from tests.factories import create_cycle, create_proposal, create_user


@pytest.fixture
def rq(app, db) -> Iterator[None]:
    """A request context for calling services directly (gettext needs a locale)."""
    with app.test_request_context():
        yield


@pytest.fixture
def scene(db, rq):
    """Cycle in review with a 15.00/hour rate and a 50 % cap; one approved 1,000.00 proposal."""
    cycle = create_cycle("review", hourly_rate_minor=15_00, coproduction_cap_pct=50)
    area = cycle.areas[0].area
    other_area = cycle.areas[1].area
    proposal = create_proposal(cycle, area=area, cost=1_000_00)
    return {
        "cycle": cycle,
        "area": area,
        "other_area": other_area,
        "proposal": proposal,
        "resident": create_user("resident", area=area),
        "other_resident": create_user("resident", area=area),
        "officer": create_user("officer", officer_areas=(area,)),
        "other_officer": create_user("officer", officer_areas=(other_area,)),
        "admin": create_user("admin"),
    }


def offer_on(proposal, user, quantity="10", kind="volunteer_hours", **extra) -> Offer:
    fields = dict(
        kind=kind,
        quantity=Decimal(quantity),
        unit=extra.pop("unit", "hours"),
        description="Painting the fence",
    )
    fields.update(extra)
    return services.make_offer(by=user, proposal=proposal, **fields)


def audit_actions(db, outcome: str = "ok") -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.outcome == outcome)
            .order_by(AuditEntry.id)
        )
    )


def offer_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Offer))
