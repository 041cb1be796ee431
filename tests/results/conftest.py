"""A counted-ready scene: ballots cast through the voting services, voting closed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pbplatform.voting.services import cast_ballot, record_invalid_ballot
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal


@pytest.fixture
def counted(db):
    return build_counted(db)


def build_counted(db):
    home, other = create_area("Fennpfuhl"), create_area("Karlshorst")
    cycle = create_cycle(
        "voting",
        areas=[home, other],
        area_budget=100_000_00,
        district_budget=200_000_00,
        tie_seed="lichtenberg-2026",
    )
    s = SimpleNamespace(cycle=cycle, home=home, other=other)
    s.a = create_proposal(cycle, area=home, cost=60_000_00, title="Playground")
    s.b = create_proposal(cycle, area=home, cost=50_000_00, title="Tree avenue")
    s.c = create_proposal(cycle, area=home, cost=30_000_00, title="Benches")
    s.d = create_proposal(cycle, area=None, cost=150_000_00, title="Cycle lanes")
    s.e = create_proposal(cycle, area=None, cost=40_000_00, title="Library hours")
    s.x = create_proposal(cycle, area=other, cost=10_000_00, title="Skate park")
    ballots = [
        ({s.a.id: 1, s.d.id: 1}, "online"),
        ({s.a.id: 1, s.e.id: 1}, "online"),
        ({s.a.id: 1}, "online"),
        ({s.b.id: 1, s.c.id: 1}, "online"),
        ({s.b.id: 1}, "paper"),
    ]
    for n, (choices, channel) in enumerate(ballots):
        cast_ballot(
            cycle,
            f"test:{n}",
            choices,
            area_id=home.id,
            channel=channel,
            serial=f"P-{n}" if channel == "paper" else None,
        )
    cast_ballot(cycle, "test:other", {s.x.id: 1, s.d.id: 1}, area_id=other.id)
    record_invalid_ballot(cycle, home.id, "paper", "P-99", "over budget")
    unseal(cycle)  # the cycles feature closes voting: unseals the ballot box ...
    cycle.phase = "counting"  # ... and moves the phase on
    s.counter = create_user("officer", name="Counting Officer")
    s.checker = create_user("admin", name="Checking Admin")
    s.resident = create_user("resident", area=home)
    db.session.flush()
    return s
