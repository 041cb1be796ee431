"""Rule registry: which rules exist, which inputs each can count, and the ``count`` entry point."""

from __future__ import annotations

from dataclasses import replace

from ..model import Election, RuleConfig, TallyConfigError

RULES: dict[str, str] = {
    "greedy": "fund by score, skipping projects that no longer fit",
    "greedy-no-skip": "fund by score, stop at the first project that does not fit",
    "greedy-threshold": "greedy among projects whose score reaches the threshold",
    "equalshares": "Method of Equal Shares without completion",
    "equalshares/add1": (
        "MES, then shares of floor(budget/voters)+1, +2, ... while the outcome fits"
    ),
    "equalshares/add1-until-exhaustive": "MES, shares raised by 1 until the outcome is exhaustive",
    "equalshares-comparison": "MES, switched to greedy if more voters prefer greedy",
    "equalshares/add1-comparison": "MES with add1, switched to greedy if more voters prefer it",
    "phragmen": "sequential Phragmen (approval ballots)",
    "top-n": "the N best by score, no budget",
}

REFUSED: dict[str, str] = {
    "greedy-exclusive": "greedy-exclusive depends on local exclusion lists that Pabulib files "
    "describe only in prose; configure the exclusions as areas or use greedy",
    "greedy-custom": "greedy-custom is a local rule described only in the file's comment; "
    "choose a declared rule instead",
    "unknown": "the rule is unknown; a count needs a declared rule",
}

MES_RULES = frozenset(r for r in RULES if r.startswith("equalshares"))
NEEDS_BALLOTS = MES_RULES | {"phragmen"}
COMBINATIONS = ("raw", "normalized")


# why complex: one refusal per line, each with its own message
def validate_config(
    config: RuleConfig, *, vote_type: str, has_individual_ballots: bool, has_aggregates: bool
) -> None:
    """Refuse, with a human message, a rule that cannot count this kind of cycle."""
    from ..tiebreak import TIE_BREAKS

    rule = config.rule
    if rule in REFUSED:
        raise TallyConfigError(REFUSED[rule])
    if rule not in RULES:
        raise TallyConfigError(f"unknown rule {rule!r}; choose one of: {', '.join(RULES)}")
    if config.tie_break not in TIE_BREAKS:
        raise TallyConfigError(f"unknown tie-break {config.tie_break!r}; use default or name")
    if config.combination not in COMBINATIONS:
        raise TallyConfigError(f"unknown combination {config.combination!r}; use raw or normalized")
    if any(w < 0 for w in config.channel_weights.values()):
        raise TallyConfigError("channel weights must not be negative")
    if rule == "greedy-threshold" and config.threshold is None:
        raise TallyConfigError("greedy-threshold needs a threshold (minimum score)")
    if rule == "top-n" and (config.n is None or config.n < 1):
        raise TallyConfigError("top-n needs n, the number of projects to list (at least 1)")
    if rule in NEEDS_BALLOTS:
        _validate_ballot_rule(config, vote_type, has_individual_ballots, has_aggregates)


def _validate_ballot_rule(
    config: RuleConfig, vote_type: str, has_ballots: bool, has_aggregates: bool
) -> None:
    rule = config.rule
    if has_aggregates:
        raise TallyConfigError(
            f"{rule} needs every voter's individual ballot; channels that only deliver totals "
            "(dots at a meeting) cannot take part, so use greedy or top-n for this cycle"
        )
    if not has_ballots:
        raise TallyConfigError(f"{rule} needs individual ballots")
    if config.combination != "raw":
        raise TallyConfigError(f"{rule} shares the budget between voters; use raw combination")
    if rule == "phragmen" and vote_type != "approval":
        raise TallyConfigError("phragmen works with approval ballots only")
    if rule in MES_RULES and vote_type == "ordinal":
        raise TallyConfigError(
            "equal shares needs approval, cumulative or scoring ballots (rankings give no utility)"
        )
    if "comparison" in rule and vote_type != "approval":
        raise TallyConfigError("the comparison step is defined for approval ballots only")


def effective_config(election: Election, config: RuleConfig) -> RuleConfig:
    """Fill the threshold from the election (Pabulib's min_project_score_threshold)."""
    if (
        config.rule == "greedy-threshold"
        and config.threshold is None
        and election.min_project_score_threshold is not None
    ):
        return replace(config, threshold=election.min_project_score_threshold)
    return config
