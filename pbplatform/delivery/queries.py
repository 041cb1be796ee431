"""Reads for delivery: which proposals are to be delivered, their records, the report.

The council's decision plugs in at `deliverable_proposals` / `deliverable` (adopted by the
council, or funded by the count while its list awaits the decision) and `routing_counts`; a
proposal's outcome in the count is the decisions feature's (`decisions.queries.outcomes_in`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from pbplatform.accounts.models import User
from pbplatform.audit import chain as audit_chain
from pbplatform.audit.models import AuditEntry
from pbplatform.coproduction.models import VALUED_STATUSES, Offer, OfferStatus
from pbplatform.cycles.models import Area, Cycle, Phase
from pbplatform.decisions import queries as decisions
from pbplatform.delivery.models import (
    Delivery,
    DeliveryStatus,
    Milestone,
    MilestonePhoto,
    OpenDataRelease,
)
from pbplatform.extensions import db
from pbplatform.filecache import Published
from pbplatform.proposals.models import Proposal
from pbplatform.results import queries as results_queries
from pbplatform.results.models import ResultFile, ResultVersion

DISTRICT = "district"  # the report's area value for the district-wide list

# Report.total("adopted"): money the council adopted (not a delivery status).
ADOPTED_TOTAL = "adopted"


@dataclass(frozen=True)
class Deliverable:
    """A proposal the council is to deliver, with the amount adopted for it."""

    proposal: Proposal
    list_key: str
    list_name: str
    adopted_minor: int  # today: the net cost funded in the published count
    conditional: bool  # funded thanks to co-production offers


def published_version(cycle: Cycle) -> ResultVersion | None:
    return results_queries.published_version(cycle)


FundedRows = dict[int, tuple[dict[str, Any], dict[str, Any]]]


def funded_rows(cycle: Cycle) -> FundedRows:
    """Proposal id -> (its list, its row) for every project funded in the newest published
    count of `cycle` (empty before publication)."""
    return funded_rows_of(published_version(cycle))


def funded_rows_of(version: ResultVersion | None) -> FundedRows:
    """`funded_rows` of a published version (None: empty). A published version never changes,
    so its funded rows are kept per process: a proposal page does not load the outcome each
    time."""
    if version is None:
        return {}
    # Safe to keep in a worker's memory, whatever other workers do: (1) which version is the
    # newest published one is read from the database on every call, never from here, so a
    # publication made by another worker is seen at once; (2) the key is that row's id and the
    # SHA-256 of its config and outcome, and a published row cannot change (the triggers
    # result_versions_guard / _published_frozen refuse UPDATE; ids are never reused on
    # PostgreSQL), so the rows cached for a key are what any worker would read for it. A row
    # changed by someone who lifts the triggers is refused where outcomes are shown
    # (decisions.queries.checked_version), not here.
    store = current_app.extensions.setdefault("delivery_funded", {})
    key = (version.id, version.content_hash)
    if key not in store:
        store[key] = {
            int(row["id"]): (lst, row)
            for lst in version.outcome["lists"]
            for row in lst["projects"]
            if row.get("selected")
        }
        while len(store) > 32:
            store.pop(next(iter(store)))
    found: FundedRows = store[key]
    return found


def _deliverable(proposal: Proposal, lst: dict[str, Any], row: dict[str, Any]) -> Deliverable:
    return Deliverable(
        proposal=proposal,
        list_key=lst["key"],
        list_name=lst["name"],
        adopted_minor=int(row.get("net", row["cost"])),
        conditional=bool(row.get("conditional")),
    )


def deliverable_proposals(cycle: Cycle, rows: FundedRows | None = None) -> list[Deliverable]:
    """Proposals to deliver, in list and funding-rank order: those the council adopted (with the
    amount it adopted, even if the count did not fund them), and those funded in the count on a
    list the council has not decided yet. A project the council deferred or rejected is not
    delivered. `rows`: the cycle's `funded_rows`, if the caller has them."""
    rows = funded_rows(cycle) if rows is None else rows
    lines = decisions.decisions_in(cycle)
    ids = set(rows) | {pid for pid, line in lines.items() if line.status.adopts}
    if not ids:
        return []
    proposals = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.id.in_(ids))
        .options(selectinload(Proposal.area), selectinload(Proposal.cycle))
    )
    # The funded rows are read once for the whole list, not once per proposal (N+1).
    found = [d for p in proposals if (d := _deliverable_of(p, rows)) is not None]
    return sorted(found, key=lambda d: (d.list_key != DISTRICT, d.list_key, d.proposal.id))


