"""One ballot representation (issue 14 item 2): ballots given as objects and ballots read from
a file are both ``model.Ballots``, the shape every rule takes, with the same columns."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbplatform.tally import Ballot, Election, Project, RuleConfig, count, read_pabulib
from pbplatform.tally.io.writer import pabulib_text
from pbplatform.tally.model import Ballots


@pytest.mark.parametrize(
    ("vote_type", "ballots", "votes", "points"),
    [
        (
            "approval",
            [Ballot("1", approvals=("a", "b"), channel="paper"), Ballot("2", approvals=("a",))],
            [["a", "b"], ["a"]],
            None,
        ),
        (
            "cumulative",
            [
                Ballot("1", points={"a": 2, "b": Fraction(1, 2)}, channel="paper"),
                Ballot("2", points={"b": 3}),
            ],
            [["a", "b"], ["b"]],
            [["2", "1/2"], ["3"]],
        ),
    ],
)
def test_ballots_given_as_objects_or_read_from_a_file_have_one_shape(
    tmp_path, vote_type, ballots, votes, points
) -> None:
    given = Election(
        projects=[Project("a", 10), Project("b", 20)],
        ballots=ballots,
        budget=30,
        vote_type=vote_type,
    )
    path = tmp_path / "e.pb"
    path.write_text(pabulib_text(given))
    read = read_pabulib(path)
    for election in (given, read):
        assert isinstance(election.ballots, Ballots)
        assert election.ballot_columns.channels == ["paper", "online"]
        assert election.ballot_columns.votes == votes
        assert list(election.ballots) == ballots
        assert election.ballots[-1] == ballots[-1]
    assert given.ballot_columns.points == points
    # a file's points are read as written; the writer writes 1/2 as 0.5
    assert read.ballot_columns.points is None or len(read.ballot_columns.points) == 2
    assert given.ballot_columns.weighted  # objects are read as objects by the rules
    assert not read.ballot_columns.weighted  # a file without weights, a column at a time
    rule = RuleConfig(rule="equalshares", tie_break="name")
    assert count(given, rule).selected == count(read, rule).selected
