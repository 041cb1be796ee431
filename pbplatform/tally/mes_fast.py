"""MES for approval ballots in floating point, certified against the exact method.

The exact state (``mes_approval``) keeps every budget class as a Fraction, which costs seconds
per run on a large district. Here the same run is made in floats over *ballot groups* (voters
with identical ballots always hold the same money), and every decision the run takes is
checked against a running bound on the float error:

- the winner of a round must be cheaper than every other candidate by more than the error of
  both prices (an exact or near tie is not decided in floats);
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

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

U = 2.0**-53  # unit roundoff
SAFE = 16.0  # safety factor on the first-order float error bounds
EPS = 1e-9  # relative margin on skip bounds, as in mes_approval


class FastRound:
    """One funded project: who was poor, the rich weight, the exact price and its slope in
    the share, ``hi`` over the rounds so far, and the price bounds after the round."""

    __slots__ = ("q", "poor", "rich_weight", "rho", "rho_v", "hi_after", "snapshot")

    def __init__(self, q, poor, rich_weight, rho, rho_v, hi_after, snapshot):
        self.q, self.poor, self.rich_weight = q, poor, rich_weight
        self.rho, self.rho_v, self.hi_after, self.snapshot = rho, rho_v, hi_after, snapshot


class FastRun:
    """A certified run: the selection, ``hi``, and what is needed to redo its prices exactly."""

    def __init__(self, selected_q: list[int], rounds: list[FastRound], live: np.ndarray,
                 hi: float, share: Fraction):
        self.selected_q, self.rounds, self.live, self.hi, self.share = (
            selected_q, rounds, live, hi, share)


class FastApproval:
    def __init__(self, incidence: np.ndarray, weights: np.ndarray, costs: Sequence[int]):
        n_voters, n_projects = incidence.shape
        self.costs = [int(c) for c in costs]
        self.n_projects = n_projects
        if n_voters:
            packed = np.packbits(incidence, axis=1)
            view = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1])))
            _, first, inverse = np.unique(view.ravel(), return_index=True, return_inverse=True)
            inverse = inverse.ravel()
            w = np.zeros(len(first), dtype=np.int64)
            np.add.at(w, inverse, weights.astype(np.int64))
            groups = incidence[first]
        else:
            w = np.zeros(0, dtype=np.int64)
            groups = np.zeros((0, n_projects), dtype=bool)
        keep = w > 0
        self.groups = groups[keep]
        self.w_int = w[keep]
        self.w = self.w_int.astype(float)
        self.sup = [np.flatnonzero(self.groups[:, q]) for q in range(n_projects)]
        self.sup_w = [self.w[s] for s in self.sup]
        self.sup_n = np.array([int(self.w_int[s].sum()) for s in self.sup], dtype=np.int64)
        # exact rho arithmetic is only safe in floats while weights are exact doubles
        self.usable = bool(self.w_int.sum() < 2**50)

    # ------------------------------------------------------------------ float run
    def run(self, share: Fraction, base: FastRun | None = None) -> FastRun | None:
        """One certified run at ``share``, or None when a decision is too close for floats.

        With ``base`` (a certified run at a smaller share), the rounds of ``base`` that are
        certain to repeat at ``share`` (their bounds all lie above it) are taken over, their
        exact prices moved along their exact slopes, and the run continues from there.
        """
        if not self.usable:
            return None
        s = float(share)
        if not (s > 0 and np.isfinite(s)):
            return None
        P, G = self.n_projects, len(self.w)
        costs = self.costs
        keep = 0
        if base is not None and base.share <= share:
            while keep < len(base.rounds) and base.rounds[keep].hi_after > s:
                keep += 1
        rounds: list[FastRound] = []
        if keep:
            shift = share - base.share
            for r in base.rounds[:keep]:
                rounds.append(FastRound(r.q, r.poor, r.rich_weight, r.rho + r.rho_v * shift,
                                        r.rho_v, r.hi_after, r.snapshot))
            winners = [r.q for r in rounds]
            rho_f = np.array([float(r.rho) for r in rounds])
            rho_vf = np.array([float(r.rho_v) for r in rounds])
            cols = self.groups[:, winners].astype(float)
            b = s - cols @ rho_f
            v = 1.0 - cols @ rho_vf
            broke = base.broke < keep
            b[broke] = 0.0
            v[broke] = 0.0
            broke_at = np.where(broke, base.broke, np.iinfo(np.int64).max)
            ds = s - float(base.share)
            sv, ss, se, ses, alive = (x.copy() for x in rounds[-1].snapshot)
            sv += ss * ds
            se += ses * abs(ds) + 4 * U * np.abs(sv)
            vmax = float(np.abs(v).max()) if G else 1.0
            eb = 4 * (keep + 2) * U * s
            ev = 4 * (keep + 2) * U * (vmax + float(np.abs(rho_vf).sum()))
            hi = rounds[-1].hi_after
        else:
            winners = []
            b = np.full(G, s)
            v = np.ones(G)
            broke_at = np.full(G, np.iinfo(np.int64).max)
            alive = np.array([costs[q] > 0 and self.sup_n[q] > 0 for q in range(P)], dtype=bool)
            n = np.maximum(self.sup_n, 1).astype(float)
            # lower bounds on each price: value, slope, and their errors
            sv, ss, se, ses = 1.0 / n, np.zeros(P), 2 * U / n, np.zeros(P)
            vmax, eb, ev, hi = 1.0, 2 * U * s, 0.0, float("inf")
        while True:
            bounds: list[tuple] = []
            best = None
            fresh = {}
            idx = np.flatnonzero(alive)
            for q in idx[np.argsort(sv[idx], kind="stable")].tolist():
                if best is not None and sv[q] - se[q] * SAFE > best[0] + best[2] * SAFE:
                    break
                found = self._alpha(q, b, v, eb, ev, bounds)
                if found is None:
                    return None  # undecidable in floats
                if found is False:
                    alive[q] = False
                    continue
                sv[q], ss[q], se[q], ses[q] = found[:4]
                fresh[q] = found
                if best is None or found[0] < best[0]:
                    best = found
                    winner = q
            if best is not None:
                a_w, sl_w, ea_w, es_w = best[:4]
                for q, f in fresh.items():
                    if q != winner and f[0] - a_w <= SAFE * (f[2] + ea_w) + 4 * U * abs(a_w):
                        self.reason = ("tie", len(rounds), q, winner)
                        return None  # a tie or near tie: leave it to the exact method
                alive[winner] = False
                # the winner's poor must stay poor and its rich stay rich, so that the budgets
                # after this round stay affine in the share. A project that does not win needs
                # no such bound: its price is a convex function of the share (the money its
                # supporters have at a price is jointly concave in price and share), so the
                # tangent kept as its lower bound stays a lower bound at every share.
                rho, rho_v, e_rho, e_rho_v, pm, _, bs, vs, eb0, ev0 = best[4:]
                sign = np.where(pm, 1.0, -1.0)
                bounds.append((sign * (rho - bs), sign * (rho_v - vs),
                               (eb0 + e_rho) + (abs(rho) + np.abs(bs)) * EPS,
                               (ev0 + e_rho_v) + (abs(rho_v) + np.abs(vs)) * EPS))
                # every other project must stay dearer than the winner for a larger share
                o, osl = sv[alive], ss[alive]
                bounds.append((o - a_w, osl - sl_w,
                               se[alive] + ea_w + (np.abs(o) + abs(a_w)) * EPS,
                               ses[alive] + es_w + (np.abs(osl) + abs(sl_w)) * EPS))
            for m, sl, em, es in bounds:
                hi = min(hi, _hi(m, sl, em, es, s))
            if best is None:
                break
            # pay, at the exact price: recomputed in Fractions from who is poor, so float
            # errors do not build up from round to round
            rho_f, rho_v_f, e_rho, e_rho_v, poor_mask_sorted, sup_sorted = best[4:10]
            poor = sup_sorted[poor_mask_sorted]
            poor = poor[b[poor] > 0]
            rich = sup_sorted[~poor_mask_sorted]
            rich_w = int(self.w_int[rich].sum())
            wp = self.w_int[poor]
            paid, paid_v = share * int(wp.sum()), Fraction(int(wp.sum()))
            if rounds and len(poor):
                counts = wp @ self.groups[np.ix_(poor, winners)].astype(np.int64)
                for j in np.flatnonzero(counts).tolist():
                    n = int(counts[j])
                    paid -= rounds[j].rho * n
                    paid_v -= rounds[j].rho_v * n
            rho_x = (costs[winner] - paid) / rich_w
            rho_vx = -paid_v / rich_w
            rho, rho_v = float(rho_x), float(rho_vx)
            if abs(rho - rho_f) > SAFE * e_rho + 4 * U * rho:
                self.reason = ("replay", len(rounds), rho, rho_f, e_rho)
                return None  # the float structure disagrees with the exact replay
            broke_at[poor] = len(rounds)
            winners.append(winner)
            rounds.append(FastRound(winner, poor, rich_w, rho_x, rho_vx, hi,
                                    (sv.copy(), ss.copy(), se.copy(), ses.copy(),
                                     alive.copy())))
            b[poor] = 0.0
            v[poor] = 0.0
            b[rich] -= rho
            v[rich] -= rho_v
            if len(rich):
                vmax = max(vmax, float(np.abs(v[rich]).max()))
            eb = eb + 2 * U * s
            ev = ev + 2 * U * (vmax + abs(rho_v))
        run = FastRun(winners, rounds, b > 0, hi, share)
        run.broke = broke_at
        return run

    def _alpha(self, q, b, v, eb, ev, bounds):
        """Price of ``q`` with its error bounds, False when unaffordable, None when unsure."""
        c = float(self.costs[q])
        sup = self.sup[q]
        bs = b[sup]
        order = np.argsort(bs, kind="stable")
        bs = bs[order]
        ws = self.sup_w[q][order]
        vs = v[sup][order]
        wb = ws * bs
        cm = np.cumsum(wb)
        cw = np.cumsum(ws)
        money = cm[-1]
        n = len(bs)
        e_money = cw[-1] * eb + n * U * money * 2
        if money < c:
            if c - money <= SAFE * e_money + 4 * U * c:
                self.reason = ("money", c, money, e_money)
                return None
            mv = float(np.dot(ws, vs))
            e_mv = cw[-1] * ev + n * U * abs(mv) * 2
            bounds.append((np.array([c - money]), np.array([-mv]),
                           np.array([e_money + (c + money) * EPS]),
                           np.array([e_mv + abs(mv) * EPS])))
            return False
        total = cw[-1]
        g = (cm - wb) + (total - cw + ws) * bs
        k = int(np.argmax(g >= c))
        paid = float(cm[k - 1]) if k else 0.0
        rich = float(total - cw[k - 1]) if k else float(total)
        poor_w = float(cw[k - 1]) if k else 0.0
        rho = (c - paid) / rich
        e_rho = (poor_w * eb + 2 * n * U * (paid + c)) / rich + 2 * U * rho
        paid_v = float(np.dot(ws[:k], vs[:k])) if k else 0.0
        rho_v = -paid_v / rich
        e_rho_v = (poor_w * ev + 2 * n * U * abs(paid_v)) / rich + 2 * U * abs(rho_v)
        # every supporter clearly poor (budget below rho) or clearly rich
        margin = np.abs(bs - rho)
        live = bs > 0
        if live.any() and float(margin[live].min()) <= SAFE * (eb + e_rho) + 4 * U * rho:
            self.reason = ("margin", float(margin[live].min()), eb, e_rho, rho)
            return None
        alpha, slope = rho / c, rho_v / c
        e_alpha = e_rho / c + 2 * U * alpha
        e_slope = e_rho_v / c + 2 * U * abs(slope)
        poor_mask = np.zeros(n, dtype=bool)
        poor_mask[:k] = True
        return (alpha, slope, e_alpha, e_slope, rho, rho_v, e_rho, e_rho_v, poor_mask,
                sup[order], bs, vs, eb, ev)

    # ------------------------------------------------------------------ exact replay
    def exact(self, run: FastRun, scale_share: Fraction):
        """Exact prices (rho per supporter) per round and the supporters' money left."""
        s = scale_share
        winners = [r.q for r in run.rounds]
        rhos = [r.rho for r in run.rounds]
        wcols = self.groups[:, winners].astype(np.int64) if winners else None
        live = run.live
        money = {}
        if self.n_projects:
            wl = self.w_int[live]
            gl = self.groups[live].astype(np.int64)
            base = wl @ gl  # per project: weight of live supporters
            cross = (gl * wl[:, None]).T @ wcols[live] if winners else None
            for q in range(self.n_projects):
                if self.sup_n[q] == 0 or self.costs[q] == 0:
                    continue
                total = s * int(base[q])
                if winners:
                    total -= sum((rho * int(n) for rho, n in zip(rhos, cross[q].tolist()) if n),
                                 Fraction(0))
                money[q] = total
        return rhos, money


def _hi(m, sl, em, es, s) -> float:
    """Largest x such that every m + sl * (x - s) stays positive, shrunk by the errors."""
    m = m - SAFE * em
    sl = sl - SAFE * es - 1e-300
    falling = sl < 0
    if not falling.any():
        return float("inf")
    m, sl = m[falling], sl[falling]
    if (m <= 0).any():
        return s
    return float(np.min(s + m / -sl)) * (1 - EPS)
