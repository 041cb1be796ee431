"""The add1 completions (mes_search): the outcome is the run at the largest share that fits,
whatever steps the search skips and however it splits them between two processes."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pbplatform.tally import Ballot, Election, Project, RuleConfig, count, read_pabulib
from pbplatform.tally.rules.mes import search as mes_search
from pbplatform.tally.rules.mes.equal_shares import (
    add1,
    add1_until_exhaustive,
    certify,
    cost_of,
    mes_input,
    run_at,
)

from .conftest import pabulib_path
from .test_mes_fast import KEY, elections
from .test_mes_fast_utility import elections as point_elections


def proven(low, high) -> bool:
    """Whether every share between two runs' is proven to give the first."""
    return certify(low, high)[0]


SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def split_at_once(monkeypatch) -> None:
    """Fork after the first block, however quick: these elections are counted in far less
    than ``SPLIT_AFTER``, and two processes must give the outcome of one."""
    monkeypatch.setattr(mes_search, "SPLIT_AFTER", 0.0)


def naive_add1(data, budget: int):
    """Pabulib's definition, one exact run per step and no skipping."""
    share = Fraction(budget) / data.voters
    best = run_at(data, share, KEY, exact=True)
    supported = sum(1 for s in data.support if s > 0)
    step = Fraction(math.floor(share))
    while len(best.selected) < supported:
        step += 1
        run = run_at(data, step, KEY, exact=True)
        if cost_of(data, run.selected) > budget:
            break
        best, share = run, step
    return best.selected, share


def naive_until_exhaustive(data, budget: int):
    share = Fraction(budget) / data.voters
    previous = ([], share)
    while True:
        run = run_at(data, share, KEY, exact=True)
        spent = cost_of(data, run.selected)
        if spent > budget:
            return previous
        left = [
            q
            for q, pid in enumerate(data.ids)
            if pid not in run.selected
            and data.support[q] > 0
            and 0 < data.costs[q] <= budget - spent
        ]
        if not left:
            return run.selected, share
        previous = (run.selected, share)
        share += 1


@SLOW
@given(elections(), st.sampled_from([1, 2]))
def test_add1_is_the_last_share_that_fits(monkeypatch, election, jobs) -> None:
    monkeypatch.setattr(mes_search, "BLOCK", 2)  # small blocks, so that even these split
    data = mes_input(election, RuleConfig("equalshares/add1"))
    assume(data.voters > 0)
    run, share = add1(data, election.budget, KEY, jobs=jobs)
    assert (run.selected, share) == naive_add1(data, election.budget)


@SLOW
@given(elections(), st.sampled_from([1, 2]))
def test_until_exhaustive_is_the_first_exhaustive_share(monkeypatch, election, jobs) -> None:
    monkeypatch.setattr(mes_search, "BLOCK", 2)
    data = mes_input(election, RuleConfig("equalshares/add1-until-exhaustive"))
    assume(data.voters > 0)
    run, share = add1_until_exhaustive(data, election.budget, KEY, jobs=jobs)
    assert (run.selected, share) == naive_until_exhaustive(data, election.budget)


@SLOW
@given(
    point_elections(), st.sampled_from(["equalshares/add1", "equalshares/add1-until-exhaustive"])
)
@pytest.mark.usefixtures("kernel")
def test_leaps_over_points_runs_find_the_same_share(election, rule) -> None:
    """Points ballots leap over the steps that certainly repeat a run (``_leap``): the
    outcome must be Pabulib's (or pabutools') definition, step by step."""
    data = mes_input(election, RuleConfig(rule))
    assume(data.voters > 0)
    if rule == "equalshares/add1":
        found, naive = add1(data, election.budget, KEY), naive_add1(data, election.budget)
    else:
        found = add1_until_exhaustive(data, election.budget, KEY)
        naive = naive_until_exhaustive(data, election.budget)
    assert (found[0].selected, found[1]) == naive


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    point_elections(max_voters=12),
    st.fractions(0, 40),
    st.fractions(0, 40),
    st.lists(st.fractions(0, 1), min_size=1, max_size=4),
)
@pytest.mark.usefixtures("kernel")
def test_a_certified_range_gives_one_run(election, a, b, between) -> None:
    """When ``certify`` holds for runs at two shares, every share between them gives the
    first run's order, which the exact method confirms at a few shares in between."""
    data = mes_input(election, RuleConfig("equalshares"))
    assume(data.voters > 0 and a != b)
    low, high = sorted((a, b))
    first, last = run_at(data, low, KEY), run_at(data, high, KEY)
    assume(proven(first, last))
    for t in between:
        share = low + (high - low) * t
        assert run_at(data, share, KEY, exact=True).selected == first.selected


