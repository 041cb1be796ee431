"""Individual ballots as index rows and weights, for the rules that share money between voters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from itertools import chain, compress

from .model import Election, LazyBallots, RuleConfig
from .scores import ballot_scores, borda_length


def ballot_rows(
    election: Election, config: RuleConfig, index: Mapping[str, int]
) -> tuple[list, list[Fraction]]:
    """Per voter: project indices (approval) or (index, utility) pairs, and the voter's weight.

    A voter's weight is the ballot's weight times its channel's weight; voters whose weight
    is zero take no part (they would hold no share of the budget).
    """
    ballots = election.ballots
    fast = isinstance(ballots, LazyBallots) and not ballots.columns.weights
    if fast and election.vote_type == "approval":
        cols = ballots.columns
        channel_weight = {ch: config.weight_of(ch) for ch in set(cols.channels)}
        rows, weights = [], []
        for ids, ch in zip(cols.votes, cols.channels, strict=False):
            if channel_weight[ch]:
                rows.append([index[pid] for pid in ids])
                weights.append(channel_weight[ch])
        return rows, weights
    rows, weights = [], []
    length = borda_length(election, (b.ranking for b in ballots))
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


def approval_columns(
    election: Election, config: RuleConfig, index: Mapping[str, int]
) -> tuple[list[int], Iterator[int], list[Fraction], list[int]] | None:
    """Approval ballots read from a file, without a row per voter: each counted voter's number
    of approvals, all their project indices in one stream, the distinct weights and each
    voter's place in that list. None when the ballots are not plain columns (then use
    ``ballot_rows``)."""
    ballots = election.ballots
    if election.vote_type != "approval" or not isinstance(ballots, LazyBallots):
        return None
    cols = ballots.columns
    if cols.weights:
        return None
    code = {ch: k for k, ch in enumerate(set(cols.channels))}
    distinct = [config.weight_of(ch) for ch in code]
    codes = list(map(code.__getitem__, cols.channels))
    votes = cols.votes
    if not all(distinct):  # a channel weighted zero takes no part
        counted = [bool(distinct[k]) for k in codes]
        votes = list(compress(votes, counted))
        codes = list(compress(codes, counted))
    return list(map(len, votes)), map(index.__getitem__, chain.from_iterable(votes)), \
        distinct, codes