def deliverable(proposal: Proposal) -> Deliverable | None:
    """The proposal as one to deliver, or None: adopted by the council's confirmed decision, or
    funded in the count while its list awaits the decision."""
    return _deliverable_of(proposal, funded_rows(proposal.cycle))


def _deliverable_of(proposal: Proposal, rows: FundedRows) -> Deliverable | None:
    """`deliverable`, given the funded rows of the proposal's cycle (`funded_rows`)."""
    line = decisions.decision_for(proposal)
    funded = rows.get(proposal.id)
    if line is None:
        return _deliverable(proposal, *funded) if funded else None
    if not line.status.adopts:
        return None
    outcome = decisions.outcome_for(proposal)
    amount = decisions.adopted_amount(proposal)
    if outcome is None or amount is None:
        return None
    return Deliverable(
        proposal=proposal,
        list_key=outcome.list_key,
        list_name=outcome.list_name or str(_l("District-wide")),
        adopted_minor=amount,
        conditional=outcome.conditional,
    )


def filter_choices(cycle: Cycle) -> list[tuple[str, str]]:
    """The proposals list's delivery filter, once a count is published (else none)."""
    if published_version(cycle) is None:
        return []
    return [
        ("adopted", str(_l("Funded"))),
        ("in_delivery", str(_l("In delivery"))),
        ("done", str(_l("Done"))),
    ]


def routing_counts(cycle: Cycle, area: int | str | None = None) -> dict[str, int] | None:
    """Forwarded, done without a vote, carried over (decisions.queries)."""
    if area == DISTRICT:  # district-wide proposals: the ones with no area
        return district_routing_counts(cycle)
    area_id = area if isinstance(area, int) else None
    return {str(k): n for k, n in decisions.routing_counts(cycle, area_id).items()}


def district_routing_counts(cycle: Cycle) -> dict[str, int]:
    from pbplatform.decisions.models import Routing, RoutingKind

    rows = db.session.execute(
        sa.select(Routing.kind, sa.func.count(sa.distinct(Routing.proposal_id)))
        .where(Routing.cycle_id == cycle.id, Routing.area_id.is_(None))
        .group_by(Routing.kind)
    )
    counts = {str(kind): 0 for kind in RoutingKind}
    counts.update({str(kind): n for kind, n in rows})
    return counts


def delivery_of(proposal: Proposal) -> Delivery | None:
    return db.session.scalar(
        sa.select(Delivery)
        .where(Delivery.proposal_id == proposal.id)
        .options(selectinload(Delivery.milestones).selectinload(Milestone.photos))
    )


def deliveries_for(proposal_ids: Iterable[int]) -> dict[int, Delivery]:
    """Delivery records of these proposals with their milestones, in two queries."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    return {
        d.proposal_id: d
        for d in db.session.scalars(
            sa.select(Delivery)
            .where(Delivery.proposal_id.in_(ids))
            .options(selectinload(Delivery.milestones).selectinload(Milestone.photos))
        )
    }


def photo_by_name(file_name: str) -> MilestonePhoto | None:
    return db.session.scalar(sa.select(MilestonePhoto).where(MilestonePhoto.file_name == file_name))


def stored_photo_names() -> set[str]:
    """The file name of every photo row."""
    return set(db.session.scalars(sa.select(MilestonePhoto.file_name)))


def report_back_for(officer: User) -> list[tuple[Deliverable, Delivery | None]]:
    """Funded proposals of cycles in their results phase that the officer may act on, with
    their delivery record: those without one first."""
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.phase == Phase.RESULTS).order_by(Cycle.id)
    )
    items = [
        d
        for cycle in cycles
        for d in deliverable_proposals(cycle)
        if officer.can_act_on_area(d.proposal.area_id)
    ]
    records = deliveries_for(d.proposal.id for d in items)
    found = [(d, records.get(d.proposal.id)) for d in items]
    return sorted(found, key=lambda pair: pair[1] is not None)


# --- co-production during delivery ---------------------------------------------------------


@dataclass
class Coproduction:
    """Value of co-production promised (accepted offers, valued by an officer) against the
    value delivered according to the offers' delivery logs (minor units)."""

    promised_minor: int = 0
    delivered_minor: int = 0


