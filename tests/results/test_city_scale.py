"""A city of any size is counted and exported: no ballot id is ever a query parameter.

PostgreSQL allows 65,535 parameters in one statement; the count and the Pabulib export once
bound every ballot id, so a 90,000-voter city could be neither counted nor published.
"""

from __future__ import annotations

import io
import random

import pytest
import sqlalchemy as sa

from pbplatform.benchdata.services import insert_ballots
from pbplatform.results.services import publish_results, run_count
from pbplatform.tally import RuleConfig, count, read_pabulib
from pbplatform.voting.models import Ballot, BallotChoice
from tests.factories import create_cycle, create_proposal, create_user
from tests.sealed import unseal

BALLOTS = 70_000


@pytest.mark.postgres
def test_a_count_and_an_export_over_70000_ballots(client, db):
    cycle = create_cycle("voting", areas=3, tie_seed="city")
    areas = [ca.area for ca in cycle.areas]
    proposals = [create_proposal(cycle, area=a, cost=20_000_00) for a in areas for _ in range(4)]
    proposals += [create_proposal(cycle, area=None, cost=50_000_00) for _ in range(5)]
    insert_ballots(cycle, proposals, BALLOTS, random.Random(7))  # COPY: set-based, quick
    unseal(cycle)  # the close: records the ballots' figures and digest, which the count checks
    cycle.phase = "counting"
    db.session.flush()

    version = run_count(cycle, create_user("admin"))
    lists = {lst["key"]: lst for lst in version.outcome["lists"]}
    assert sum(lists["district"]["ballots_per_channel"].values()) == BALLOTS
    assert (
        sum(
            sum(lst["ballots_per_channel"].values())
            for key, lst in lists.items()
            if key != "district"
        )
        == BALLOTS
    )
    publish_results(version, create_user("admin"))

    response = client.get(f"/cycles/{cycle.slug}/results/ballots.pb?area=district")
    assert response.status_code == 200
    election = read_pabulib(io.StringIO(response.get_data(as_text=True)))
    assert len(election.ballots) == BALLOTS
    outcome = count(election, RuleConfig(rule="greedy", seed="city"))
    assert outcome.selected == lists["district"]["tally"]["selected"]
    assert [(p.id, int(p.score)) for p in outcome.projects] == [
        (p["id"], p["score"]) for p in lists["district"]["projects"]
    ]


def test_each_list_counts_its_own_projects_and_every_voter(db, counted):
    """A ballot's choices go to the list of their project's area, if it is the ballot's own;
    a ballot with no choice on a list still counts among that list's voters."""
    s = counted
    # a home ballot that also names the other area's project (the cast refuses that; the
    # count must not trust it): left out of every list
    stray = db.session.scalars(
        sa.select(Ballot).where(Ballot.area_id == s.home.id, Ballot.is_valid.is_(True))
    ).first()
    db.session.add(BallotChoice(ballot_id=stray.id, proposal_id=s.x.id))
    db.session.flush()
    unseal(s.cycle)  # as if the close had unsealed it so (a later change would be refused)
    lists = {lst["key"]: lst for lst in run_count(s.cycle, s.counter).outcome["lists"]}
    scores = {key: {p["id"]: p["score"] for p in lst["projects"]} for key, lst in lists.items()}
    other = lists[f"area-{s.other.id}"]
    assert scores[f"area-{s.other.id}"][str(s.x.id)] == 1  # its own voter's only
    assert other["ballots_per_channel"] == {"online": 1}
    assert lists[f"area-{s.home.id}"]["ballots_per_channel"] == {"online": 4, "paper": 1}
    assert lists[f"area-{s.home.id}"]["invalid_per_channel"] == {"paper": 1}
    assert scores[f"area-{s.home.id}"][str(s.a.id)] == 3
    # district-wide: every valid ballot, including the four that chose nothing there
    assert lists["district"]["ballots_per_channel"] == {"online": 5, "paper": 1}
    assert scores["district"] == {str(s.d.id): 2, str(s.e.id): 1}
