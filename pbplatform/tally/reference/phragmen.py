"""Sequential Phragmén for approval ballots, with a budget as pabutools has it.

Each funded project puts a load equal to its cost on its supporters, spread so that their
highest load is as small as possible. Each round funds the project whose supporters would end
with the smallest load, (sum of weight x load over its supporters + cost) / their total
weight; ties go to the declared key. Counting stops when a project tied for next does not fit
in what is left of the budget (pabutools stops there too). Projects nobody supports, or dearer
than the whole budget, are never candidates.
"""

from __future__ import annotations

from fractions import Fraction

from ..model import Election, RuleConfig
from .scores import Support

Voter = tuple[Fraction, set[str]]  # weight, approved projects


# why complex: the method as its paper states it, in one loop (the comprehensions count as branches)
def phragmen(election: Election, config: RuleConfig, s: Support) -> list[str]:
    cost = {p.id: p.cost for p in election.projects}
    vs = [(b.weight * config.weight_of(b.channel), set(b.approvals)) for b in election.ballots]
    vs = [(w, a) for w, a in vs if w]
    load = [Fraction(0)] * len(vs)
    remaining = [p for p in cost if cost[p] <= election.budget and any(p in a for _, a in vs)]
    selected: list[str] = []
    spent = 0
    while remaining:
        loads = {pid: new_load(vs, load, cost[pid], pid) for pid in remaining}
        lowest = min(loads.values())
        tied = sorted((pid for pid in remaining if loads[pid] == lowest), key=s.tie_key)
        if any(spent + cost[pid] > election.budget for pid in tied):
            return selected
        best = tied[0]
        load = [lowest if best in a else load[i] for i, (_, a) in enumerate(vs)]
        selected.append(best)
        spent += cost[best]
        remaining.remove(best)
    return selected


def new_load(vs: list[Voter], load: list[Fraction], cost: int, pid: str) -> Fraction:
    """Every supporter's load if ``pid`` is funded next."""
    sup = [i for i, (_, approved) in enumerate(vs) if pid in approved]
    paid = sum((vs[i][0] * load[i] for i in sup), Fraction(0))
    return (paid + cost) / sum((vs[i][0] for i in sup), Fraction(0))
