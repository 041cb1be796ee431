"""A voting scene: a cycle in the voting phase with an area 'Fennpfuhl' and proposals."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from pbplatform.voting.models import Ballot, BallotChoice, Participation
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal_all


@pytest.fixture
def scene(db):
    home = create_area("Fennpfuhl")
    other = create_area("Karlshorst")
    cycle = create_cycle(
        "voting", areas=[home, other], area_budget=100_000_00, district_budget=200_000_00
    )
    return SimpleNamespace(
        cycle=cycle,
        home=home,
        other=other,
        resident=create_user("resident", area=home),
        a60=create_proposal(cycle, area=home, cost=60_000_00, title="Playground"),
        a70=create_proposal(cycle, area=home, cost=70_000_00, title="Tree avenue"),
        a30=create_proposal(cycle, area=home, cost=30_000_00, title="Benches"),
        d150=create_proposal(cycle, area=None, cost=150_000_00, title="Cycle lanes"),
        d40=create_proposal(cycle, area=None, cost=40_000_00, title="Library hours"),
        elsewhere=create_proposal(cycle, area=other, cost=10_000_00, title="Other area"),
        saving=create_proposal(
            cycle, area=None, kind="saving", cost=20_000_00, title="Stop leaf blowers"
        ),
    )


def count_rows(db) -> tuple[int, int, int]:
    """(participations, ballots, choices), after unsealing what was cast (tests.sealed)."""
    unseal_all()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Participation)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)),
        db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)),
    )
