"""Sequential Phragmen for approval ballots.

Each funded project puts a load (its cost) on its supporters, spread so that their maximum
load is as small as possible; the next project is the one whose supporters would end with the
smallest load. Counting stops at the first project (among those tied for next) that does not
fit the budget, as pabutools does. Projects nobody approved are never funded.
"""

from __future__ import annotations

from fractions import Fraction

from . import outcome as oc
from .greedy import Decision
from .mes_rules import mes_input
from .model import Election, RuleConfig
from .outcome import fmt


def run_phragmen(election: Election, scores, key, config: RuleConfig | None = None):
    data = mes_input(election, config or RuleConfig(rule="phragmen"))
    a, w = data.incidence, data.weights.tolist()
    supporters = [a[:, q].nonzero()[0].tolist() for q in range(len(data.ids))]
    approvals = [sum(w[i] for i in sup) for sup in supporters]
    loads = [Fraction(0)] * len(w)
    remaining = {q for q, c in enumerate(data.costs) if approvals[q] and c <= election.budget}
    spent, selected, decisions = 0, [], {}
    stop_note = None
    while remaining:
        new = {
            q: (sum(loads[i] * w[i] for i in supporters[q]) + data.costs[q]) / approvals[q]
            for q in remaining
        }
        best = min(new.values())
        tied = sorted((q for q in remaining if new[q] == best), key=lambda q: key(data.ids[q]))
        if any(spent + data.costs[q] > election.budget for q in tied):
            stop_note = (data.ids[tied[0]], election.budget - spent)
            break
        q = tied[0]
        for i in supporters[q]:
            loads[i] = best
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


def _unfunded(pid: str, cost: int, approvals: int, budget: int, stop) -> Decision:
    if not approvals:
        return Decision(oc.NO_SUPPORT, "no voter supported it")
    if cost > budget:
        return Decision(oc.DID_NOT_FIT, f"did not fit: costs {cost}, budget {budget}")
    if stop and stop[0] == pid:
        return Decision(oc.DID_NOT_FIT, f"did not fit: {stop[1]} left, costs {cost}", stop[1])
    return Decision(oc.PRICED_OUT, "not reached: counting stopped when a project did not fit")
