"""Properties every rule must keep, on generated elections (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pbplatform.tally import Ballot, Election, Project, RuleConfig, count

BUDGET_RULES = [
    "greedy",
    "greedy-no-skip",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-until-exhaustive",
    "equalshares-comparison",
    "phragmen",
]


@st.composite
def approval_elections(draw) -> Election:
    n = draw(st.integers(1, 6))
    projects = [Project(f"p{k}", draw(st.integers(0, 60))) for k in range(n)]
    ballots = [
        Ballot(
            f"v{i}",
            approvals=tuple(
                p.id for p in draw(st.lists(st.sampled_from(projects), unique=True, max_size=n))
            ),
        )
        for i in range(draw(st.integers(1, 8)))
    ]
    return Election(projects, ballots, draw(st.integers(0, 150)))


@settings(max_examples=40, deadline=None)
@given(approval_elections(), st.sampled_from(BUDGET_RULES), st.randoms(use_true_random=False))
def test_budget_kept_and_ballot_order_irrelevant(election, rule, rnd) -> None:
    out = count(election, RuleConfig(rule))
    assert out.spent <= election.budget
    shuffled = list(election.ballots)
    rnd.shuffle(shuffled)
    again = count(Election(election.projects, shuffled, election.budget), RuleConfig(rule))
    assert again.selected == out.selected


@settings(max_examples=40, deadline=None)
@given(approval_elections(), st.sampled_from(BUDGET_RULES))
def test_relabelling_only_matters_through_name_tie_break(election, rule) -> None:
    # only the declared tie-break may look at project ids
    rename = {p.id: f"x{p.id}" for p in election.projects}
    projects = [Project(rename[p.id], p.cost) for p in election.projects]
    ballots = [
        Ballot(b.id, approvals=tuple(rename[a] for a in b.approvals)) for b in election.ballots
    ]
    relabelled = Election(projects, ballots, election.budget)
    out = count(election, RuleConfig(rule, tie_break="name"))
    other = count(relabelled, RuleConfig(rule, tie_break="name"))
    # "x" + id keeps the string order of ids, so the name tie-break decides alike
    assert [rename[p] for p in out.selected] == other.selected
