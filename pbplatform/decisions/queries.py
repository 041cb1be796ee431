"""Reading what became of proposals after the vote: the outcome of the published count, the
council's confirmed decision, where the two differ, routing, and a proposal's whole life.

The contract other features use: `outcome_for(proposal)`, `outcomes_in(cycle)` (`outcomes_of`
for a version in hand), `decision_for(proposal)`,
`adopted_proposals(cycle)`, `adopted_amount(proposal)`, `routing_counts(cycle, area=None)`,
`timeline(proposal)` (with `TIMELINE_SOURCES` to add entries) and `LIST_FILTERS` (the
proposals list's `?outcome=` filters). Only published, attested counts and confirmed,
attested decisions are read: a tampered row is never shown as if it were the record.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from pbplatform.cycles.models import Area, Cycle, Phase
from pbplatform.decisions.models import (
    CouncilDecision,
    DecisionStatus,
    Routing,
    RoutingKind,
)
from pbplatform.decisions.services import confirmation_attested
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import EventKind, Proposal, ProposalEvent
from pbplatform.results import queries as results_queries
from pbplatform.results import services as results_services
from pbplatform.results.models import ResultVersion

DISTRICT = "district"


class OutcomeStatus(enum.StrEnum):
    FUNDED = "funded"
    CONDITIONAL = "conditional"
    NOT_FUNDED = "not_funded"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    OutcomeStatus.FUNDED: _l("Funded"),
    OutcomeStatus.CONDITIONAL: _l("Funded, conditional on offers of help"),
    OutcomeStatus.NOT_FUNDED: _l("Not funded"),
}


@dataclass(frozen=True)
class Outcome:
    """A project's line in the newest published count of its cycle."""

    funded: bool
    conditional: bool  # funded thanks to co-production offers: conditional on them
    rank: int
    list_key: str  # "district" or "area-<id>"
    list_name: str | None  # None: the district-wide list
    score: int | float | str
    channel_scores: dict[str, Any]
    explanation: str
    reason: str | None  # the tally's reason code: "funded", "did_not_fit", ...
    remaining_before: int | None  # budget left when the rule reached it (greedy rules)
    cost_minor: int
    version: int
    published_at: datetime | None
    cycle_slug: str

    @property
    def status(self) -> OutcomeStatus:
        if not self.funded:
            return OutcomeStatus.NOT_FUNDED
        return OutcomeStatus.CONDITIONAL if self.conditional else OutcomeStatus.FUNDED


@dataclass(frozen=True)
class DecisionLine:
    """The council's confirmed decision on one proposal (newest confirmed version)."""

    status: DecisionStatus
    amount_minor: int | None  # the adopted amount where the council changed it
    changes: str | None
    reason: str | None
    session_date: date | None
    minutes_url: str | None
    version: int
    list_key: str
    confirmed_at: datetime | None
    content_hash: str | None


# --- per-request memo (pages ask for the same cycle's count many times) ----------------------


