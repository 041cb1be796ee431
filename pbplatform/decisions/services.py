"""Recording the council's decision (four eyes, versioned, hashed) and routing proposals.

Services flush and never commit; the request or command commits once. Refusals a person can
act on are `DomainError`s with a stable code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import chain as audit_chain
from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import utcnow
from pbplatform.decisions.models import (
    CouncilDecision,
    DecisionEntry,
    DecisionStatus,
    Routing,
    RoutingKind,
)
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.proposals.services import add_event
from pbplatform.results.models import ResultVersion

TEXT_MAX, AUTHORITY_MAX, URL_MAX = 5000, 200, 500
MAX_AMOUNT_MINOR = 10**13
# Cycles a proposal can be carried over into: not yet voting.
CARRY_INTO_PHASES = ("draft", "proposals", "review")


# --- the decision as a document ---------------------------------------------------------------


def canonical_document(decision: CouncilDecision, cycle_slug: str) -> dict[str, Any]:
    """What a confirmed version says, as plain data; its SHA-256 is the content hash."""
    result = db.session.get(ResultVersion, decision.result_version_id)
    return {
        "cycle": cycle_slug,
        "list": decision.list_key,
        "version": decision.version,
        "result_version": result.version if result else None,
        "result_hash": result.content_hash if result else None,
        "session_date": decision.session_date.isoformat() if decision.session_date else None,
        "minutes_url": decision.minutes_url,
        "entries": [
            {
                "tracking_number": e.proposal.tracking_number,
                "status": e.status,
                "amount": e.amount_minor,
                "changes": e.changes,
                "reason": e.reason,
            }
            for e in sorted(decision.entries, key=lambda e: e.proposal.tracking_number)
        ],
    }


def document_hash(decision: CouncilDecision) -> str:
    cycle = db.session.get(Cycle, decision.cycle_id)
    text = audit_chain.canonical(canonical_document(decision, cycle.slug if cycle else ""))
    return hashlib.sha256(text.encode()).hexdigest()


def confirmation_attested(decision: CouncilDecision) -> bool:
    """The stored rows still hash to the confirmed hash, and the audit log holds an
    HMAC-authenticated `decisions.confirm` entry for that hash (as for published results)."""
    if decision.content_hash is None or document_hash(decision) != decision.content_hash:
        return False
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "decisions.confirm",
            AuditEntry.object_type == "CouncilDecision",
            AuditEntry.object_id == str(decision.id),
        )
    )
    return any(
        (entry.after or {}).get("content_hash") == decision.content_hash
        and audit_chain.authentic(entry)
        for entry in entries
    )


# --- recording and confirming -----------------------------------------------------------------


def list_area_id(version: ResultVersion, list_key: str) -> int | None:
    lst = next((item for item in version.outcome["lists"] if item["key"] == list_key), None)
    if lst is None:
        raise DomainError("unknown_list", _("The published count has no such list."), status=404)
    return lst["area_id"]


def require_decider(officer: User, version: ResultVersion, list_key: str) -> None:
    """Officers record and confirm decisions on the lists of their own areas (the
    district-wide list needs district scope)."""
    if not officer.can_act_on_area(list_area_id(version, list_key)):
        raise DomainError(
            "forbidden", _("This list is outside the areas you work for."), status=403
        )


def _newest(cycle: Cycle, list_key: str) -> CouncilDecision | None:
    return db.session.scalar(
        sa.select(CouncilDecision)
        .where(CouncilDecision.cycle_id == cycle.id, CouncilDecision.list_key == list_key)
        .order_by(CouncilDecision.version.desc())
        .limit(1)
    )


def start_decision(
    cycle: Cycle, version: ResultVersion, list_key: str, officer: User
) -> CouncilDecision:
    """A draft of the next version for one list; it starts as a copy of the last confirmed
    version (a change), or empty. Only one draft per list at a time."""
    if not version.is_published or version.cycle_id != cycle.id:
        raise DomainError("not_published", _("Decisions follow a published count."), status=409)
    require_decider(officer, version, list_key)
    last = _newest(cycle, list_key)
    if last is not None and not last.is_confirmed:
        return last
    draft = CouncilDecision(
        cycle_id=cycle.id,
        result_version_id=version.id,
        list_key=list_key,
        version=(last.version + 1) if last else 1,
        session_date=last.session_date if last else None,
        minutes_url=last.minutes_url if last else None,
        recorded_by_id=officer.id,
    )
    db.session.add(draft)
    if last is not None:
        for e in last.entries:
            draft.entries.append(
                DecisionEntry(
                    proposal_id=e.proposal_id,
                    status=e.status,
                    amount_minor=e.amount_minor,
                    changes=e.changes,
                    reason=e.reason,
                )
            )
    db.session.flush()
    audit.record(
        "decisions.draft",
        draft,
        actor=officer,
        after={"cycle": cycle.slug, "list": list_key, "version": draft.version},
    )
    return draft


def _result_version(decision: CouncilDecision) -> ResultVersion:
    found = db.session.get(ResultVersion, decision.result_version_id)
    assert found is not None  # a foreign key, ON DELETE CASCADE
    return found


def _require_draft(decision: CouncilDecision) -> None:
    if decision.is_confirmed:
        raise DomainError(
            "confirmed",
            _("This version is confirmed and cannot change; start a new version."),
            status=409,
        )


def _require_recorder(decision: CouncilDecision, officer: User) -> None:
    """Only the officer recording a draft changes it: the officer who confirms must not have
    written any of it (four eyes), so a second officer checks, never edits."""
    if decision.recorded_by_id != officer.id:
        raise DomainError(
            "four_eyes",
            _(
                "Another officer is recording this draft. You can check and confirm it once "
                "it is complete, but not change it: confirming what you wrote yourself would "
                "take away the second pair of eyes."
            ),
            status=403,
        )


def check_minutes_url(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        raise DomainError("bad_url", _("The link to the minutes must be an http or https address."))
    return url


def set_session(
    decision: CouncilDecision, officer: User, session_date: date | None, minutes_url: str | None
) -> CouncilDecision:
    """The council session that decided, and the link to its minutes."""
    _require_draft(decision)
    require_decider(officer, _result_version(decision), decision.list_key)
    _require_recorder(decision, officer)
    decision.minutes_url = check_minutes_url(minutes_url)
    decision.session_date = session_date
    db.session.flush()
    return decision


@dataclass
class EntryInput:
    status: str
    amount_minor: int | None = None
    changes: str | None = None
    reason: str | None = None


def _clean_text(value: str | None) -> str | None:
    text = (value or "").replace("\x00", "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError("too_long", _("The text is too long."))
    return text or None


# Complexity: one guard per rule of a decision line (draft only, project on the list, status,
# changed amount, reason, dates), each refusal naming its field.
def record_entry(
    decision: CouncilDecision, officer: User, proposal: Proposal, data: EntryInput
) -> DecisionEntry:
    """Set what the council decided on one project of the list (replacing what was set)."""
    _require_draft(decision)
    version = _result_version(decision)
    require_decider(officer, version, decision.list_key)
    _require_recorder(decision, officer)
    lst = next(item for item in version.outcome["lists"] if item["key"] == decision.list_key)
    if proposal.tracking_number not in {row["tracking_number"] for row in lst["projects"]}:
        raise DomainError("not_on_list", _("This project is not on the list."), status=404)
    if data.status not in tuple(DecisionStatus):
        raise DomainError("bad_status", _("Choose what the council decided."))
    status = DecisionStatus(data.status)
    amount, changes, reason = data.amount_minor, _clean_text(data.changes), _clean_text(data.reason)
    if amount is not None and not 0 <= amount <= MAX_AMOUNT_MINOR:
        raise DomainError("bad_amount", _("The amount is out of range."))
    if status is DecisionStatus.ADOPTED_WITH_CHANGES and amount is None and changes is None:
        raise DomainError("changes_missing", _("Say what changed (a new amount or in words)."))
    if status is not DecisionStatus.ADOPTED and reason is None:
        raise DomainError("reason_missing", _("Give the council's reason."))
    entry = next((e for e in decision.entries if e.proposal_id == proposal.id), None)
    if entry is None:
        entry = DecisionEntry(proposal_id=proposal.id, status=status)
        decision.entries.append(entry)
    entry.status = status
    entry.amount_minor = amount if status is DecisionStatus.ADOPTED_WITH_CHANGES else None
    entry.changes = changes if status is DecisionStatus.ADOPTED_WITH_CHANGES else None
    entry.reason = reason
    db.session.flush()
    return entry


def remove_entry(decision: CouncilDecision, officer: User, proposal: Proposal) -> None:
    _require_draft(decision)
    _require_recorder(decision, officer)
    for entry in list(decision.entries):
        if entry.proposal_id == proposal.id:
            decision.entries.remove(entry)
    db.session.flush()


def confirm_decision(decision: CouncilDecision, officer: User) -> CouncilDecision:
    """A second officer makes the draft the public decision: hashed, audited, immutable."""
    _require_draft(decision)
    require_decider(officer, _result_version(decision), decision.list_key)
    if decision.recorded_by_id == officer.id:
        raise DomainError(
            "four_eyes",
            _(
                "A second officer must confirm: you recorded this decision, so someone else "
                "has to check and confirm it."
            ),
            status=403,
        )
    if decision.session_date is None:
        raise DomainError("session_missing", _("Give the date of the council session first."))
    if not decision.entries:
        raise DomainError("empty", _("Record the decision on at least one project first."))
    decision.content_hash = document_hash(decision)
    decision.confirmed_at = utcnow()
    decision.confirmed_by_id = officer.id
    db.session.flush()
    for entry in decision.entries:
        add_event(entry.proposal, "council_decision", f"{entry.status}:{decision.version}")
    audit.record(
        "decisions.confirm",
        decision,
        actor=officer,
        after={
            "list": decision.list_key,
            "version": decision.version,
            "content_hash": decision.content_hash,
        },
    )
    return decision


# --- routing ----------------------------------------------------------------------------------


@dataclass
class RoutingInput:
    kind: str
    note: str | None = None
    authority: str | None = None
    cost_minor: int | None = None
    done_on: date | None = None
    to_cycle: Cycle | None = None


# Complexity: one guard per routing kind's required fields (authority, cost and date, target cycle),
# each refusal naming its field.
def _routing_checks(proposal: Proposal, data: RoutingInput) -> RoutingKind:
    if data.kind not in tuple(RoutingKind):
        raise DomainError("bad_kind", _("Choose how the proposal was routed."))
    kind = RoutingKind(data.kind)
    if kind is RoutingKind.FORWARDED and not (data.authority or "").strip():
        raise DomainError("authority_missing", _("Name the authority it was forwarded to."))
    if len((data.authority or "").strip()) > AUTHORITY_MAX:
        raise DomainError("too_long", _("The text is too long."))
    if kind is RoutingKind.DONE_WITHOUT_VOTE and (data.cost_minor is None or data.done_on is None):
        raise DomainError("done_missing", _("Give the cost and the date it was done."))
    if data.cost_minor is not None and not 0 <= data.cost_minor <= MAX_AMOUNT_MINOR:
        raise DomainError("bad_amount", _("The amount is out of range."))
    if kind is RoutingKind.CARRIED_OVER:
        target = data.to_cycle
        if target is None or target.id == proposal.cycle_id:
            raise DomainError("cycle_missing", _("Choose the next cycle."))
        if proposal.cycle.phase in (Phase.VOTING, Phase.COUNTING):
            raise DomainError(
                "cycle_voting",
                _("A proposal on an open ballot cannot be carried over before the count."),
                status=409,
            )
        if target.phase not in CARRY_INTO_PHASES:
            raise DomainError(
                "cycle_closed",
                _("A proposal can only be carried over into a cycle that has not started voting."),
                status=409,
            )
    return kind


# Complexity: the three routings differ in what they store and carrying over moves the proposal;
# kept in one place so the audit entry covers each.
def route_proposal(proposal: Proposal, officer: User, data: RoutingInput) -> Routing:
    """Record a routing. Carrying over moves the proposal (same tracking number, same
    history) into the next cycle, to be reviewed there again."""
    kind = _routing_checks(proposal, data)
    routing = Routing(
        proposal_id=proposal.id,
        cycle_id=proposal.cycle_id,
        area_id=proposal.area_id,
        kind=kind,
        note=_clean_text(data.note),
        authority=(data.authority or "").strip() or None if kind is RoutingKind.FORWARDED else None,
        cost_minor=data.cost_minor if kind is RoutingKind.DONE_WITHOUT_VOTE else None,
        done_on=data.done_on if kind is RoutingKind.DONE_WITHOUT_VOTE else None,
        to_cycle_id=data.to_cycle.id
        if kind is RoutingKind.CARRIED_OVER and data.to_cycle
        else None,
        recorded_by_id=officer.id,
    )
    db.session.add(routing)
    if kind is RoutingKind.CARRIED_OVER and data.to_cycle is not None:
        _carry_over(proposal, data.to_cycle)
    add_event(proposal, f"routing_{kind}", routing.authority or routing.note)
    db.session.flush()
    audit.record(
        "proposals.route",
        proposal,
        actor=officer,
        area_id=routing.area_id,
        after={"kind": str(kind), "to_cycle": data.to_cycle.slug if data.to_cycle else None},
    )
    return routing


def _carry_over(proposal: Proposal, target: Cycle) -> None:
    target_areas = {ca.area_id for ca in target.areas}
    if proposal.area_id is not None and proposal.area_id not in target_areas:
        raise DomainError(
            "area_missing", _("The next cycle does not fund this proposal's area."), status=409
        )
    proposal.cycle_id = target.id
    proposal.cycle = target
    if proposal.status in (ProposalStatus.APPROVED, ProposalStatus.REJECTED):
        proposal.status = "pending"  # reviewed again under the next cycle's budget


def record_answer(routing: Routing, officer: User, answer: str, answered_on: date) -> Routing:
    """The other authority's answer to a forwarded proposal."""
    if routing.kind != RoutingKind.FORWARDED:
        raise DomainError("not_forwarded", _("Only a forwarded proposal gets an answer."))
    text = _clean_text(answer)
    if text is None:
        raise DomainError("answer_missing", _("Give the authority's answer."))
    routing.answer, routing.answered_on = text, answered_on
    add_event(routing.proposal, "routing_answer", routing.authority)
    db.session.flush()
    audit.record("proposals.route_answer", routing.proposal, actor=officer, area_id=routing.area_id)
    return routing
