"""``count``: validate, score, run the rule, and explain every project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import engines
from . import outcome as oc
from .model import Election, RuleConfig, TallyConfigError
from .outcome import Outcome, ProjectResult
from .rules import MES_RULES, effective_config, validate_config
from .rules.greedy import Decision, greedy, rank_order, top_n
from .scores import Scores, compute_scores
from .tiebreak import tie_key


def count(
    election: Election,
    config: RuleConfig | None = None,
    *,
    jobs: int = 1,
    engine: str | None = None,
) -> Outcome:
    """Count ``election`` under ``config``; deterministic for the same inputs.

    ``jobs``: processes an add1 count of approval ballots may use (2 forks a second process
    once the count has run 20 ms; never in a process running threads). ``engine``: ``"auto"``
    (the compiled modules where built), ``"python"`` or ``"compiled"``; None keeps the
    process default. Neither changes the outcome, only how fast it comes.
    """
    with engines.using(engine):
        return _count(election, config, jobs)


def _count(election: Election, config: RuleConfig | None, jobs: int) -> Outcome:
    config = effective_config(election, config or RuleConfig())
    validate_config(
        config,
        vote_type=election.vote_type,
        has_individual_ballots=len(election.ballots) > 0,
        has_aggregates=bool(election.aggregates),
    )
    scores = compute_scores(election, config)
    projects = {p.id: p for p in election.projects}
    key = tie_key(config.tie_break, projects, scores.votes, config.seed)
    order = rank_order(list(projects), scores.combined, key)
    selected, decisions, notes = _run_rule(election, config, scores, order, key, jobs)
    ranked = _ranked(order, selected, config.rule)
    return _outcome(election, config, scores, ranked, selected, decisions, notes)


def _run_rule(election, config, scores, order, key, jobs):
    cost = {p.id: p.cost for p in election.projects}
    unit = "votes" if election.vote_type == "approval" else "points"
    rule = config.rule
    if rule == "top-n":
        return (*top_n(order, config.n or 0), [])
    if rule in ("greedy", "greedy-no-skip", "greedy-threshold"):
        threshold = config.threshold if rule == "greedy-threshold" else None
        selected, decisions = greedy(
            order,
            cost,
            election.budget,
            skip=rule != "greedy-no-skip",
            threshold=threshold,
            score=scores.combined,
            unit=unit,
        )
        return selected, decisions, []
    if rule in MES_RULES:
        from .rules.mes.equal_shares import run_mes_rule

        return run_mes_rule(election, config, scores, order, key, jobs)
    if rule == "phragmen":
        from .rules.phragmen import run_phragmen

        return run_phragmen(election, scores, key, config)
    raise TallyConfigError(f"rule {rule!r} is not implemented")  # pragma: no cover


def _ranked(order: Sequence[str], selected: Sequence[str], rule: str) -> list[str]:
    """Greedy ranks follow the score order; other rules rank funded projects first."""
    if rule.startswith("greedy") or rule == "top-n":
        return list(order)
    chosen = set(selected)
    return list(selected) + [pid for pid in order if pid not in chosen]


def _outcome(
    election: Election,
    config: RuleConfig,
    scores: Scores,
    ranked: list[str],
    selected: list[str],
    decisions: Mapping[str, Decision],
    notes: list[str],
) -> Outcome:
    projects = {p.id: p for p in election.projects}
    chosen = set(selected)
    results = [
        _result(projects[pid].cost, pid, k + 1, scores, decisions[pid], pid in chosen)
        for k, pid in enumerate(ranked)
    ]
    spent = sum(projects[pid].cost for pid in selected)
    return Outcome(
        rule=config.rule,
        tie_break=config.tie_break,
        budget=election.budget,
        spent=spent,
        selected=list(selected),
        projects=results,
        channels=scores.channels,
        notes=notes,
    )


def _result(cost: int, pid: str, rank: int, scores: Scores, d: Decision, chosen: bool):
    per_channel = {ch: values[pid] for ch, values in scores.per_channel.items()}
    return ProjectResult(
        id=pid,
        cost=cost,
        score=scores.combined[pid],
        channel_scores=per_channel,
        selected=chosen,
        rank=rank,
        explanation=d.explanation,
        reason=d.reason if d.reason != oc.FUNDED or chosen else oc.DID_NOT_FIT,
        remaining_before=d.remaining_before,
        threshold=d.threshold,
        supporters_share=d.supporters_share,
        price_per_supporter=d.price_per_supporter,
    )
