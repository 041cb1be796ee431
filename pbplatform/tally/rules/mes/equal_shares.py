"""The equal-shares rules: plain MES, the two add1 completions and the comparison step."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain

import numpy as np

from ... import engines
from ... import outcome as oc
from ...model import Election, RuleConfig
from ...outcome import fmt
from ..greedy import Decision, greedy
from .exact import (
    MesRun,
    UtilityState,
    crossing,
    reach,
    replay_mes,
    run_mes,
    same_between,
)
from .exact_approval import ApprovalState
from .exact_whole import WholeUtilityState
from .float_approval import FastApproval, FastRun, unique_rows
from .float_points import FastUtility, LazyRun
from .search import FINAL, OVER, Steps, search
from .voters import approval_columns, ballot_rows, point_groups


@dataclass
class MesInput:
    ids: list[str]
    costs: list[int]
    support: list[Fraction]  # total utility per project
    state: object
    voters: Fraction  # number of voters (sum of weights)
    scale: int  # weights were multiplied by this to make them whole
    incidence: np.ndarray | None  # approval only: the distinct ballots (``ballot_groups``)
    weights: np.ndarray  # the whole weights of those ballots' (or points groups') voters
    fast: FastApproval | None = None  # certified float runs (approval only)
    exact_runs: int = 0  # runs the float path left to the exact method (for tests)
    last_fast: FastRun | None = (
        None  # the latest float run, whose first rounds a larger share reuses
    )
    rank: list[int] | None = None  # tie-break places, for the key in rank_key
    rank_key: object = None
    points: FastUtility | None = None  # certified float runs (points ballots)


def mes_input(election: Election, config: RuleConfig) -> MesInput:
    ids = [p.id for p in election.projects]
    costs = [p.cost for p in election.projects]
    index = {pid: q for q, pid in enumerate(ids)}
    if election.vote_type == "approval":
        columns = approval_columns(election, config, index)
        if columns is None:
            rows, raw = ballot_rows(election, config, index)
            columns = (list(map(len, rows)), chain.from_iterable(rows), *_coded(raw))
        lengths, flat, distinct, codes = columns
        weights, scale, voters = _whole_weights(distinct, codes)
        groups, weights, supporters = ballot_groups(lengths, flat, weights, len(ids))
        fast = FastApproval(groups, weights, costs, supporters)
        counts = fast.sup_n.tolist()  # each project's weighted approvals
        support = [Fraction(n * c) for n, c in zip(counts, costs, strict=True)]
        state = LazyApprovalState(groups, weights, costs)
        return MesInput(ids, costs, support, state, voters, scale, groups, weights, fast)
    return _points_input(election, config, ids, costs, index)


# why complex: the comprehensions keep whole points as ints, each a branch to radon
def _points_input(
    election: Election, config: RuleConfig, ids: list[str], costs: list[int], index: dict
) -> MesInput:
    groups = point_groups(election, config, index)  # one budget per distinct ballot
    # weights are ints or Fractions (ints have a denominator too), summed as they are
    scale = math.lcm(*(w.denominator for w in groups.values())) if groups else 1
    group_weights = [int(w * scale) for w in groups.values()]
    voters = Fraction(sum(groups.values()))
    # whole points as ints: Fraction arithmetic on them costs several times more
    utilities: list[dict[int, int | Fraction]] = [
        {q: int(v) if v.denominator == 1 else v for q, v in key} for key in groups
    ]
    total: list[int | Fraction] = [0] * len(ids)  # ints while the points are whole
    for util, w in zip(utilities, group_weights, strict=True):
        for q, value in util.items():
            total[q] += value * w
    support = [Fraction(x) for x in total]
    whole = all(type(v) is int for util in utilities for v in util.values())
    state: UtilityState = (WholeUtilityState if whole else UtilityState)(
        utilities, group_weights, costs
    )
    points = FastUtility(utilities, group_weights, costs)
    weights = np.array(group_weights, dtype=np.int64)  # per group here, not per voter
    return MesInput(ids, costs, support, state, voters, scale, None, weights, None, points=points)


def _coded(raw: list[Fraction]) -> tuple[list[Fraction], list[int]]:
    """The distinct weights, and each voter's place in that list."""
    code: dict[Fraction, int] = {}
    codes = [code.setdefault(w, len(code)) for w in raw]
    return list(code), codes


