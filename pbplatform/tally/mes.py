"""The Method of Equal Shares, in exact arithmetic.

Every voter starts with the same share of money per unit of ballot weight. A project can only
be paid by its supporters; it costs them ``alpha * utility`` each (or all they have left, for
the poor ones), and the project with the smallest ``alpha`` is funded next. Utility is the
project's cost for an approval (cost satisfaction) and the points given for cumulative or
scoring ballots; this is what pabutools computes, and we must agree with it exactly.

Approval ballots use *budget classes*: voters who have paid for the same projects hold the
same money, so the state is a handful of classes rather than one Fraction per voter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np


@dataclass
class MesRun:
    """One run: funding order, the price (alpha) of each round, and the money left at the end."""

    selected: list[str]
    alphas: dict[str, Fraction] = field(default_factory=dict)
    money_left: dict[str, Fraction] = field(default_factory=dict)  # supporters', at the end


class ApprovalState:
    """Budget classes over approval ballots (numpy incidence, exact Fraction budgets)."""

    def __init__(self, incidence: np.ndarray, weights: np.ndarray, costs: Sequence[int]):
        self.a = incidence  # voters x projects, bool
        self.w = weights  # integer weights (scaled so that all are whole)
        self.aw = incidence.astype(np.int64) * weights[:, None]
        self.costs = costs

    def reset(self, share: Fraction) -> None:
        self.cls = np.zeros(len(self.w), dtype=np.int64)
        self.budgets = [share]
        self.counts = self.aw.sum(axis=0, keepdims=True)
        self._order = [0]

    def money(self, q: int) -> Fraction:
        col = self.counts[:, q]
        return sum((self.budgets[k] * int(col[k]) for k in np.nonzero(col)[0]), Fraction(0))

    def alpha(self, q: int) -> Fraction | None:
        """Price per unit of utility (cost), or None when the supporters cannot pay."""
        c = self.costs[q]
        col = self.counts[:, q]
        rich = int(col.sum())
        paid = Fraction(0)
        for k in self._order:  # classes by budget, ascending: the poor come first
            n = int(col[k])
            if not n:
                continue
            rho = (c - paid) / rich
            if rho <= self.budgets[k]:
                return rho / c
            paid += self.budgets[k] * n
            rich -= n
        return None

    def pay(self, q: int, alpha: Fraction) -> None:
        rho = alpha * self.costs[q]
        split = self.cls * 2 + self.a[:, q]
        keys, inverse = np.unique(split, return_inverse=True)
        new_budgets, ids = [], {}
        remap = np.empty(len(keys), dtype=np.int64)
        for j, key in enumerate(keys.tolist()):
            old = self.budgets[key // 2]
            b = max(old - rho, Fraction(0)) if key % 2 else old
            if b not in ids:  # equal budgets merge: every poor voter ends in the zero class
                ids[b] = len(new_budgets)
                new_budgets.append(b)
            remap[j] = ids[b]
        self.cls = remap[inverse]
        self.budgets = new_budgets
        order = np.argsort(self.cls, kind="stable")
        starts = np.flatnonzero(np.diff(self.cls[order], prepend=-1))
        self.counts = np.add.reduceat(self.aw[order], starts, axis=0)
        self._order = sorted(range(len(new_budgets)), key=new_budgets.__getitem__)


class UtilityState:
    """Voter groups with arbitrary utilities (cumulative and scoring ballots)."""

    def __init__(self, utilities: list[dict[int, Fraction]], weights: list[int],
                 costs: Sequence[int]):
        self.u, self.w, self.costs = utilities, weights, costs
        self.supporters: dict[int, list[int]] = {}
        for i, util in enumerate(utilities):
            for q, value in util.items():
                if value > 0:
                    self.supporters.setdefault(q, []).append(i)

    def reset(self, share: Fraction) -> None:
        self.budgets = [share] * len(self.u)

    def money(self, q: int) -> Fraction:
        return sum((self.budgets[i] * self.w[i] for i in self.supporters.get(q, [])), Fraction(0))

    def alpha(self, q: int) -> Fraction | None:
        c = self.costs[q]
        sup = sorted(self.supporters.get(q, []), key=lambda i: self.budgets[i] / self.u[i][q])
        util = sum((self.u[i][q] * self.w[i] for i in sup), Fraction(0))
        paid = Fraction(0)
        for i in sup:
            alpha = (c - paid) / util
            if alpha * self.u[i][q] <= self.budgets[i]:
                return alpha
            paid += self.budgets[i] * self.w[i]
            util -= self.u[i][q] * self.w[i]
        return None

    def pay(self, q: int, alpha: Fraction) -> None:
        for i in self.supporters.get(q, []):
            self.budgets[i] -= min(self.budgets[i], alpha * self.u[i][q])


def run_mes(state, ids: Sequence[str], costs: Sequence[int], support: Sequence[Fraction],
            share: Fraction, tie_key: Callable[[str], tuple]) -> MesRun:
    """One run of MES at ``share`` per unit of weight. Ties go to the smallest ``tie_key``.

    ``support`` is each project's total utility (weighted approvals times cost, or points).
    """
    state.reset(share)
    run = MesRun([pid for q, pid in enumerate(ids) if costs[q] == 0 and support[q] > 0])
    remaining = {q for q in range(len(ids)) if costs[q] > 0 and support[q] > 0}
    # stale prices only grow as money is spent, so they are lower bounds that let us
    # skip most projects each round (the same lazy evaluation pabutools uses)
    stale = {q: Fraction(costs[q]) / support[q] for q in remaining}
    while True:
        best, ties = None, []
        for q in sorted(remaining, key=stale.__getitem__):
            if best is not None and stale[q] > best:
                break
            alpha = state.alpha(q)
            if alpha is None:
                remaining.discard(q)
                continue
            stale[q] = alpha
            if best is None or alpha < best:
                best, ties = alpha, [q]
            elif alpha == best:
                ties.append(q)
        if best is None:
            break
        winner = min(ties, key=lambda q: tie_key(ids[q]))
        state.pay(winner, best)
        remaining.discard(winner)
        run.selected.append(ids[winner])
        run.alphas[ids[winner]] = best
    run.money_left = {ids[q]: state.money(q) for q in range(len(ids)) if support[q] > 0}
    return run