class StepRun:
    def __init__(self, k: int) -> None:
        self.k, self.hi = k, float(k)  # no skipping by hi: every step is its own


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=60),
    st.lists(st.one_of(st.none(), st.floats(-10, 100)), min_size=1, max_size=20),
)
def test_leaping_finds_the_first_event_whatever_the_aims(values, aims) -> None:
    """``_leap`` only trusts what ``certify`` proves: aims that are wild, wrong or missing
    change how many steps it runs, never the step it finds. Runs here are the values of a
    list (0 is an event), and two runs are proven alike when every step between agrees."""
    ran: list[int] = []
    guesses = iter(aims * 1000)

    def value(k: int) -> int:  # every step after the list is an event too
        return values[k] if k < len(values) else 0

    def evaluate(k: int, _next: int):
        ran.append(k)
        assert len(ran) <= 4 * len(values) + 20, "the search does not converge"
        return StepRun(k), (mes_search.OVER if value(k) == 0 else None)

    def alike(a: StepRun, b: StepRun):
        return len({value(k) for k in range(a.k, b.k + 1)}) == 1, next(guesses)

    found = mes_search.search(mes_search.Steps(Fraction(0), Fraction(0)), evaluate, certify=alike)
    assert found == ([*values, 0].index(0), mes_search.OVER)


@pytest.mark.usefixtures("kernel")
def test_a_run_that_changes_and_changes_back_is_not_certified() -> None:
    """Shares 18.25 and 26.75 fund p3 then p2, but p3 then p0 in between (found by search):
    equal orders at both ends prove nothing, the prices must."""
    costs = {"p0": 43, "p1": 100, "p2": 25, "p3": 58}
    ballots = [
        {"p1": 2, "p0": 5, "p2": 2},
        {"p3": 2},
        {"p0": 2, "p3": 5, "p1": 1},
        {"p2": 3, "p3": 5, "p1": 3, "p0": 1},
        {"p1": 2, "p3": 3},
        {"p1": 3, "p3": 5, "p0": 2, "p2": 1},
    ]
    election = Election(
        [Project(pid, cost) for pid, cost in costs.items()],
        [Ballot(f"v{i}", points=b) for i, b in enumerate(ballots)],
        40,
        vote_type="cumulative",
    )
    data = mes_input(election, RuleConfig("equalshares"))
    low, high = run_at(data, Fraction(73, 4), KEY), run_at(data, Fraction(107, 4), KEY)
    assert low.selected == high.selected == ["p3", "p2"]
    assert run_at(data, Fraction(24), KEY, exact=True).selected == ["p3", "p0"]
    assert not proven(low, high)
    assert proven(low, run_at(data, Fraction(19), KEY))


@SLOW
@given(
    elections(),
    st.sampled_from(
        ["equalshares/add1", "equalshares/add1-until-exhaustive", "equalshares/add1-comparison"]
    ),
)
def test_two_processes_give_the_same_outcome(monkeypatch, election, rule) -> None:
    monkeypatch.setattr(mes_search, "BLOCK", 2)
    config = RuleConfig(rule, tie_break="name")
    alone = count(election, config, jobs=1)
    assert count(election, config, jobs=2) == alone


def counted_alone(monkeypatch, rule: str):
    """Nad Nerem (a few hundred steps), its config, and its outcome counted in one process."""
    election = read_pabulib(pabulib_path("Poland_Lodz_2020_Nad_Nerem.pb"))
    config = RuleConfig(rule, tie_break="name")
    return election, config, count(election, config, jobs=1)


@pytest.mark.parametrize("rule", ["equalshares/add1", "equalshares/add1-until-exhaustive"])
def test_two_processes_on_a_real_file(monkeypatch, rule: str) -> None:
    """Nad Nerem needs a few hundred steps: the second process really takes half of them."""
    election, config, alone = counted_alone(monkeypatch, rule)
    forks = []
    real_fork = mes_search.os.fork
    monkeypatch.setattr(mes_search.os, "fork", lambda: forks.append(1) or real_fork())
    # threads left by earlier tests (playwright's) would forbid the fork, as they should in a
    # threaded web worker; this count runs alone here
    monkeypatch.setattr(mes_search.threading, "active_count", lambda: 1)
    assert count(election, config, jobs=2) == alone
    assert forks == [1]


def test_a_quick_count_stays_in_one_process(monkeypatch) -> None:
    """A fork and its join cost more than a small election's whole count."""
    election, config, alone = counted_alone(monkeypatch, "equalshares/add1")
    monkeypatch.setattr(mes_search, "SPLIT_AFTER", 60.0)
    forks = []
    monkeypatch.setattr(mes_search.os, "fork", lambda: forks.append(1) or 1 / 0)
    assert count(election, config, jobs=2) == alone
    assert forks == []


