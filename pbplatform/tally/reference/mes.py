"""The Method of Equal Shares, its add1 completions and the comparison step, in Fractions.

Every voter gets the same share of the budget per unit of weight (a ballot's weight times its
channel's weight). A project can be bought only by its supporters: each pays ``alpha`` times
their utility for it, or everything they have left if that is less. Round by round the project
with the smallest ``alpha`` is bought (ties: the declared key), until none is affordable.
Utility is the project's cost for an approval (cost satisfaction), the points given for
cumulative and scoring ballots, Borda points for rankings. Projects that cost nothing and have
support are funded before the first round.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ..model import Election, RuleConfig
from .greedy import greedy
from .scores import Support, borda, utility

Voter = tuple[Fraction, dict[str, Fraction]]  # weight, utility of each project named


def voters(election: Election, config: RuleConfig) -> list[Voter]:
    cost, length, out = {p.id: p.cost for p in election.projects}, borda(election), []
    for ballot in election.ballots:
        weight = ballot.weight * config.weight_of(ballot.channel)
        u = utility(ballot, election, length)
        if election.vote_type == "approval":
            u = {pid: Fraction(cost[pid]) for pid in u}
        if weight:
            out.append((weight, u))
    return out


def price(c: int, money: list[Fraction], vs: list[Voter], pid: str) -> Fraction | None:
    """The smallest alpha at which the supporters of ``pid`` can pay ``c``, or None."""
    sup = [i for i, (_, u) in enumerate(vs) if u.get(pid, 0) > 0]
    sup.sort(key=lambda i: money[i] / vs[i][1][pid])
    util = sum((vs[i][0] * vs[i][1][pid] for i in sup), Fraction(0))
    paid = Fraction(0)
    for i in sup:  # the poorest (per unit of utility) may pay all they have left
        alpha = (c - paid) / util
        if alpha * vs[i][1][pid] <= money[i]:
            return alpha
        paid += money[i] * vs[i][0]
        util -= vs[i][0] * vs[i][1][pid]
    return None


# why complex: the method as its paper states it, in one loop (the comprehensions count as branches)
def equal_shares(election: Election, vs: list[Voter], share: Fraction, key) -> list[str]:
    """One run of MES with ``share`` per unit of weight; the funded projects in order."""
    cost = {p.id: p.cost for p in election.projects}
    total = {p.id: sum((w * u.get(p.id, 0) for w, u in vs), Fraction(0)) for p in election.projects}
    selected = [pid for pid in cost if cost[pid] == 0 and total[pid] > 0]
    remaining = [pid for pid in cost if cost[pid] > 0 and total[pid] > 0]
    money = [share] * len(vs)
    while True:
        offers = {pid: price(cost[pid], money, vs, pid) for pid in remaining}
        prices = {pid: a for pid, a in offers.items() if a is not None}
        if not prices:
            return selected
        winner = min(prices, key=lambda pid: (prices[pid], key(pid)))
        for i, (_, u) in enumerate(vs):
            money[i] -= min(money[i], prices[winner] * u.get(winner, 0))
        selected.append(winner)
        remaining.remove(winner)


def equal_shares_rule(election: Election, config: RuleConfig, s: Support, order: list[str]):
    vs = voters(election, config)
    weight = sum((w for w, _ in vs), Fraction(0))
    if not weight:
        return []
    first, rule = Fraction(election.budget) / weight, config.rule
    if rule.startswith("equalshares/add1-until"):
        selected = _complete(election, vs, s.tie_key, first, first, _exhaustive)
    elif rule.startswith("equalshares/add1"):
        selected = _complete(election, vs, s.tie_key, first, Fraction(math.floor(first)), _all)
    else:
        selected = equal_shares(election, vs, first, s.tie_key)
    if rule.endswith("comparison"):
        cost = {p.id: p.cost for p in election.projects}
        other = greedy(order, cost, election.budget, skip=True)
        if _prefer(vs, other, selected) > _prefer(vs, selected, other):
            return other
    return selected


def _complete(election, vs, key, first, base, done) -> list[str]:
    """Shares ``first``, then ``base + 1``, ``base + 2``, ...: the run of the last share before
    the first run over budget, or the first run that is ``done``."""
    cost = {p.id: p.cost for p in election.projects}
    previous: list[str] = []
    k = 0
    while True:
        run = equal_shares(election, vs, first if k == 0 else base + k, key)
        if sum(cost[pid] for pid in run) > election.budget:
            return previous
        if done(election, vs, run):
            return run
        previous, k = run, k + 1


def _supported(election: Election, vs: list[Voter]) -> list[str]:
    return [p.id for p in election.projects if any(u.get(p.id, 0) > 0 for _, u in vs)]


def _all(election: Election, vs: list[Voter], run: list[str]) -> bool:
    return len(run) >= len(_supported(election, vs))


def _exhaustive(election: Election, vs: list[Voter], run: list[str]) -> bool:
    cost = {p.id: p.cost for p in election.projects}
    left = election.budget - sum(cost[pid] for pid in run)
    return not any(pid not in run and 0 < cost[pid] <= left for pid in _supported(election, vs))


def _prefer(vs: list[Voter], first: list[str], second: list[str]) -> Fraction:
    """The weight of voters who approve more projects of ``first`` than of ``second``."""
    return sum((w for w, u in vs if len(u.keys() & first) > len(u.keys() & second)), Fraction(0))
