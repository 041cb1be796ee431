"""Channels combined: `raw` adds weighted votes, `normalized` adds each channel's share of its
own ballots (or meeting attendance) times its weight, so a small representative survey counts
as much as the council decides however many online votes there are (issue 3, item 3)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbplatform.tally import AggregateScore, Ballot, Election, Project, RuleConfig, count

# Online: 100 ballots, 60 for A and 40 for B. Postal survey: 10 ballots, 2 for A and 9 for B.
# Only one of A and B fits the budget, so the combination decides which is funded.
PROJECTS = [Project("A", 60), Project("B", 60)]


def _ballots() -> list[Ballot]:
    online = [Ballot(f"o{i}", approvals=("A",) if i < 60 else ("B",)) for i in range(100)]
    postal = [
        Ballot(
            f"p{i}",
            approvals=("A", "B") if i < 1 else ("A",) if i < 2 else ("B",),
            channel="postal",
        )
        for i in range(10)
    ]
    return online + postal


def _count(combination: str, weights=None, aggregates=(), ballots=None):
    election = Election(
        PROJECTS, ballots if ballots is not None else _ballots(), budget=100, aggregates=aggregates
    )
    return count(
        election, RuleConfig(rule="greedy", combination=combination, channel_weights=weights or {})
    )


def test_postal_ballots_are_what_we_think():
    postal = [b for b in _ballots() if b.channel == "postal"]
    assert sum("A" in b.approvals for b in postal) == 2
    assert sum("B" in b.approvals for b in postal) == 9


def test_raw_adds_weighted_votes_and_the_large_channel_wins():
    outcome = _count("raw")
    assert outcome.selected == ["A"]
    a, b = outcome.result("A"), outcome.result("B")
    assert (a.score, b.score) == (62, 49)
    assert a.channel_scores == {"online": 60, "postal": 2}


def test_raw_with_weights_multiplies_each_channel():
    outcome = _count("raw", {"online": 1, "postal": 2})
    assert (outcome.result("A").score, outcome.result("B").score) == (64, 58)
    assert outcome.result("B").channel_scores == {"online": 40, "postal": 18}


def test_normalized_uses_shares_so_the_survey_counts_as_much_as_online():
    outcome = _count("normalized")
    assert outcome.selected == ["B"]
    a, b = outcome.result("A"), outcome.result("B")
    assert a.channel_scores == {"online": Fraction(3, 5), "postal": Fraction(1, 5)}
    assert (a.score, b.score) == (Fraction(4, 5), Fraction(13, 10))


def test_normalized_weights_scale_each_channels_share():
    outcome = _count("normalized", {"online": 1, "postal": Fraction(1, 2)})
    assert outcome.result("B").score == Fraction(2, 5) + Fraction(9, 20)
    assert outcome.result("A").score == Fraction(3, 5) + Fraction(1, 10)
    assert outcome.selected == ["B"]


def test_normalized_meeting_dots_are_a_share_of_attendance():
    dots = [
        AggregateScore("meeting", "A", 30, participants=20),
        AggregateScore("meeting", "B", 10, participants=20),
    ]
    outcome = _count("normalized", aggregates=dots)
    a = outcome.result("A")
    assert a.channel_scores["meeting"] == Fraction(3, 2)
    assert a.score == Fraction(4, 5) + Fraction(3, 2)
    assert outcome.selected == ["A"]


def test_a_channel_weighted_zero_does_not_count():
    outcome = _count("normalized", {"online": 0})
    assert outcome.result("A").score == Fraction(1, 5)
    assert outcome.selected == ["B"]


def test_ballot_weights_count_in_both_modes():
    ballots = [
        Ballot("x", approvals=("A",), weight=3),
        Ballot("y", approvals=("B",)),
        Ballot("z", approvals=("B",)),
    ]
    assert _count("raw", ballots=ballots).selected == ["A"]
    normalized = _count("normalized", ballots=ballots)
    assert normalized.result("A").score == Fraction(3, 5)  # 3 of the channel's weight 5
    assert normalized.selected == ["A"]


@pytest.mark.parametrize("combination", ["raw", "normalized"])
def test_every_project_reports_every_channel(combination):
    outcome = _count(combination)
    assert outcome.channels == ["online", "postal"]
    for result in outcome.projects:
        assert set(result.channel_scores) == {"online", "postal"}