def _whole_weights(
    distinct: list[Fraction], codes: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, int, Fraction]:
    """Weights scaled to whole numbers, the scale, and the total (unscaled) weight.

    Ballots share a handful of weights (one per channel), so the Fraction arithmetic is done
    once per distinct weight, not once per ballot.
    """
    scale = math.lcm(*(Fraction(w).denominator for w in distinct)) if distinct else 1
    whole = np.array([int(Fraction(w) * scale) for w in distinct], dtype=np.int64)
    at = np.array(codes, dtype=np.int64)
    times = np.bincount(at, minlength=len(distinct)).tolist()
    voters = sum((Fraction(w) * n for w, n in zip(distinct, times, strict=True)), Fraction(0))
    return (whole[at] if len(at) else np.zeros(0, dtype=np.int64)), scale, voters


def ballot_groups(
    lengths: Sequence[int] | np.ndarray,
    flat: Iterable[int] | np.ndarray,
    weights: np.ndarray,
    n_projects: int,
) -> tuple[np.ndarray, np.ndarray, tuple | None]:
    """The distinct ballots, as rows of a bool matrix over the projects, and the total whole
    weight of each one's voters; none weighted zero. Voters with the same ballot always hold
    the same money under equal shares (and prefer the same outcomes), so every approval
    count works on these rows. From each voter's number of approvals and the stream of all
    their project indices; grouped in the compiled reader where it is built, which also
    gives each project's supporter rows as ``engines.rows_of`` would (else None)."""
    reader = engines.compiled()
    if reader is not None:
        sizes, cols = _arrays(lengths, flat)
        rows, totals, (offsets, sup) = reader.approval_groups(
            sizes, cols, weights.astype(np.int64), n_projects
        )
        totals = np.frombuffer(totals, dtype=np.int64)
        groups = np.frombuffer(rows, dtype=bool).reshape(len(totals), n_projects)
        return (
            groups,
            totals,
            (np.frombuffer(offsets, dtype=np.int64), np.frombuffer(sup, dtype=np.int64)),
        )
    incidence = _incidence(lengths, flat, n_projects)
    first, inverse = unique_rows(incidence)
    totals = np.zeros(len(first), dtype=np.int64)
    np.add.at(totals, inverse, weights.astype(np.int64))
    keep = totals > 0
    return incidence[first][keep], totals[keep], None


def _incidence(
    lengths: Sequence[int] | np.ndarray, flat: Iterable[int] | np.ndarray, n_projects: int
) -> np.ndarray:
    """Voters x projects approval matrix from each voter's number of approvals and the
    stream of all their project indices."""
    sizes, cols = _arrays(lengths, flat)
    incidence = np.zeros((len(sizes), n_projects), dtype=bool)
    incidence[np.repeat(np.arange(len(sizes)), sizes), cols] = True
    return incidence


