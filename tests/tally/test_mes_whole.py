"""The integer exact state for whole points (mes_whole) against the Fraction one (mes)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pbplatform.tally import Ballot, Election, Project
from pbplatform.tally.rules.mes.exact import UtilityState, run_mes
from pbplatform.tally.rules.mes.exact_whole import WholeUtilityState

from .test_mes_fast import KEY


@st.composite
def whole_points(draw):
    n = draw(st.integers(1, 7))
    costs = [draw(st.sampled_from([0, 10, 25, 40, 40, 77])) for _ in range(n)]
    groups = draw(
        st.lists(
            st.dictionaries(st.integers(0, n - 1), st.integers(1, 5), max_size=n),
            min_size=1,
            max_size=8,
        )
    )
    weights = draw(st.lists(st.integers(1, 4), min_size=len(groups), max_size=len(groups)))
    return groups, weights, costs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(whole_points(), st.fractions(0, 60))
def test_whole_state_runs_equal_fraction_state_runs(instance, share) -> None:
    groups, weights, costs = instance
    ids = [f"p{q}" for q in range(len(costs))]
    support = [
        Fraction(sum(g.get(q, 0) * w for g, w in zip(groups, weights, strict=True)))
        for q in range(len(costs))
    ]
    assume(any(support))
    whole = run_mes(WholeUtilityState(groups, weights, costs), ids, costs, support, share, KEY)
    exact = run_mes(UtilityState(groups, weights, costs), ids, costs, support, share, KEY)
    assert (whole.selected, whole.alphas, whole.money_left) == (
        exact.selected,
        exact.alphas,
        exact.money_left,
    )


def test_an_order_floats_cannot_tell_is_decided_exactly() -> None:
    """Budgets 10**17 + 1 and 10**17 are the same double: the float order can put the richer
    first, the partition check then fails and the Fraction method gives the price."""
    groups, weights, costs = [{0: 1}, {0: 1}], [1, 1], [2 * 10**17 + 1]
    whole = WholeUtilityState(groups, weights, costs)
    whole.reset(Fraction(1))
    whole.nums = [10**17 + 1, 10**17]
    exact = UtilityState(groups, weights, costs)
    exact.reset(Fraction(1))
    exact.budgets = whole.budgets
    assert whole.alpha(0) == exact.alpha(0) == (Fraction(10**17 + 1), 0)


def test_budgets_over_a_huge_denominator_are_ordered() -> None:
    """After many rounds the common denominator can pass 10**308: the numerators alone are
    then too large for a float, the budgets per point are not."""
    groups, weights, costs = [{0: 1}, {0: 2}, {0: 1}], [1, 1, 1], [7]
    whole = WholeUtilityState(groups, weights, costs)
    whole.reset(Fraction(1))
    whole.den = 3 * 10**400
    whole.nums = [2 * 10**400, 10**400, 4 * 10**400]
    exact = UtilityState(groups, weights, costs)
    exact.reset(Fraction(1))
    exact.budgets = whole.budgets
    assert whole.alpha(0) == exact.alpha(0)
    assert whole.money(0) == exact.money(0) == Fraction(7, 3)


def test_points_files_use_the_integer_state() -> None:
    from pbplatform.tally import RuleConfig
    from pbplatform.tally.rules.mes.equal_shares import mes_input

    election = Election(
        [Project("a", 10), Project("b", 20)],
        [Ballot("1", points={"a": 2, "b": 1}), Ballot("2", points={"b": 3})],
        30,
        vote_type="cumulative",
    )
    assert type(mes_input(election, RuleConfig("equalshares")).state) is WholeUtilityState
    halves = Election(
        election.projects, [Ballot("1", points={"a": Fraction(1, 2)})], 30, vote_type="cumulative"
    )
    assert type(mes_input(halves, RuleConfig("equalshares")).state) is UtilityState
