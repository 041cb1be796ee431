"""Reading and writing Pabulib files: real files, round trips, and malformed input."""

from __future__ import annotations

import io
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbplatform.tally import Ballot, Election, PabulibError, Project, read_pabulib, write_pabulib
from pbplatform.tally.io.writer import pabulib_text

from .conftest import pabulib_files

SMALL = [p for p in pabulib_files() if p.stat().st_size < 400_000]

GOOD = """META
key;value
description;test
budget;100.0
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost;name;votes
p1;60;Park;2
p2;50;Bench;1
VOTES
voter_id;vote;points;voting_method
1;p1,p2;3,2;paper
2;p1;2.5;
"""


def parse(text: str) -> Election:
    return read_pabulib(io.StringIO(text))


def test_reads_fields_points_and_channels() -> None:
    e = parse(GOOD)
    assert e.budget == 100
    assert e.vote_type == "cumulative"
    assert e.max_sum_points == 5
    assert e.meta["description"] == "test"
    assert e.projects[0] == Project("p1", 60, "Park", extra=(("votes", "2"),))
    b1, b2 = e.ballots
    assert b1.channel == "paper"
    assert dict(b1.points) == {"p1": 3, "p2": 2}
    assert b2.channel == "online"
    assert b2.points["p1"] == Fraction(5, 2)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD.replace("p2;50;Bench;1", "p2;5x;Bench;1"), 10, "cost is not a number"),
        (GOOD.replace("p2;50;Bench;1", "p2;50.5;Bench;1"), 10, "whole number"),
        (GOOD.replace("p2;50;Bench;1", "p2;50;Bench"), 10, "expected 4 fields, got 3"),
        (GOOD.replace("2;p1;2.5;", "2;p9;2.5;"), 14, "unknown project 'p9'"),
        (GOOD.replace("2;p1;2.5;", "2;p1,p2;2.5;"), 14, "2 projects but 1 points"),
        (GOOD.replace("1;p1,p2;3,2", "1;p1,p2;3,x"), 13, "not a number"),
        (GOOD.replace("project_id;cost", "project;cost"), 8, "header lacks project_id"),
        ("hello\n", 1, "expected a META"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(PabulibError) as err:
        parse(text)
    assert err.value.line == line
    assert message in str(err.value)
    assert str(err.value).startswith(f"line {line}:")


def test_unknown_project_in_fast_path_names_the_line() -> None:
    text = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\n"
    text += "VOTES\nvoter_id;vote\n1;a\n2;a\n3;zz\n"
    with pytest.raises(PabulibError, match="line 12: vote for unknown project 'zz'"):
        parse(text)


def test_round_trip_by_hand() -> None:
    e = parse(GOOD)
    assert parse(pabulib_text(e)) == e
    assert parse(pabulib_text(parse(pabulib_text(e)))) == e


@pytest.mark.skipif(not SMALL, reason="no Pabulib files (set PBP_PABULIB_DIR)")
@pytest.mark.parametrize("path", SMALL[::3], ids=lambda p: p.name)
def test_round_trip_real_files(path, tmp_path) -> None:
    e = read_pabulib(path)
    out = tmp_path / "copy.pb"
    write_pabulib(e, out)
    assert read_pabulib(out) == e


ids = st.text("abcxyz19", min_size=1, max_size=3)
# Pabulib strips every value, so generated names carry no outer spaces or control characters
names = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=8).map(
    str.strip
)


@st.composite
def elections(draw) -> Election:
    vote_type = draw(st.sampled_from(["approval", "cumulative", "ordinal", "scoring"]))
    pids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    projects = [Project(p, draw(st.integers(0, 10**9)), draw(names)) for p in pids]
    ballots = []
    for k in range(draw(st.integers(0, 6))):
        chosen = draw(st.lists(st.sampled_from(pids), unique=True))
        channel = draw(st.sampled_from(["online", "paper", "meeting;1"]))
        weight = draw(st.sampled_from([1, 2, Fraction(1, 3)]))
        if vote_type in ("cumulative", "scoring"):
            pts = {p: draw(st.fractions(0, 10)) for p in chosen}
            ballots.append(Ballot(str(k), points=pts, channel=channel, weight=weight))
        elif vote_type == "ordinal":
            ballots.append(Ballot(str(k), ranking=tuple(chosen), channel=channel, weight=weight))
        else:
            ballots.append(Ballot(str(k), approvals=tuple(chosen), channel=channel, weight=weight))
    return Election(
        projects,
        ballots,
        draw(st.integers(0, 10**9)),
        vote_type=vote_type,
        meta={"description": draw(names)},
    )


@settings(max_examples=60, deadline=None)
@given(elections())
def test_round_trip_generated(election: Election) -> None:
    assert parse(pabulib_text(election)) == election


def test_meeting_totals_travel_in_meta_and_count_the_same() -> None:
    """Totals-only channels (meeting dots) are written as the META key aggregate_scores and
    read back into the election's aggregates, so a recount of the file counts them."""
    import io as _io

    from pbplatform.tally import AggregateScore, Ballot, Election, RuleConfig, count
    from pbplatform.tally import Project as _Project
    from pbplatform.tally.io.writer import pabulib_text

    election = Election(
        projects=[_Project("1", 50), _Project("2", 60)],
        ballots=[Ballot("a", approvals=("1",)), Ballot("b", approvals=("2",), channel="code")],
        budget=100,
        aggregates=[AggregateScore("meeting", "2", "7/2", 9), AggregateScore("meeting", "1", 1, 9)],
    )
    text = pabulib_text(election)
    assert "aggregate_scores;meeting:2:3.5:9,meeting:1:1:9" in text
    again = read_pabulib(_io.StringIO(text))
    assert list(again.aggregates) == list(election.aggregates)
    assert "aggregate_scores" not in again.meta
    config = RuleConfig(channel_weights={"code": 2, "meeting": "0.5"})
    assert count(again, config).to_dict() == count(election, config).to_dict()
