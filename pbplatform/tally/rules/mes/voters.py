"""Individual ballots as index rows and weights, for the rules that share money between voters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from itertools import chain, compress, repeat

import numpy as np

from ...model import Election, RuleConfig
from ...scores import ballot_scores, borda_length


def ballot_rows(
    election: Election, config: RuleConfig, index: Mapping[str, int]
) -> tuple[list, list[Fraction]]:
    """Per voter: project indices (approval) or (index, utility) pairs, and the voter's weight.

    A voter's weight is the ballot's weight times its channel's weight; voters whose weight
    is zero take no part (they would hold no share of the budget).
    """
    ballots = election.ballots
    rows: list[list[int] | list[tuple[int, Fraction]]] = []
    weights: list[Fraction] = []
    # only rankings need the Borda length; asking every other ballot for one costs a pass
    length = (
        borda_length(election, (b.ranking for b in ballots))
        if election.vote_type == "ordinal"
        else 0
    )
    for b in ballots:
        weight = b.weight * config.weight_of(b.channel)
        if not weight:
            continue
        scored = ballot_scores(b, election.vote_type, length)
        if election.vote_type == "approval":
            rows.append([index[pid] for pid in scored])
        else:
            rows.append([(index[pid], value) for pid, value in scored.items() if value > 0])
        weights.append(weight)
    return rows, weights


# per voter the number of approvals, all approved project indices in one stream, the distinct
# voter weights and each voter's place among them: lists, or numpy arrays from the compiled reader
ApprovalColumns = tuple[
    Sequence[int] | np.ndarray,
    Iterable[int] | np.ndarray,
    list[Fraction],
    Sequence[int] | np.ndarray,
]


# why complex: the compiled reader's arrays, else the text columns; zero weights take no part
def approval_columns(
    election: Election, config: RuleConfig, index: Mapping[str, int]
) -> ApprovalColumns | None:
    """Approval ballots read from a file, without a row per voter: each counted voter's number
    of approvals, all their project indices in one stream (arrays, when the compiled reader
    read the file), the distinct weights and each voter's place in that list. None when the
    ballots are not plain columns (then use ``ballot_rows``)."""
    cols = election.ballot_columns
    if election.vote_type != "approval" or cols.weighted:
        return None
    indexed = cols.indexed
    if indexed is not None:  # the compiled reader's arrays: channels coded already
        distinct = [config.weight_of(ch) for ch in indexed.names]
        renumber = [index.get(pid) for pid in indexed.ids]
        if all(distinct) and None not in renumber:
            return (
                indexed.lengths,
                np.array(renumber, dtype=np.int64)[indexed.flat],
                distinct,
                indexed.codes,
            )
    channel_weight = _channel_weights(cols.channels, config)
    code = {ch: k for k, ch in enumerate(channel_weight)}
    distinct = list(channel_weight.values())
    codes = list(map(code.__getitem__, cols.channels))
    votes = cols.votes
    if not all(distinct):  # a channel weighted zero takes no part
        counted = [bool(distinct[k]) for k in codes]
        votes = list(compress(votes, counted))
        codes = list(compress(codes, counted))
    return (
        list(map(len, votes)),
        map(index.__getitem__, chain.from_iterable(votes)),
        distinct,
        codes,
    )


# why complex: distinct cells of a file's ballots, else Ballot objects (weighted ballots)
def point_groups(
    election: Election, config: RuleConfig, index: Mapping[str, int]
) -> dict[tuple, int | Fraction]:
    """Distinct points ballots, each as its sorted (project index, points) pairs with points
    above zero, and the total weight of the voters who cast it. Voters with the same points
    always hold the same money under equal shares, so one budget per group is exact."""
    groups: dict[tuple, int | Fraction] = {}
    cols = election.ballot_columns
    if not cols.weighted:
        # a file's ballots: count the distinct (channel, projects, points) cells first and
        # build Fractions once per distinct ballot, as ``Ballots[i]`` would
        points = cols.points if cols.points is not None else repeat(())
        cells = Counter(
            zip(cols.channels, map(tuple, cols.votes), map(tuple, points), strict=False)
        )
        # whole weights (the usual 1) as ints: their sums cost far less than Fractions'
        channel_weight = {
            ch: int(w) if w.denominator == 1 else w
            for ch, w in _channel_weights(cols.channels, config).items()
        }
        for (channel, ids, pts), times in cells.items():
            weight = channel_weight[channel] * times
            if weight:
                util = {pid: _number(v) for pid, v in zip(ids, pts, strict=False)}
                _add(groups, [(index[pid], v) for pid, v in util.items() if v > 0], weight)
        return groups
    rows, weights = ballot_rows(election, config, index)
    for row, weight in zip(rows, weights, strict=True):
        _add(groups, row, weight)
    return groups


def _number(text: str) -> int | Fraction:
    """Points as read: whole numbers (nearly all) as ints, which cost far less than Fractions."""
    return int(text) if text.isascii() and text.isdigit() else Fraction(text)


def _add(groups: dict[tuple, int | Fraction], row: list, weight: int | Fraction) -> None:
    key = tuple(sorted(row))
    groups[key] = groups.get(key, 0) + weight


def _channel_weights(channels: list[str], config: RuleConfig) -> dict[str, Fraction]:
    """Each channel's declared weight, once per channel rather than once per ballot."""
    return {ch: config.weight_of(ch) for ch in dict.fromkeys(channels)}
