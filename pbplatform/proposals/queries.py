"""Read-side queries for proposals: the public list (filters, allow-listed sort, pages) and
the officers' queue. No query here ever orders by or exposes votes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import today
from pbplatform.extensions import db
from pbplatform.proposals.models import (
    Proposal,
    ProposalCategory,
    ProposalFlag,
    ProposalKind,
    ProposalStatus,
)
from pbplatform.vocabulary import member_of

PER_PAGE_DEFAULT, PER_PAGE_MAX = 20, 50
SEARCH_MAX = 100
SORTS = ("title", "newest", "cost", "shuffle")
# After the results: funded ("adopted"), being delivered (planned or in progress), done.
DELIVERY_FILTERS = ("adopted", "in_delivery", "done")
DISTRICT = "district"  # the area filter value for district-wide proposals
_SHUFFLE_PRIME = 1_000_003


@dataclass
class ListFilters:
    area: int | str | None = None  # an area id, DISTRICT, or None for all
    category: str | None = None
    kind: str | None = None
    q: str = ""
    sort: str | None = None
    delivery: str | None = None
    outcome: str | None = None  # a key of `outcome_filters()`
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT


@dataclass
class Page:
    items: Sequence[Proposal]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.per_page))


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return min(max(number, low), high)


# Complexity: reads each allow-listed query parameter of the proposals list in turn; anything else
# is ignored.
def parse_filters(args: Mapping[str, str]) -> ListFilters:
    """Read list parameters from a query string; anything not on an allow-list is ignored."""
    area_raw = (args.get("area") or "").strip()
    area: int | str | None = None
    if area_raw == DISTRICT:
        area = DISTRICT
    elif area_raw.isdigit() and len(area_raw) < 10:
        area = int(area_raw)
    category = member_of(ProposalCategory, args.get("category"))
    kind = member_of(ProposalKind, args.get("kind"))
    sort = args.get("sort") if args.get("sort") in SORTS else None
    delivery = args.get("delivery") if args.get("delivery") in DELIVERY_FILTERS else None
    outcome = args.get("outcome") if args.get("outcome") in outcome_filters() else None
    q = (args.get("q") or "").replace("\x00", "").strip()[:SEARCH_MAX]
    return ListFilters(
        area=area,
        category=category,
        kind=kind,
        q=q,
        sort=sort,
        delivery=delivery,
        outcome=outcome,
        page=_int(args.get("page"), 1, 1, 10_000),
        per_page=_int(args.get("per_page"), PER_PAGE_DEFAULT, 1, PER_PAGE_MAX),
    )


def outcome_filters() -> dict[str, Any]:
    """What became of a proposal after the vote, as `?outcome=` values of the list, each with
    its label and a where-clause (`decisions.queries.ListFilter`). A feature that knows more
    outcomes (delivery: in delivery, done) adds its filters here."""
    from pbplatform.decisions.queries import LIST_FILTERS

    return dict(LIST_FILTERS)


def newest_cycle() -> Cycle | None:
    return db.session.scalar(
        sa.select(Cycle)
        .where(Cycle.phase != Phase.DRAFT)
        .order_by(Cycle.created_at.desc(), Cycle.id.desc())
        .limit(1)
    )


def open_cycle_for_proposals() -> Cycle | None:
    return db.session.scalar(
        sa.select(Cycle)
        .where(Cycle.phase == Phase.PROPOSALS)
        .order_by(Cycle.created_at.desc(), Cycle.id.desc())
        .limit(1)
    )


def get_proposal(tracking_number: str) -> Proposal | None:
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.tracking_number == tracking_number[:24])
    )


def listed_statuses(cycle: Cycle) -> tuple[str, ...]:
    """Approved proposals always; pending ones too while proposals are collected and reviewed."""
    if cycle.phase in (Phase.PROPOSALS, Phase.REVIEW):
        return ("approved", "pending")
    return ("approved",)


def default_sort(cycle: Cycle) -> str:
    """Neutral order during voting (a shuffle stable for the day), newest first otherwise."""
    return "shuffle" if cycle.phase in (Phase.VOTING, Phase.COUNTING) else "newest"


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _order(sort: str) -> list[sa.ColumnElement]:
    if sort == "title":
        # Hidden titles sort last, so their position reveals nothing of the text.
        return [Proposal.is_hidden, sa.func.lower(Proposal.title), Proposal.id]
    if sort == "cost":
        return [
            sa.func.coalesce(Proposal.officer_cost_minor, Proposal.estimated_cost_minor),
            Proposal.id,
        ]
    if sort == "shuffle":
        # (id * a) mod p with a day-dependent multiplier: a different fixed order every day.
        multiplier = 1 + (today().toordinal() * 7919) % (_SHUFFLE_PRIME - 1)
        return [(Proposal.id * multiplier) % _SHUFFLE_PRIME, Proposal.id]
    return [Proposal.created_at.desc(), Proposal.id.desc()]


def _delivery_ids(cycle: Cycle, wanted: str) -> list[int]:
    """Proposals funded in the cycle's published count, by their delivery status."""
    from pbplatform.delivery import queries as delivery_queries
    from pbplatform.delivery.models import DeliveryStatus

    items = delivery_queries.deliverable_proposals(cycle)
    records = delivery_queries.deliveries_for(d.proposal.id for d in items)
    states = {
        d.proposal.id: records[d.proposal.id].state if d.proposal.id in records else None
        for d in items
    }
    if wanted == DeliveryStatus.DONE:
        return [pid for pid, s in states.items() if s is DeliveryStatus.DONE]
    if wanted == "in_delivery":
        active = (None, DeliveryStatus.PLANNED, DeliveryStatus.IN_PROGRESS)
        return [pid for pid, s in states.items() if s in active]
    return list(states)