def _delivered_value(offer: Offer) -> int:
    if offer.value_minor is None:
        return 0
    if offer.status == OfferStatus.FULFILLED:
        return offer.value_minor
    if not offer.quantity:
        return 0
    share = min(Decimal(1), offer.delivered_quantity / offer.quantity)
    return int(offer.value_minor * share)


def coproduction_for(proposal_ids: Sequence[int]) -> dict[int, Coproduction]:
    found: dict[int, Coproduction] = {pid: Coproduction() for pid in proposal_ids}
    if not proposal_ids:
        return found
    offers = db.session.scalars(
        sa.select(Offer)
        .where(Offer.proposal_id.in_(proposal_ids), Offer.status.in_(VALUED_STATUSES))
        .options(selectinload(Offer.deliveries))
    )
    for offer in offers:
        entry = found[offer.proposal_id]  # type: ignore[index]
        entry.promised_minor += offer.value_minor or 0
        entry.delivered_minor += _delivered_value(offer)
    return found


# --- the accountability report -------------------------------------------------------------


@dataclass
class ReportLine:
    item: Deliverable
    delivery: Delivery | None
    coproduction: Coproduction

    @property
    def status(self) -> DeliveryStatus:
        return self.delivery.state if self.delivery is not None else DeliveryStatus.PLANNED


@dataclass
class Report:
    cycle: Cycle
    area: Area | str | None
    lines: list[ReportLine]
    routing: dict[str, int] | None
    published: bool  # a count of the cycle is published (the report starts then)
    counts: Counter[DeliveryStatus] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.counts = Counter(line.status for line in self.lines)

    @property
    def adopted(self) -> int:
        return len(self.lines)

    @property
    def implementation_rate(self) -> int | None:
        """Done as a whole percentage of proposals adopted (None when none were)."""
        if not self.lines:
            return None
        return round(100 * self.counts[DeliveryStatus.DONE] / len(self.lines))

    def total(self, name: str) -> int:
        if name == ADOPTED_TOTAL:
            return sum(line.item.adopted_minor for line in self.lines)
        if name in ("promised", "delivered"):
            return sum(getattr(line.coproduction, f"{name}_minor") for line in self.lines)
        return sum(getattr(line.delivery, f"{name}_minor") for line in self.lines if line.delivery)

    def with_status(self, status: DeliveryStatus) -> list[ReportLine]:
        return [line for line in self.lines if line.status is status]


def _in_area(item: Deliverable, area: Area | str | None) -> bool:
    if area is None:
        return True
    if area == DISTRICT:
        return item.proposal.area_id is None
    return isinstance(area, Area) and item.proposal.area_id == area.id


def report(cycle: Cycle, area: Area | str | None = None) -> Report:
    """The cycle's accountability report, for one area (an Area or DISTRICT) or all."""
    # The published version is read once for the whole report, whatever its length.
    version = published_version(cycle)
    rows = funded_rows_of(version)
    items = [d for d in deliverable_proposals(cycle, rows) if _in_area(d, area)]
    ids = [d.proposal.id for d in items]
    deliveries = deliveries_for(ids)
    copro = coproduction_for(ids)
    lines = [ReportLine(d, deliveries.get(d.proposal.id), copro[d.proposal.id]) for d in items]
    area_key = area.id if isinstance(area, Area) else area
    routing = routing_counts(cycle, area_key)
    return Report(cycle, area, lines, routing, published=version is not None)


