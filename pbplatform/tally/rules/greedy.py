"""The greedy family: greedy, greedy-no-skip, greedy-threshold and top-n.

All four walk the projects in rank order (score descending, then the declared tie-break);
they differ only in what happens to a project that does not fit or does not qualify.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .. import outcome as oc
from ..outcome import fmt


@dataclass
class Decision:
    """Why a project ended where it did; turned into a ProjectResult by the caller."""

    reason: str
    explanation: str
    remaining_before: int | None = None
    threshold: Fraction | None = None
    supporters_share: Fraction | None = None
    price_per_supporter: Fraction | None = None


def rank_order(ids: Sequence[str], score: Mapping[str, Fraction], key: Callable) -> list[str]:
    # whole scores compare as ints: Fraction comparisons cost microseconds each
    whole = all(score[pid].denominator == 1 for pid in ids)
    best = {pid: -(score[pid].numerator if whole else score[pid]) for pid in ids}
    return sorted(ids, key=lambda pid: (best[pid], key(pid)))


def greedy(
    order: Sequence[str],
    cost: Mapping[str, int],
    budget: int,
    *,
    skip: bool = True,
    threshold: Fraction | None = None,
    score: Mapping[str, Fraction] | None = None,
    unit: str = "votes",
) -> tuple[list[str], dict[str, Decision]]:
    """Fund in ``order`` while money lasts; ``skip=False`` stops at the first misfit."""
    remaining = budget
    selected: list[str] = []
    decisions: dict[str, Decision] = {}
    stopped_at: str | None = None
    for pid in order:
        if threshold is not None and score is not None and score[pid] < threshold:
            decisions[pid] = Decision(
                oc.BELOW_THRESHOLD,
                f"below threshold {fmt(threshold)}: {fmt(score[pid])} {unit}",
                threshold=threshold,
            )
        elif stopped_at is not None:
            decisions[pid] = Decision(
                oc.STOPPED,
                f"not considered: counting stopped at {stopped_at}, which did not fit",
                remaining_before=remaining,
            )
        elif cost[pid] <= remaining:
            decisions[pid] = Decision(
                oc.FUNDED, f"funded: {remaining} left, costs {cost[pid]}", remaining
            )
            selected.append(pid)
            remaining -= cost[pid]
        else:
            decisions[pid] = Decision(
                oc.DID_NOT_FIT, f"did not fit: {remaining} left, costs {cost[pid]}", remaining
            )
            if not skip:
                stopped_at = pid
    return selected, decisions


def top_n(order: Sequence[str], n: int) -> tuple[list[str], dict[str, Decision]]:
    """The N best by score, whatever they cost (lists handed to a council)."""
    decisions = {}
    for k, pid in enumerate(order):
        if k < n:
            decisions[pid] = Decision(oc.FUNDED, f"in the top {n} (place {k + 1})")
        else:
            decisions[pid] = Decision(oc.NOT_REACHED, f"place {k + 1}, below the top {n}")
    return list(order[:n]), decisions