def _memo(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    if not has_app_context():
        return build()
    store = g.setdefault("_decisions_memo", {})
    if key not in store:
        store[key] = build()
    return store[key]


def checked_version(cycle: Cycle) -> ResultVersion | None:
    """The newest published version of the cycle, if its content and publication check out."""

    def build() -> ResultVersion | None:
        version = results_queries.published_version(cycle)
        if version is None:
            return None
        try:
            return results_services.check_published(version)
        except DomainError:
            return None

    return _memo(("version", cycle.id), build)


def _outcome(version: ResultVersion, cycle: Cycle, lst: dict[str, Any], row: dict[str, Any]):
    return Outcome(
        funded=bool(row["selected"]),
        conditional=bool(row.get("conditional")) and bool(row["selected"]),
        rank=row["rank"],
        list_key=lst["key"],
        list_name=lst["name"] or None,
        score=row["score"],
        channel_scores=dict(row.get("channel_scores") or {}),
        explanation=row.get("explanation") or "",
        reason=row.get("reason"),
        remaining_before=row.get("remaining_before"),
        cost_minor=row["cost"],
        version=version.version,
        published_at=version.published_at,
        cycle_slug=cycle.slug,
    )


def outcomes_of(version: ResultVersion, cycle: Cycle) -> dict[str, Outcome]:
    """Every project's line in this count, by tracking number (no checks: for a caller that
    holds the version already, as the open data built at its publication)."""
    return {
        row["tracking_number"]: _outcome(version, cycle, lst, row)
        for lst in version.outcome["lists"]
        for row in lst["projects"]
    }


def outcomes_in(cycle: Cycle) -> dict[str, Outcome]:
    """Every project's outcome in the cycle's newest published count, by tracking number."""

    def build() -> dict[str, Outcome]:
        version = checked_version(cycle)
        return {} if version is None else outcomes_of(version, cycle)

    return _memo(("outcomes", cycle.id), build)


def outcome_for(proposal: Proposal) -> Outcome | None:
    """The proposal's outcome in its cycle's published count; None before (or not on it)."""
    return outcomes_in(proposal.cycle).get(proposal.tracking_number)


# --- decisions ------------------------------------------------------------------------------


@dataclass
class ListDecisions:
    """The current (newest confirmed) decision of every list, and any that fail their hash."""

    current: dict[str, CouncilDecision] = field(default_factory=dict)
    tampered: list[CouncilDecision] = field(default_factory=list)


def confirmed_signature(cycle: Cycle) -> tuple[tuple[int, str | None], ...]:
    """(id, content hash) of every confirmed version of the cycle's decisions, in one small
    query: what a cached rendering of them is keyed on (results page)."""
    rows = db.session.execute(
        sa.select(CouncilDecision.id, CouncilDecision.content_hash)
        .where(CouncilDecision.cycle_id == cycle.id, CouncilDecision.confirmed_at.is_not(None))
        .order_by(CouncilDecision.id)
    )
    return tuple((ident, digest) for ident, digest in rows)


def confirmed_history(cycle: Cycle) -> list[CouncilDecision]:
    """Every confirmed version of the cycle's decisions, newest first per list."""
    return list(
        db.session.scalars(
            sa.select(CouncilDecision)
            .where(CouncilDecision.cycle_id == cycle.id, CouncilDecision.confirmed_at.is_not(None))
            .order_by(CouncilDecision.list_key, CouncilDecision.version.desc())
        )
    )


def list_decisions(cycle: Cycle) -> ListDecisions:
    def build() -> ListDecisions:
        found = ListDecisions()
        for decision in confirmed_history(cycle):
            if decision.list_key in found.current or decision in found.tampered:
                continue
            if confirmation_attested(decision):
                found.current[decision.list_key] = decision
            else:
                found.tampered.append(decision)
        return found

    return _memo(("decisions", cycle.id), build)


def _line(decision: CouncilDecision, entry: Any) -> DecisionLine:
    return DecisionLine(
        status=DecisionStatus(entry.status),
        amount_minor=entry.amount_minor,
        changes=entry.changes,
        reason=entry.reason,
        session_date=decision.session_date,
        minutes_url=decision.minutes_url,
        version=decision.version,
        list_key=decision.list_key,
        confirmed_at=decision.confirmed_at,
        content_hash=decision.content_hash,
    )


def decisions_in(cycle: Cycle) -> dict[int, DecisionLine]:
    """Every proposal's current decision in the cycle, by proposal id."""

    def build() -> dict[int, DecisionLine]:
        return {
            entry.proposal_id: _line(decision, entry)
            for decision in list_decisions(cycle).current.values()
            for entry in decision.entries
        }

    return _memo(("lines", cycle.id), build)


def decision_for(proposal: Proposal) -> DecisionLine | None:
    return decisions_in(proposal.cycle).get(proposal.id)


def adopted_proposals(cycle: Cycle) -> list[Proposal]:
    """Proposals the council adopted (with or without changes), by tracking number."""
    lines = decisions_in(cycle)
    ids = [pid for pid, line in lines.items() if line.status.adopts]
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.tracking_number)
        )
    )


def adopted_amount(proposal: Proposal) -> int | None:
    """The amount the council adopted: its changed amount, else the counted cost."""
    line = decision_for(proposal)
    if line is None or not line.status.adopts:
        return None
    if line.amount_minor is not None:
        return line.amount_minor
    outcome = outcome_for(proposal)
    return outcome.cost_minor if outcome else None


def draft_for(cycle: Cycle, list_key: str) -> CouncilDecision | None:
    return db.session.scalar(
        sa.select(CouncilDecision).where(
            CouncilDecision.cycle_id == cycle.id,
            CouncilDecision.list_key == list_key,
            CouncilDecision.confirmed_at.is_(None),
        )
    )


def decision_version(cycle: Cycle, list_key: str, number: int) -> CouncilDecision | None:
    return db.session.scalar(
        sa.select(CouncilDecision).where(
            CouncilDecision.cycle_id == cycle.id,
            CouncilDecision.list_key == list_key,
            CouncilDecision.version == number,
        )
    )


def proposals_by_number(numbers: Iterable[str]) -> dict[str, Proposal]:
    numbers = list(numbers)
    if not numbers:
        return {}
    rows = db.session.scalars(sa.select(Proposal).where(Proposal.tracking_number.in_(numbers)))
    return {p.tracking_number: p for p in rows}


