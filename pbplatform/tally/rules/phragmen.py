"""Sequential Phragmen for approval ballots.

Each funded project puts a load (its cost) on its supporters, spread so that their maximum
load is as small as possible; the next project is the one whose supporters would end with the
smallest load. Counting stops at the first project (among those tied for next) that does not
fit the budget, as pabutools does. Projects nobody approved are never funded.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction

import numpy as np

from .. import outcome as oc
from ..engines import rows_of
from ..model import Election, RuleConfig
from ..outcome import fmt
from .greedy import Decision
from .mes.equal_shares import mes_input
from .mes.float_approval import FastApproval


# why complex: the method's one loop, then an explanation for every project not funded
def run_phragmen(election: Election, scores, key, config: RuleConfig | None = None):
    data = mes_input(election, config or RuleConfig(rule="phragmen"))
    assert data.fast is not None, "Phragmen counts approval ballots, which get the float run"
    loads = Loads(data.fast, data.costs)
    approvals = loads.approvals
    remaining = {q for q, c in enumerate(data.costs) if approvals[q] and c <= election.budget}
    spent, selected, decisions = 0, [], {}
    stop_note = None
    while remaining:
        best, tied = loads.cheapest(remaining)
        tied.sort(key=lambda q: key(data.ids[q]))
        if any(spent + data.costs[q] > election.budget for q in tied):
            stop_note = (data.ids[tied[0]], election.budget - spent)
            break
        q = tied[0]
        loads.fund(q, best)
        spent += data.costs[q]
        selected.append(data.ids[q])
        remaining.discard(q)
        decisions[data.ids[q]] = Decision(
            oc.FUNDED, f"funded in round {len(selected)}: supporters' load {fmt(best)}"
        )
    for q, pid in enumerate(data.ids):
        if pid not in decisions:
            decisions[pid] = _unfunded(pid, data.costs[q], approvals[q], election.budget, stop_note)
    return selected, decisions, []


class Loads:
    """Voters' loads, kept per group of identical ballots.

    A voter's load is the value of the last funded project it approved (0 before any), so
    ``weight[j, q]``, the weight of q's supporters whose load is the j-th value, gives every
    project's new load as one product. Floats pick the few projects within a hair of the
    cheapest; only those are computed in Fractions, so the choice is exact.
    """

    WINDOW = 1e-9  # relative; float errors here are below 1e-13

    def __init__(self, fast: FastApproval, costs: list[int]) -> None:
        """From the ballot groups (and weights) of the float MES input, and the costs."""
        groups, weights = fast.groups, fast.w_int
        self.groups, self.w = groups, weights
        # the compiled kernel, with the flat supporter lists FastApproval built for it and
        # each group's approved projects likewise
        self.kernel = fast.kernel
        if self.kernel is not None:
            self.flat = (
                *fast.flat[:4],
                *rows_of(groups),
                np.ascontiguousarray(weights, dtype=np.int64),
            )
        self.costs = np.array(costs, dtype=np.float64)
        self.cost_list = costs
        self.last = np.zeros(len(weights), dtype=np.int64)  # index into the load values
        # the load values (0 before any), in floats for screening and as whole numerators
        # over one common denominator, whose exact sums are then integer sums (Fraction
        # sums take a gcd at every step)
        self.floats: list[float] = [0.0]
        self.den, self.nums = 1, [0]
        # one row per load value; at most one value per funded project. Before any, every
        # supporter is at load 0: row 0 is each project's weighted approvals
        self.weight = np.zeros((groups.shape[1] + 1, groups.shape[1]), dtype=np.int64)
        self.weight[0] = fast.sup_n
        self.approvals = fast.sup_n.tolist()

    def cheapest(self, remaining: set[int]) -> tuple[Fraction, list[int]]:
        """The smallest new load over ``remaining`` and the projects that reach it exactly."""
        if self.kernel is not None:
            mask = np.zeros(len(self.cost_list), dtype=np.uint8)
            mask[list(remaining)] = 1
            near = self.kernel.phragmen_loads(
                self.weight, len(self.floats), np.array(self.floats), self.costs, mask, self.WINDOW
            )
        else:
            qs = np.fromiter(remaining, dtype=np.int64, count=len(remaining))
            weight = self.weight[: len(self.floats), qs].astype(np.float64)
            floats = np.array(self.floats)
            new = (floats @ weight + self.costs[qs]) / weight.sum(axis=0)
            near = qs[new <= new.min() * (1 + self.WINDOW)].tolist()
        exact = {q: self._exact(q) for q in near}
        best = min(exact.values())
        return best, [q for q in near if exact[q] == best]

    def _exact(self, q: int) -> Fraction:
        column = self.weight[: len(self.floats), q].tolist()
        paid = sum(map(operator.mul, self.nums, column))  # over self.den
        return Fraction(paid + self.cost_list[q] * self.den, self.den * self.approvals[q])

    def fund(self, q: int, load: Fraction) -> None:
        if self.kernel is not None:
            self.kernel.phragmen_fund(*self.flat, self.last, self.weight, q, len(self.floats))
        else:
            self._move(q)
        self.floats.append(float(load))
        den = math.lcm(self.den, load.denominator)
        if den != self.den:
            self.nums = [n * (den // self.den) for n in self.nums]
            self.den = den
        self.nums.append(load.numerator * (den // load.denominator))

    def _move(self, q: int) -> None:
        """Move q's supporter groups from the rows of their old load values to a new row."""
        rows = np.flatnonzero(self.groups[:, q])
        moved = self.groups[rows] * self.w[rows][:, None]
        # subtract each group's row from the row of its old load value: grouped by that
        # value and summed with reduceat (np.subtract.at does the same, several times slower)
        lasts = self.last[rows]
        order = np.argsort(lasts, kind="stable")
        lasts = lasts[order]
        starts = np.flatnonzero(np.r_[True, lasts[1:] != lasts[:-1]])
        self.weight[lasts[starts]] -= np.add.reduceat(moved[order], starts, axis=0)
        self.weight[len(self.floats)] = moved.sum(axis=0)
        self.last[rows] = len(self.floats)


def _unfunded(pid: str, cost: int, approvals: int, budget: int, stop) -> Decision:
    if not approvals:
        return Decision(oc.NO_SUPPORT, "no voter supported it")
    if cost > budget:
        return Decision(oc.DID_NOT_FIT, f"did not fit: costs {cost}, budget {budget}")
    if stop and stop[0] == pid:
        return Decision(oc.DID_NOT_FIT, f"did not fit: {stop[1]} left, costs {cost}", stop[1])
    return Decision(oc.PRICED_OUT, "not reached: counting stopped when a project did not fit")
