"""Outcomes computed by pabutools (GPL, test-only): the reference we must agree with.

Only pabutools' public API is called; none of its code is copied into the engine.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from pathlib import Path

LIVE_RULES = (
    "greedy",
    "greedy-threshold",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-until-exhaustive",
    "phragmen",
)


def load(path: Path):
    from pabutools.election import parse_pabulib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_pabulib(str(path))


def _score_fn(instance, profile):
    vote_type = instance.meta["vote_type"]
    if vote_type in ("approval", "choose-1"):
        return lambda ballot, p: 1 if p in ballot else 0
    if vote_type == "ordinal":
        length = int(instance.meta.get("max_length") or max(len(b) for b in profile))
        return lambda ballot, p: max(length - ballot.index(p), 0) if p in ballot else 0
    return lambda ballot, p: ballot.get(p, 0)


def _score_sat(score):
    """pabutools' greedy ranks by satisfaction / cost; score * cost makes that the score."""
    from pabutools.election.satisfaction import AdditiveSatisfaction

    class ScoreTimesCost(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(
                instance, profile, ballot, lambda inst, prof, b, p, pre: score(b, p) * p.cost
            )

    return ScoreTimesCost


def scores(instance, profile) -> dict[str, Fraction]:
    score = _score_fn(instance, profile)
    total = {p.name: Fraction(0) for p in instance}
    for ballot in profile:
        for p in instance:
            total[p.name] += Fraction(score(ballot, p))
    return total


def outcome(path: Path, rule: str) -> list[str]:
    """Project ids funded by pabutools under ``rule`` (funding order where it has one)."""
    instance, profile = load(path)
    return outcome_of(instance, profile, rule)


def outcome_of(instance, profile, rule: str) -> list[str]:
    from pabutools.election import Instance
    from pabutools.rules import greedy_utilitarian_welfare

    if rule in ("greedy", "greedy-threshold"):
        if rule == "greedy-threshold":
            threshold = Fraction(instance.meta["min_project_score_threshold"])
            score = scores(instance, profile)
            kept = Instance(
                [p for p in instance if score[p.name] >= threshold],
                budget_limit=instance.budget_limit,
                meta=instance.meta,
            )
            instance = kept
        sat = _score_sat(_score_fn(instance, profile))
        return [p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=sat)]
    if rule == "phragmen":
        from pabutools.rules import sequential_phragmen

        score = scores(instance, profile)
        kept = Instance(
            [p for p in instance if score[p.name] > 0],
            budget_limit=instance.budget_limit,
            meta=instance.meta,
        )
        return [p.name for p in sequential_phragmen(kept, profile)]
    return _mes(instance, profile, rule)


def _mes(instance, profile, rule: str) -> list[str]:
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat
    from pabutools.rules import method_of_equal_shares

    sat = (
        Cost_Sat
        if instance.meta["vote_type"] in ("approval", "choose-1")
        else Additive_Cardinal_Sat
    )
    if rule == "equalshares":
        return [p.name for p in method_of_equal_shares(instance, profile, sat_class=sat)]
    if rule == "equalshares/add1-until-exhaustive":
        res = method_of_equal_shares(instance, profile, sat_class=sat, voter_budget_increment=1)
        return [p.name for p in res]
    if rule == "equalshares/add1":  # Pabulib's definition, driven through pabutools' MES
        budget, n = instance.budget_limit, profile.num_ballots()
        best = method_of_equal_shares(instance, profile, sat_class=sat)
        whole = math.floor(Fraction(int(budget.numerator), int(budget.denominator)) / n)
        while True:
            whole += 1
            instance.budget_limit = whole * n
            run = method_of_equal_shares(instance, profile, sat_class=sat)
            instance.budget_limit = budget
            if sum(p.cost for p in run) > budget or len(run) == len(best) == len(instance):
                return [p.name for p in best]
            best = run
    raise ValueError(rule)
