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
from pbplatform.proposals.models import Proposal
from pbplatform.results.models import ResultVersion
from pbplatform.results.savings import count_savings
from pbplatform.voting.models import Ballot, BallotChoice, Participation

COUNT_PHASES = ("counting", "results")
DISTRICT = "district"


# --- building the tally inputs --------------------------------------------------------------


def vote_type_for(cycle: Cycle) -> str:
    """approval for budget and k-approval ballots, cumulative for points."""
    return cycle_services.vote_type(cycle)


def rule_config_for(cycle: Cycle) -> tally.RuleConfig:
    """The cycle's declared counting rule (one definition, in the cycles feature)."""
    return cycle_services.rule_config(cycle)


def list_keys(cycle: Cycle) -> list[tuple[str, int | None]]:
    """(key, area id) of every list counted: each area in cycle order, then district-wide."""
    return [(f"area-{ca.area_id}", ca.area_id) for ca in cycle.areas] + [(DISTRICT, None)]


def list_proposals(cycle: Cycle, area_id: int | None) -> list[Proposal]:
    """Spending proposals on the ballot of one list (area, or district-wide when None)."""
    area_clause = Proposal.area_id.is_(None) if area_id is None else Proposal.area_id == area_id
    return list(db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.cycle_id == cycle.id, Proposal.status == "approved",
               Proposal.is_hidden.is_(False), Proposal.kind == "spending", area_clause)
        .order_by(Proposal.id)
    ))


def list_ballots(cycle: Cycle, area_id: int | None, *, valid: bool = True) -> list[Ballot]:
    """Ballots that take part in one list: the area's voters, or every voter district-wide."""
    query = sa.select(Ballot).where(Ballot.cycle_id == cycle.id, Ballot.is_valid.is_(valid))
    if area_id is not None:
        query = query.where(Ballot.area_id == area_id)
    return list(db.session.scalars(query.order_by(Ballot.id)))


def _choices_by_ballot(ballot_ids: Sequence[str]) -> dict[str, list[BallotChoice]]:
    found: dict[str, list[BallotChoice]] = {bid: [] for bid in ballot_ids}
    if not ballot_ids:
        return found
    rows = db.session.scalars(
        sa.select(BallotChoice).where(BallotChoice.ballot_id.in_(ballot_ids))
        .order_by(BallotChoice.ballot_id, BallotChoice.proposal_id))
    for choice in rows:
        found[choice.ballot_id].append(choice)
    return found


def tally_ballots(ballots: Sequence[Ballot], project_ids: set[str],
                  vote_type: str) -> list[tally.Ballot]:
    """Each ballot's choices on this list (others belong to the other lists), weight 1."""
    choices = _choices_by_ballot([b.id for b in ballots])
    result = []
    for b in ballots:
        mine = [c for c in choices[b.id] if str(c.proposal_id) in project_ids and c.stance > 0]
        if vote_type == "cumulative":
            result.append(tally.Ballot(id=b.id, channel=b.channel,
                                       points={str(c.proposal_id): c.points for c in mine}))
        else:
            result.append(tally.Ballot(id=b.id, channel=b.channel,
                                       approvals=tuple(str(c.proposal_id) for c in mine)))
    return result


def build_election(cycle: Cycle, area_id: int | None, budget: int,
                   aggregates: Iterable[tally.AggregateScore] = ()) -> tuple[
                       tally.Election, list[Proposal]]:
    """One list's tally election: net costs, valid ballots with their channels, meeting dots."""
    proposals = list_proposals(cycle, area_id)
    costs = cost_breakdown(proposals)
    projects = [tally.Project(id=str(p.id), cost=costs[p.id].net_minor, name=p.title)
                for p in proposals]
    ids = {p.id for p in projects}
    vote_type = vote_type_for(cycle)
    election = tally.Election(
        projects=projects,
        ballots=tally_ballots(list_ballots(cycle, area_id), ids, vote_type),
        budget=budget, vote_type=vote_type,
        aggregates=[a for a in aggregates if a.project_id in ids],
    )
    return election, proposals


