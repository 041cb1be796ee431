"""The result of a count: which projects are funded, in which order, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# Reason codes, stable for translation by the web app.
FUNDED = "funded"
DID_NOT_FIT = "did_not_fit"
BELOW_THRESHOLD = "below_threshold"
STOPPED = "stopped"  # greedy-no-skip: an earlier project did not fit
NOT_REACHED = "not_reached"  # top-n: ranked below N
NOT_AFFORDABLE = "not_affordable"  # MES: supporters' shares ran out
PRICED_OUT = "priced_out"  # phragmen: stopped before this project's turn
NO_SUPPORT = "no_support"


@dataclass
class ProjectResult:
    """One project's line in the result. ``reason`` and the numeric fields let a UI translate."""

    id: str
    cost: int
    score: Fraction
    channel_scores: dict[str, Fraction]
    selected: bool
    rank: int
    explanation: str
    reason: str
    remaining_before: int | None = None
    threshold: Fraction | None = None
    supporters_share: Fraction | None = None  # MES: supporters' money left (or paid)
    price_per_supporter: Fraction | None = None  # MES: what each rich supporter paid

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cost": self.cost,
            "score": number_to_json(self.score),
            "selected": self.selected,
            "rank": self.rank,
            "explanation": self.explanation,
            "reason": self.reason,
            "remaining_before": self.remaining_before,
            "channel_scores": {k: number_to_json(v) for k, v in self.channel_scores.items()},
        }


@dataclass
class Outcome:
    """Funded projects in funding order, every project in rank order, and the rule used."""

    rule: str
    tie_break: str
    budget: int
    spent: int
    selected: list[str]
    projects: list[ProjectResult]
    channels: list[str]
    notes: list[str] = field(default_factory=list)

    def result(self, project_id: str) -> ProjectResult:
        for r in self.projects:
            if r.id == project_id:
                return r
        raise KeyError(project_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "tie_break": self.tie_break,
            "budget": self.budget,
            "spent": self.spent,
            "selected": list(self.selected),
            "channels": list(self.channels),
            "notes": list(self.notes),
            "projects": [r.to_dict() for r in self.projects],
        }


def number_to_json(value: Fraction) -> int | float | str:
    """Integers stay integers; other fractions become a float (exact value in the string form)."""
    if value.denominator == 1:
        return int(value)
    return float(value)


def fmt(value: Fraction | int) -> str:
    """Plain number for explanations: integers as such, fractions to two decimals."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}"
