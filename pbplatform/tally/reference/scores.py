"""Support per project and channel, and the channels combined as the cycle declared.

A ballot gives a project 1 (approval), its points (cumulative, scoring) or Borda points
``max_length - position`` (ordinal), times the ballot's weight. Meeting totals add their score.
``raw``: the sum over channels of weight x support. ``normalized``: weight x support / the
channel's size (its ballots' total weight, or a meeting's head count).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..model import Ballot, Election, RuleConfig

# a sort key per project id; the tuples compare element by element
TieKey = Callable[[str], tuple[Any, ...]]


@dataclass(frozen=True)
class Support:
    combined: dict[str, Fraction]  # what the ranking uses
    votes: dict[str, Fraction]  # raw support over every channel (for the default tie-break)
    tie_key: TieKey  # among equals, the smallest key wins


def utility(ballot: Ballot, election: Election, borda_length: int) -> dict[str, Fraction]:
    """What one ballot gives each project it names (before any weight)."""
    if election.vote_type == "approval":
        return {pid: Fraction(1) for pid in ballot.approvals}
    if election.vote_type == "ordinal":
        return {p: Fraction(max(borda_length - k, 0)) for k, p in enumerate(ballot.ranking)}
    return {pid: Fraction(v) for pid, v in (ballot.points or {}).items()}


def borda(election: Election) -> int:
    return election.max_length or max((len(b.ranking) for b in election.ballots), default=0)


def support(election: Election, config: RuleConfig) -> Support:
    ids = [p.id for p in election.projects]
    by_channel: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    size: dict[str, Fraction] = defaultdict(Fraction)
    length = borda(election)
    for ballot in election.ballots:
        size[ballot.channel] += ballot.weight
        for pid, value in utility(ballot, election, length).items():
            by_channel[ballot.channel][pid] += ballot.weight * value
    for agg in election.aggregates:
        by_channel[agg.channel][agg.project_id] += agg.score
        size[agg.channel] = max(size[agg.channel], Fraction(agg.participants))
    combined = dict.fromkeys(ids, Fraction(0))
    votes = dict.fromkeys(ids, Fraction(0))
    for channel, values in by_channel.items():
        scale = config.weight_of(channel)
        if config.combination == "normalized":
            scale = scale / size[channel] if size[channel] else Fraction(0)
        for pid, value in values.items():
            combined[pid] += scale * value
            votes[pid] += value
    return Support(combined, votes, _tie_key(election, config, votes))


def _tie_key(election: Election, config: RuleConfig, votes: dict[str, Fraction]) -> TieKey:
    if config.tie_break == "name":
        return lambda pid: (pid,)
    cost = {p.id: p.cost for p in election.projects}

    def lot(pid: str) -> str:
        return hashlib.sha256(f"{config.seed}{pid}".encode()).hexdigest()

    return lambda pid: (cost[pid], -votes[pid], lot(pid))
