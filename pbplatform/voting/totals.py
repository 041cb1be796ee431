"""The running total of a ballot being filled in: money chosen per list against its budget.

Shown under the sheet and recalculated by the server on "Update total", so it works without
JavaScript; static/ballot-total.js updates the same numbers live. It only informs: the rule
check (`check_ballot`) still decides, and input it cannot read counts as nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pbplatform.voting.services import BallotSheet


@dataclass(frozen=True)
class SectionTotal:
    key: str
    name: str
    chosen_minor: int
    budget_minor: int
    count: int

    @property
    def over(self) -> bool:
        return self.chosen_minor > self.budget_minor


@dataclass(frozen=True)
class RunningTotal:
    sections: list[SectionTotal]
    points_used: Decimal


# Points past any ballot's total: the rule check refuses them (422); here they count as
# nothing, so that the total never tries to format a number of a million digits.
MAX_AMOUNT = Decimal(10) ** 12


def _amount(value: str | None) -> Decimal:
    try:
        amount = Decimal((value or "").strip().replace(",", "."))
    except InvalidOperation:
        return Decimal(0)
    return amount if amount.is_finite() and 0 < amount < MAX_AMOUNT else Decimal(0)


def running_total(sheet: BallotSheet, values: dict[str, str]) -> RunningTotal:
    """`values`: proposal id (as text) -> the tick ("1") or points as posted."""
    sections, points = [], Decimal(0)
    for section in sheet.sections:
        chosen = [i for i in section.items if _amount(values.get(str(i.id))) > 0]
        points += sum((_amount(values.get(str(i.id))) for i in chosen), Decimal(0))
        sections.append(
            SectionTotal(
                key=section.key,
                name=section.name,
                chosen_minor=sum(i.net_minor for i in chosen),
                budget_minor=section.budget_minor,
                count=len(chosen),
            )
        )
    return RunningTotal(sections=sections, points_used=points)
