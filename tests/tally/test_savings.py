"""Savings ranking: examples of the rule and properties that hold for any input."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbplatform.tally.rules.savings import (
    NO_SUPPORT,
    RECOMMENDED,
    TARGET_REACHED,
    SavingsError,
    SavingsItem,
    rank_savings,
)


def item(i, amount, votes_for, votes_against):
    return SavingsItem(id=i, amount=amount, votes_for=votes_for, votes_against=votes_against)


def test_ranks_by_net_support_and_recommends_up_to_the_target():
    items = [
        item("lights", 15_000, 30, 20),  # net 10
        item("hall", 35_000, 60, 18),  # net 42
        item("cars", 20_000, 40, 15),  # net 25
        item("signs", 9_000, 12, 1),  # net 11
        item("pool", 80_000, 10, 13),
    ]  # net -3
    out = rank_savings(items, target=50_000, share_pct=20)
    assert [r.id for r in out.items] == ["hall", "cars", "signs", "lights", "pool"]
    assert out.recommended == ["hall", "cars"]
    assert out.achieved == 55_000
    assert out.target_met
    assert out.target_line_after == "cars"
    assert out.budget_bonus == 11_000
    by = {r.id: r for r in out.items}
    assert by["hall"].explanation == (
        "net support 42 (for 60, against 18); recommended: 35,000 of target 50,000 reached"
    )
    assert by["pool"].explanation == "net support \u22123: not recommended"
    assert (by["signs"].reason, by["pool"].reason) == (TARGET_REACHED, NO_SUPPORT)
    assert by["cars"].reason == RECOMMENDED
    assert by["cars"].cumulative == 55_000


def test_without_target_every_positive_saving_is_recommended():
    out = rank_savings([item("a", 5, 3, 1), item("b", 7, 1, 1), item("c", 9, 2, 0)], None, 0)
    assert out.recommended == ["c", "a"]
    assert (out.achieved, out.budget_bonus, out.target_met) == (14, 0, False)
    assert "no target" in out.items[0].explanation


def test_tie_break_larger_amount_then_id():
    out = rank_savings([item("b", 10, 5, 0), item("a", 10, 5, 0), item("c", 99, 5, 0)], None, 0)
    assert [r.id for r in out.items] == ["c", "a", "b"]


def test_target_not_met_when_support_runs_out():
    out = rank_savings([item("a", 10, 5, 0), item("b", 10, 0, 5)], 100, 50)
    assert out.recommended == ["a"]
    assert not out.target_met
    assert out.target_line_after is None
    assert out.budget_bonus == 5


def test_explanations_use_the_given_formatter():
    out = rank_savings([item("a", 12_345, 2, 1)], 20_000, 0, fmt=lambda m: f"EUR {m / 100:.2f}")
    assert out.items[0].explanation.endswith("recommended: EUR 123.45 of target EUR 200.00 reached")


@pytest.mark.parametrize(
    "bad",
    [
        dict(items=[item("a", 1, 1, 0), item("a", 2, 1, 0)]),
        dict(target=-1),
        dict(share_pct=101),
        dict(share_pct=-1),
    ],
)
def test_bad_input_is_refused(bad):
    args = dict(items=[item("a", 1, 1, 0)], target=None, share_pct=0) | bad
    with pytest.raises(SavingsError):
        rank_savings(**args)


def test_negative_amount_or_votes_refused():
    with pytest.raises(SavingsError):
        item("a", -5, 1, 0)
    with pytest.raises(SavingsError):
        item("a", 5, -1, 0)


# --- properties -----------------------------------------------------------------------------

items_strategy = st.lists(
    st.builds(
        SavingsItem,
        id=st.text("abcdefgh", min_size=1, max_size=4),
        amount=st.integers(0, 10**9),
        votes_for=st.integers(0, 500),
        votes_against=st.integers(0, 500),
    ),
    max_size=12,
    unique_by=lambda i: i.id,
)
targets = st.one_of(st.none(), st.integers(0, 5 * 10**9))
shares = st.integers(0, 100)


@settings(max_examples=300, deadline=None)
@given(items_strategy, targets, shares)
def test_target_reached_or_every_positive_recommended(items, target, share):
    out = rank_savings(items, target, share)
    positive = {i.id for i in items if i.net_support > 0}
    recommended = set(out.recommended)
    assert (target is not None and out.achieved >= target) or recommended == positive
    assert out.achieved == sum(r.amount for r in out.items if r.recommended)
    assert out.budget_bonus == out.achieved * share // 100


@settings(max_examples=300, deadline=None)
@given(items_strategy, targets, shares)
def test_no_saving_without_positive_support_is_recommended(items, target, share):
    out = rank_savings(items, target, share)
    assert all(r.net_support > 0 for r in out.items if r.recommended)
    assert all(r.reason == NO_SUPPORT for r in out.items if r.net_support <= 0)


@settings(max_examples=300, deadline=None)
@given(items_strategy, targets, shares, st.randoms(use_true_random=False))
def test_order_of_input_does_not_matter(items, target, share, rnd: random.Random):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert rank_savings(items, target, share) == rank_savings(shuffled, target, share)


@settings(max_examples=200, deadline=None)
@given(items_strategy, targets, shares)
def test_ranks_are_sorted_and_recommendations_are_a_prefix_of_positives(items, target, share):
    out = rank_savings(items, target, share)
    keys = [(-r.net_support, -r.amount, r.id) for r in out.items]
    assert keys == sorted(keys)
    assert [r.rank for r in out.items] == list(range(1, len(items) + 1))
    positives = [r for r in out.items if r.net_support > 0]
    flags = [r.recommended for r in positives]
    assert flags == sorted(flags, reverse=True)  # recommended ones come first, no gaps
    # Stop as soon as the target is reached: dropping the last recommended one falls short.
    if target is not None and out.recommended:
        last = next(r for r in reversed(out.items) if r.recommended)
        assert out.achieved - last.amount < target


def test_module_is_pure():
    import ast
    from pathlib import Path

    import pbplatform.tally.rules.savings as mod

    tree = ast.parse(Path(mod.__file__).read_text())
    names = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not names & {"flask", "sqlalchemy", "flask_sqlalchemy", "pbplatform", "flask_babel"}
