"""Per-project scores: each channel's support, and the channels combined (raw or normalized).

A ballot's score for a project depends on the vote type: 1 for an approval, the points given
for cumulative and scoring ballots, and Borda points (max_length - position) for rankings,
which is how Pabulib's ordinal files compute their `score` column.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from .model import Ballot, Ballots, Election, RuleConfig, TallyError


@dataclass
class ChannelTotals:
    """Raw support per project in one channel and how many ballots (or participants) it had."""

    support: dict[str, Fraction]
    size: Fraction


@dataclass
class Scores:
    """Everything the greedy family and the explanations need about support."""

    combined: dict[str, Fraction]
    per_channel: dict[str, dict[str, Fraction]]  # already weighted / normalized
    votes: dict[str, Fraction]  # raw support over all channels, for the tie-break
    channels: list[str]


# why complex: raw whole scores take the integer path; the comprehensions count as branches
def compute_scores(election: Election, config: RuleConfig) -> Scores:
    totals = channel_totals(election)
    ids = [p.id for p in election.projects]
    weights = {channel: config.weight_of(channel) for channel in totals}
    if config.combination == "raw" and _integral(totals, weights):
        return _integer_scores(ids, totals, weights)
    per_channel: dict[str, dict[str, Fraction]] = {}
    votes = dict.fromkeys(ids, Fraction(0))
    for channel, tot in totals.items():
        weight = weights[channel]
        scale = weight
        if config.combination == "normalized":
            # a share of the channel's ballots, so a small survey counts as the council says
            scale = weight / tot.size if tot.size else Fraction(0)
        per_channel[channel] = {pid: tot.support.get(pid, Fraction(0)) * scale for pid in ids}
        for pid, value in tot.support.items():
            votes[pid] += value
    combined = {pid: sum((per_channel[ch][pid] for ch in per_channel), Fraction(0)) for pid in ids}
    return Scores(combined, per_channel, votes, sorted(per_channel))


def _integral(totals: dict[str, ChannelTotals], weights: dict[str, Fraction]) -> bool:
    return all(w.denominator == 1 for w in weights.values()) and all(
        v.denominator == 1 for tot in totals.values() for v in tot.support.values()
    )


def _integer_scores(
    ids: list[str], totals: dict[str, ChannelTotals], weights: dict[str, Fraction]
) -> Scores:
    """Whole votes and whole weights: add integers, make each exact Fraction once at the end."""
    votes = dict.fromkeys(ids, 0)
    combined = dict.fromkeys(ids, 0)
    per_channel: dict[str, dict[str, Fraction]] = {}
    for channel, tot in totals.items():
        weight = weights[channel].numerator
        support = {pid: v.numerator for pid, v in tot.support.items()}
        for pid, value in support.items():
            votes[pid] += value
        weighted = {pid: support.get(pid, 0) * weight for pid in ids}
        for pid, value in weighted.items():
            combined[pid] += value
        per_channel[channel] = {pid: Fraction(v) for pid, v in weighted.items()}
    return Scores(
        {pid: Fraction(v) for pid, v in combined.items()},
        per_channel,
        {pid: Fraction(v) for pid, v in votes.items()},
        sorted(per_channel),
    )


def channel_totals(election: Election) -> dict[str, ChannelTotals]:
    known = {p.id for p in election.projects}
    ballots = election.ballot_columns
    if ballots.weighted:
        totals = _ballot_totals(ballots, election)
    else:
        totals = _column_totals(ballots, election)
    for agg in election.aggregates:
        tot = totals.setdefault(agg.channel, ChannelTotals({}, Fraction(0)))
        tot.support[agg.project_id] = tot.support.get(agg.project_id, Fraction(0)) + agg.score
        # every row of a meeting carries the same head count; keep the largest
        tot.size = max(tot.size, Fraction(agg.participants))
    for channel, tot in totals.items():
        unknown = set(tot.support) - known
        if unknown:
            raise TallyError(f"channel {channel}: votes for unknown projects {sorted(unknown)}")
    return totals


def borda_length(election: Election, rankings: Iterable[Iterable[str]]) -> int:
    """Points for first place: the declared max_length, else the longest ranking."""
    if election.max_length:
        return election.max_length
    return max((len(tuple(r)) for r in rankings), default=0)


def ballot_scores(ballot: Ballot, vote_type: str, length: int) -> dict[str, Fraction]:
    if vote_type == "approval":
        return {pid: Fraction(1) for pid in ballot.approvals}
    if vote_type == "ordinal":
        return {pid: Fraction(max(length - k, 0)) for k, pid in enumerate(ballot.ranking)}
    # __post_init__ stored every point as a Fraction
    return dict(cast("Mapping[str, Fraction]", ballot.points or {}))


def _ballot_totals(ballots: Iterable[Ballot], election: Election) -> dict[str, ChannelTotals]:
    ballots = list(ballots)
    length = borda_length(election, (b.ranking for b in ballots))
    support: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    size: dict[str, Fraction] = defaultdict(Fraction)
    for b in ballots:
        size[b.channel] += b.weight
        for pid, value in ballot_scores(b, election.vote_type, length).items():
            support[b.channel][pid] += b.weight * value
        support[b.channel]  # noqa: B018 - a channel with only empty ballots still exists
    return {ch: ChannelTotals(dict(support[ch]), size[ch]) for ch in size}


def _column_totals(cols: Ballots, election: Election) -> dict[str, ChannelTotals]:
    """Fast path for parsed Pabulib files: integer counting first, Fractions once at the end."""
    if cols.approval_counts is not None and election.vote_type == "approval":
        return {
            ch: ChannelTotals({pid: Fraction(v) for pid, v in counted.items()}, Fraction(n))
            for ch, (counted, n) in cols.approval_counts.items()
        }
    by_channel: dict[str, list[int]] = defaultdict(list)
    for i, ch in enumerate(cols.channels):
        by_channel[ch].append(i)
    length = borda_length(election, cols.votes) if election.vote_type == "ordinal" else 0
    totals = {}
    for ch, rows in by_channel.items():
        counter = _support(cols, rows, election.vote_type, length)
        support = {pid: Fraction(v) for pid, v in counter.items()}
        totals[ch] = ChannelTotals(support, Fraction(len(rows)))
    return totals


def _support(cols: Ballots, rows: list[int], vote_type: str, length: int) -> Counter[str]:
    """The support of each project on the ballots ``rows``: approvals, Borda points of
    rankings of ``length``, or points, as ints where whole."""
    votes = cols.votes
    counter: Counter[str] = Counter()
    if vote_type == "approval":
        for i in rows:
            counter.update(votes[i])
    elif vote_type == "ordinal":
        for i in rows:
            for k, pid in enumerate(votes[i]):
                counter[pid] += max(length - k, 0)
    else:
        points = cols.points or []
        for i in rows:
            for pid, value in zip(votes[i], points[i], strict=False):
                # typeshed's Counter holds ints only; Fractions add exactly all the same
                counter[pid] += _number(value)  # type: ignore[assignment]
    return counter


def _number(text: str) -> int | Fraction:
    try:
        return int(text)
    except ValueError:
        return Fraction(text)
