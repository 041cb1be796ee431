"""Sequential Phragmen: the grouped, float-screened count equals the textbook one in Fractions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbplatform.tally import Ballot, Election, Project, RuleConfig, count

from .test_mes_fast import elections


def textbook(election, key) -> list[str]:
    """One load per voter, every new load in Fractions, stop at a tie that does not fit."""
    ids = [p.id for p in election.projects]
    cost = {p.id: p.cost for p in election.projects}
    ballots = [b for b in election.ballots if b.weight]
    supporters = {pid: [i for i, b in enumerate(ballots) if pid in b.approvals] for pid in ids}
    weight = {
        pid: sum((Fraction(ballots[i].weight) for i in supporters[pid]), Fraction(0)) for pid in ids
    }
    loads = [Fraction(0)] * len(ballots)
    remaining = {pid for pid in ids if weight[pid] and cost[pid] <= election.budget}
    spent, selected = 0, []
    while remaining:
        new = {
            pid: (
                sum((loads[i] * Fraction(ballots[i].weight) for i in supporters[pid]), Fraction(0))
                + cost[pid]
            )
            / weight[pid]
            for pid in remaining
        }
        best = min(new.values())
        tied = sorted((pid for pid in remaining if new[pid] == best), key=key)
        if any(spent + cost[pid] > election.budget for pid in tied):
            break
        pid = tied[0]
        for i in supporters[pid]:
            loads[i] = best
        spent += cost[pid]
        selected.append(pid)
        remaining.discard(pid)
    return selected


def reversed_names(election):
    """The same election with project ids in reverse order, so that index order and the
    name tie-break disagree."""
    rename = {p.id: f"q{len(election.projects) - k}" for k, p in enumerate(election.projects)}
    projects = [Project(rename[p.id], p.cost) for p in election.projects]
    ballots = [
        Ballot(b.id, approvals=tuple(rename[a] for a in b.approvals), weight=b.weight)
        for b in election.ballots
    ]
    return Election(projects, ballots, election.budget)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(elections(), st.booleans())
@pytest.mark.usefixtures("kernel")  # on the compiled kernel and on the numpy path
def test_phragmen_equals_the_textbook_count(election, flip) -> None:
    if flip:
        election = reversed_names(election)
    ours = count(election, RuleConfig("phragmen", tie_break="name")).selected
    assert ours == textbook(election, lambda pid: (pid,))


def test_declared_channel_weights_count() -> None:
    """Found by the reference count: Phragmén used to ignore the channels' weights."""
    from pbplatform.tally import Ballot, Election, Project, RuleConfig, count

    election = Election(
        [Project("a", 10), Project("b", 10)],
        [Ballot("1", approvals=("a",), channel="paper")]
        + [Ballot(str(i), approvals=("b",)) for i in range(2, 4)]
        + [Ballot(str(i), approvals=("a",), channel="paper") for i in range(4, 6)],
        10,
    )
    # three paper voters for a, two online for b: a wins unless paper is weighted down
    assert count(election, RuleConfig("phragmen")).selected == ["a"]
    halved = RuleConfig("phragmen", channel_weights={"paper": "1/2"})
    assert count(election, halved).selected == ["b"]
