"""The exact MES state for whole points, in integers: what ``mes.UtilityState`` computes in
Fractions, several times faster.

Every budget is an integer numerator over one common denominator, so a price is found with
integer products alone and one Fraction at the end. Supporters are ordered by their budget
per point in floats (correctly rounded quotients of the integers); that order can be off only
between near-equal ratios, so the partition into poor and rich it gives is checked exactly,
and a check that fails hands the price to the Fraction method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from .exact import UtilityState


class WholeUtilityState(UtilityState):
    """``UtilityState`` for utilities that are all ints (weights always are)."""

    u: Sequence[Mapping[int, int]]  # whole points only: equal_shares chooses this class then

    def reset(self, share: Fraction) -> None:
        self.den = share.denominator
        self.nums = [share.numerator] * len(self.u)
        self.hi = float(share)  # no skipping: every share is counted

    @property
    def budgets(self) -> list[Fraction]:
        return [Fraction(n, self.den) for n in self.nums]

    @budgets.setter
    def budgets(self, values: list[Fraction]) -> None:
        # as numerators over one denominator, as reset keeps them (UtilityState's budgets
        # are a plain attribute, so it may be assigned)
        self.den = math.lcm(*(v.denominator for v in values)) if values else 1
        self.nums = [v.numerator * (self.den // v.denominator) for v in values]

    def money(self, q: int) -> Fraction:
        nums, w = self.nums, self.w
        return Fraction(sum(nums[i] * w[i] for i in self.supporters.get(q, [])), self.den)

    def alpha(self, q: int) -> tuple[Fraction, Fraction] | None:
        sup = self.supporters.get(q, [])
        nums, w = self.nums, self.w
        points = [self.u[i][q] for i in sup]
        den = self.den
        # each budget per point as a float: over den, as numerators alone can outgrow a float
        order = sorted(range(len(sup)), key=lambda k: nums[sup[k]] / (points[k] * den))
        need = self.costs[q] * den  # the cost, over den
        util = sum(p * w[i] for i, p in zip(sup, points, strict=True))
        paid = 0
        for pos, k in enumerate(order):
            i = sup[k]
            left = need - paid  # the price is left / (util * den) per point
            if left * points[k] <= nums[i] * util:
                if self._partition_holds(sup, points, order, pos, left, util):
                    return Fraction(left, util * den), Fraction(0)
                return self._fractions().alpha(q)
            paid += nums[i] * w[i]
            util -= points[k] * w[i]
        return None  # all their money is short of the cost, in any order

    def _partition_holds(self, sup, points, order, pos, left, util) -> bool:
        """Whether the supporters before ``pos`` can pay at most the price per point and
        those from ``pos`` at least it (then the price solves the equation exactly)."""
        nums = self.nums
        return all(nums[sup[k]] * util <= left * points[k] for k in order[:pos]) and all(
            left * points[k] <= nums[sup[k]] * util for k in order[pos:]
        )

    def _fractions(self) -> UtilityState:
        state = UtilityState(self.u, self.w, self.costs)
        state.supporters, state.budgets = self.supporters, self.budgets
        return state

    def pay(self, q: int, alpha: Fraction) -> None:
        den = math.lcm(self.den, alpha.denominator)
        up, per = den // self.den, alpha.numerator * (den // alpha.denominator)
        nums = self.nums if up == 1 else [n * up for n in self.nums]
        for i in self.supporters.get(q, []):
            nums[i] = max(0, nums[i] - per * self.u[i][q])
        self.nums, self.den = nums, den
