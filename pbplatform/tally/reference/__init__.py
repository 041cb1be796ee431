"""The reference count: every rule written once, short and exact, to be read beside its paper.

An auditor who wants to know what a published count did reads this package, not the fast
engine beside it. Everything here is exact (``fractions.Fraction``), plain Python (no numpy,
no compiled code, no caching, no early exits that need a proof), and follows the definitions:

- ``scores``: each channel's support and the declared combination (raw or normalized);
- ``greedy``: greedy, greedy-no-skip, greedy-threshold and top-n (rank by score, then fund);
- ``mes``: the Method of Equal Shares (Peters, Pierczyński and Skowron, "Proportional
  participatory budgeting with additive utilities", NeurIPS 2021), its add1 completions and
  the comparison step;
- ``phragmen``: sequential Phragmén (Brill, Freeman, Janson and Lackner, "Phragmén's voting
  methods and justified representation", AAAI 2017), with a budget as pabutools has it.

The fast engine (``pbplatform.tally.count``) must give the same funded projects in the same
order and the same ranking on every election: tests/tally/test_reference.py checks that on
generated elections of every rule and ballot type and on the real Pabulib files.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..model import Election, RuleConfig
from ..rules import effective_config
from .greedy import greedy, rank_order, top_n
from .mes import equal_shares_rule
from .phragmen import phragmen
from .scores import Support, support


@dataclass(frozen=True)
class Reference:
    """What the reference count decides: funded projects in funding order, and the ranking."""

    selected: list[str]
    ranked: list[str]
    scores: dict[str, Fraction]


def reference_count(election: Election, config: RuleConfig | None = None) -> Reference:
    """Count ``election`` the slow, obvious way."""
    config = effective_config(election, config or RuleConfig())
    s = support(election, config)
    order = rank_order(election, config, s)
    selected = _selected(election, config, s, order)
    if config.rule.startswith("greedy") or config.rule == "top-n":
        ranked = order
    else:  # proportional rules rank funded projects first, in funding order
        ranked = selected + [p for p in order if p not in selected]
    return Reference(selected, ranked, s.combined)


def _selected(election: Election, config: RuleConfig, s: Support, order: list[str]) -> list[str]:
    rule, cost = config.rule, {p.id: p.cost for p in election.projects}
    if rule == "top-n":
        return top_n(order, config.n or 0)
    if rule == "greedy-threshold":
        eligible = [p for p in order if s.combined[p] >= (config.threshold or 0)]
        return greedy(eligible, cost, election.budget, skip=True)
    if rule in ("greedy", "greedy-no-skip"):
        return greedy(order, cost, election.budget, skip=rule == "greedy")
    if rule == "phragmen":
        return phragmen(election, config, s)
    return equal_shares_rule(election, config, s, order)
