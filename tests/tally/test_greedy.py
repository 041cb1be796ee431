"""The greedy family, top-n, tie-breaks and explanations on small hand-made elections."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbplatform.tally import Ballot, Election, Project, RuleConfig, count
from pbplatform.tally.tiebreak import lot


def approval_election(costs: dict[str, int], ballots: list[str], budget: int) -> Election:
    projects = [Project(pid, cost) for pid, cost in costs.items()]
    votes = [Ballot(f"v{k}", approvals=tuple(b)) for k, b in enumerate(ballots)]
    return Election(projects, votes, budget)


ELECTION = approval_election(
    {"a": 60, "b": 50, "c": 30, "d": 20}, ["ab", "ab", "abc", "bc", "ad", "d"], 100
)


def test_greedy_skips_what_does_not_fit() -> None:
    out = count(ELECTION, RuleConfig("greedy"))
    # a and b tie on 4 votes: the cheaper b goes first, then a no longer fits
    assert out.selected == ["b", "d", "c"]
    assert out.spent == 100
    assert out.result("a").reason == "did_not_fit"


def test_greedy_tie_prefers_lower_cost_by_default() -> None:
    election = approval_election({"a": 60, "b": 50}, ["a", "b"], 100)
    assert count(election, RuleConfig("greedy")).selected == ["b"]
    assert count(election, RuleConfig("greedy", tie_break="name")).selected == ["a"]


def test_explanations_and_reasons() -> None:
    election = approval_election({"a": 60, "b": 50, "c": 30}, ["a", "a", "ab", "b", "c"], 100)
    out = count(election, RuleConfig("greedy"))
    b = out.result("b")
    assert not b.selected
    assert b.reason == "did_not_fit"
    assert b.explanation == "did not fit: 40 left, costs 50"
    assert b.remaining_before == 40
    a = out.result("a")
    assert a.selected
    assert a.reason == "funded"
    assert a.rank == 1
    assert out.to_dict()["projects"][0]["id"] == "a"


def test_no_skip_stops_at_first_misfit() -> None:
    election = approval_election({"a": 60, "b": 50, "c": 30}, ["a", "a", "ab", "b", "c"], 100)
    out = count(election, RuleConfig("greedy-no-skip"))
    assert out.selected == ["a"]
    assert out.result("c").reason == "stopped"


def test_threshold_excludes_low_scores() -> None:
    election = approval_election({"a": 60, "b": 10, "c": 30}, ["a", "a", "ab", "c"], 100)
    out = count(election, RuleConfig("greedy-threshold", threshold=Fraction(2)))
    assert out.selected == ["a"]
    assert out.result("c").reason == "below_threshold"
    assert out.result("c").explanation == "below threshold 2: 1 votes"


def test_top_n_ignores_budget() -> None:
    out = count(ELECTION, RuleConfig("top-n", n=3))
    assert len(out.selected) == 3
    assert out.spent > out.budget
    assert out.result(out.projects[3].id).reason == "not_reached"


def test_lot_from_seed_breaks_full_ties() -> None:
    election = approval_election({"x": 10, "y": 10}, ["x", "y"], 10)
    for seed in ("2024", "council"):
        winner = count(election, RuleConfig("greedy", seed=seed)).selected
        assert winner == [min("xy", key=lambda pid: lot(seed, pid))]


def test_cumulative_points_and_ordinal_borda() -> None:
    projects = [Project("a", 10), Project("b", 10)]
    ballots = [Ballot("1", points={"a": Fraction(5, 2), "b": 1}), Ballot("2", points={"b": 1})]
    out = count(Election(projects, ballots, 10, vote_type="cumulative"), RuleConfig())
    assert out.selected == ["a"]
    assert out.result("a").score == Fraction(5, 2)
    ranked = [Ballot("1", ranking=("a", "b")), Ballot("2", ranking=("b",))]
    out = count(Election(projects, ranked, 10, vote_type="ordinal", max_length=2), RuleConfig())
    assert out.result("a").score == 2
    assert out.result("b").score == 3


@pytest.mark.parametrize("rule", ["greedy", "greedy-no-skip", "top-n"])
def test_weights_multiply(rule: str) -> None:
    projects = [Project("a", 10), Project("b", 10)]
    ballots = [
        Ballot("1", approvals=("a",), weight=3),
        Ballot("2", approvals=("b",)),
        Ballot("3", approvals=("b",)),
    ]
    out = count(Election(projects, ballots, 10), RuleConfig(rule, n=1))
    assert out.selected == ["a"]
