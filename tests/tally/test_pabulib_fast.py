"""The column-at-a-time VOTES reader must read exactly what the row-by-row reader reads."""

from __future__ import annotations

import io
from itertools import islice, permutations
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbplatform.tally import PabulibError, RuleConfig, count, read_pabulib
from pbplatform.tally.io import pabulib as reader
from pbplatform.tally.scores import channel_totals

from .conftest import pabulib_files

HEAD = "META\nkey;value\nbudget;100\nvote_type;{vote_type}\nPROJECTS\nproject_id;cost\n"
HEAD += "a;30\nb;40\nc;50\nd;60\n"


def parse(text: str):
    return read_pabulib(io.StringIO(text))


def parse_row_by_row(text: str):
    with patch.object(reader._VoteReader, "_fast", lambda self, text: None):
        return parse(text)


def votes_file(rows: list[str], vote_type: str = "approval", header: str = "voter_id;vote"):
    return HEAD.format(vote_type=vote_type) + "VOTES\n" + header + "\n" + "\n".join(rows) + "\n"


def _outcome(read, text: str):
    try:
        return read(text)
    except PabulibError as exc:
        return exc


clean_cells = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=5).map(",".join)
cells = clean_cells | st.lists(st.sampled_from(["a", " b", "", "a "]), max_size=3).map(",".join)
channels = st.sampled_from(["", "online", "paper", " paper ", "code"])


# the kernel fixture only sets an environment variable, the same for every example
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from([clean_cells, cells]).flatmap(
        lambda cell: st.lists(
            st.tuples(cell, channels, st.sampled_from(["1", "2", "1/3"])), max_size=12
        )
    ),
    st.sampled_from(["approval", "ordinal"]),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([False, False, True]),  # a blank line between ballots
    st.booleans(),
)
def test_fast_reader_agrees_with_row_by_row(
    kernel, rows, vote_type, newline, blank, weighted
) -> None:
    header = "voter_id;vote;voting_method;age" + (";weight" if weighted else "")
    lines = [
        f"{k};{cell};{channel};{k % 3 or ''}" + (f";{weight}" if weighted else "")
        for k, (cell, channel, weight) in enumerate(rows)
    ]
    if blank and lines:
        lines.insert(len(lines) // 2, "")
    text = votes_file(lines, vote_type, header).replace("\n", newline)
    slow, fast = _outcome(parse_row_by_row, text), _outcome(parse, text)
    if isinstance(slow, PabulibError):
        assert str(fast) == str(slow)  # the same line and message
        return
    assert fast == slow
    assert list(fast.ballots) == list(slow.ballots)
    assert fast.ballot_columns.votes == slow.ballot_columns.votes
    assert channel_totals(fast) == channel_totals(slow)
    config = RuleConfig(rule="greedy", tie_break="name")
    assert count(fast, config) == count(slow, config)
    config = RuleConfig(rule="equalshares", tie_break="name")
    if vote_type == "approval" and len(fast.ballots):
        assert count(fast, config) == count(slow, config)


def test_repeated_approval_counts_once(kernel) -> None:
    e = parse(votes_file(["1;a,b,a", "2;a", "3;a,b,a"]))
    assert e.ballots[0].approvals == ("a", "b")
    assert e.ballot_columns.votes == [["a", "b"], ["a"], ["a", "b"]]
    assert count(e).result("a").score == 3


def test_repeated_project_in_a_ranking_names_the_line() -> None:
    with pytest.raises(PabulibError, match="line 14: a project appears twice"):
        parse(votes_file(["1;a,b", "2;c,d,c"], vote_type="ordinal"))


def test_unknown_project_in_a_later_channel_names_its_line(kernel) -> None:
    text = votes_file(["1;a;paper", "2;b;online", "3;b,x;paper"], header="voter_id;vote;vm")
    text = text.replace(";vm", ";voting_method")
    with pytest.raises(PabulibError, match="line 15: vote for unknown project 'x'"):
        parse(text)


def test_line_numbers_count_crlf_and_blank_lines() -> None:
    text = votes_file(["1;a", "", "2;a;extra"]).replace("\n", "\r\n")
    with pytest.raises(PabulibError, match="line 15: expected 2 fields, got 3"):
        parse(text)


def test_counts_per_channel_come_from_distinct_cells(kernel) -> None:
    rows = ["1;a,b;paper", "2;a,b;online", "3;a,b;paper", "4;;paper", "5;c;"]
    e = parse(votes_file(rows, header="voter_id;vote;voting_method"))
    totals = channel_totals(e)
    assert list(totals) == ["paper", "online"]
    assert totals["paper"].support == {"a": 2, "b": 2}
    assert totals["paper"].size == 3
    assert totals["online"].support == {"a": 1, "b": 1, "c": 1}
    assert totals["online"].size == 2


def test_no_ballots_means_no_channels() -> None:
    for text in (votes_file([]), votes_file([]).replace("voter_id;vote\n", "voter_id;vote")):
        e = parse(text)
        assert len(e.ballots) == 0
        assert channel_totals(e) == {}


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        ("vote;voter_id", ["a,b;1", ";2", "c;3"]),
        ("voting_method;vote;voter_id", ["paper;a,b;1", ";b;2", "paper;c;3"]),
        ("voter_id;voting_method;vote", ["1;paper;a,b", "2;;b", "3;code;"]),
        ("voter_id;vote;voting_method", ["1;a,b;paper"]),
    ],
)
def test_any_column_order(kernel, header: str, rows: list[str]) -> None:
    text = votes_file(rows, header=header)
    fast, slow = parse(text), parse_row_by_row(text)
    assert fast.ballot_columns.approval_counts is not None  # it took the fast path
    assert list(fast.ballots) == list(slow.ballots)
    assert channel_totals(fast) == channel_totals(slow)


