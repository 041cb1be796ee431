"""The fast count equals the reference count (pbplatform/tally/reference/).

On generated elections of every rule and ballot type (hypothesis), with channels, weights,
meeting totals and both tie-breaks; and on the real Pabulib elections whose recorded
pabutools time is small enough for the slow reference to count them in CI
(`PBP_REFERENCE_SECONDS=1000 pytest tests/tally/test_reference.py -k real` runs every
recorded pair; it takes hours, as pabutools did).
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbplatform.tally import (
    AggregateScore,
    Ballot,
    Election,
    Project,
    RuleConfig,
    count,
    read_pabulib,
)
from pbplatform.tally.reference import reference_count

from .conftest import pabulib_dir

GREEDY = ["greedy", "greedy-no-skip", "greedy-threshold", "top-n"]
PROPORTIONAL = [
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-until-exhaustive",
    "equalshares-comparison",
    "equalshares/add1-comparison",
    "phragmen",
]
CHANNELS = ["online", "paper", "code"]
WEIGHTS = [Fraction(1), Fraction(2), Fraction(1, 2), Fraction(3, 2), Fraction(0)]


@st.composite
def elections(draw, vote_type: str, aggregates: bool, min_ballots: int = 0) -> Election:
    n = draw(st.integers(1, 6))
    projects = [Project(f"p{k}", draw(st.integers(0, 40))) for k in range(n)]
    ids = [p.id for p in projects]
    ballots = []
    for i in range(draw(st.integers(min_ballots, 9))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))
        common = dict(
            channel=draw(st.sampled_from(CHANNELS)),
            weight=draw(st.sampled_from([1, 1, 1, 2, Fraction(1, 2)])),
        )
        if vote_type == "approval":
            ballots.append(Ballot(f"v{i}", approvals=tuple(chosen), **common))
        elif vote_type == "ordinal":
            ballots.append(Ballot(f"v{i}", ranking=tuple(chosen), **common))
        else:
            points = {pid: draw(st.integers(0, 5)) for pid in chosen}
            ballots.append(Ballot(f"v{i}", points=points, **common))
    totals = []
    if aggregates:
        people = draw(st.integers(0, 12))
        for pid in draw(st.lists(st.sampled_from(ids), unique=True)):
            totals.append(AggregateScore("meeting", pid, draw(st.integers(0, 3 * people)), people))
    return Election(projects, ballots, draw(st.integers(0, 120)), vote_type, aggregates=totals)


@st.composite
def configs(draw, rules: list[str], combinations=("raw", "normalized")) -> RuleConfig:
    rule = draw(st.sampled_from(rules))
    return RuleConfig(
        rule,
        tie_break=draw(st.sampled_from(["default", "name"])),
        seed=draw(st.sampled_from(["", "lichtenberg-2026"])),
        threshold=draw(st.integers(0, 6)) if rule == "greedy-threshold" else None,
        n=draw(st.integers(1, 4)) if rule == "top-n" else None,
        channel_weights={ch: draw(st.sampled_from(WEIGHTS)) for ch in [*CHANNELS, "meeting"]},
        combination=draw(st.sampled_from(combinations)),
    )


def assert_agree(election: Election, config: RuleConfig) -> None:
    fast = count(election, config)
    ref = reference_count(election, config)
    assert fast.selected == ref.selected
    assert [p.id for p in fast.projects] == ref.ranked
    assert {p.id: p.score for p in fast.projects} == ref.scores


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VOTE_TYPES = ["approval", "cumulative", "scoring", "ordinal"]


@SETTINGS
@given(st.sampled_from(VOTE_TYPES).flatmap(lambda t: elections(t, True)), configs(GREEDY))
def test_greedy_family_with_meeting_totals(election: Election, config: RuleConfig) -> None:
    assert_agree(election, config)


@SETTINGS
@given(elections("approval", False, 1), configs(PROPORTIONAL, ["raw"]))
def test_proportional_rules_on_approval_ballots(election: Election, config: RuleConfig) -> None:
    assert_agree(election, config)


@SETTINGS
@given(
    st.sampled_from(["cumulative", "scoring"]).flatmap(lambda t: elections(t, False, 1)),
    configs(["equalshares", "equalshares/add1", "equalshares/add1-until-exhaustive"], ["raw"]),
)
def test_equal_shares_on_points(election: Election, config: RuleConfig) -> None:
    assert_agree(election, config)


def test_reference_is_not_the_fast_path() -> None:
    """The reference must stand alone: no import of the engine's rules or compiled code."""
    folder = Path(__file__).resolve().parents[2] / "pbplatform" / "tally" / "reference"
    source = "\n".join(p.read_text() for p in folder.glob("*.py"))
    for name in ("numpy", "kernel", "mes_fast", "mes_rules", "mes_search", "lru_cache", "..mes"):
        assert f"import {name}" not in source, name
        assert f"from {name}" not in source, name


# Real elections: every recorded (file, rule) pair whose pabutools time was below this.
RECORD = Path(__file__).parent / "expected" / "pabutools.json"
QUICK = float(os.environ.get("PBP_REFERENCE_SECONDS", "0.05"))
PAIRS = sorted(
    (name, rule)
    for name, rules in json.loads(RECORD.read_text()).items()
    for rule, found in rules.items()
    if found["seconds"] < QUICK
)


@pytest.mark.parametrize(("name", "rule"), PAIRS, ids=[f"{n}:{r}" for n, r in PAIRS])
def test_agrees_on_real_elections(name: str, rule: str) -> None:
    path = pabulib_dir() / name
    if not path.is_file():
        pytest.skip(f"{name} not in {pabulib_dir()} (set PBP_PABULIB_DIR)")
    assert_agree(read_pabulib(path), RuleConfig(rule=rule, tie_break="name"))
