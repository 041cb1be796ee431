"""MES for points ballots (cumulative, scoring) in floating point, certified against the
exact method.

The exact state (``mes.UtilityState``) keeps one Fraction budget per voter group and costs
milliseconds per run; the add1 completions make hundreds of runs. Here each group's budget is
an interval ``[lo, hi]`` of floats that certainly holds the exact budget, and every decision
is one the exact method certainly takes too:

- a project's price (alpha, per point) is enclosed in ``(a_lo, a_hi]``, and the bounds are
  *checked*, not estimated: the money supporters pay at price ``a``,
  ``F(a) = sum w * min(b, a * u)``, grows with ``a`` and with every budget, so
  ``F(a_lo, hi) < cost`` (rounded up) proves the exact price is above ``a_lo`` and
  ``F(a_hi, lo) >= cost`` (rounded down) proves it is at most ``a_hi``;
- a round's winner must have ``a_hi`` below every other candidate's lower bound (stale lower
  bounds from earlier rounds are still lower bounds: prices only rise as money is spent);
- a project is dropped as unaffordable only when its supporters' money is certainly short;
- paying moves each supporter's budget to ``max(0, b - alpha * u)``, which falls with alpha
  and rises with b, so ``[max(0, lo - a_hi * u), max(0, hi - a_lo * u)]`` (rounded outward)
  holds the exact budget whether the group was poor or rich.

Float sums are bounded by the standard ``gamma_n`` bound for n nonnegative terms. If any
check fails (an exact tie, an exact fit of money and cost, ...) the run returns None and the
caller runs the exact method, so correctness never depends on this module, only speed does.
Its exact prices and money left are not recomputed here: ``LazyRun`` fills them in from an
exact replay of the order when they are first asked for (only the final run's are ever shown).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from ...engines import compiled, rows_of
from .bounds import U
from .exact import MesRun, Trace

LIMIT = 2**50  # weights, points and their sums stay exact in doubles below this
BATCH = 8  # candidates priced together in a round, cheapest lower bounds first
NEWTON = 12  # at most this many Newton steps per price
SAFE = 4.0  # safety factor on the rounding of a price (the bounds are checked anyway)
SIGN = np.array([[1.0], [-1.0]])  # row 0 of a pair is a lower bound, row 1 an upper bound
OUTWARD = np.array([[4 * U], [-4 * U]])  # moves budget bounds hi up and lo down
TOL = 1e-10  # price bounds are taken when Newton's step from them is this close
GUESS = 1e-12  # relative room around a guessed price


class FastUtility:
    """Voter groups with points; ``run`` gives a certified funding order or None."""

    # why complex: one-time arrays of the run, each built by a comprehension (a branch to radon)
    def __init__(
        self,
        utilities: list[dict[int, int | Fraction]],
        weights: Sequence[int],
        costs: Sequence[int],
    ):
        n_projects, n_groups = len(costs), len(utilities)
        self.costs = [int(c) for c in costs]
        w = [int(x) for x in weights]
        at, values, totals = _whole_points(utilities, w, n_projects)
        self.usable = _exact_in_floats(w, totals, self.costs)
        points = np.zeros((n_projects, n_groups))
        if at and self.usable:
            points[tuple(np.array(at).T)] = values
        self.w = np.array(w, dtype=float)
        self.u = points  # projects x groups; whole numbers, exact
        self.wu = self.u * self.w  # exact: every product is below LIMIT
        self.wm = np.where(self.u > 0, self.w, 0.0)  # supporters' weights
        total = np.array([float(t) for t in totals])
        self.cost_f = np.array(self.costs, dtype=float)
        self.zero = [q for q in range(n_projects) if self.costs[q] == 0 and totals[q] > 0]
        self.open = np.array(
            [self.costs[q] > 0 and totals[q] > 0 for q in range(n_projects)], dtype=bool
        )
        # the price can never be below cost / total points (everyone rich)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.floor = np.nextafter(self.cost_f / total, -np.inf)
        # |float sum - exact sum| <= GAMMA * float sum, for the sums of at most G + 2 roundings
        self.gamma = 2 * (len(w) + 4) * U
        self.margin = np.array([[1 - 2 * self.gamma], [1 + 2 * self.gamma]])
        # money * (1 + g) < cost follows from money < cost * (1 - 2g), rounding included
        self.short = self.cost_f * (1 - 2 * self.gamma)
        self.runs = self.fallbacks = 0
        self.trace: Trace | None = None  # the latest certified run's, for ``same_between``
        # the last run's share and prices: per round a dict (``_run``) or one array (the
        # compiled kernel); an instance uses one path only, so the two never meet
        self.memory: tuple[float, Any] | None = None
        self.reason: tuple = ()
        self.kernel = compiled() if self.usable else None
        if self.kernel is not None:
            self._compile()

    def _compile(self) -> None:
        """The supporters of each project in one flat list (as ``_kernel`` takes them), and
        two buffers of prices per round, this run's and the last run's (the guesses)."""
        n = len(self.costs)
        offsets, g = rows_of(self.u)  # each project's supporter groups
        q = np.repeat(np.arange(n), np.diff(offsets))
        points = np.ascontiguousarray(self.u[q, g])
        weights = np.ascontiguousarray(self.w[g])
        self.flat = (
            n,
            len(self.w),
            offsets,
            g,
            points,
            weights,
            points * weights,
            self.cost_f,
            self.floor,
            self.short,
            self.open.astype(np.uint8),
            self.gamma,
            1 - 2 * self.gamma,
            1 + 2 * self.gamma,
        )
        self.spare = np.empty((n + 1, n, 2))
        assert self.kernel is not None, "compiled only when the kernel is there"
        self.kernel.check_supporters(*self.flat[:4])  # once: the kernel then trusts them

    def run(self, share: Fraction) -> list[int] | None:
        """The funding order at ``share`` per unit of weight, or None when unsure."""
        self.runs += 1
        self.trace = None
        if not self.usable:
            order = None
        elif self.kernel is not None:
            order = self._run_compiled(share)
        else:
            order = self._run(share)
        if order is None:
            self.fallbacks += 1
        return order

    # why complex: the round loop and its three outcomes (unsure, done, a winner)
    def _run(self, share: Fraction) -> list[int] | None:
        s = float(share)
        if not (s >= 0 and math.isfinite(s)):
            return None
        exact = Fraction(s) == share
        state = _State(len(self.w), self.open.copy(), self.floor.copy())
        # every group's exact budget lies in [lo, hi]; row 0 is hi, row 1 is lo
        state.bounds[0] = s if exact else math.nextafter(s, math.inf)
        state.bounds[1] = s if exact else max(0.0, math.nextafter(s, -math.inf))
        # the last run's prices, moved along their slopes, are guesses for this run's
        last, self.memory = self.memory, (s, state.prices)
        shift = s - last[0] if last is not None else 0.0
        order = list(self.zero)
        trace = Trace(share)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            while True:
                t = len(state.prices)
                guess = last[1][t] if last and len(last[1]) > t else {}
                state.prices.append({})
                found = self._round(state, guess, shift)
                if found is None:
                    return None
                if found is False:
                    trace.closest = self._closest(state, order)
                    self.trace = trace
                    return order
                q, a_lo, a_hi, slope = found
                state.alive[q] = False
                order.append(q)
                others = state.stale[state.alive]
                trace.add(q, a_hi, float(others.min()) if len(others) else math.inf)
                self._pay(q, a_lo, a_hi, slope, state)

    def _run_compiled(self, share: Fraction) -> list[int] | None:
        """``_run`` in the compiled kernel: the same checks, in one call."""
        s = float(share)
        if not (s >= 0 and math.isfinite(s)):
            return None
        last = self.memory
        shift = s - last[0] if last is not None else 0.0
        prices = self.spare
        assert self.kernel is not None, "run calls this only when the kernel is there"
        found = self.kernel.points_run(
            *self.flat,
            s,
            Fraction(s) == share,
            shift,
            last[1] if last is not None else None,
            prices,
        )
        self.spare = last[1] if last is not None else np.empty_like(prices)
        self.memory = (s, prices)
        if found[0] is None:
            self.reason = (found[1],)
            return None
        trace = Trace(share)
        trace.order, trace.winner_hi, trace.others_lo, trace.closest = found
        self.trace = trace
        return [*self.zero, *found[0]]

    def _closest(self, state: _State, order: list[int]) -> float:
        """How close the project nearest to affordable is, at the end of a run: its
        supporters' money over its cost (an aim for the add1 search, not a decision)."""
        left = self.open.copy()
        left[order] = False
        if not left.any():
            return 0.0
        return float(((self.wm[left] @ state.bounds[0]) / self.cost_f[left]).max())

    # why complex: pricing in batches, cheapest first, and the check that no other price is close
    def _round(
        self, state: _State, guess: dict[int, tuple[float, float]], shift: float
    ) -> tuple[int, float, float, float] | Literal[False] | None:
        """The winner, its price bounds and slope; False when nothing is affordable; None:
        unsure."""
        alive, stale = state.alive, state.stale
        # a project whose supporters certainly cannot pay is out for good; money * (1 + g)
        # < cost follows from money < cost * (1 - 2g), rounding included
        alive &= self.wm @ state.bounds[0] >= self.short
        best = None  # (a_hi, q, a_lo, slope)
        priced: dict[int, float] = {}  # lower bounds found this round
        idx = np.flatnonzero(alive)
        while len(idx):
            rest = None
            if len(idx) > BATCH:
                order = np.argsort(stale[idx], kind="stable")
                idx, rest = idx[order[:BATCH]], idx[order[BATCH:]]
            found = self._newton(idx, self._starts(idx, state, guess, shift), state)
            if found is None:
                return None
            for q, x, y, slope in zip(idx.tolist(), *found, strict=True):
                stale[q] = priced[q] = x
                state.stale_hi[q] = y
                state.prices[-1][q] = (0.5 * (x + y), slope)
                if best is None or y < best[0]:
                    best = (y, q, x, slope)
            if rest is None:
                break
            # the others need pricing only if they might be cheaper than the best so far
            assert best is not None, "the batch just priced was not empty"
            idx = rest[stale[rest] <= best[0]]
        if best is None:
            return False
        a_hi, q, a_lo, slope = best
        for other, x in priced.items():
            if other != q and not x > a_hi:
                self.reason = ("close", q, other)
                return None  # a tie or a near tie: the exact method decides
        return q, a_lo, a_hi, slope

    @staticmethod
    def _starts(
        idx: np.ndarray, state: _State, guess: dict[int, tuple[float, float]], shift: float
    ) -> np.ndarray:
        """Where Newton's steps start: just around the price the last run found in this
        round, moved along its slope (exact while nobody changes side), or else the bounds
        found in an earlier round of this run (the price has not moved if the winners since
        took nothing from its poor supporters). Either way the first check usually holds."""
        x = np.empty((2, len(idx)))
        x[0] = state.stale[idx]
        x[1] = state.stale_hi[idx]
        if guess:
            for k, q in enumerate(idx.tolist()):
                if q in guess:
                    price, slope = guess[q]
                    at = price + slope * shift
                    if at > 0:
                        x[0, k], x[1, k] = at * (1 - GUESS), at * (1 + GUESS)
        return x

    def _newton(
        self, idx: np.ndarray, x: np.ndarray, state: _State
    ) -> tuple[list[float], list[float], list[float]] | None:
        """Certified price bounds ``(a_lo, a_hi]`` of the projects ``idx`` and the prices'
        slopes in the share, Newton's steps starting from the pair ``x``; None when unsure.

        ``F(a) = sum w * min(b, a * u)``, the money supporters pay at price ``a``, is concave
        and increasing. Newton's steps on it from below stay below the price and reach it in
        a few steps (each makes the supporters who cannot pay poor): with the budgets ``hi``
        towards a lower bound, with ``lo`` towards an upper bound, each then moved out by more
        than its rounding and checked on F. A check that holds for the upper bound also
        proves the project affordable.
        """
        g, w = self.gamma, self.w
        cost = self.cost_f[idx]
        u, wu = self.u[idx], self.wu[idx]
        budgets = state.bounds[:, None, :]
        # row 0 must pay less than the cost on budgets hi, row 1 at least the cost on lo
        # (paid * (1 - g) >= cost follows from paid > cost * (1 + 2g), rounding included)
        limit = cost * self.margin * SIGN
        for _ in range(NEWTON):
            ux = u * x[..., None]
            paid = np.minimum(ux, budgets) @ w
            rich = np.einsum("pkj,kj->pk", ux < budgets, wu)
            move = (cost - paid) / rich  # Newton's step
            # out by more than the rounding of paid and cost, over the rich's points
            out = (paid + cost) * (SAFE * g) / rich + (4 * SAFE * U) * x
            # checked, and close to the price: Newton's step from there is small (from below
            # it stops short of the price, from above it passes it)
            done = (paid * SIGN < limit) & (np.abs(move) <= TOL * x + 2 * out)
            if done.all():
                if not (x[0] > 0).all():
                    break
                # the price's slope in the share: the poor's budgets' slopes over the
                # rich's points (a guess for the next run, so not checked)
                poor = ux[0] >= budgets[0]
                slope = -(poor @ (w * state.slopes)) / rich[0]
                return x[0].tolist(), x[1].tolist(), slope.tolist()
            x = np.where(done, x, x + move - SIGN * out)
            if not np.isfinite(x).all():
                break  # everyone poor at the price: money and cost (nearly) equal
        self.reason = ("unsure", idx.tolist())
        return None

    def _pay(self, q: int, a_lo: float, a_hi: float, slope: float, state: _State) -> None:
        """Every supporter pays min(budget, alpha * points), which leaves it
        ``max(0, b - alpha * u)``: rising with b and falling with alpha, so the bounds move
        to ``max(0, hi - a_lo * u)`` and ``max(0, lo - a_hi * u)``, rounded outward.

        With fl(x * y) = x * y * (1 + d), |d| <= U: the prices moved out by 4U stay moved out
        by 2U once rounded, and their products with u by U, which covers the products'
        rounding; a difference is off by at most U of itself, which moving it out by 4U
        covers too. (This is done over every group: the others pay exactly 0 and keep their
        bounds, moved out by a few units in the last place.)
        """
        u = self.u[q]
        price = np.array([[a_lo * (1 - 4 * U)], [a_hi * (1 + 4 * U)]])
        left = state.bounds - price * u
        left += np.abs(left) * OUTWARD
        np.maximum(left, 0.0, out=state.bounds)
        state.slopes = np.where(state.bounds[0] > 0, state.slopes - u * slope, 0.0)


