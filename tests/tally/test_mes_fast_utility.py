"""The certified float MES for points ballots (mes_fast_utility) against the exact method.

A run the float path accepts must select exactly what the exact method selects, in the same
order, and its explanations (filled in from one exact run) must be the exact ones. Few
distinct costs and points, and small budgets, make exact ties and exact fits common: those
must go to the exact method.
"""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pbplatform.tally.rules.mes.float_points as module
from pbplatform.tally import Ballot, Election, Project, RuleConfig
from pbplatform.tally.rules.mes.equal_shares import complete, mes_input, run_at
from pbplatform.tally.rules.mes.float_points import FastUtility, LazyRun

from .conftest import pabulib_files
from .test_mes_fast import KEY, exact_run, fast_and_exact, same_run, shares_of

# every test here runs on the compiled kernel and on the pure-Python path
pytestmark = pytest.mark.usefixtures("kernel")
SUPPRESS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

RULES = ["equalshares", "equalshares/add1", "equalshares/add1-until-exhaustive"]
POINTS = [1, 1, 2, 3, Fraction(1, 2), 5]


@st.composite
def elections(draw, max_projects: int = 8, max_voters: int = 30) -> Election:
    n = draw(st.integers(1, max_projects))
    cost_pool = draw(st.lists(st.integers(1, 120), min_size=1, max_size=4))
    projects = [Project(f"p{k}", draw(st.sampled_from(cost_pool + [0]))) for k in range(n)]
    ballot = st.dictionaries(
        st.sampled_from([p.id for p in projects]), st.sampled_from(POINTS), max_size=n
    )
    pool = draw(st.lists(ballot, min_size=1, max_size=5))
    ballots = [
        Ballot(
            f"v{i}",
            points=draw(st.sampled_from(pool)),
            weight=draw(st.sampled_from([1, 1, 1, 2, Fraction(1, 2), Fraction(3, 2)])),
        )
        for i in range(draw(st.integers(1, max_voters)))
    ]
    vote_type = draw(st.sampled_from(["cumulative", "scoring"]))
    return Election(projects, ballots, draw(st.integers(1, 400)), vote_type=vote_type)


@settings(max_examples=300, deadline=None, suppress_health_check=SUPPRESS)
@given(elections())
def test_float_runs_equal_exact_runs(election) -> None:
    data = mes_input(election, RuleConfig("equalshares"))
    assume(data.voters > 0)
    for share in shares_of(data, election.budget):
        fast = complete(data, run_at(data, share, KEY))
        same_run(fast, exact_run(data, share))


@settings(max_examples=300, deadline=None, suppress_health_check=SUPPRESS)
@given(elections(), st.fractions(0, 50))
def test_certified_orders_equal_exact_orders(election, share) -> None:
    """Any share, not only the add1 steps: a certified order is the exact order."""
    data = mes_input(election, RuleConfig("equalshares"))
    assume(data.voters > 0)
    order = data.points.run(share / data.scale)
    if order is not None:
        assert [data.ids[q] for q in order] == exact_run(data, share).selected


@settings(max_examples=200, deadline=None, suppress_health_check=SUPPRESS)
@given(elections(), st.lists(st.fractions(0, 50), min_size=2, max_size=5))
def test_guesses_from_other_runs_do_not_matter(election, shares) -> None:
    """Each run starts from the prices of the run before (at any other share): only the
    work may change, never the order."""
    data = mes_input(election, RuleConfig("equalshares"))
    assume(data.voters > 0)
    for share in shares:
        order = data.points.run(share / data.scale)
        if order is not None:
            assert [data.ids[q] for q in order] == exact_run(data, share).selected


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(elections(), st.sampled_from(RULES), st.sampled_from(["name", "default"]))
def test_rules_agree_with_exact_method(monkeypatch, election, rule, tie_break) -> None:
    fast, exact = fast_and_exact(
        monkeypatch, FastUtility, election, RuleConfig(rule, tie_break=tie_break)
    )
    assert fast == exact


def points_election(ballots: list[dict[str, int]], costs: dict[str, int], budget: int) -> Election:
    projects = [Project(pid, c) for pid, c in costs.items()]
    return Election(
        projects,
        [Ballot(str(i), points=b) for i, b in enumerate(ballots)],
        budget,
        vote_type="cumulative",
    )


def test_exact_tie_goes_to_the_exact_method() -> None:
    # a and b: same cost, same supporters with the same points: the same price in round 1
    ballots = [{"a": 2, "b": 2}] * 5 + [{"c": 1}] * 3
    election = points_election(ballots, {"a": 40, "b": 40, "c": 30}, 100)
    data = mes_input(election, RuleConfig("equalshares"))
    share = Fraction(election.budget) / data.voters
    assert data.points.run(share) is None
    assert data.points.reason[0] == "close"

    def b_first(pid: str) -> tuple:
        return (pid != "b", pid)

    assert run_at(data, share, b_first).selected[0] == "b"
    assert run_at(data, share, KEY).selected[0] == "a"
    assert data.exact_runs == 2