def _arrays(
    lengths: Sequence[int] | np.ndarray, flat: Iterable[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each voter's number of approvals and all their project indices, as int64 arrays."""
    sizes = np.asarray(lengths, dtype=np.int64)
    if isinstance(flat, np.ndarray):
        return sizes, flat
    return sizes, np.fromiter(flat, dtype=np.int64, count=int(sizes.sum()))


class LazyApprovalState:
    """The exact state, built only when a run is left to the exact method."""

    def __init__(self, incidence: np.ndarray, weights: np.ndarray, costs) -> None:
        self._args = (incidence, weights, costs)
        self._state: ApprovalState | None = None

    def __getattr__(self, name: str):
        if self._state is None:
            self._state = ApprovalState(*self._args)
        return getattr(self._state, name)


# why complex: the three ways a run is made (float points, float approval, exact), in order
def run_at(
    data: MesInput, share: Fraction, key, exact: bool = False, next_share: Fraction | None = None
) -> MesRun:
    """Run MES with ``share`` per voter (per unit of unscaled weight).

    ``next_share``: the smallest share the caller may ask for after this one (None: none);
    the float run stops refining ``hi`` once it is below that.

    Approval ballots first try the certified float run (``float_approval``); it returns None
    whenever a decision is too close to call in floats, and the exact method runs instead.
    """
    scaled = share / data.scale
    points = data.points
    order = points.run(scaled) if points is not None and not exact else None
    if order is not None:
        assert points is not None, "only the float run of points ballots gives an order here"
        return LazyRun(
            [data.ids[q] for q in order],
            float(scaled),
            lambda: replay_mes(data.state, data.ids, data.costs, data.support, scaled, order),
            points.trace,
        )
    if data.fast is not None and not exact:
        last = data.last_fast
        need = math.inf if next_share is None else float(next_share / data.scale) * (1 - 1e-9)
        fast = data.fast.run(
            scaled,
            last if last is not None and last.share <= scaled else None,
            need,
            tie_rank(data, key),
        )
        if fast is not None:
            data.last_fast = fast
            run = MesRun([data.ids[q] for q in fast.selected_q], hi=fast.hi)
            run.pending = fast
            return run
    data.exact_runs += 1
    return run_mes(data.state, data.ids, data.costs, data.support, scaled, key)


def tie_rank(data: MesInput, key) -> list[int]:
    """Each project's place in the declared tie-break order (lower wins)."""
    if data.rank_key is not key:
        order = sorted(range(len(data.ids)), key=lambda q: key(data.ids[q]))
        data.rank = [0] * len(order)
        for place, q in enumerate(order):
            data.rank[q] = place
        data.rank_key = key
    assert data.rank is not None, "set with rank_key, above or by an earlier call"
    return data.rank


def complete(data: MesInput, run: MesRun) -> MesRun:
    """Fill in the exact prices and money left of a run made in floats."""
    fast = run.pending
    if fast is None:
        return run
    assert data.fast is not None, "only the approval float run leaves a run pending"
    rhos, money = data.fast.exact(fast, fast.share)
    for r, rho in zip(fast.rounds, rhos, strict=False):
        run.alphas[data.ids[r.q]] = rho / data.costs[r.q]
    run.money_left = {data.ids[q]: m for q, m in money.items()}
    run.pending = None
    return run


def cost_of(data: MesInput, selected: list[str]) -> int:
    cost = dict(zip(data.ids, data.costs, strict=False))
    return sum(cost[pid] for pid in selected)


def add1(data: MesInput, budget: int, key, jobs: int = 1) -> tuple[MesRun, Fraction]:
    """Pabulib's add1: budget/voters, then floor(budget/voters) + 1, + 2, ... while it fits."""
    first = Fraction(budget) / data.voters
    supported = sum(1 for s in data.support if s > 0)

    def event(run: MesRun) -> str | None:
        if cost_of(data, run.selected) > budget:
            return OVER
        return FINAL if len(run.selected) >= supported else None

    steps = Steps(first, Fraction(math.floor(first)), data.scale)
    return _complete_by_steps(data, steps, key, event, jobs)


def add1_until_exhaustive(
    data: MesInput, budget: int, key, jobs: int = 1
) -> tuple[MesRun, Fraction]:
    """pabutools' voter_budget_increment=1: raise shares by 1 until exhaustive or over budget."""
    first = Fraction(budget) / data.voters

    def event(run: MesRun) -> str | None:
        spent = cost_of(data, run.selected)
        if spent > budget:
            return OVER
        chosen = set(run.selected)
        open_ = any(
            pid not in chosen and s > 0 and 0 < c <= budget - spent
            for pid, c, s in zip(data.ids, data.costs, data.support, strict=False)
        )
        return None if open_ else FINAL

    return _complete_by_steps(data, Steps(first, first, data.scale), key, event, jobs)


def _complete_by_steps(
    data: MesInput, steps: Steps, key, event, jobs: int
) -> tuple[MesRun, Fraction]:
    """The run at the largest share that fits (see ``search``), and that share."""
    seen: dict[Fraction, MesRun] = {}

    def evaluate(k: int, next_k: int) -> tuple[MesRun, str | None]:
        share = steps.share(k)
        run = run_at(data, share, key, next_share=steps.share(next_k))
        seen[share] = run
        if len(seen) > 2:  # the outcome is the latest run or the one before it
            del seen[next(iter(seen))]
        return run, event(run)

    # points runs rarely change from step to step and have no ``hi``: they leap (approval
    # runs reuse the rounds of the step before and skip by ``hi``, which leaping would lose)
    k, found = search(steps, evaluate, jobs, certify if data.points is not None else None)
    if found == OVER:
        k -= 1
        if k < 0:
            return MesRun([]), steps.first
    share = steps.share(k)
    run = seen.get(share) or run_at(data, share, key)
    return run, share


def certify(low: MesRun, high: MesRun) -> tuple[bool, float | None]:
    """Whether every share between two runs' certainly gives the first, and where to aim
    next (see ``search.search``); only certified float runs of points ballots carry the
    ``trace`` this needs."""
    a, b = low.trace, high.trace
    if a is None or b is None:
        return False, None
    if same_between(a, b):
        return True, reach(a, b)
    return False, crossing(a, b)


def prefers(data: MesInput, first: list[str], second: list[str]) -> tuple[int, int]:
    """Weighted voters with more approved projects funded in ``first``, and in ``second``."""
    col = {pid: q for q, pid in enumerate(data.ids)}
    a = data.incidence
    assert a is not None, "prefers compares approval outcomes, which keep their ballots"
    sat1 = a[:, [col[p] for p in first]].sum(axis=1)
    sat2 = a[:, [col[p] for p in second]].sum(axis=1)
    return int(data.weights[sat1 > sat2].sum()), int(data.weights[sat2 > sat1].sum())


def run_mes_rule(election: Election, config: RuleConfig, scores, order, key, jobs: int = 1):
    data = mes_input(election, config)
    rule = config.rule
    if not data.voters:  # every ballot weighted zero: nobody holds a share of the budget
        run, share = MesRun([]), Fraction(0)
    elif rule.startswith("equalshares/add1-until"):
        run, share = add1_until_exhaustive(data, election.budget, key, jobs)
    elif rule.startswith("equalshares/add1"):
        run, share = add1(data, election.budget, key, jobs)
    else:
        share = Fraction(election.budget) / data.voters
        run = run_at(data, share, key)
    notes = [f"each voter's share: {fmt(share)}"]
    decisions = mes_decisions(data, run)
    if rule.endswith("comparison"):
        cost = dict(zip(data.ids, data.costs, strict=False))
        greedy_sel, greedy_dec = greedy(order, cost, election.budget)
        for_mes, for_greedy = prefers(data, run.selected, greedy_sel)
        notes.append(f"comparison: {for_mes} voters prefer equal shares, {for_greedy} greedy")
        if for_greedy > for_mes:
            notes.append("the greedy outcome is used, as more voters prefer it")
            return greedy_sel, greedy_dec, notes
    return run.selected, decisions, notes


def mes_decisions(data: MesInput, run: MesRun) -> dict[str, Decision]:
    complete(data, run)
    decisions = {}
    rounds = {pid: k + 1 for k, pid in enumerate(run.selected)}
    for pid, cost, support in zip(data.ids, data.costs, data.support, strict=False):
        money = run.money_left.get(pid, Fraction(0))
        if pid in rounds:
            alpha = run.alphas.get(pid, Fraction(0))
            price = alpha * cost if data.incidence is not None else alpha
            unit = "" if data.incidence is not None else " per point"
            decisions[pid] = Decision(
                oc.FUNDED,
                f"funded in round {rounds[pid]}: each supporter paid {fmt(price)}{unit} "
                "or all they had left",
                price_per_supporter=price,
            )
        elif support == 0:
            decisions[pid] = Decision(oc.NO_SUPPORT, "no voter supported it")
        else:
            pct = fmt(Fraction(100) * money / cost) if cost else "100"
            decisions[pid] = Decision(
                oc.NOT_AFFORDABLE,
                f"not affordable: its supporters had {fmt(money)} of their shares left, "
                f"it costs {cost} (effective support {pct}%)",
                supporters_share=money,
            )
    return decisions