# --- the count ------------------------------------------------------------------------------


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(config: dict[str, Any], outcome: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a version's config and outcome."""
    return hashlib.sha256(canonical_json({"config": config, "outcome": outcome}).encode()
                          ).hexdigest()


def _config_dict(cycle: Cycle, config: tally.RuleConfig) -> dict[str, Any]:
    return {
        "rule": config.rule, "tie_break": config.tie_break, "seed": config.seed,
        "threshold": None if config.threshold is None else str(config.threshold),
        "n": config.n, "combination": config.combination,
        "channel_weights": {ch: str(w) for ch, w in sorted(config.channel_weights.items())},
        "ballot_rule": cycle.ballot_rule, "vote_type": vote_type_for(cycle),
        "currency": cycle.currency,
    }


def _channel_counts(ballots: Iterable[Ballot]) -> dict[str, int]:
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
        rows.append({**r.to_dict(), "title": p.title, "tracking_number": p.tracking_number,
                     "gross": c.gross_minor, "coproduction": c.coproduction_minor,
                     "net": c.net_minor, "running_total": running if r.selected else None,
                     # Funded thanks to co-production offers: conditional on them.
                     "conditional": bool(getattr(c, "is_conditional", False))})
    return rows


def _count_list(cycle: Cycle, key: str, area_id: int | None, budget: int,
                config: tally.RuleConfig,
                aggregates: Sequence[tally.AggregateScore]) -> dict[str, Any]:
    election, proposals = build_election(cycle, area_id, budget, aggregates)
    try:
        outcome = tally.count(election, config)
    except tally.TallyError as exc:
        raise DomainError("count_failed", _("The count could not run: %(why)s", why=str(exc)),
                          status=422) from exc
    invalid = list_ballots(cycle, area_id, valid=False)
    return {
        "key": key, "area_id": area_id,
        "name": _list_name(cycle, area_id),
        "budget": budget, "spent": outcome.spent, "left": budget - outcome.spent,
        "ballots_per_channel": _channel_counts(election.ballots),
        "invalid_per_channel": _channel_counts(invalid),
        "aggregate_channels": sorted({a.channel for a in election.aggregates}),
        "tally": outcome.to_dict(), "projects": _project_rows(outcome, proposals),
    }


def _list_name(cycle: Cycle, area_id: int | None) -> str | None:
    """The area's name as it was at the count; None for the district-wide list."""
    return next((ca.area.name for ca in cycle.areas if ca.area_id == area_id), None)


def _require_counter(officer: User) -> None:
    """Counting and publishing act on every area: admins or officers without area limits."""
    if not can_count(officer):
        raise DomainError("forbidden", _("Only an administrator or an officer for the whole "
                                         "district may count and publish results."), status=403)


def can_count(user: User) -> bool:
    return user.is_admin or (user.is_officer and not user.officer_area_list)


def turnout(cycle: Cycle) -> dict[str, int]:
    """People who voted, per channel (the one-vote register; no ballot content)."""
    rows = db.session.execute(
        sa.select(Participation.channel, sa.func.count())
        .where(Participation.cycle_id == cycle.id).group_by(Participation.channel))
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
    aggregates = meeting_aggregates(cycle)
    lists = [
        _count_list(cycle, key, area_id, cycle.area_budget(area_id) + (bonus if key == DISTRICT
                                                                     else 0), config, aggregates)
        for key, area_id in list_keys(cycle)
    ]
    config_json = _config_dict(cycle, config)
    outcome_json = json.loads(canonical_json({
        "lists": lists, "savings": savings, "turnout": turnout(cycle),
        "savings_bonus_minor": bonus,
    }))
    last = db.session.scalar(sa.select(sa.func.max(ResultVersion.version))
                             .where(ResultVersion.cycle_id == cycle.id)) or 0
    version = ResultVersion(cycle_id=cycle.id, version=last + 1, config=config_json,
                            outcome=outcome_json, content_hash=content_hash(config_json,
                                                                            outcome_json),
                            counted_by_id=officer.id)
    db.session.add(version)
    db.session.flush()
    audit.record("results.count", version, actor=officer,
                 after={"cycle": cycle.slug, "version": version.version,
                        "content_hash": version.content_hash})
    return version


def publish_results(version: ResultVersion, officer: User) -> ResultVersion:
    """Make a counted version public; a second person must publish what the first counted."""
    _require_counter(officer)
    if version.is_published:
        raise DomainError("already_published", _("This version is already published."),
                          status=409)
    if version.counted_by_id == officer.id:
        raise DomainError("four_eyes", _("A second officer must publish: you ran this count, so "
                                         "someone else has to check and publish it."), status=403)
    newest = db.session.scalar(sa.select(sa.func.max(ResultVersion.version))
                               .where(ResultVersion.cycle_id == version.cycle_id))
    if version.version != newest:
        raise DomainError("superseded", _("A newer count exists; publish the newest version."),
                          status=409)
    if content_hash(version.config, version.outcome) != version.content_hash:
        raise DomainError("hash_mismatch", _("This version's content does not match its hash; "
                                             "count again."), status=409)
    version.published_at = utcnow()
    version.published_by_id = officer.id
    db.session.flush()
    audit.record("results.publish", version, actor=officer,
                 after={"version": version.version, "content_hash": version.content_hash})
    return version


# --- reading --------------------------------------------------------------------------------


def versions(cycle: Cycle, *, published_only: bool) -> list[ResultVersion]:
    query = sa.select(ResultVersion).where(ResultVersion.cycle_id == cycle.id)
    if published_only:
        query = query.where(ResultVersion.published_at.is_not(None))
    return list(db.session.scalars(query.order_by(ResultVersion.version.desc())))


def published_version(cycle: Cycle, number: int | None = None) -> ResultVersion | None:
    """The newest published version (or the published version `number`), else None."""
    for v in versions(cycle, published_only=True):
        if number is None or v.version == number:
            return v
    return None


def published_cycles() -> list[Cycle]:
    has_published = sa.select(ResultVersion.id).where(
        ResultVersion.cycle_id == Cycle.id, ResultVersion.published_at.is_not(None)).exists()
    return list(db.session.scalars(sa.select(Cycle).where(has_published)
                                   .order_by(Cycle.created_at.desc())))


def export_election(version: ResultVersion, key: str) -> tally.Election:
    """One list of a published version as a Pabulib-ready election with the anonymous ballots.

    Projects, costs and the budget come from the version itself, so recounting the file gives
    the published outcome even if costs change later. Meeting dots (totals only) cannot be
    written to Pabulib; such lists say so in META and on the results page.
    """
    lst = next((item for item in version.outcome["lists"] if item["key"] == key), None)
    if lst is None:
        raise KeyError(key)
    cycle = db.session.get(Cycle, version.cycle_id)
    cfg = version.config
    projects = [tally.Project(id=r["id"], cost=r["cost"], name=r["title"])
                for r in sorted(lst["projects"], key=lambda r: int(r["id"]))]
    ids = {p.id for p in projects}
    ballots = tally_ballots(list_ballots(cycle, lst["area_id"]), ids, cfg["vote_type"])
    meta = {"description": f"{cycle.name}: {lst['name'] or 'district-wide'}",
            "instance": cycle.slug, "unit": lst["name"] or "district-wide",
            "currency": cfg["currency"], "rule": cfg["rule"], "tie_break": cfg["tie_break"],
            "tie_seed": cfg["seed"], "combination": cfg["combination"],
            "channel_weights": ",".join(f"{ch}:{w}" for ch, w in cfg["channel_weights"].items()),
            "result_version": str(version.version), "content_hash": version.content_hash}
    if cfg["threshold"] is not None:
        meta["min_project_score_threshold"] = cfg["threshold"]
    if cfg["n"] is not None:
        meta["top_n"] = str(cfg["n"])
    if lst["aggregate_channels"]:
        meta["comment"] = ("meeting totals (" + ", ".join(lst["aggregate_channels"])
                           + ") are not in this file; see the published results")
    return tally.Election(projects=projects, ballots=ballots, budget=lst["budget"],
                          vote_type=cfg["vote_type"], meta=meta)