def test_near_tie_is_decided_in_floats() -> None:
    # prices 40/10 and 41/10 per point: close, but far above any float error
    ballots = [{"a": 2, "b": 2}] * 5 + [{"c": 1}] * 3
    election = points_election(ballots, {"a": 40, "b": 41, "c": 30}, 100)
    data = mes_input(election, RuleConfig("equalshares"))
    share = Fraction(election.budget) / data.voters
    run = run_at(data, share, KEY)
    assert isinstance(run, LazyRun)
    assert data.exact_runs == 0
    same_run(complete(data, run), exact_run(data, share))


def test_exact_fit_goes_to_the_exact_method() -> None:
    # 3 voters with 10 each and a project costing exactly 30: money equals the cost
    ballots = [{"a": 1}] * 3 + [{"b": 2}] * 2
    election = points_election(ballots, {"a": 30, "b": 25}, 50)
    data = mes_input(election, RuleConfig("equalshares"))
    assert data.points.run(Fraction(10)) is None
    run = run_at(data, Fraction(10), KEY)
    assert data.exact_runs == 1
    assert run.selected == ["a"]


def test_zero_cost_projects_come_first_as_in_the_exact_method() -> None:
    ballots = [{"a": 1, "z": 3}] * 3 + [{"b": 2}] * 2
    election = points_election(ballots, {"a": 30, "b": 25, "z": 0, "y": 0}, 100)
    data = mes_input(election, RuleConfig("equalshares"))
    share = Fraction(election.budget) / data.voters
    run = run_at(data, share, KEY)
    assert data.exact_runs == 0
    assert run.selected[0] == "z"
    assert "y" not in run.selected
    same_run(complete(data, run), exact_run(data, share))


def test_weights_too_large_for_doubles_go_to_the_exact_method() -> None:
    fast = FastUtility([{0: Fraction(1)}], [2**51], [10])
    assert not fast.usable
    assert fast.run(Fraction(1)) is None


def test_details_come_from_one_exact_run() -> None:
    ballots = [{"a": 3, "b": 1}] * 4 + [{"b": 2, "c": 1}] * 3 + [{"c": 5}] * 2
    election = points_election(ballots, {"a": 45, "b": 30, "c": 50}, 120)
    data = mes_input(election, RuleConfig("equalshares"))
    share = Fraction(election.budget) / data.voters
    run = run_at(data, share, KEY)
    calls = []
    inner = run._exact
    run._exact = lambda: calls.append(1) or inner()
    exact = exact_run(data, share)
    assert run.alphas == exact.alphas
    assert run.money_left == exact.money_left
    assert run.selected == exact.selected
    assert calls == [1]


def test_module_is_pure() -> None:
    tree = ast.parse(Path(module.__file__).read_text())
    names = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    assert names <= {"__future__", "math", "collections", "fractions", "numpy", "typing"}


CUMULATIVE = [
    p
    for p in pabulib_files()
    if p.stat().st_size < 160_000
    and any(
        f"vote_type;{t}" in p.read_text(errors="replace")[:4000] for t in ("cumulative", "scoring")
    )
]


@pytest.mark.skipif(not CUMULATIVE, reason="no Pabulib points files (set PBP_PABULIB_DIR)")
def test_real_files_float_equals_exact() -> None:
    from pbplatform.tally import read_pabulib

    runs = 0
    for path in CUMULATIVE:
        election = read_pabulib(path)
        data = mes_input(election, RuleConfig("equalshares"))
        for share in list(shares_of(data, election.budget))[:3]:
            fast = complete(data, run_at(data, share, KEY))
            same_run(fast, exact_run(data, share))
            runs += 1
        assert data.points.fallbacks == 0, path.name  # the float path did the work
    assert runs > 30


REAL = ["Poland_Gdansk_2020_Bretowo.pb", "Poland_Gdansk_2020_Zaspa_Rozstaje.pb"]


@pytest.mark.parametrize("name", REAL)
@pytest.mark.parametrize("rule", RULES[1:])
def test_real_file_outcomes_equal_exact_outcomes(monkeypatch, name: str, rule: str) -> None:
    from pbplatform.tally import read_pabulib

    from .conftest import pabulib_path

    election = read_pabulib(pabulib_path(name))
    fast, exact = fast_and_exact(monkeypatch, FastUtility, election, RuleConfig(rule))
    assert fast == exact