def test_a_failed_child_costs_time_not_the_outcome(monkeypatch) -> None:
    """If the second process dies without a word, this one does its blocks itself."""
    election, config, alone = counted_alone(monkeypatch, "equalshares/add1")
    real_fork = mes_search.os.fork

    def fork_and_die() -> int:
        pid = real_fork()
        if pid == 0:
            mes_search.os._exit(1)
        return pid

    monkeypatch.setattr(mes_search.os, "fork", fork_and_die)
    assert count(election, config, jobs=2) == alone


def test_a_library_count_never_forks_unless_asked(monkeypatch) -> None:
    """The web counts with the default jobs=1; only the command line asks for two."""
    election, config, alone = counted_alone(monkeypatch, "equalshares/add1")
    monkeypatch.setattr(mes_search, "SPLIT_AFTER", 0.0)
    forks = []
    monkeypatch.setattr(mes_search.os, "fork", lambda: forks.append(1) or 1 / 0)
    monkeypatch.setenv("PBP_TALLY_JOBS", "2")  # the library does not read it
    assert count(election, config) == alone
    assert forks == []


def test_a_threaded_process_never_forks(monkeypatch) -> None:
    monkeypatch.setattr(mes_search.threading, "active_count", lambda: 3)
    assert not mes_search.can_fork()  # a threaded web worker, whatever jobs says


def test_the_command_line_reads_its_choices_from_the_environment() -> None:
    from pbplatform.tally.cli import engine_and_jobs

    assert engine_and_jobs({"PBP_TALLY_JOBS": "1", "PBP_TALLY_KERNEL": "0"}) == ("python", 1)
    engine, jobs = engine_and_jobs({})
    assert engine == "auto"
    assert jobs >= 1


@pytest.mark.parametrize(
    "rule",
    [
        "equalshares",
        "equalshares/add1",
        "equalshares/add1-until-exhaustive",
        "equalshares/add1-comparison",
    ],
)
def test_only_zero_weighted_ballots_fund_nothing(rule: str) -> None:
    """A channel weighted zero takes no part; if it holds every ballot, nobody has a share."""
    from pbplatform.tally import Ballot, Election, Project

    election = Election([Project("a", 10)], [Ballot("v", approvals=("a",), channel="post")], 100)
    outcome = count(election, RuleConfig(rule, channel_weights={"post": 0}))
    assert outcome.selected == []
    assert all(not p.selected for p in outcome.projects)


def _points_files() -> list:
    from .conftest import pabulib_files

    found = []
    for path in pabulib_files():
        head = path.read_text(encoding="utf-8-sig")[:4000]
        if "vote_type;cumulative" in head or "vote_type;scoring" in head:
            found.append(path)
    return found[::4]


@pytest.mark.parametrize("path", _points_files(), ids=lambda p: p.name)
def test_point_groups_from_columns_equal_ballot_by_ballot(path) -> None:
    """The grouped points read straight from a file's columns are those of its ballots."""
    from pbplatform.tally.model import Election
    from pbplatform.tally.rules.mes.voters import point_groups

    election = read_pabulib(path)
    config = RuleConfig("equalshares")
    index = {p.id: q for q, p in enumerate(election.projects)}
    from_columns = point_groups(election, config, index)
    as_list = Election(
        election.projects, list(election.ballots), election.budget, vote_type=election.vote_type
    )
    assert from_columns == point_groups(as_list, config, index)
    assert sum(from_columns.values()) == len(election.ballots)


@pytest.mark.usefixtures("kernel")
def test_a_proven_leap_just_short_of_an_over_budget_probe_stops_there() -> None:
    """Found by Hypothesis: step 14 (share 32) goes over budget; the leap then proves steps up
    to 13 and must run step 14 next, not step 13 again and then skip past 14."""
    half, one = Fraction(1, 2), Fraction(1)
    a = {"p0": half, "p1": one, "p3": one, "p4": Fraction(2), "p5": Fraction(3)}
    b = {"p3": one, "p0": Fraction(2)}
    costs = {"p0": 79, "p1": 79, "p2": 79, "p3": 47, "p4": 47, "p5": 47, "p6": 79}
    ballots = [
        Ballot(f"v{i}", points=p, weight=w)
        for i, (p, w) in enumerate([(a, Fraction(3, 2)), (b, one)] * 2)
    ]
    election = Election(
        [Project(pid, c) for pid, c in costs.items()], ballots, 94, vote_type="cumulative"
    )
    data = mes_input(election, RuleConfig("equalshares/add1"))
    run, share = add1(data, election.budget, KEY)
    assert (run.selected, share) == naive_add1(data, election.budget) == (["p5", "p3"], 31)
