"""Turn models into the API's JSON. Money is in integer minor units next to the currency.

Nothing here ever includes vote counts, authors or contact details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pbplatform.accounts.models import User
from pbplatform.coproduction.costs import CostBreakdown, cost_breakdown
from pbplatform.cycles.models import Area, Cycle
from pbplatform.decisions import queries as after_vote
from pbplatform.delivery.models import Delivery
from pbplatform.delivery.queries import deliveries_for
from pbplatform.discussion.models import Comment
from pbplatform.notifications.models import Notification
from pbplatform.proposals.models import Proposal
from pbplatform.results.models import ResultVersion


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def area_ref(area: Area | None) -> dict[str, Any] | None:
    if area is None:
        return None
    return {"id": area.id, "name": area.name, "code": area.code}


def cycle_summary(cycle: Cycle) -> dict[str, Any]:
    return {
        "slug": cycle.slug,
        "name": cycle.name,
        "phase": cycle.phase,
        "currency": cycle.currency,
        "ballot_rule": cycle.ballot_rule,
    }


def cycle_areas(cycle: Cycle) -> list[dict[str, Any]]:
    return [{**area_ref(ca.area), "budget": ca.budget_minor} for ca in cycle.areas]  # type: ignore[dict-item]


def cycle_rules(cycle: Cycle) -> dict[str, Any]:
    """The declared ballot and counting rules (the tie-break seed stays with the count)."""
    return {
        "ballot_rule": cycle.ballot_rule,
        "max_projects": cycle.max_projects,
        "points_total": _number(cycle.points_total),
        "max_points_per_project": _number(cycle.max_points_per_project),
        "count_rule": cycle.count_rule,
        "count_threshold": _number(cycle.count_threshold),
        "count_top_n": cycle.count_top_n,
        "tie_break": cycle.tie_break,
        "channel_weights": {str(k): v for k, v in (cycle.channel_weights or {}).items()},
        "combination": cycle.combination,
        "vote_policy": cycle.vote_policy,
        "min_age": cycle.min_age,
        "rules_frozen": cycle.rules_frozen,
        "hourly_rate": cycle.hourly_rate_minor,
        "coproduction_cap_pct": cycle.coproduction_cap_pct,
        "savings_target": cycle.savings_target_minor,
        "savings_share_pct": cycle.savings_share_pct,
    }


def cycle_detail(cycle: Cycle) -> dict[str, Any]:
    return {
        **cycle_summary(cycle),
        "budgets": {"district": cycle.district_budget_minor, "areas": cycle_areas(cycle)},
        "rules": cycle_rules(cycle),
        "phases": [{"phase": p.phase, "starts_at": _iso(p.starts_at)} for p in cycle.phase_dates],
    }


def delivery_record(record: Delivery | None) -> dict[str, Any] | None:
    """A funded proposal's delivery: null until an officer records it."""
    if record is None:
        return None
    return {
        "status": record.status,
        "progress": record.progress,
        "milestones": [{"date": _iso(m.on_date), "text": m.text} for m in record.milestones],
    }


def proposal_record(
    proposal: Proposal,
    costs: CostBreakdown,
    *,
    timeline: bool = False,
    delivery: Delivery | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": proposal.id,
        "tracking_number": proposal.tracking_number,
        "cycle": proposal.cycle.slug,
        "status": proposal.status,
        "kind": proposal.kind,
        # Moderation hides the text only; the project stays listed with a placeholder.
        "title": proposal.public_title,
        "description": proposal.public_title if proposal.is_hidden else proposal.description,
        "category": proposal.category,
        "location": None if proposal.is_hidden else proposal.location,
        "area": area_ref(proposal.area),
        "gross_cost": costs.gross_minor,
        "coproduction_value": costs.coproduction_minor,
        "net_cost": costs.net_minor,
        "savings_per_year": proposal.savings_per_year_minor,
        "currency": proposal.cycle.currency,
        "submitted_on": _iso(proposal.created_at.date()),
        "delivery": delivery_record(delivery),
    }
    record["outcome"] = outcome_record(after_vote.outcome_for(proposal))
    record["decision"] = decision_record(after_vote.decision_for(proposal))
    if timeline:
        record["timeline"] = [
            {"at": _iso(e.at), "kind": e.kind, "note": e.note} for e in proposal.events
        ]
    return record


def outcome_record(outcome: after_vote.Outcome | None) -> dict[str, Any] | None:
    """The proposal's line in the published count; None before publication."""
    if outcome is None:
        return None
    return {
        "status": str(outcome.status),
        "funded": outcome.funded,
        "conditional": outcome.conditional,
        "rank": outcome.rank,
        "list": outcome.list_key,
        "list_name": outcome.list_name,
        "score": outcome.score,
        "channel_scores": outcome.channel_scores,
        "explanation": outcome.explanation,
        "cost": outcome.cost_minor,
        "version": outcome.version,
    }


def decision_record(line: after_vote.DecisionLine | None) -> dict[str, Any] | None:
    """The council's confirmed decision; None before one is confirmed."""
    if line is None:
        return None
    return {
        "status": str(line.status),
        "amount": line.amount_minor,
        "changes": line.changes,
        "reason": line.reason,
        "session_date": _iso(line.session_date),
        "minutes_url": line.minutes_url,
        "version": line.version,
    }


def proposal_records(proposals: Sequence[Proposal], *, timeline: bool = False) -> list[dict]:
    """Records for a page of proposals: one cost_breakdown call for the whole page."""
    costs = cost_breakdown(proposals)
    deliveries = deliveries_for(p.id for p in proposals)
    return [
        proposal_record(p, costs[p.id], timeline=timeline, delivery=deliveries.get(p.id))
        for p in proposals
    ]


def result_document(cycle: Cycle, version: ResultVersion) -> dict[str, Any]:
    return {
        "cycle": cycle.slug,
        "version": version.version,
        "content_hash": version.content_hash,
        "published_at": _iso(version.published_at),
        "audit_head": (
            f"{version.audit_head_id}:{version.audit_head_hash}"
            if version.audit_head_id is not None
            else None
        ),
        "config": version.config,
        "outcome": version.outcome,
    }


def me_document(user: User) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name, "home_area": area_ref(user.home_area)}


def comment_document(row: Comment) -> dict[str, Any]:
    """A comment as the API shows it: hidden text is never served, its reason is."""
    return {
        "id": row.id,
        "body": None if row.is_hidden else row.body,
        "author": None if row.official else row.shown_name,
        "channel": str(row.channel),
        "official": row.official,
        "department": row.department,
        "parent_id": row.parent_id,
        "hidden": row.is_hidden,
        "hidden_reason": row.hidden_reason,
        "created_at": row.created_at.isoformat(),
    }


def notification_document(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": str(row.kind),
        "proposal": row.proposal.tracking_number if row.proposal is not None else None,
        "cycle": row.cycle.slug if row.cycle is not None else None,
        "note": row.note,
        "created_at": row.created_at.isoformat(),
        "read": row.read_at is not None,
    }


def page_envelope(
    items: list[dict[str, Any]], page: int, per_page: int, total: int
) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total}
