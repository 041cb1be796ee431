"""MES for approval ballots in floating point, certified against the exact method.

The exact state (``exact_approval``) keeps every budget class as a Fraction, which costs seconds
per run on a large district. Here the same run is made in floats over *ballot groups* (voters
with identical ballots always hold the same money), and every decision the run takes is
checked against a running bound on the float error:

- the winner of a round must be cheaper than every other candidate by more than the error of
  both prices; an exact or near tie is decided on the exact prices of the close candidates
  (computed from the exact budgets, see below) and the declared tie-break;
- a project is dropped as unaffordable only when its supporters' money is short by more than
  its error;
- when the winner is paid, every supporter's budget must be clearly below the price (poor:
  pays all it has) or clearly above it (rich: pays the price).

If any check fails the run returns ``None`` and the caller runs the exact method. A certified
run takes exactly the decisions the exact method takes, so it selects the same projects.
Its exact prices and the money left are then recomputed in Fractions from the certified
structure (who was poor in which round): a poor voter group paid all it had, and a group
that was never poor holds ``share - sum of the prices of the winners it approved``, so each
price is an exact linear combination of the earlier prices with integer coefficients.

The run also returns ``hi``, as the exact state does: every share below ``hi`` gives the same
run, computed from the same affine bounds, each shrunk by its float error bound.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from ...engines import compiled, rows_of
from .bounds import EPS, U, positive_until

SAFE = 16.0  # safety factor on the first-order float error bounds


class FastRound:
    """One funded project: the exact price and its slope in the share (as integer numerator
    and denominator), ``hi`` over the rounds so far, and the price bounds after the round
    (tangents at the float share last in the tuple)."""

    __slots__ = ("q", "num", "den", "num_v", "den_v", "hi_after", "snapshot")

    def __init__(self, q, num, den, num_v, den_v, hi_after, snapshot):
        self.q = q
        self.num, self.den, self.num_v, self.den_v = num, den, num_v, den_v
        self.hi_after, self.snapshot = hi_after, snapshot

    @property
    def rho(self) -> Fraction:
        return Fraction(self.num, self.den)

    @property
    def rho_v(self) -> Fraction:
        return Fraction(self.num_v, self.den_v)


class FastRun:
    """A certified run: the selection, ``hi``, and what is needed to redo its prices exactly
    and to resume from it: the round in which each group went broke, and every exact price
    and slope as numerators over one denominator each (``den, acc, den_v, acc_v``)."""

    def __init__(
        self,
        selected_q: list[int],
        rounds: list[FastRound],
        live: np.ndarray,
        hi: float,
        share: Fraction,
        broke: np.ndarray,
        prices: tuple[int, list[int], int, list[int]],
    ):
        self.selected_q, self.rounds, self.live, self.hi, self.share = (
            selected_q,
            rounds,
            live,
            hi,
            share,
        )
        self.broke, self.prices = broke, prices


class FastApproval:
    def __init__(
        self,
        groups: np.ndarray,
        weights: np.ndarray,
        costs: Sequence[int],
        supporters: tuple[np.ndarray, np.ndarray] | None = None,
    ):
        """From the distinct ballots (rows of a bool matrix over the projects), their total
        whole weights (all above zero), the costs and, if known, each project's supporter
        rows as ``rows_of(groups.T)`` gives them (see ``equal_shares.ballot_groups``)."""
        n_projects = groups.shape[1]
        self.costs = [int(c) for c in costs]
        self.n_projects = n_projects
        self.groups = groups
        self.w_int = weights.astype(np.int64)
        self.w = self.w_int.astype(float)
        # each project's supporter groups, in one flat list (as the kernel takes them)
        offsets, flat = supporters if supporters is not None else rows_of(self.groups.T)
        self.sup = np.split(flat, offsets[1:-1]) if n_projects else []
        self.sup_w = [self.w[s] for s in self.sup]
        summed = np.zeros(len(flat) + 1, dtype=np.int64)
        np.cumsum(self.w_int[flat], out=summed[1:])
        self.sup_n = summed[offsets[1:]] - summed[offsets[:-1]]  # weight of q's supporters
        # exact rho arithmetic is only safe in floats while weights are exact doubles
        self.usable = bool(self.w_int.sum() < 2**50)
        self.kernel = compiled()
        self.reason: tuple = ()  # why the latest run gave up (for tests and diagnosis)
        if self.kernel is not None:
            self.flat = (
                n_projects,
                len(self.w),
                offsets,
                flat,
                self.w[flat],
                np.array(self.costs, dtype=float),
                self.sup_n.astype(float),
                np.ascontiguousarray(self.groups, dtype=np.uint8),
            )
            self.kernel.check_supporters(*self.flat[:4])  # once: the kernel then trusts them

    @functools.cached_property
    def groups_f(self) -> np.ndarray:
        """The groups in floats, for products (sums of weights are exact below 2**53); only
        built when asked for, as a single run on the kernel never does."""
        return self.groups.astype(float)

    # ------------------------------------------------------------------ float run
    # why long and complex: the round loop keeps the run's twenty values (budgets, bounds, exact
    # prices) in locals; each part that runs once per run or per round is a function of its own,
    # and splitting the loop further would pass all of them through a call per round
    def run(
        self,
        share: Fraction,
        base: FastRun | None = None,
        need: float = 0.0,
        rank: Sequence[int] | None = None,
    ) -> FastRun | None:
        """One certified run at ``share``, or None when a decision is too close for floats.

        With ``base`` (a certified run at a smaller share), the rounds of ``base`` that are
        certain to repeat at ``share`` (their bounds all lie above it) are taken over, their
        exact prices moved along their exact slopes, and the run continues from there.

        ``need`` is the smallest share the caller may ask for next: once ``hi`` is below it,
        ``hi`` is set to ``share`` itself (a valid, if useless, bound) and no more bounds are
        computed.

        ``rank`` orders the projects by the declared tie-break (lower wins). With it, a round
        whose cheapest projects are too close to call in floats is decided on their exact
        prices; without it, such a run is left to the exact method.
        """
        if not self.usable:
            return None
        s = float(share)
        if not (s > 0 and np.isfinite(s)):
            return None
        costs = self.costs
        start = self._start(share, s, base)
        rounds, winners, den, acc, den_v, acc_v, b, v, broke_at = start[:9]
        sv, ss, se, ses, alive, vmax, eb, ev, hi = start[9:]
        track = hi > need
        if not track:
            hi = s
        while True:
            bounds: list[tuple] | None = [] if track else None
            priced = self._candidates(sv, ss, se, ses, alive, b, v, eb, ev, bounds, s)
            if priced is None:
                return None  # undecidable in floats
            best, winner, fresh, hi_short = priced
            hi = min(hi, hi_short)
            twins: Sequence[int] = ()
            if best is not None:
                exact = (share, den, acc, den_v, acc_v, winners, broke_at)
                decided = self._decide(best, winner, fresh, rank, exact, len(rounds))
                if decided is None:
                    return None
                winner, twins, best = decided
                alive[winner] = False
            settle = self._settle if self.kernel is None else self._settle_compiled
            hi_round, pays = settle(
                best, winner, twins, b, v, sv, ss, se, ses, alive, s, bounds, winners
            )
            hi = min(hi, hi_round)
            if track and hi <= need:
                track, hi = False, s
            if best is None:
                break
            num, num_v, den, den_v, acc, acc_v = _paid(
                share, costs[winner], den, den_v, acc, acc_v, pays
            )
            rho, rho_v, rho_f, e_rho = num / den, num_v / den_v, best[4], best[6]
            if abs(rho - rho_f) > SAFE * e_rho + 4 * U * rho:
                self.reason = ("replay", len(rounds), rho, rho_f, e_rho)
                return None  # the float structure disagrees with the exact replay
            pay = self._pay if self.kernel is None else self._pay_compiled
            vmax = pay(winner, best, rho, rho_v, b, v, broke_at, len(rounds), track, vmax)
            winners.append(winner)
            # a round whose bounds are no longer tracked (hi == s) is never kept by a later
            # share, so its price bounds need no copy
            snapshot = (
                (sv.copy(), ss.copy(), se.copy(), ses.copy(), alive.copy(), s) if track else None
            )
            rounds.append(FastRound(winner, num, den, num_v, den_v, hi, snapshot))
            eb = eb + 2 * U * s
            if track:  # the budgets' slopes only serve the bounds on hi
                ev = ev + 2 * U * (vmax + abs(rho_v))
        return FastRun(winners, rounds, b > 0, hi, share, broke_at, (den, acc, den_v, acc_v))

    def _start(self, share: Fraction, s: float, base: FastRun | None) -> tuple:
        """Where a run at ``share`` starts: after the rounds of ``base`` that are certain to
        repeat (their bounds all lie above ``share``), or at the first round. The rounds and
        winners so far, the exact prices (``den, acc, den_v, acc_v``), the budgets ``b``,
        their slopes ``v``, the round at which each group went broke, the price bounds
        (``sv, ss, se, ses``) and which projects are open, and the error terms and ``hi``."""
        keep = 0
        if base is not None and base.share <= share:
            while keep < len(base.rounds) and base.rounds[keep].hi_after > s:
                keep += 1
        if base is not None and keep:  # keep > 0 only with a base
            return self._resume(base, keep, share, s)
        P, G = self.n_projects, len(self.w)
        costs = self.costs
        b = np.full(G, s)
        v = np.ones(G)
        broke_at = np.full(G, np.iinfo(np.int64).max)
        alive = np.array([costs[q] > 0 and self.sup_n[q] > 0 for q in range(P)], dtype=bool)
        n = np.maximum(self.sup_n, 1).astype(float)
        # lower bounds on each price: value, slope, and their errors
        sv, ss, se, ses = 1.0 / n, np.zeros(P), 2 * U / n, np.zeros(P)
        return (
            [], [], share.denominator, [], 1, [], b, v, broke_at,
            sv, ss, se, ses, alive, 1.0, 2 * U * s, 0.0, float("inf"),
        )  # fmt: skip

    def _resume(self, base: FastRun, keep: int, share: Fraction, s: float) -> tuple:
        """``_start`` after the first ``keep`` rounds of ``base``, their exact prices moved
        along their exact slopes to ``share``."""
        G = len(self.w)
        rounds: list[FastRound] = []
        den, acc, den_v, acc_v = _moved(base, keep, share)
        for r, x, xv in zip(base.rounds[:keep], acc, acc_v, strict=True):
            rounds.append(FastRound(r.q, x, den, xv, den_v, r.hi_after, r.snapshot))
        winners = [r.q for r in rounds]
        rho_f = np.array([x / den for x in acc])  # int / int: correctly rounded
        rho_vf = np.array([x / den_v for x in acc_v])
        cols = self.groups_f[:, winners]
        b = s - cols @ rho_f
        v = 1.0 - cols @ rho_vf
        broke = base.broke < keep
        b[broke] = 0.0
        v[broke] = 0.0
        broke_at = np.where(broke, base.broke, np.iinfo(np.int64).max)
        # the price bounds are tangents at the share where that round was first computed,
        # which is older than base.share when base itself had kept the round
        *snap, snap_share = rounds[-1].snapshot
        ds = s - snap_share
        sv, ss, se, ses, alive = (x.copy() for x in snap)
        sv += ss * ds
        se += ses * abs(ds) + 4 * U * np.abs(sv)
        vmax = float(np.abs(v).max()) if G else 1.0
        eb = 4 * (keep + 2) * U * s
        ev = 4 * (keep + 2) * U * (vmax + float(np.abs(rho_vf).sum()))
        hi = rounds[-1].hi_after
        return (
            rounds, winners, den, acc, den_v, acc_v, b, v, broke_at,
            sv, ss, se, ses, alive, vmax, eb, ev, hi,
        )  # fmt: skip

    def _decide(self, best, winner, fresh, rank, exact, round_no):
        """A round's winner, the projects tied with it, and its price: the cheapest in floats,
        unless others are too close to tell apart in floats (a tie or near tie), when exact
        prices decide (``_exact_winner``); None when even they cannot."""
        a_w, ea_w = best[0], best[2]
        near = [
            q
            for q, f in fresh.items()
            if q != winner and f[0] - a_w <= SAFE * (f[2] + ea_w) + 4 * U * abs(a_w)
        ]
        if not near:
            return winner, (), best
        found = self._exact_winner([winner, *near], exact, rank)
        if found is None:
            self.reason = ("tie", round_no, near)
            return None
        winner, twins = found
        return winner, twins, fresh[winner]

    def _candidates(self, sv, ss, se, ses, alive, b, v, eb, ev, bounds, s):
        """One round's prices: open projects cheapest lower bound first, until the next one
        is certainly dearer than the best so far. The lower bounds (``sv`` with slopes and
        errors) and ``alive`` are updated in place. The best price, its project, every price
        found, and ``hi`` over the bounds of projects found unaffordable (here, ``_alpha``
        puts those in ``bounds`` instead); None when unsure."""
        if self.kernel is not None:
            return self._candidates_compiled(sv, ss, se, ses, alive, b, v, eb, ev, bounds, s)
        best = winner = None
        fresh = {}
        costs = self.costs
        idx = np.flatnonzero(alive)
        for q in idx[np.argsort(sv[idx], kind="stable")].tolist():
            if best is not None and sv[q] - se[q] * SAFE > best[0] + best[2] * SAFE:
                break
            found = self._alpha(q, b, v, eb, ev, bounds, (sv[q] - se[q] * SAFE) * costs[q])
            if found is None:
                return None
            if found is False:
                alive[q] = False
                continue
            sv[q], ss[q], se[q], ses[q] = found[:4]
            fresh[q] = found
            if best is None or found[0] < best[0]:
                best, winner = found, q
        return best, winner, fresh, math.inf

    def _candidates_compiled(self, sv, ss, se, ses, alive, b, v, eb, ev, bounds, s):
        """``_candidates`` in the compiled kernel."""
        found = self.kernel.approval_candidates(
            *self.flat, sv, ss, se, ses, alive, b, v, eb, ev, s, bounds is not None
        )
        if found[0] is None:
            self.reason = (found[1],)
            return None
        winner, priced, hi_short = found
        fresh = {q: (*f, None, self.sup[q], None, None, eb, ev) for q, f in priced}
        best = fresh[winner] if winner >= 0 else None
        return best, (winner if winner >= 0 else None), fresh, hi_short

    def _settle(self, best, winner, twins, b, v, sv, ss, se, ses, alive, s, bounds, winners):
        """The rest of a round once its winner is known, but for its exact price: ``hi`` over
        the round's bounds, and who pays (the rich weight, the poor weight, and that weight on
        each earlier winner; None when no project won)."""
        if best is not None and bounds is not None:
            # the winner's poor must stay poor and its rich stay rich, so that the budgets
            # after this round stay affine in the share. A project that does not win needs
            # no such bound: its price is a convex function of the share (the money its
            # supporters have at a price is jointly concave in price and share), so the
            # tangent kept as its lower bound stays a lower bound at every share.
            a_w, sl_w, ea_w, es_w = best[:4]
            rho, rho_v, e_rho, e_rho_v, pm, sup_w, bs, _, eb0, ev0 = best[4:]
            vs = v.take(sup_w)
            sign = np.where(pm, 1.0, -1.0)
            bounds.append(
                (
                    sign * (rho - bs),
                    sign * (rho_v - vs),
                    (eb0 + e_rho) + (abs(rho) + np.abs(bs)) * EPS,
                    (ev0 + e_rho_v) + (abs(rho_v) + np.abs(vs)) * EPS,
                )
            )
            # every other project must stay dearer than the winner for a larger share;
            # a twin (the same exact price and slope) loses to it by the tie-break alike
            others = alive.copy()
            others[list(twins)] = False
            o, osl = sv[others], ss[others]
            bounds.append(
                (
                    o - a_w,
                    osl - sl_w,
                    se[others] + ea_w + (np.abs(o) + abs(a_w)) * EPS,
                    ses[others] + es_w + (np.abs(osl) + abs(sl_w)) * EPS,
                )
            )
        hi = min(
            (positive_until(m, sl, SAFE * em, SAFE * es, s) for m, sl, em, es in bounds or ()),
            default=math.inf,
        )
        if best is None:
            return hi, None
        pmask, sup = best[8], best[9]
        poor = sup[pmask]
        poor = poor[b[poor] > 0]
        rich_w = int(self.w_int[sup[~pmask]].sum())
        wp = self.w_int[poor]
        counts = None
        if winners and len(poor):
            counts = (wp.astype(float) @ self.groups_f[poor])[winners].astype(np.int64).tolist()
        return hi, (rich_w, int(wp.sum()), counts)

    def _settle_compiled(
        self, best, winner, twins, b, v, sv, ss, se, ses, alive, s, bounds, winners
    ):
        """``_settle`` in the compiled kernel."""
        if best is None:
            return math.inf, None
        found = self.kernel.approval_settle(
            *self.flat,
            winner,
            *best[4:8],
            best[12],
            best[13],
            b,
            v,
            sv,
            ss,
            se,
            ses,
            alive,
            twins,
            *best[:4],
            s,
            bounds is not None,
            np.array(winners, dtype=np.int64),
        )
        return found[0], found[1:]

    def _pay(self, winner, best, rho, rho_v, b, v, broke_at, round_, track, vmax) -> float:
        """Pay the winner at its exact price: its poor (found on the float price, as in
        ``_settle``) pay all they have and go broke in this round. The new ``vmax``."""
        pmask, sup = best[8], best[9]
        poor = sup[pmask]
        poor = poor[b[poor] > 0]
        rich = sup[~pmask]
        broke_at[poor] = round_
        b[poor] = 0.0
        b[rich] -= rho
        if track:  # the budgets' slopes only serve the bounds on hi
            v[poor] = 0.0
            v[rich] -= rho_v
            if len(rich):
                vmax = max(vmax, float(np.abs(v[rich]).max()))
        return vmax

    def _pay_compiled(self, winner, best, rho, rho_v, b, v, broke_at, round_, track, vmax) -> float:
        assert self.kernel is not None, "chosen only when the kernel is there"
        return self.kernel.approval_apply(
            *self.flat, winner, best[4], rho, rho_v, b, v, broke_at, round_, track, vmax
        )

    def _exact_winner(
        self, candidates: list[int], exact: tuple, rank: Sequence[int] | None
    ) -> tuple[int, list[int]] | None:
        """The cheapest candidate on exact prices, ties to the lowest ``rank``, and its twins
        (candidates with the very same price and slope in the share); None if unsure.

        A group that never went broke holds ``share - the prices of the winners it approved``;
        ``acc`` holds those prices as numerators over ``den`` (and ``acc_v`` their slopes over
        ``den_v``), so every budget is exact and the prices are compared without rounding.
        """
        if rank is None:
            return None
        keyed = []
        for q in candidates:
            found = self._exact_price(q, *exact)
            if found is None:
                return None  # the float run thought it affordable: leave it to the exact method
            rho, rho_v = found
            keyed.append((rho / self.costs[q], rank[q], q, rho_v / self.costs[q]))
        alpha, _, winner, slope = min(keyed)
        twins = [q for a, _, q, sl in keyed if q != winner and a == alpha and sl == slope]
        return winner, twins

    # why complex: the budget classes of the supporters, then the one pass over them that prices
    def _exact_price(
        self,
        q: int,
        share: Fraction,
        den: int,
        acc: list[int],
        den_v: int,
        acc_v: list[int],
        winners: list[int],
        broke_at: np.ndarray,
    ) -> tuple[Fraction, Fraction] | None:
        """Exact price per supporter of ``q`` and its slope in the share (None: unaffordable)."""
        sup = self.sup[q]
        broke = broke_at[sup] < np.iinfo(np.int64).max
        live = sup[~broke]
        classes = [(0, 0, int(self.w_int[sup[broke]].sum()))]  # budget, slope, weight
        if len(live):
            full = share.numerator * (den // share.denominator)
            if winners:
                sub = self.groups[live][:, winners]
                first, inverse = unique_rows(sub)
                patterns = sub[first].tolist()
                weight = np.zeros(len(first), dtype=np.int64)
                np.add.at(weight, inverse, self.w_int[live])
            else:
                patterns, weight = [[]], np.array([self.w_int[live].sum()])
            for pattern, n in zip(patterns, weight.tolist(), strict=True):
                paid = sum(a for a, x in zip(acc, pattern, strict=True) if x)
                paid_v = sum(a for a, x in zip(acc_v, pattern, strict=True) if x)
                classes.append((full - paid, den_v - paid_v, n))
        classes.sort()
        cost = self.costs[q] * den
        rich = int(self.sup_n[q])
        paid = paid_v = 0
        for budget, slope, n in classes:
            if n and cost - paid <= budget * rich:
                return Fraction(cost - paid, den * rich), Fraction(-paid_v, den_v * rich)
            paid += budget * n
            paid_v += slope * n
            rich -= n
        return None

    # why long: the return tuple, one line a field (as the kernel's approval_candidates gives it)
    def _alpha(self, q, b, v, eb, ev, bounds, floor=0.0):
        """Price of ``q`` with its error bounds, False when unaffordable, None when unsure.

        The price rho solves sum(w * min(b, rho)) = cost over the supporters. Starting from
        a lower bound (cost / weight, everyone rich, or ``floor``: the project's stale price,
        as prices only rise) and recomputing with those below the price as poor raises rho
        monotonically to the solution, usually in one or two steps. The solution is the only
        fixed point, so a bad ``floor`` costs steps, never the result.
        """
        c = float(self.costs[q])
        sup = self.sup[q]
        bs = b.take(sup)
        ws = self.sup_w[q]
        money = float(np.dot(ws, bs))
        n = len(bs)
        total = float(self.sup_n[q])
        e_money = total * eb + n * U * money * 2
        if money < c:
            return self._unaffordable(q, c, money, e_money, v, ev, bounds)
        rho = max(c / total, floor)
        pf = (bs < rho).astype(np.float64)
        poor_w = float(np.dot(ws, pf))
        paid = paid_v = 0.0
        if poor_w:
            found = _fixed_point(c, total, ws, bs, pf, poor_w)
            if found is None:
                return None
            rho, pf, paid, poor_w = found
            # the slope only serves the bounds on hi: a run that no longer tracks them skips it
            paid_v = float(np.dot(ws * v.take(sup), pf)) if bounds is not None else 0.0
        else:  # nobody is short even at the floor: everyone pays the same
            rho = c / total
        rich = total - poor_w
        e_rho = (poor_w * eb + 2 * n * U * (paid + c)) / rich + 2 * U * rho
        rho_v = -paid_v / rich
        e_rho_v = (poor_w * ev + 2 * n * U * abs(paid_v)) / rich + 2 * U * abs(rho_v)
        # every supporter clearly poor (budget below rho) or clearly rich
        # (a supporter with nothing left is poor by rho > 0: its distance is rho itself)
        distance = bs - rho
        gap = float(np.abs(distance, out=distance).min())
        if gap <= SAFE * (eb + e_rho) + 4 * U * rho:
            self.reason = ("margin", gap, eb, e_rho, rho)
            return None
        alpha, slope = rho / c, rho_v / c
        e_alpha = e_rho / c + 2 * U * alpha
        e_slope = e_rho_v / c + 2 * U * abs(slope)
        return (
            alpha,
            slope,
            e_alpha,
            e_slope,
            rho,
            rho_v,
            e_rho,
            e_rho_v,
            pf > 0,
            sup,
            bs,
            None,
            eb,
            ev,
        )

    def _unaffordable(self, q, c, money, e_money, v, ev, bounds):
        """``_alpha`` of a project whose supporters certainly hold less than its cost: False,
        with the bound on ``hi`` of its staying so; None when too close to tell."""
        if c - money <= SAFE * e_money + 4 * U * c:
            self.reason = ("money", c, money, e_money)
            return None
        if bounds is not None:
            sup, ws = self.sup[q], self.sup_w[q]
            mv = float(np.dot(ws, v.take(sup)))
            e_mv = float(self.sup_n[q]) * ev + len(sup) * U * abs(mv) * 2
            bounds.append(
                (
                    np.array([c - money]),
                    np.array([-mv]),
                    np.array([e_money + (c + money) * EPS]),
                    np.array([e_mv + abs(mv) * EPS]),
                )
            )
        return False

    # ------------------------------------------------------------------ exact replay
    # why complex: each round's exact price, from the kernel's weights or from the groups
    def exact(self, run: FastRun, scale_share: Fraction):
        """Exact prices (rho per supporter) per round and the supporters' money left."""
        s = scale_share
        winners = [r.q for r in run.rounds]
        rhos = [r.rho for r in run.rounds]
        live = run.live
        money = {}
        if self.n_projects:
            base, cross = self._cross(live, winners)
            # every price as a whole numerator over one common denominator: integer sums
            den = math.lcm(s.denominator, *(r.den for r in run.rounds))
            nums = [r.num * (den // r.den) for r in run.rounds]
            full = s.numerator * (den // s.denominator)
            rows = cross.tolist() if winners else []
            for q, n_live in enumerate(base.tolist()):
                if self.sup_n[q] == 0 or self.costs[q] == 0:
                    continue
                total = full * n_live
                if winners:
                    total -= sum(a * n for a, n in zip(nums, rows[q], strict=True) if n)
                money[q] = Fraction(total, den)
        return rhos, money

    def _cross(self, live: np.ndarray, winners: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Per project, the weight of its live supporter groups, and of those that also
        approve each winner."""
        if self.kernel is not None:
            base, cross = self.kernel.approval_cross(
                self.n_projects,
                len(self.w),
                self.flat[7],
                live.astype(np.uint8),
                self.w_int,
                np.array(winners, dtype=np.int64),
            )
            return (
                np.frombuffer(base, dtype=np.int64),
                np.frombuffer(cross, dtype=np.int64).reshape(self.n_projects, len(winners)),
            )
        # sums of whole weights below 2**50 (``usable``) are exact in float products,
        # which use BLAS where int64 products do not
        wl = self.w[live]
        gl = self.groups[live].astype(float)
        base = np.rint(wl @ gl).astype(np.int64)
        cross = np.rint(gl.T @ (gl[:, winners] * wl[:, None])).astype(np.int64)
        return base, cross


def _fixed_point(c, total, ws, bs, pf, poor_w):
    """The price ``rho`` that solves sum(w * min(b, rho)) = ``c`` over the supporters, from
    the poor (budget below a lower bound) ``pf`` of weight ``poor_w``: recomputed with those
    below the price as poor, it rises to the solution. Sums of whole weights are exact in
    floats, so an unchanged poor weight means an unchanged poor set (it only grows as rho
    rises): the fixed point. (rho, the poor, what they pay, their weight), or None."""
    wb = ws * bs
    paid = float(np.dot(wb, pf))
    for _ in range(len(bs) + 2):
        if total - poor_w <= 0:
            return None
        rho = (c - paid) / (total - poor_w)
        pf = (bs < rho).astype(np.float64)
        now = float(np.dot(ws, pf))
        if now == poor_w:
            return rho, pf, paid, poor_w
        paid, poor_w = float(np.dot(wb, pf)), now
    return None


def _paid(share: Fraction, cost: int, den: int, den_v: int, acc: list, acc_v: list, pays):
    """A round's exact price, from who is poor (so float errors do not build up from round
    to round), and the exact prices so far over the new common denominators. Exact prices
    are integer numerators over one denominator (``den`` for prices, ``den_v`` for their
    slopes in the share): a group that was never poor holds share - (the prices of the
    winners it approved). Returns the new price's numerators and the new ``den, den_v, acc,
    acc_v``."""
    rich_w, wp_sum, counts = pays
    paid = share.numerator * (den // share.denominator) * wp_sum  # times den
    paid_v = den_v * wp_sum  # times den_v
    if counts:
        paid -= sum(map(operator.mul, acc, counts))
        paid_v -= sum(map(operator.mul, acc_v, counts))
    num, num_v = cost * den - paid, -paid_v
    acc = [a * rich_w for a in acc]
    acc_v = [a * rich_w for a in acc_v]
    acc.append(num)
    acc_v.append(num_v)
    return num, num_v, den * rich_w, den_v * rich_w, acc, acc_v


def _moved(base: FastRun, keep: int, share: Fraction) -> tuple[int, list[int], int, list[int]]:
    """The exact prices of ``base``'s first ``keep`` rounds moved to ``share`` along their
    exact slopes, as numerators over one denominator (a multiple of the share's), and their
    slopes likewise. Integer arithmetic throughout, reduced by one gcd per list: Fractions
    would take a gcd per operation."""
    den, acc, den_v, acc_v = base.prices
    acc, acc_v = acc[:keep], acc_v[:keep]
    g = math.gcd(den_v, *acc_v)
    if g > 1:
        den_v, acc_v = den_v // g, [a // g for a in acc_v]
    shift = share - base.share
    step = den_v * shift.denominator
    common = math.lcm(den, step)
    up, up_v, sn = common // den, common // step, shift.numerator
    acc = [a * up + av * sn * up_v for a, av in zip(acc, acc_v, strict=True)]
    # common is a multiple of the share's denominator (that of base.share divides den);
    # only what lies beyond it may be reduced
    g = math.gcd(common // share.denominator, *acc)
    if g > 1:
        common, acc = common // g, [a // g for a in acc]
    return common, acc, den_v, acc_v


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First index of each distinct row of a bool matrix, and each row's distinct-row number.

    Sorted by hand rather than with np.unique, whose first call imports numpy.ma (about
    10 ms, a fifth of a whole count of a large district)."""
    packed = np.packbits(rows, axis=1)
    if not len(packed):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort(packed.T[::-1])  # stable: the first of equal rows comes first
    ordered = packed[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return order[new], inverse
