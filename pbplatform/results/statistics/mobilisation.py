"""Mobilisation per project: its support among voters who chose to vote (online, paper,
postal) against its support in the random household sample that received voting codes.

A ratio above 1 means the project did better among self-selected voters than in the sample,
for example because its supporters mobilised. Read from the published count's per-channel
totals (raw votes per channel, and each channel's valid ballots), never from ballots; shown
only where both groups have at least MIN_CELL ballots and supporters.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pbplatform.channels.models import Channel
from pbplatform.results.models import ResultVersion
from pbplatform.results.statistics.suppression import MIN_CELL
from pbplatform.results.summary import summarise

SELF_SELECTED = (Channel.ONLINE, Channel.PAPER, Channel.POSTAL)
SAMPLE = Channel.CODE


@dataclass
class Mobilisation:
    list_name: str | None
    title: str
    tracking_number: str
    self_share: Fraction | None  # supporters per self-selected ballot (None: suppressed)
    sample_share: Fraction | None
    ratio: Fraction | None


# Complexity: one pass over the lists with the cases the report distinguishes (no result, no
# population, small cells hidden).
def mobilisation(version: ResultVersion | None) -> list[Mobilisation]:
    if version is None:
        return []
    found = []
    for lst in version.outcome["lists"]:
        ballots = lst["ballots_per_channel"]
        self_ballots = sum(ballots.get(ch, 0) for ch in SELF_SELECTED)
        sample_ballots = ballots.get(SAMPLE, 0)
        if not self_ballots or not sample_ballots:
            continue  # both groups must exist in this list
        for p in summarise(version, lst).projects:
            self_votes = sum((p.raw.get(ch, Fraction(0)) for ch in SELF_SELECTED), Fraction(0))
            sample_votes = p.raw.get(SAMPLE, Fraction(0))
            big_enough = min(self_ballots, sample_ballots, self_votes, sample_votes) >= MIN_CELL
            self_share = self_votes / self_ballots if big_enough else None
            sample_share = sample_votes / sample_ballots if big_enough else None
            ratio = self_share / sample_share if self_share and sample_share else None
            found.append(
                Mobilisation(
                    lst["name"],
                    p.row["title"],
                    p.row["tracking_number"],
                    self_share,
                    sample_share,
                    ratio,
                )
            )
    return found
