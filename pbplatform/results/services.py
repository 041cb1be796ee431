"""The count and its publication.

`run_count` turns the cycle's valid ballots into one tally election per area and one for the
district-wide pot, counts each with `pbplatform.tally` under the cycle's declared rule, and
stores everything (inputs' config, outcome, names and costs as they were) as a new
`ResultVersion` whose `content_hash` is the SHA-256 of its canonical JSON. `publish_results`
makes one version public; published versions are never changed (see results.models), and a
re-count is a new version, so the history stays visible.

Savings: `count_savings(cycle)` runs first; its ``budget_bonus_minor`` (the announced share of
savings achieved) is added to the district-wide budget.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform import tally
from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.aggregates import meeting_aggregates
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.cycles import services as cycle_services
from pbplatform.cycles.models import Cycle
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.moderation.withdrawal import withdrawal_lines
from pbplatform.proposals.models import Proposal
from pbplatform.results.election import (
    DISTRICT,
    build_election,
    list_ballots,
    list_keys,
    rule_config_for,
    vote_type_for,
)
from pbplatform.results.models import ResultVersion
from pbplatform.results.savings import count_savings
from pbplatform.voting.models import Ballot, Participation

COUNT_PHASES = ("counting", "results")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(config: dict[str, Any], outcome: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a version's config and outcome."""
    return hashlib.sha256(
        canonical_json({"config": config, "outcome": outcome}).encode()
    ).hexdigest()


def _config_dict(cycle: Cycle, config: tally.RuleConfig) -> dict[str, Any]:
    return {
        "rule": config.rule,
        "tie_break": config.tie_break,
        "seed": config.seed,
        "threshold": None if config.threshold is None else str(config.threshold),
        "n": config.n,
        "combination": config.combination,
        "channel_weights": {ch: str(w) for ch, w in sorted(config.channel_weights.items())},
        "ballot_rule": cycle.ballot_rule,
        "vote_type": vote_type_for(cycle),
        "currency": cycle.currency,
    }


def _channel_counts(ballots: Iterable[Ballot | tally.Ballot]) -> dict[str, int]:
    return dict(sorted(Counter(b.channel for b in ballots).items()))


def _project_rows(outcome: tally.Outcome, proposals: Sequence[Proposal]) -> list[dict[str, Any]]:
    """The ranked list with names, costs side by side and the running total of funded ones."""
    by_id = {str(p.id): p for p in proposals}
    costs = cost_breakdown(proposals)
    running, rows = 0, []
    for r in outcome.projects:
        p = by_id[r.id]
        if r.selected:
            running += r.cost
        c = costs[p.id]
        rows.append(
            {
                **r.to_dict(),
                "title": p.record_title,
                "hidden": p.is_hidden,
                "tracking_number": p.tracking_number,
                "gross": c.gross_minor,
                "coproduction": c.coproduction_minor,
                "net": c.net_minor,
                "running_total": running if r.selected else None,
                # Funded thanks to co-production offers: conditional on them.
                "conditional": bool(getattr(c, "is_conditional", False)),
            }
        )
    return rows


def _count_list(
    cycle: Cycle,
    key: str,
    area_id: int | None,
    budget: int,
    config: tally.RuleConfig,
    aggregates: Sequence[tally.AggregateScore],
) -> dict[str, Any]:
    election, proposals = build_election(cycle, area_id, budget, aggregates)
    try:
        outcome = tally.count(election, config)
    except tally.TallyError as exc:
        raise DomainError(
            "count_failed", _("The count could not run: %(why)s", why=str(exc)), status=422
        ) from exc
    invalid = list_ballots(cycle, area_id, valid=False)
    return {
        "key": key,
        "area_id": area_id,
        "name": _list_name(cycle, area_id),
        "budget": budget,
        "spent": outcome.spent,
        "left": budget - outcome.spent,
        "ballots_per_channel": _channel_counts(election.ballots),
        "invalid_per_channel": _channel_counts(invalid),
        "aggregate_channels": sorted({a.channel for a in election.aggregates}),
        "tally": outcome.to_dict(),
        "projects": _project_rows(outcome, proposals),
        # Projects two officers took off the ballot after voting opened: not counted, and
        # the results page says so (issue 12).
        "withdrawn": withdrawal_lines(cycle.id, area_id),
    }