def list_proposals(cycle: Cycle, filters: ListFilters) -> Page:
    """The public list of a cycle, never ordered by votes. Proposals whose text moderation hid
    are listed with a placeholder (hiding never takes a project off the ballot), and their
    hidden text is never searched."""
    where = [
        Proposal.cycle_id == cycle.id,
        Proposal.status.in_(listed_statuses(cycle)),
    ]
    if filters.area == DISTRICT:
        where.append(Proposal.area_id.is_(None))
    elif isinstance(filters.area, int):
        where.append(Proposal.area_id == filters.area)
    if filters.category:
        where.append(Proposal.category == filters.category)
    if filters.kind:
        where.append(Proposal.kind == filters.kind)
    if filters.delivery:
        where.append(Proposal.id.in_(_delivery_ids(cycle, filters.delivery)))
    if filters.outcome:
        where.append(outcome_filters()[filters.outcome].clause(cycle))
    if filters.q:
        pattern = like_pattern(filters.q)
        text = sa.or_(
            Proposal.title.ilike(pattern, escape="\\"),
            Proposal.description.ilike(pattern, escape="\\"),
        )
        where.append(
            sa.or_(
                sa.and_(Proposal.is_hidden.is_(False), text),
                Proposal.tracking_number.ilike(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(*where)) or 0
    sort = filters.sort or default_sort(cycle)
    items = db.session.scalars(
        sa.select(Proposal)
        .where(*where)
        .order_by(*_order(sort))
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    ).all()
    return Page(items=items, total=total, page=filters.page, per_page=filters.per_page)


def area_scope(officer: User) -> list[sa.ColumnElement]:
    if officer.is_admin or not officer.officer_area_list:
        return []
    # District-wide proposals (no area) need district scope: not in a limited officer's lists.
    return [Proposal.area_id.in_([a.id for a in officer.officer_area_list])]


def pending_for(officer: User) -> Sequence[Proposal]:
    """Pending proposals of cycles under review that the officer may act on, oldest first."""
    return db.session.scalars(
        sa.select(Proposal)
        .join(Cycle, Proposal.cycle_id == Cycle.id)
        .where(
            Proposal.status == ProposalStatus.PENDING,
            Cycle.phase.in_((Phase.PROPOSALS, Phase.REVIEW)),
            *area_scope(officer),
        )
        .order_by(Proposal.created_at, Proposal.id)
    ).all()


def flagged_for(officer: User) -> Sequence[tuple[Proposal, int]]:
    """Proposals with unresolved flags the officer may act on, with the number of flags."""
    count = sa.func.count(ProposalFlag.id)
    rows = db.session.execute(
        sa.select(Proposal, count)
        .join(ProposalFlag, ProposalFlag.proposal_id == Proposal.id)
        .where(ProposalFlag.resolved_at.is_(None), *area_scope(officer))
        .group_by(Proposal.id)
        .order_by(count.desc(), Proposal.id)
    ).all()
    return [(proposal, n) for proposal, n in rows]


def open_flags(proposal: Proposal) -> Sequence[ProposalFlag]:
    return db.session.scalars(
        sa.select(ProposalFlag)
        .where(ProposalFlag.proposal_id == proposal.id, ProposalFlag.resolved_at.is_(None))
        .order_by(ProposalFlag.id)
    ).all()


def merged_from(proposal: Proposal) -> Sequence[Proposal]:
    return db.session.scalars(
        sa.select(Proposal).where(Proposal.merged_into_id == proposal.id).order_by(Proposal.id)
    ).all()


def user_has_flagged(proposal: Proposal, user: User) -> bool:
    return (
        db.session.scalar(
            sa.select(ProposalFlag.id).where(
                ProposalFlag.proposal_id == proposal.id, ProposalFlag.user_id == user.id
            )
        )
        is not None
    )
