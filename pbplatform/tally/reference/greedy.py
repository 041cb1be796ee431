"""The greedy family: rank by score (ties by the declared key), then fund in that order."""

from __future__ import annotations

from ..model import Election, RuleConfig
from .scores import Support


def rank_order(election: Election, config: RuleConfig, s: Support) -> list[str]:
    ids = [p.id for p in election.projects]
    return sorted(ids, key=lambda pid: (-s.combined[pid], s.tie_key(pid)))


def greedy(order: list[str], cost: dict[str, int], budget: int, *, skip: bool) -> list[str]:
    """Fund in order while the money lasts; without ``skip``, stop at the first misfit."""
    selected, left = [], budget
    for pid in order:
        if cost[pid] <= left:
            selected.append(pid)
            left -= cost[pid]
        elif not skip:
            break
    return selected


def top_n(order: list[str], n: int) -> list[str]:
    return order[:n]
