"""Properties of the ballot check and a random sequence of casts and closes (cases 14-15)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbplatform.ballotbox.models import SealedBallot
from pbplatform.errors import DomainError
from pbplatform.voting.models import Ballot, Participation
from pbplatform.voting.services import cast_ballot, check_ballot

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(picks=st.sets(st.integers(min_value=0, max_value=4), min_size=1))
def test_budget_ballot_accepted_exactly_when_each_section_fits(scene, picks):
    sheet_items = [scene.a60, scene.a70, scene.a30, scene.d150, scene.d40]
    chosen = [sheet_items[i] for i in picks]
    area_total = sum(p.officer_cost_minor for p in chosen if p.area_id is not None)
    district_total = sum(p.officer_cost_minor for p in chosen if p.area_id is None)
    fits = area_total <= 100_000_00 and district_total <= 200_000_00
    if not fits:
        with pytest.raises(DomainError, match="but the budget is"):
            check_ballot(scene.cycle, scene.home.id, {p.id: 1 for p in chosen})
        return
    ballot = check_ballot(scene.cycle, scene.home.id, {p.id: 1 for p in chosen})
    assert dict(ballot.totals) == {"area": area_total, "district": district_total}


OPS = st.lists(
    st.tuples(
        st.sampled_from(["cast", "cast", "close", "reopen"]), st.integers(min_value=0, max_value=3)
    ),
    max_size=12,
)


@PROPERTY
@given(ops=OPS)
def test_ballots_equal_accepted_voters_and_none_after_close(db, scene, ops):
    savepoint = db.session.begin_nested()
    try:
        accepted: set[int] = set()
        for op, voter in ops:
            if op == "close":
                scene.cycle.phase = "counting"
            elif op == "reopen":
                scene.cycle.phase = "voting"
            else:
                was_open = scene.cycle.phase == "voting"
                try:
                    cast_ballot(scene.cycle, f"p:{voter}", {scene.a30.id: 1}, area_id=scene.home.id)
                    outcome = "ok"
                except DomainError as exc:
                    outcome = exc.code
                if not was_open:
                    expected = "voting_closed"
                else:
                    expected = "already_voted" if voter in accepted else "ok"
                assert outcome == expected
                if outcome == "ok":
                    accepted.add(voter)
            db.session.flush()
        ballots = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot))
        ballots += db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot))
        voters = db.session.scalar(sa.select(sa.func.count()).select_from(Participation))
        assert ballots == voters == len(accepted)
    finally:
        savepoint.rollback()
        scene.cycle.phase = "voting"