# --- where the decision differs from the count -----------------------------------------------


class Deviation(enum.StrEnum):
    DROPPED = "dropped"
    FUNDED_OUT_OF_ORDER = "funded_out_of_order"
    AMOUNT_CHANGED = "amount_changed"
    NO_DECISION = "no_decision"

    @property
    def label(self) -> str:
        return str(DEVIATION_LABELS[self])


DEVIATION_LABELS = {
    Deviation.DROPPED: _l("Funded by the count, not adopted by the council"),
    Deviation.FUNDED_OUT_OF_ORDER: _l("Not funded by the count, adopted by the council"),
    Deviation.AMOUNT_CHANGED: _l("Adopted with a different amount or scope"),
    Deviation.NO_DECISION: _l("Funded by the count, no council decision recorded"),
}


@dataclass
class DeviationLine:
    kind: Deviation
    tracking_number: str
    title: str
    rank: int
    counted_cost: int
    decision: DecisionLine | None


@dataclass
class ListComparison:
    list_key: str
    list_name: str | None
    decision: CouncilDecision
    result_version: int
    lines: list[DeviationLine]


def _deviation(row: dict[str, Any], line: DecisionLine | None) -> Deviation | None:
    if line is None:
        return Deviation.NO_DECISION if row["selected"] else None
    if row["selected"] and not line.status.adopts:
        return Deviation.DROPPED
    if not row["selected"] and line.status.adopts:
        return Deviation.FUNDED_OUT_OF_ORDER
    if line.status is DecisionStatus.ADOPTED_WITH_CHANGES:
        return Deviation.AMOUNT_CHANGED
    return None


# Complexity: one pass over each decided list with one branch per kind of difference the results
# page names (funded out of order, dropped, amount changed, undecided).
def compare(cycle: Cycle) -> list[ListComparison]:
    """Per list with a confirmed decision, project by project, where the council's decision
    differs from the count it answers to (the published version it was recorded against)."""
    found = []
    for key, decision in sorted(list_decisions(cycle).current.items()):
        version = db.session.get(ResultVersion, decision.result_version_id)
        if version is None:
            continue
        lst = next((item for item in version.outcome["lists"] if item["key"] == key), None)
        if lst is None:
            continue
        lines_by_id = {e.proposal_id: _line(decision, e) for e in decision.entries}
        numbers = {e.proposal.tracking_number: e.proposal_id for e in decision.entries}
        lines = []
        for row in lst["projects"]:
            line = lines_by_id.get(numbers.get(row["tracking_number"], -1))
            kind = _deviation(row, line)
            if kind is not None:
                lines.append(
                    DeviationLine(
                        kind, row["tracking_number"], row["title"], row["rank"], row["cost"], line
                    )
                )
        found.append(ListComparison(key, lst["name"] or None, decision, version.version, lines))
    return found


# --- the proposals list's outcome filters ---------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """One `?outcome=` value of the proposals list: its label and which proposals it keeps."""

    key: str
    label: LazyString
    clause: Callable[[Cycle], sa.ColumnElement[bool]]


def _numbers_where(cycle: Cycle, keep: Callable[[Outcome], bool]) -> sa.ColumnElement[bool]:
    numbers = [n for n, o in outcomes_in(cycle).items() if keep(o)]
    return Proposal.tracking_number.in_(numbers) if numbers else sa.false()


LIST_FILTERS: dict[str, ListFilter] = {
    "funded": ListFilter("funded", _l("Funded"), lambda c: _numbers_where(c, lambda o: o.funded)),
    "not_funded": ListFilter(
        "not_funded", _l("Not funded"), lambda c: _numbers_where(c, lambda o: not o.funded)
    ),
}


# --- routing --------------------------------------------------------------------------------


def routings_for(proposal: Proposal) -> list[Routing]:
    return list(
        db.session.scalars(
            sa.select(Routing).where(Routing.proposal_id == proposal.id).order_by(Routing.id)
        )
    )


def routings(cycle: Cycle, kind: RoutingKind | None = None, area: Any = None) -> list[Routing]:
    """The cycle's routings (of one kind, in one area), for the report's links."""
    query = sa.select(Routing).where(Routing.cycle_id == cycle.id, *_area_where(area))
    if kind is not None:
        query = query.where(Routing.kind == kind)
    return list(db.session.scalars(query.order_by(Routing.id)))


def _area_where(area: Area | int | None) -> list[sa.ColumnElement[bool]]:
    if area is None:
        return []
    return [Routing.area_id == (area.id if isinstance(area, Area) else area)]


