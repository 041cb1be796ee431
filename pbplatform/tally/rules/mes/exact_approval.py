"""MES state for approval ballots that also knows how far the share can grow unchanged.

Voters who paid for the same projects hold the same money, so the state is a list of budget
classes. Each class budget is kept as an exact affine function ``u + v * s`` of the initial
share ``s``: along one run, every decision (who is poor, which project is cheapest, which
cannot be afforded) compares such affine functions. Each comparison that holds at ``s`` keeps
holding up to some larger share; the smallest of those is ``hi``. Every share in ``[s, hi)``
gives the same run, so the add1 completions may skip straight past ``hi`` instead of
re-running MES once per currency unit (Warsaw-Mokotow: ~800 runs become a few dozen).

Decisions use exact Fractions. ``hi`` is computed in floats and shrunk by a safety margin,
so it can only be too small (an extra run), never too large (a wrong skip).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from .bounds import EPS, positive_until


class ApprovalState:
    def __init__(self, incidence: np.ndarray, weights: np.ndarray, costs: Sequence[int]):
        self.a = incidence  # voters (or groups of identical ballots, weighted) x projects
        self.aw = incidence.astype(np.int64) * weights[:, None]
        self.n_voters = len(weights)
        self.costs = costs

    def reset(self, share: Fraction) -> None:
        self.s, self.s_float = share, float(share)
        self.hi = float("inf")
        self.cls = np.zeros(self.n_voters, dtype=np.int64)
        self.forms = [(Fraction(0), Fraction(1))]  # class budget = u + v * s
        self.budgets = [share]
        self.counts = self.aw.sum(axis=0, keepdims=True)
        self.rho_v: dict[int, Fraction] = {}
        self._refresh()

    def _refresh(self) -> None:
        # float first (monotone rounding keeps the order exact), Fractions only to split equals
        floats = [float(b) for b in self.budgets]
        self.order = sorted(range(len(floats)), key=lambda k: (floats[k], self.budgets[k]))
        self.b_float = np.array(floats)
        self.v_float = np.array([float(v) for _, v in self.forms])

    def money(self, q: int) -> Fraction:
        col = self.counts[:, q]
        return sum((self.budgets[k] * int(col[k]) for k in np.nonzero(col)[0]), Fraction(0))

    def alpha(self, q: int) -> tuple[Fraction, Fraction] | None:
        """(price per unit of cost, its exact slope in s) or None when supporters cannot pay."""
        c, col = self.costs[q], self.counts[:, q]
        rich = int(col.sum())
        paid, paid_v = Fraction(0), Fraction(0)
        poor: list[int] = []
        for k in self.order:  # ascending budgets: the poor come first
            n = int(col[k])
            if not n:
                continue
            rho = (c - paid) / rich
            if rho <= self.budgets[k]:
                rho_v = -paid_v / rich
                self.rho_v[q] = rho_v
                self._poor_rich_bounds(col, poor, rho, rho_v)
                return rho / c, rho_v / c
            paid += self.budgets[k] * n
            paid_v += self.forms[k][1] * n
            rich -= n
            poor.append(k)
        # unaffordable; stays so while c > money(s), money growing with slope paid_v
        self.bound(float(c - paid), -float(paid_v), float(c) + float(paid), float(paid_v))
        return None

    def _poor_rich_bounds(self, col, poor: list[int], rho: Fraction, rho_v: Fraction) -> None:
        support = col > 0
        is_poor = np.zeros(len(col), dtype=bool)
        is_poor[poor] = True
        r, rv = float(rho), float(rho_v)
        sign = np.where(is_poor, 1.0, -1.0)  # poor: rho - b > 0; rich: b - rho >= 0
        margin = (sign * (r - self.b_float))[support]
        slope = (sign * (rv - self.v_float))[support]
        mag_m = (abs(r) + np.abs(self.b_float))[support]
        mag_s = (abs(rv) + np.abs(self.v_float))[support]
        self.bound_many(margin, slope, mag_m, mag_s)

    def bound(self, margin: float, slope: float, mag_m: float, mag_s: float) -> None:
        self.bound_many(np.array([margin]), np.array([slope]), np.array([mag_m]), np.array([mag_s]))

    def bound_many(self, margin, slope, mag_m, mag_s) -> None:
        """Each f(s) = margin + slope * (x - s) must stay positive; lower ``hi`` to the root."""
        shrunk = positive_until(margin, slope, EPS * mag_m, EPS * mag_s, self.s_float)
        self.hi = min(self.hi, shrunk)

    def pay(self, q: int, alpha: Fraction) -> None:
        rho, rho_v = alpha * self.costs[q], self.rho_v[q]
        rho_u = rho - rho_v * self.s
        keys, inverse = np.unique(self.cls * 2 + self.a[:, q], return_inverse=True)
        forms: list[tuple[Fraction, Fraction]] = []
        budgets: list[Fraction] = []
        ids: dict[tuple[int, int, int, int], int] = {}
        remap = np.empty(len(keys), dtype=np.int64)
        for j, key in enumerate(keys.tolist()):
            u, v = self.forms[key // 2]
            if key % 2:  # a supporter: pays rho, or everything when poor
                poor = self.budgets[key // 2] < rho
                u, v = (Fraction(0), Fraction(0)) if poor else (u - rho_u, v - rho_v)
            # identical forms merge (all the poor end in one class); Fractions are normalised,
            # so their integer parts are a cheap exact key (hashing Fractions is slow)
            form_key = (u.numerator, u.denominator, v.numerator, v.denominator)
            if form_key not in ids:
                ids[form_key] = len(forms)
                forms.append((u, v))
                budgets.append(u + v * self.s)
            remap[j] = ids[form_key]
        self.cls, self.forms, self.budgets = remap[inverse], forms, budgets
        order = np.argsort(self.cls, kind="stable")
        starts = np.flatnonzero(np.diff(self.cls[order], prepend=-1))
        self.counts = np.add.reduceat(self.aw[order], starts, axis=0)
        self._refresh()
