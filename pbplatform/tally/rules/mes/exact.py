"""The Method of Equal Shares, in exact arithmetic.

Every voter starts with the same share of money per unit of ballot weight. A project can only
be paid by its supporters; it costs them ``alpha * utility`` each (or all they have left, for
the poor ones), and the project with the smallest ``alpha`` is funded next. Utility is the
project's cost for an approval (cost satisfaction) and the points given for cumulative or
scoring ballots; this is what pabutools computes, and we must agree with it exactly.

Approval ballots use budget classes (``exact_approval``); cumulative and scoring ballots keep
one exact budget per voter here. A state's ``alpha`` returns the price and its slope in the
share, and ``hi`` is the share up to which a run stays the same (approval only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .float_approval import FastRun


@dataclass
class MesRun:
    """One run: funding order, the price (alpha) of each round, and the money left at the end."""

    selected: list[str]
    alphas: dict[str, Fraction] = field(default_factory=dict)
    money_left: dict[str, Fraction] = field(default_factory=dict)  # supporters', at the end
    hi: float = 0.0  # every share below this (per unit of weight) gives the same run
    trace: Trace | None = None  # what a certified float run proves (points ballots only)
    # an approval float run whose exact prices ``equal_shares.complete`` has yet to fill in
    pending: FastRun | None = field(default=None, compare=False, repr=False)


class Trace:
    """What a certified run proves about its rounds: each winner, an upper bound on its
    exact price, and a lower bound on the exact price of every other project still open
    (those left out are certainly unaffordable)."""

    __slots__ = ("share", "order", "winner_hi", "others_lo", "closest")

    def __init__(self, share: Fraction):
        self.share = share
        self.closest = 0.0  # money over cost of the project nearest to affordable, at the end
        self.order: list[int] = []
        self.winner_hi: list[float] = []
        self.others_lo: list[float] = []

    def add(self, q: int, winner_hi: float, others_lo: float) -> None:
        self.order.append(q)
        self.winner_hi.append(winner_hi)
        self.others_lo.append(others_lo)


def same_between(low: Trace, high: Trace) -> bool:
    """Whether every share from ``low.share`` to ``high.share`` certainly gives one run.

    While the winners are the same, every budget grows with the share (a winner's price
    falls as its supporters' budgets grow, so each pays less and keeps more), and so every
    price falls and every project's money grows. Within the two runs' share range, a round's
    winner is therefore never dearer than at ``low`` and any other project never cheaper
    than at ``high``, nor affordable when ``high`` found it certainly not; and when ``high``
    ended with nothing affordable, so does every smaller share. So if both runs fund the same
    projects in the same order and each round's winner at ``low`` is no dearer than the
    others at ``high``, every share in between takes the same decisions, round by round.
    """
    return (
        low.share <= high.share
        and low.order == high.order
        and all(a <= b for a, b in zip(low.winner_hi, high.others_lo, strict=True))
    )


def reach(low: Trace, high: Trace) -> float:
    """The share up to which ``high``'s run is expected to last: each round's bound on the
    others' prices extrapolated along the line through both runs, until it meets the
    winner's price at ``high``, and the money of the project nearest to affordable at the
    end, until it meets the cost. Only an aim for the next probe, which ``same_between``
    then proves or not; ``inf`` when nothing is expected to change."""
    span = float(high.share - low.share)
    limit = math.inf
    if span <= 0:
        return limit
    for o_low, o_high, w_high in zip(low.others_lo, high.others_lo, high.winner_hi, strict=True):
        fall = (o_low - o_high) / span
        if fall > 0 and math.isfinite(o_low):
            limit = min(limit, (o_high - w_high) / fall)
    rise = (high.closest - low.closest) / span  # until one more project becomes affordable
    if rise > 0:
        limit = min(limit, (1 - high.closest) / rise)
    return float(high.share) + limit


def crossing(low: Trace, high: Trace) -> float | None:
    """Where, between two runs that ``same_between`` could not prove alike, the proof from
    ``low`` is expected to stop holding: each round up to the first whose winner differs,
    the others' price bound at ``high`` (there, the winner that differs is one of them)
    interpolated along the line from ``low`` until it meets ``low``'s winner's price. An aim
    for the next probe only; None when no round says."""
    span = float(high.share - low.share)
    found = math.inf
    for i, (w_low, o_low) in enumerate(zip(low.winner_hi, low.others_lo, strict=False)):
        if i >= len(high.order):
            break
        o_high = high.others_lo[i]
        if high.order[i] != low.order[i]:
            o_high = min(o_high, high.winner_hi[i])
        if o_high < w_low < o_low < math.inf:
            found = min(found, (o_low - w_low) / (o_low - o_high))
        if high.order[i] != low.order[i]:
            break
    return float(low.share) + found * span if span > 0 and found < math.inf else None


class UtilityState:
    """Voter groups with arbitrary utilities (cumulative and scoring ballots)."""

    def __init__(
        self,
        utilities: Sequence[Mapping[int, int | Fraction]],
        weights: list[int],
        costs: Sequence[int],
    ):
        self.u, self.w, self.costs = utilities, weights, costs
        self.supporters: dict[int, list[int]] = {}
        for i, util in enumerate(utilities):
            for q, value in util.items():
                if value > 0:
                    self.supporters.setdefault(q, []).append(i)

    def reset(self, share: Fraction) -> None:
        self.budgets = [share] * len(self.u)
        self.hi = float(share)  # no skipping: every share is counted

    def bound(self, *args) -> None:
        pass

    def money(self, q: int) -> Fraction:
        return sum((self.budgets[i] * self.w[i] for i in self.supporters.get(q, [])), Fraction(0))

    def alpha(self, q: int) -> tuple[Fraction, Fraction] | None:
        """(price per point, its slope in the share: none here) or None when the supporters
        cannot pay."""
        c = self.costs[q]
        sup = sorted(self.supporters.get(q, []), key=lambda i: self.budgets[i] / self.u[i][q])
        util = sum((self.u[i][q] * self.w[i] for i in sup), Fraction(0))
        paid = Fraction(0)
        for i in sup:
            alpha = (c - paid) / util
            if alpha * self.u[i][q] <= self.budgets[i]:
                return alpha, Fraction(0)
            paid += self.budgets[i] * self.w[i]
            util -= self.u[i][q] * self.w[i]
        return None

    def pay(self, q: int, alpha: Fraction) -> None:
        for i in self.supporters.get(q, []):
            self.budgets[i] -= min(self.budgets[i], alpha * self.u[i][q])


# why complex: the exact method's one loop; the comprehensions count as branches
def run_mes(
    state,
    ids: Sequence[str],
    costs: Sequence[int],
    support: Sequence[Fraction],
    share: Fraction,
    tie_key: Callable[[str], tuple],
) -> MesRun:
    """One run of MES at ``share`` per unit of weight. Ties go to the smallest ``tie_key``.

    ``support`` is each project's total utility (weighted approvals times cost, or points).
    """
    state.reset(share)
    run = MesRun([pid for q, pid in enumerate(ids) if costs[q] == 0 and support[q] > 0])
    remaining = {q for q in range(len(ids)) if costs[q] > 0 and support[q] > 0}
    # stale prices only grow as money is spent, so they are lower bounds that let us
    # skip most projects each round (the same lazy evaluation pabutools uses)
    stale = {q: (Fraction(costs[q]) / support[q], Fraction(0)) for q in remaining}
    while True:
        best, ties = _cheapest(state, remaining, stale)
        if best is None:
            break
        winner = min(ties, key=lambda q: tie_key(ids[q]))
        remaining.discard(winner)
        _comparison_bounds(state, stale, remaining, best)
        state.pay(winner, best[0])
        run.selected.append(ids[winner])
        run.alphas[ids[winner]] = best[0]
    run.money_left = {ids[q]: state.money(q) for q in range(len(ids)) if support[q] > 0}
    run.hi = state.hi
    return run


def _cheapest(state, remaining: set[int], stale: dict) -> tuple[tuple | None, list[int]]:
    """A round's lowest price and the projects at it: open projects priced in the order of
    their stale prices, until the next one's stale price is above the best found. Projects
    found unaffordable leave ``remaining``; ``stale`` takes every price found."""
    best: tuple | None = None
    ties: list[int] = []
    for q in sorted(remaining, key=stale.__getitem__):
        if best is not None and stale[q][0] > best[0]:
            break
        found = state.alpha(q)
        if found is None:
            remaining.discard(q)
            continue
        stale[q] = found
        if best is None or found[0] < best[0]:
            best, ties = found, [q]
        elif found[0] == best[0]:
            ties.append(q)
    return best, ties


def replay_mes(
    state,
    ids: Sequence[str],
    costs: Sequence[int],
    support: Sequence[Fraction],
    share: Fraction,
    order: Sequence[int],
) -> MesRun:
    """The exact prices and money left of a run whose funding order is already known (from
    a certified float run): each round prices its winner only, not every candidate."""
    state.reset(share)
    run = MesRun([])
    for q in order:
        if costs[q]:
            found = state.alpha(q)
            if found is None:  # pragma: no cover - a certified order is affordable
                raise AssertionError(f"certified winner {ids[q]} is not affordable")
            state.pay(q, found[0])
            run.alphas[ids[q]] = found[0]
        run.selected.append(ids[q])
    run.money_left = {ids[q]: state.money(q) for q in range(len(ids)) if support[q] > 0}
    return run


def _comparison_bounds(state, stale, remaining, best) -> None:
    """Every other project must stay dearer than the winner for a larger share to agree."""
    value, slope = best
    for q in remaining:
        other, other_slope = stale[q]
        if other == value and other_slope == slope:
            continue  # the same price at every share: the declared tie-break decides alike
        state.bound(
            float(other - value),
            float(other_slope - slope),
            abs(float(other)) + abs(float(value)),
            abs(float(other_slope)) + abs(float(slope)),
        )
