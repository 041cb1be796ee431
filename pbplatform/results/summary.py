"""What each published list's summary shows: money, ballots per channel and their weight.

Built from the version alone (its outcome and config), so the page shows what was counted.
One definition of turnout throughout: the ballots received in each channel, valid and invalid,
as the lists count them; for meetings (totals only) the attendance of the meetings whose
totals were confirmed. Every ballot takes part in the district-wide list, so its figures are
the cycle's turnout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pbplatform.cycles.models import Combination
from pbplatform.results.models import ResultVersion


@dataclass
class ChannelLine:
    channel: str
    valid: int  # ballots, or attendance for a totals-only channel
    invalid: int
    weight: Fraction
    totals_only: bool = False


@dataclass
class ProjectLine:
    """One project's numbers as the table and chart show them (weighted and raw labelled)."""

    row: dict[str, Any]
    weighted: dict[str, Fraction] = field(default_factory=dict)  # per channel, as counted
    raw: dict[str, Fraction] = field(default_factory=dict)  # votes, points or dots


@dataclass
class ListSummary:
    key: str
    budget: int
    spent: int
    left: int
    funded: int
    channels: list[ChannelLine]
    projects: list[ProjectLine]


def weight_of(version: ResultVersion, channel: str) -> Fraction:
    return Fraction(str(version.config["channel_weights"].get(channel, "1")))


def attendance(lst: dict[str, Any]) -> dict[str, int]:
    """Head count of each totals-only channel (stored with the aggregates since issue 13)."""
    found: dict[str, int] = {}
    for row in lst.get("aggregates", []):
        found[row["channel"]] = max(found.get(row["channel"], 0), int(row["participants"]))
    return found


def channel_lines(version: ResultVersion, lst: dict[str, Any]) -> list[ChannelLine]:
    valid, invalid = lst["ballots_per_channel"], lst["invalid_per_channel"]
    lines = [
        ChannelLine(ch, valid.get(ch, 0), invalid.get(ch, 0), weight_of(version, ch))
        for ch in sorted(set(valid) | set(invalid))
    ]
    heads = attendance(lst)
    lines += [
        ChannelLine(ch, heads.get(ch, 0), 0, weight_of(version, ch), totals_only=True)
        for ch in lst["aggregate_channels"]
    ]
    return lines


def _raw(version: ResultVersion, value: Any, weight: Fraction, size: int) -> Fraction:
    """Undo the weighting: raw = weighted / weight; normalised scores are shares of `size`."""
    weighted = Fraction(str(value))
    if not weight:
        return Fraction(0)
    raw = weighted / weight
    if version.config["combination"] == Combination.NORMALIZED:
        raw *= size
    return raw


def summarise(version: ResultVersion, lst: dict[str, Any]) -> ListSummary:
    lines = channel_lines(version, lst)
    sizes = {line.channel: line.valid for line in lines}
    weights = {line.channel: line.weight for line in lines}
    projects = []
    for row in lst["projects"]:
        weighted = {ch: Fraction(str(v)) for ch, v in row["channel_scores"].items()}
        raw = {
            ch: _raw(version, v, weights.get(ch, Fraction(1)), sizes.get(ch, 0))
            for ch, v in row["channel_scores"].items()
        }
        projects.append(ProjectLine(row, weighted, raw))
    return ListSummary(
        key=lst["key"],
        budget=lst["budget"],
        spent=lst["spent"],
        left=lst["left"],
        funded=sum(1 for row in lst["projects"] if row["selected"]),
        channels=lines,
        projects=projects,
    )


def turnout(version: ResultVersion) -> list[ChannelLine]:
    """The cycle's turnout: the district-wide list's channels (every ballot is in it)."""
    district = next((lst for lst in version.outcome["lists"] if lst["key"] == "district"), None)
    if district is None:
        return []
    return channel_lines(version, district)