def test_many_cells_with_one_repeat_late(kernel) -> None:
    # more distinct cells than the reader splits at a time; the repeated approval is the last
    pids = [f"p{k}" for k in range(10)]
    head = "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n"
    head += "".join(f"{pid};10\n" for pid in pids)
    cells = [",".join(ids) for ids in islice(permutations(pids, 4), 1300)] + ["p1,p2,p1"]
    text = head + "VOTES\nvoter_id;vote\n" + "".join(f"{k};{c}\n" for k, c in enumerate(cells))
    fast, slow = parse(text), parse_row_by_row(text)
    assert fast.ballot_columns.approval_counts is not None
    assert channel_totals(fast) == channel_totals(slow)
    assert fast.ballot_columns.votes[-1] == ["p1", "p2"]


REAL = [p for p in pabulib_files() if p.stat().st_size < 1_500_000][::6]


@pytest.mark.skipif(not REAL, reason="no Pabulib files (set PBP_PABULIB_DIR)")
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files_read_the_same_both_ways(kernel, path) -> None:
    fast = read_pabulib(path)
    with patch.object(reader._VoteReader, "_fast", lambda self, text: None):
        slow = read_pabulib(path)
    assert channel_totals(fast) == channel_totals(slow)
    assert fast.ballot_columns.votes == slow.ballot_columns.votes
    assert fast == slow


def test_the_compiled_reader_numbers_each_ballots_projects(kernel) -> None:
    e = parse(votes_file(["1;b,a", "2;", "3;d,d,c", "4;a"]))
    indexed = e.ballot_columns.indexed
    if kernel == "pure":
        assert indexed is None
        return
    assert indexed.ids == ["a", "b", "c", "d"]
    assert indexed.names == ["online"]
    assert indexed.lengths.tolist() == [2, 0, 2, 1]
    assert indexed.flat.tolist() == [1, 0, 3, 2, 0]  # as written, the repeat dropped
    assert indexed.repeats
    assert e.ballot_columns.votes == [["b", "a"], [], ["d", "c"], ["a"]]


@pytest.mark.parametrize(
    "line", ["1;a,,b", "1;a, b", "1;a,x", "1;,a", "1;a,", "1;A", "1;a\tb", "1;a;extra", "1", ""]
)
def test_the_compiled_reader_leaves_any_doubtful_line_to_the_careful_one(line) -> None:
    from pbplatform.tally.engines import compiled

    reader = compiled()
    if reader is None:
        pytest.skip("the compiled reader is off (PBP_TALLY_KERNEL=0) or not built here")
    assert reader.approval_table(f"0;a\n{line}\n2;b", 2, 1, -1, ["a", "b"]) is None
    assert reader.approval_table("0;a\n1;b,a\n2;b\n \n", 2, 1, -1, ["a", "b"]) is not None


@pytest.mark.parametrize(
    "text", ["0;a\r\n1;b\n", "0;a\r1;b\r\n", "0;a\n1;b\n\x1c\n", "0;a\n1;b\u00a0\n"]
)
def test_the_compiled_reader_leaves_odd_line_ends_and_white_space_to_python(text) -> None:
    """Mixed line ends are made uniform, and str.isspace's white space trimmed, in Python."""
    from pbplatform.tally.engines import compiled

    reader = compiled()
    if reader is None:
        pytest.skip("the compiled reader is off (PBP_TALLY_KERNEL=0) or not built here")
    assert reader.approval_table(text, 2, 1, -1, ["a", "b", "b\u00a0"]) is None


def test_the_compiled_reader_refuses_columns_out_of_range() -> None:
    from pbplatform.tally.engines import compiled

    reader = compiled()
    if reader is None:
        pytest.skip("the compiled reader is off (PBP_TALLY_KERNEL=0) or not built here")
    for width, i_vote, i_channel in ((2, 2, -1), (2, -1, -1), (2, 1, 1), (0, 0, -1), (2, 1, 2)):
        with pytest.raises(ValueError, match="columns out of range"):
            reader.approval_table("0;a", width, i_vote, i_channel, ["a"])
    with pytest.raises(TypeError):
        reader.approval_table("0;a", 2, 1, -1, ["a", 1])