def _count_lists(cycle: Cycle, config: tally.RuleConfig, bonus: int) -> list[dict[str, Any]]:
    """Every list counted; the savings bonus goes to the district-wide budget."""
    aggregates = meeting_aggregates(cycle)
    return [
        _count_list(
            cycle,
            key,
            area_id,
            cycle.area_budget(area_id) + (bonus if key == DISTRICT else 0),
            config,
            aggregates,
        )
        for key, area_id in list_keys(cycle)
    ]


def _list_name(cycle: Cycle, area_id: int | None) -> str | None:
    """The area's name as it was at the count; None for the district-wide list."""
    return next((ca.area.name for ca in cycle.areas if ca.area_id == area_id), None)


def _require_counter(officer: User) -> None:
    """Counting and publishing act on every area: admins or officers without area limits."""
    if not can_count(officer):
        raise DomainError(
            "forbidden",
            _(
                "Only an administrator or an officer for the whole "
                "district may count and publish results."
            ),
            status=403,
        )


def can_count(user: User) -> bool:
    return user.is_admin or (user.is_officer and not user.officer_area_list)


def turnout(cycle: Cycle) -> dict[str, int]:
    """People who voted, per channel (the one-vote register; no ballot content)."""
    rows = db.session.execute(
        sa.select(Participation.channel, sa.func.count())
        .where(Participation.cycle_id == cycle.id)
        .group_by(Participation.channel)
    )
    return dict(sorted((ch, n) for ch, n in rows))


def run_count(cycle: Cycle, officer: User) -> ResultVersion:
    """Count every list under the cycle's rule and store the outcome as a new version."""
    _require_counter(officer)
    cycle = cycle_services.lock_cycle(cycle.id)  # serialises concurrent counts (version numbers)
    if cycle.phase not in COUNT_PHASES:
        raise DomainError("not_counting", _("Close voting before counting."), status=409)
    savings = count_savings(cycle)
    bonus = int(savings.get("budget_bonus_minor") or 0)
    config = rule_config_for(cycle)
    config_json = _config_dict(cycle, config)
    outcome_json = json.loads(
        canonical_json(
            {
                "lists": _count_lists(cycle, config, bonus),
                "savings": savings,
                "turnout": turnout(cycle),
                "savings_bonus_minor": bonus,
            }
        )
    )
    last = (
        db.session.scalar(
            sa.select(sa.func.max(ResultVersion.version)).where(ResultVersion.cycle_id == cycle.id)
        )
        or 0
    )
    version = ResultVersion(
        cycle_id=cycle.id,
        version=last + 1,
        config=config_json,
        outcome=outcome_json,
        content_hash=content_hash(config_json, outcome_json),
        counted_by_id=officer.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "results.count",
        version,
        actor=officer,
        after={
            "cycle": cycle.slug,
            "version": version.version,
            "content_hash": version.content_hash,
        },
    )
    return version


def publish_results(version: ResultVersion, officer: User) -> ResultVersion:
    """Make a counted version public; a second person must publish what the first counted."""
    _require_counter(officer)
    if version.is_published:
        raise DomainError("already_published", _("This version is already published."), status=409)
    if version.counted_by_id == officer.id:
        raise DomainError(
            "four_eyes",
            _(
                "A second officer must publish: you ran this count, so "
                "someone else has to check and publish it."
            ),
            status=403,
        )
    newest = db.session.scalar(
        sa.select(sa.func.max(ResultVersion.version)).where(
            ResultVersion.cycle_id == version.cycle_id
        )
    )
    if version.version != newest:
        raise DomainError(
            "superseded", _("A newer count exists; publish the newest version."), status=409
        )
    if content_hash(version.config, version.outcome) != version.content_hash:
        raise DomainError(
            "hash_mismatch",
            _("This version's content does not match its hash; count again."),
            status=409,
        )
    version.published_at = utcnow()
    version.published_by_id = officer.id
    db.session.flush()
    audit.record(
        "results.publish",
        version,
        actor=officer,
        after={"version": version.version, "content_hash": version.content_hash},
    )
    return version
