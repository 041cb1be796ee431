"""A count never runs over a sealed box: ballots still sealed would silently go uncounted."""

from __future__ import annotations

import pytest

from pbplatform.errors import DomainError
from pbplatform.results.services import run_count
from pbplatform.voting.services import cast_ballot
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal


def test_count_refuses_while_ballots_are_sealed(db):
    area = create_area("Fennpfuhl")
    cycle = create_cycle("voting", areas=[area], area_budget=100_000_00)
    park = create_proposal(cycle, area=area, cost=10_000_00)
    cast_ballot(cycle, "test:1", {park.id: 1}, area_id=area.id)
    cycle.phase = "counting"  # moved on without the close, which would have unsealed the box
    db.session.flush()
    counter = create_user("admin")
    with pytest.raises(DomainError) as refused:
        run_count(cycle, counter)
    assert refused.value.code == "still_sealed"
    unseal(cycle)
    version = run_count(cycle, counter)
    scores = {p["id"]: p["score"] for p in version.outcome["lists"][0]["tally"]["projects"]}
    assert scores[str(park.id)] == 1
