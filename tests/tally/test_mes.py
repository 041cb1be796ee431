"""Equal shares, its completions, the comparison step and Phragmen on small elections."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbplatform.tally import (
    AggregateScore,
    Ballot,
    Election,
    Project,
    RuleConfig,
    TallyConfigError,
    count,
    validate_config,
)


def election(costs: dict[str, int], ballots: list[str], budget: int, **kw) -> Election:
    projects = [Project(pid, c) for pid, c in costs.items()]
    return Election(
        projects, [Ballot(str(k), approvals=tuple(b)) for k, b in enumerate(ballots)], budget, **kw
    )


def test_mes_is_proportional_where_greedy_is_not() -> None:
    # 6 voters want a/b, 4 want c/d; greedy gives the majority everything
    e = election({"a": 40, "b": 40, "c": 40, "d": 40}, ["ab"] * 6 + ["cd"] * 4, 100)
    assert sorted(count(e, RuleConfig("greedy")).selected) == ["a", "b"]
    first, second = count(e, RuleConfig("equalshares", tie_break="name")).selected
    assert (first, second) == ("a", "c")


def test_mes_explains_prices_and_effective_support() -> None:
    e = election({"a": 50, "b": 50, "c": 60}, ["ab"] * 6 + ["c"] * 4, 100)
    out = count(e, RuleConfig("equalshares"))
    a = out.result(out.selected[0])
    assert a.reason == "funded"
    assert "each supporter paid" in a.explanation
    c = out.result("c")
    assert c.reason == "not_affordable"
    assert c.supporters_share == 40
    assert "supporters had 40 of their shares left, it costs 60" in c.explanation


def test_add1_spends_more_and_stays_within_budget() -> None:
    e = election({"a": 40, "b": 40, "c": 30, "d": 70}, ["ab", "ab", "c", "cd", "d"], 100)
    plain = count(e, RuleConfig("equalshares"))
    for rule in ("equalshares/add1", "equalshares/add1-until-exhaustive"):
        out = count(e, RuleConfig(rule))
        assert out.spent <= 100
        assert out.spent >= plain.spent


def test_comparison_switches_to_greedy_only_when_preferred() -> None:
    e = election({"a": 40, "b": 40, "c": 40, "d": 40}, ["ab"] * 6 + ["cd"] * 4, 100)
    out = count(e, RuleConfig("equalshares-comparison"))
    assert sorted(out.selected) == ["a", "b"]  # 6 prefer greedy's a+b, 4 prefer MES's a+c
    assert any("greedy outcome is used" in n for n in out.notes)


def test_cumulative_mes_uses_points() -> None:
    projects = [Project("a", 60), Project("b", 40)]
    ballots = [Ballot("1", points={"a": 3, "b": 1}), Ballot("2", points={"b": Fraction(5, 2)})]
    out = count(Election(projects, ballots, 100, vote_type="cumulative"), RuleConfig("equalshares"))
    assert out.selected
    assert out.spent <= 100


def test_phragmen_balances_loads() -> None:
    e = election({"a": 50, "b": 50, "c": 50}, ["ab"] * 6 + ["c"] * 4, 100)
    assert count(e, RuleConfig("phragmen", tie_break="name")).selected == ["a", "c"]


@pytest.mark.parametrize(
    ("config", "kwargs", "message"),
    [
        (RuleConfig("equalshares"), {"has_aggregates": True}, "individual ballot"),
        (RuleConfig("phragmen"), {"vote_type": "cumulative"}, "approval ballots only"),
        (RuleConfig("equalshares/add1"), {"vote_type": "ordinal"}, "rankings give no utility"),
        (RuleConfig("greedy-exclusive"), {}, "exclusion"),
        (RuleConfig("greedy-custom"), {}, "local rule"),
        (RuleConfig("unknown"), {}, "declared rule"),
        (RuleConfig("top-n"), {}, "needs n"),
        (RuleConfig("greedy-threshold"), {}, "needs a threshold"),
        (RuleConfig("greedy", tie_break="coin"), {}, "tie-break"),
        (RuleConfig("equalshares", combination="normalized"), {}, "raw combination"),
        (RuleConfig("borda"), {}, "unknown rule"),
    ],
)
def test_validate_config_refuses_with_reason(config, kwargs, message) -> None:
    args = {"vote_type": "approval", "has_individual_ballots": True, "has_aggregates": False}
    with pytest.raises(TallyConfigError, match=message):
        validate_config(config, **{**args, **kwargs})


def test_mes_refuses_aggregates_at_count_time_too() -> None:
    e = election({"a": 10}, ["a"], 10, aggregates=[AggregateScore("meeting", "a", 5, 9)])
    with pytest.raises(TallyConfigError):
        count(e, RuleConfig("equalshares"))
