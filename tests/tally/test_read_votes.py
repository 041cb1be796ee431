"""`tally.read_votes`: ballots held as VOTES lines (the web count's form) read as a file's."""

from __future__ import annotations

import io
from fractions import Fraction

from pbplatform.tally import Ballot, read_pabulib, read_votes

FILE = """META
key;value
budget;100
vote_type;{vote_type}
PROJECTS
project_id;cost
1;50
2;60
3;40
VOTES
voter_id;vote;{points}voting_method
{lines}
"""


def test_approval_lines_read_as_the_file_reader_reads_them():
    lines = "b1;1,3;online\nb2;;paper\nb3;2;online"
    ballots = read_votes(lines, ["1", "2", "3"], "approval")
    text = FILE.format(vote_type="approval", points="", lines=lines)
    assert list(ballots) == list(read_pabulib(io.StringIO(text)).ballots)
    assert list(ballots) == [
        Ballot(id="b1", approvals=("1", "3")),
        Ballot(id="b2", approvals=(), channel="paper"),
        Ballot(id="b3", approvals=("2",)),
    ]


def test_points_lines_keep_each_project_with_its_points():
    lines = "b1;1,2;3.00,2.50;online\nb2;;;code"
    ballots = list(read_votes(lines, ["1", "2", "3"], "cumulative"))
    assert ballots[0].points == {"1": 3, "2": Fraction(5, 2)}
    assert ballots[1].channel == "code"
    assert not ballots[1].points


def test_no_ballots():
    assert len(read_votes("", ["1"], "approval")) == 0
