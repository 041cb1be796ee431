"""count_savings: stances from valid ballots, the target line, the announced share."""

from __future__ import annotations

import json

import pytest
from flask import render_template

from pbplatform.results.savings import count_savings
from pbplatform.voting.models import Ballot, BallotChoice
from tests.factories import create_cycle, create_proposal


def vote(db, cycle, stances: dict, *, n: int = 1, valid: bool = True) -> None:
    for _ in range(n):
        ballot = Ballot(
            cycle_id=cycle.id,
            area_id=cycle.areas[0].area_id,
            channel="online",
            is_valid=valid,
            invalid_reason=None if valid else "torn",
        )
        ballot.choices = [BallotChoice(proposal_id=p.id, stance=s) for p, s in stances.items()]
        db.session.add(ballot)
    db.session.flush()


@pytest.fixture
def savings_scene(db, rq):
    cycle = create_cycle("counting", savings_target_minor=500_00, savings_share_pct=10)
    s = {
        name: create_proposal(cycle, kind="saving", cost=amount, title=name)
        for name, amount in (
            ("Close the annex", 300_00),
            ("Fewer flower beds", 250_00),
            ("Stop the newsletter", 100_00),
            ("Sell the old van", 900_00),
        )
    }
    # Taken off the ballot (hidden TEXT would still count: issue 12).
    withdrawn = create_proposal(cycle, kind="saving", cost=1_000_00, status="withdrawn")
    pending = create_proposal(cycle, kind="saving", status="pending", cost=1_000_00)
    spend = create_proposal(cycle, cost=10_00)
    # annex: net 3; beds: net 2; newsletter: net 2 (smaller); van: net -1.
    vote(
        db,
        cycle,
        {
            s["Close the annex"]: 1,
            s["Fewer flower beds"]: 1,
            s["Stop the newsletter"]: 1,
            s["Sell the old van"]: -1,
            spend: 1,
        },
        n=2,
    )
    vote(db, cycle, {s["Close the annex"]: 1, withdrawn: 1})
    vote(db, cycle, {s["Sell the old van"]: 1, s["Stop the newsletter"]: 1})
    vote(db, cycle, {s["Sell the old van"]: -1, s["Stop the newsletter"]: -1})
    vote(db, cycle, {s["Sell the old van"]: 1}, n=5, valid=False)  # invalid: not counted
    return {"cycle": cycle, "s": s, "excluded": (withdrawn, pending, spend)}


def test_ranks_savings_of_valid_ballots_against_the_target(db, savings_scene):
    result = count_savings(savings_scene["cycle"])
    json.dumps(result)  # JSON-able
    rows = [
        (r["title"], r["votes_for"], r["votes_against"], r["net_support"], r["recommended"])
        for r in result["items"]
    ]
    assert rows == [
        ("Close the annex", 3, 0, 3, True),
        ("Fewer flower beds", 2, 0, 2, True),
        ("Stop the newsletter", 3, 1, 2, False),
        ("Sell the old van", 1, 3, -2, False),
    ]
    assert {r["proposal_id"] for r in result["items"]}.isdisjoint(
        p.id for p in savings_scene["excluded"]
    )
    assert result["achieved_minor"] == 550_00
    assert result["target_minor"] == 500_00
    assert result["target_met"] is True
    assert [r["target_line_after"] for r in result["items"]] == [False, True, False, False]
    assert result["items"][1]["explanation"] == (
        "net support 2 (for 2, against 0); recommended: 550.00 EUR of target 500.00 EUR reached"
    )
    assert result["items"][3]["explanation"] == "net support \u22122: not recommended"
    assert result["items"][2]["reason"] == "target_reached"


def test_bonus_only_when_the_share_was_announced_before_voting(db, savings_scene):
    cycle = savings_scene["cycle"]
    result = count_savings(cycle)
    assert (result["share_pct"], result["budget_bonus_minor"]) == (10, 55_00)
    cycle.rules_frozen_at = None  # the share was never frozen by opening the vote
    result = count_savings(cycle)
    assert (result["share_pct"], result["budget_bonus_minor"]) == (0, 0)
    assert result["share_announced"] is False


def test_no_savings_no_target(db, rq):
    cycle = create_cycle("counting")
    result = count_savings(cycle)
    assert result["items"] == []
    assert (result["target_minor"], result["achieved_minor"], result["budget_bonus_minor"]) == (
        None,
        0,
        0,
    )


def test_savings_partial_draws_the_target_line(db, savings_scene):
    html = render_template("results/_savings.html", savings=count_savings(savings_scene["cycle"]))
    assert (
        html.index("Fewer flower beds")
        < html.index("Target line")
        < html.index("Stop the newsletter")
    )
    assert "Savings target: €500.00. Recommended: €550.00." in html
    assert "10 % of the savings achieved (€55.00)" in html
    assert "not recommended: no net support" in html


def test_run_count_adds_the_bonus_to_the_district_budget(db, savings_scene):
    from pbplatform.results.services import run_count
    from tests.factories import create_user
    from tests.sealed import unseal

    cycle = savings_scene["cycle"]
    unseal(cycle)  # the close records what the count will check
    version = run_count(cycle, create_user("admin"))
    district = next(x for x in version.outcome["lists"] if x["area_id"] is None)
    assert district["budget"] == cycle.district_budget_minor + 55_00
    assert version.outcome["savings"]["achieved_minor"] == 550_00