def routing_counts(cycle: Cycle, area: Area | int | None = None) -> dict[RoutingKind, int]:
    """How many proposals of the cycle (in one area, if given) were forwarded, done without
    a vote or carried over; every kind is present, zero included."""
    rows = db.session.execute(
        sa.select(Routing.kind, sa.func.count(sa.distinct(Routing.proposal_id)))
        .where(Routing.cycle_id == cycle.id, *_area_where(area))
        .group_by(Routing.kind)
    )
    counts = {kind: 0 for kind in RoutingKind}
    for kind, n in rows:
        counts[RoutingKind(kind)] = n
    return counts


def carry_over_targets(proposal: Proposal) -> list[Cycle]:
    return list(
        db.session.scalars(
            sa.select(Cycle)
            .where(
                Cycle.id != proposal.cycle_id,
                Cycle.phase.in_((Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW)),
            )
            .order_by(Cycle.created_at.desc())
        )
    )


# --- the proposal's whole life --------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    label: str
    note: str | None = None
    url: str | None = None
    event: ProposalEvent | None = None  # a stored event, labelled by the template's macro


# Features that add steps (delivery milestones, ...) append a function here.
TIMELINE_SOURCES: list[Callable[[Proposal], Iterable[TimelineEntry]]] = []


def decision_said(note: str | None) -> str:
    """A council-decision event's note ("adopted:1", its status and decision version) as
    people read it, in the page's language: "Council decision (version 1): Adopted"."""
    status, _sep, version = (note or "").partition(":")
    label = DecisionStatus(status).label if status in tuple(DecisionStatus) else status
    return _("Council decision (version %(n)s): %(status)s", n=version or "1", status=label)


def is_decision_note(note: str | None) -> bool:
    """Whether a note is a council decision's ("adopted:1"), which notifications copy."""
    status, sep, version = (note or "").partition(":")
    return bool(sep) and status in tuple(DecisionStatus) and version.isdigit()


def _decision_entry(event: ProposalEvent) -> TimelineEntry:
    return TimelineEntry(event.at, decision_said(event.note))


def _routing_entry(event: ProposalEvent) -> TimelineEntry:
    kind = event.kind.removeprefix("routing_")
    if kind in tuple(RoutingKind):
        return TimelineEntry(event.at, RoutingKind(kind).label, event.note)
    return TimelineEntry(event.at, _("Answer received from the authority"), event.note)


def _stored(proposal: Proposal) -> list[TimelineEntry]:
    found = []
    for event in proposal.events:
        if event.kind == EventKind.COUNCIL_DECISION:
            found.append(_decision_entry(event))
        elif event.kind.startswith("routing_"):
            found.append(_routing_entry(event))
        else:
            found.append(TimelineEntry(event.at, "", event=event))
    return found


def _cycles_lived_in(proposal: Proposal) -> list[Cycle]:
    earlier = db.session.scalars(
        sa.select(Cycle)
        .join(Routing, Routing.cycle_id == Cycle.id)
        .where(Routing.proposal_id == proposal.id, Routing.kind == RoutingKind.CARRIED_OVER)
        .order_by(Routing.id)
    )
    return [*earlier, proposal.cycle]


def _voting_and_ranking(proposal: Proposal) -> list[TimelineEntry]:
    found = []
    for cycle in _cycles_lived_in(proposal):
        outcome = outcomes_in(cycle).get(proposal.tracking_number)
        if outcome is None:
            continue
        voting = next((p.starts_at for p in cycle.phase_dates if p.phase == Phase.VOTING), None)
        if voting is not None:
            found.append(TimelineEntry(voting, _("On the ballot of %(cycle)s", cycle=cycle.name)))
        if outcome.published_at is not None:
            found.append(
                TimelineEntry(
                    outcome.published_at,
                    _(
                        "Ranked %(rank)s in the count (version %(n)s): %(status)s",
                        rank=outcome.rank,
                        n=outcome.version,
                        status=outcome.status.label,
                    ),
                )
            )
    return found


def timeline(proposal: Proposal) -> list[TimelineEntry]:
    """Submitted, reviewed, on the ballot, ranked, the council's decision, routing, and what
    other features add (TIMELINE_SOURCES), in date order."""
    entries = _stored(proposal) + _voting_and_ranking(proposal)
    for source in TIMELINE_SOURCES:
        entries.extend(source(proposal))
    return sorted(entries, key=lambda e: e.at)


def result_version(decision: CouncilDecision) -> ResultVersion:
    """The published count a decision answers to."""
    found = db.session.get(ResultVersion, decision.result_version_id)
    assert found is not None  # a foreign key, ON DELETE CASCADE
    return found


def routing(routing_id: int) -> Routing | None:
    return db.session.get(Routing, routing_id)