def report_area(cycle: Cycle, raw: str | None) -> Area | str | None:
    """The report's `area` argument: an area of the cycle, DISTRICT, or None (all)."""
    if raw == DISTRICT:
        return DISTRICT
    if raw and raw.isdigit() and len(raw) < 10:
        for ca in cycle.areas:
            if ca.area_id == int(raw):
                return ca.area
    return None


# --- open data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseInfo:
    id: int
    number: int
    sha256: str
    result_version: int
    built_at: datetime


def release_info(cycle: Cycle, number: int | None = None) -> ReleaseInfo | None:
    """The newest open-data build of `cycle` (or build `number`), without its bytes."""
    query = sa.select(
        OpenDataRelease.id,
        OpenDataRelease.number,
        OpenDataRelease.sha256,
        OpenDataRelease.result_version,
        OpenDataRelease.built_at,
    ).where(OpenDataRelease.cycle_id == cycle.id)
    if number is not None:
        query = query.where(OpenDataRelease.number == number)
    row = db.session.execute(query.order_by(OpenDataRelease.number.desc()).limit(1)).first()
    return ReleaseInfo(*row) if row else None


RELEASE_ACTION = "open_data.built"


def release_attested(cycle: Cycle, release: ReleaseInfo) -> bool:
    """Whether an authentic audit entry of the cycle names this build's number and SHA-256.
    The file cache checks the bytes against the row's SHA-256 only, and whoever can write the
    row (the application's role builds releases) can write both. Checked once per process for
    each (release, SHA-256): an entry never changes, a changed row brings a new SHA-256."""
    seen: set[tuple[int, str]] = current_app.extensions.setdefault("open_data_attested", set())
    if (release.id, release.sha256) in seen:
        return True
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == RELEASE_ACTION,
            AuditEntry.object_type == "Cycle",
            AuditEntry.object_id == str(cycle.id),
        )
    )
    if not any(
        (entry.after or {}).get("number") == release.number
        and (entry.after or {}).get("sha256") == release.sha256
        and audit_chain.authentic(entry)
        for entry in entries
    ):
        return False
    seen.add((release.id, release.sha256))
    return True


def release_content(release_id: int) -> bytes:
    return db.session.scalars(
        sa.select(OpenDataRelease.content).where(OpenDataRelease.id == release_id)
    ).one()


def release_file(cycle: Cycle, release: ReleaseInfo) -> Published:
    """A build as the file cache serves it (pbplatform/filecache.py): its bytes are read
    from the database only to fill this machine's cache."""
    return Published(
        sha256=release.sha256,
        load=lambda: release_content(release.id),
        mimetype="application/zip",
        download_name=f"{cycle.slug}-open-data-{release.number}.zip",
        last_modified=release.built_at,
    )


def published_file_hashes() -> set[str]:
    """The SHA-256 of every stored download (result files and open-data builds): what the
    file cache must keep (pbplatform/filecache.py, `unreferenced`). One statement."""
    both = sa.union(sa.select(ResultFile.sha256), sa.select(OpenDataRelease.sha256))
    return set(db.session.scalars(sa.select(both.subquery().c.sha256)))


def last_release_number(cycle_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.max(OpenDataRelease.number)).where(
                OpenDataRelease.cycle_id == cycle_id
            )
        )
        or 0
    )


def cycle_proposals(cycle: Cycle) -> list[Proposal]:
    """Every proposal of the cycle, for the open data (pending ones are public too)."""
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.cycle_id == cycle.id)
            .options(selectinload(Proposal.area))
            .order_by(Proposal.id)
        )
    )


def cycle_offers(cycle: Cycle) -> list[Offer]:
    return list(
        db.session.scalars(
            sa.select(Offer)
            .where(Offer.cycle_id == cycle.id, Offer.status != OfferStatus.WITHDRAWN)
            .options(selectinload(Offer.deliveries), selectinload(Offer.proposal))
            .order_by(Offer.id)
        )
    )