class _State:
    """One run: budget bounds and their slopes in the share, open projects, lower bounds on
    their prices, and the prices found in each round (with slopes)."""

    def __init__(self, n_groups: int, alive: np.ndarray, stale: np.ndarray):
        self.bounds = np.empty((2, n_groups))
        self.slopes = np.ones(n_groups)
        self.alive, self.stale = alive, stale
        self.stale_hi = stale.copy()  # where the price was at most, when last found
        self.prices: list[dict[int, tuple[float, float]]] = []


class LazyRun(MesRun):
    """A certified float run whose exact prices and money left come from replaying its
    order exactly at the same share (``mes.replay_mes``), the first time they are asked for."""

    def __init__(
        self,
        selected: list[str],
        hi: float,
        exact: Callable[[], MesRun],
        trace: Trace | None = None,
    ):
        self.selected, self.hi, self.trace = selected, hi, trace
        self._exact = exact
        self._run: MesRun | None = None

    def _details(self) -> MesRun:
        if self._run is None:
            self._run = self._exact()
        return self._run

    # MesRun's fields are assignable, so these are too: to the replayed run

    @property
    def alphas(self) -> dict[str, Fraction]:
        return self._details().alphas

    @alphas.setter
    def alphas(self, value: dict[str, Fraction]) -> None:
        self._details().alphas = value

    @property
    def money_left(self) -> dict[str, Fraction]:
        return self._details().money_left

    @money_left.setter
    def money_left(self, value: dict[str, Fraction]) -> None:
        self._details().money_left = value


def _whole_points(
    utilities: list[dict[int, int | Fraction]], w: list[int], n_projects: int
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """The points above zero as whole numbers (all scaled by one factor, which changes no
    price per point's order or any decision): each one's (project, group), its value, and
    each project's weighted total."""
    scale = math.lcm(*(v.denominator for util in utilities for v in util.values()))
    at, values, totals = [], [], [0] * n_projects
    for g, util in enumerate(utilities):
        for q, value in util.items():
            if value > 0:
                at.append((q, g))
                values.append(int(value * scale))
                totals[q] += values[-1] * w[g]
    return at, values, totals


def _exact_in_floats(w: list[int], totals: list[int], costs: list[int]) -> bool:
    """Whether weights, totals and costs are small enough for the float run's exact sums."""
    return (
        all(0 < x < LIMIT for x in w)
        and all(t < LIMIT for t in totals)
        and all(0 <= c < LIMIT for c in costs)
    )
