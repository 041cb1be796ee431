"""A city of any size is counted and exported: no ballot id is ever a query parameter.

PostgreSQL allows 65,535 parameters in one statement; the count and the Pabulib export once
bound every ballot id, so a 90,000-voter city could be neither counted nor published.
"""

from __future__ import annotations

import io
import random

import pytest

from pbplatform.benchdata.services import insert_ballots
from pbplatform.results.services import publish_results, run_count
from pbplatform.tally import RuleConfig, count, read_pabulib
from tests.factories import create_cycle, create_proposal, create_user

BALLOTS = 70_000


@pytest.mark.postgres
def test_a_count_and_an_export_over_70000_ballots(client, db):
    cycle = create_cycle("voting", areas=3, tie_seed="city")
    areas = [ca.area for ca in cycle.areas]
    proposals = [create_proposal(cycle, area=a, cost=20_000_00) for a in areas for _ in range(4)]
    proposals += [create_proposal(cycle, area=None, cost=50_000_00) for _ in range(5)]
    insert_ballots(cycle, proposals, BALLOTS, random.Random(7))  # COPY: set-based, quick
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
