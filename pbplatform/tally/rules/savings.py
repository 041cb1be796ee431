"""Savings proposals: rank by net support (for minus against) and recommend up to a target.

Pure and deterministic: plain dataclasses in, plain data out, no web framework or database.
The rule, stated before voting:

1. rank by net support, highest first; ties: the larger amount first, then the id;
2. walking down that list, recommend each saving whose net support is above zero while the
   amount recommended so far is below the target (with no target: every positive one);
3. the achieved total is the sum of recommended amounts; the budget bonus is
   ``achieved * share_pct // 100`` (money in integer minor units, rounded down).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

RECOMMENDED = "recommended"
NO_SUPPORT = "no_support"  # net support zero or below
TARGET_REACHED = "target_reached"  # positive support, but the target was already met


class SavingsError(ValueError):
    """The inputs cannot be ranked (negative amount, duplicate id, share out of range...)."""


@dataclass(frozen=True)
class SavingsItem:
    id: str
    amount: int
    votes_for: int
    votes_against: int

    def __post_init__(self) -> None:
        for name in ("amount", "votes_for", "votes_against"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SavingsError(f"saving {self.id}: {name} must be a non-negative integer")

    @property
    def net_support(self) -> int:
        return self.votes_for - self.votes_against


@dataclass(frozen=True)
class SavingsResult:
    id: str
    amount: int
    votes_for: int
    votes_against: int
    net_support: int
    rank: int
    recommended: bool
    reason: str
    cumulative: int  # amount recommended up to and including this item
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "amount": self.amount,
            "votes_for": self.votes_for,
            "votes_against": self.votes_against,
            "net_support": self.net_support,
            "rank": self.rank,
            "recommended": self.recommended,
            "reason": self.reason,
            "cumulative": self.cumulative,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class SavingsOutcome:
    items: tuple[SavingsResult, ...]
    target: int | None
    achieved: int
    share_pct: int
    budget_bonus: int
    target_met: bool
    # The id of the item that reached the target: the results page draws the line after it.
    target_line_after: str | None

    @property
    def recommended(self) -> list[str]:
        return [r.id for r in self.items if r.recommended]


def plain_amount(amount: int) -> str:
    return f"{amount:,}"


def _signed(n: int) -> str:
    return f"\u2212{-n}" if n < 0 else str(n)


def rank_key(item: SavingsItem) -> tuple[int, int, str]:
    return (-item.net_support, -item.amount, item.id)


def rank_savings(
    items: Iterable[SavingsItem],
    target: int | None,
    share_pct: int,
    fmt: Callable[[int], str] = plain_amount,
) -> SavingsOutcome:
    """Rank ``items`` and recommend savings up to ``target``; ``fmt`` formats amounts."""
    items = list(items)
    _validate(items, target, share_pct)
    cumulative, results, line_after = 0, [], None
    for rank, item in enumerate(sorted(items, key=rank_key), start=1):
        net = item.net_support
        support = f"net support {_signed(net)} (for {item.votes_for}, against {item.votes_against})"
        if net <= 0:
            reason, text = NO_SUPPORT, f"net support {_signed(net)}: not recommended"
        elif target is not None and cumulative >= target:
            reason = TARGET_REACHED
            text = f"{support}; not recommended: target {fmt(target)} already reached"
        else:
            cumulative += item.amount
            reason = RECOMMENDED
            if target is None:
                text = f"{support}; recommended: {fmt(cumulative)} in total (no target)"
            else:
                text = f"{support}; recommended: {fmt(cumulative)} of target {fmt(target)} reached"
                if cumulative >= target and line_after is None:
                    line_after = item.id
        results.append(
            SavingsResult(
                id=item.id,
                amount=item.amount,
                votes_for=item.votes_for,
                votes_against=item.votes_against,
                net_support=net,
                rank=rank,
                recommended=reason == RECOMMENDED,
                reason=reason,
                cumulative=cumulative,
                explanation=text,
            )
        )
    return SavingsOutcome(
        items=tuple(results),
        target=target,
        achieved=cumulative,
        share_pct=share_pct,
        budget_bonus=cumulative * share_pct // 100,
        target_met=target is not None and cumulative >= target,
        target_line_after=line_after,
    )


def _validate(items: list[SavingsItem], target: int | None, share_pct: int) -> None:
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise SavingsError("saving ids must be unique")
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int) or target < 0
    ):
        raise SavingsError(f"target must be a non-negative integer or None, got {target!r}")
    if isinstance(share_pct, bool) or not isinstance(share_pct, int) or not 0 <= share_pct <= 100:
        raise SavingsError(f"share_pct must be an integer from 0 to 100, got {share_pct!r}")
