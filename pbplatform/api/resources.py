"""Read endpoints: cycles, areas, proposals, published results, the token owner, the document.

Public reads never show hidden proposals, authors, contact details or vote counts; results
come only from a published ResultVersion.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from pbplatform.api import serializers as ser
from pbplatform.api.auth import api_token_required, current_token_user
from pbplatform.api.openapi import PAGE_PARAMS, PROPOSAL_PARAMS, openapi_document
from pbplatform.api.views import bp, paging, query_args, safe_text
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.discussion import queries as discussion_queries
from pbplatform.discussion import services as discussion_services
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.notifications import queries as notification_queries
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import listed_statuses
from pbplatform.results import services as results
from pbplatform.results.models import ResultVersion
from pbplatform.security.access import public

SORTS = {
    "tracking_number": [Proposal.tracking_number, Proposal.id],
    "title": [sa.func.lower(Proposal.title), Proposal.id],
    "submitted": [Proposal.created_at, Proposal.id],
}


def public_cycle_filter(slug: str) -> list[sa.ColumnElement[bool]]:
    """Which cycle `slug` names for the public: any phase but draft (none if `slug` is unsafe)."""
    if not safe_text(slug, 64):
        return [sa.false()]
    return [Cycle.slug == slug, Cycle.phase != Phase.DRAFT]


def public_cycle(slug: str) -> Cycle:
    """A cycle the public may see (any phase but draft), or a 404 problem."""
    cycle = None
    if safe_text(slug, 64):
        cycle = db.session.scalar(sa.select(Cycle).where(*public_cycle_filter(slug)))
    if cycle is None:
        raise DomainError("not_found", _("No such cycle."), status=404)
    return cycle


def visible_proposals(cycle: Cycle) -> list[sa.ColumnElement[bool]]:
    return [
        Proposal.cycle_id == cycle.id,
        Proposal.status.in_(listed_statuses(cycle)),
    ]


@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document(url_for("api.openapi").removesuffix("/openapi.json")))


@bp.get("/cycles")
@public
def list_cycles() -> ResponseReturnValue:
    page, per_page = paging(query_args(PAGE_PARAMS))
    where = Cycle.phase != Phase.DRAFT
    total = db.session.scalar(sa.select(sa.func.count(Cycle.id)).where(where)) or 0
    cycles = db.session.scalars(
        sa.select(Cycle)
        .where(where)
        .order_by(Cycle.created_at.desc(), Cycle.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return jsonify(ser.page_envelope([ser.cycle_summary(c) for c in cycles], page, per_page, total))


@bp.get("/cycles/<slug>")
@public
def get_cycle(slug: str) -> ResponseReturnValue:
    return jsonify(ser.cycle_detail(public_cycle(slug)))


@bp.get("/cycles/<slug>/areas")
@public
def list_areas(slug: str) -> ResponseReturnValue:
    return jsonify({"items": ser.cycle_areas(public_cycle(slug))})


@bp.get("/cycles/<slug>/proposals")
@public
def list_proposals(slug: str) -> ResponseReturnValue:
    cycle = public_cycle(slug)
    args = query_args(PROPOSAL_PARAMS)
    page, per_page = paging(args)
    where = visible_proposals(cycle)
    if "area" in args:
        where.append(Proposal.area_id == args["area"])
    for name in ("kind", "category"):
        if name in args:
            where.append(getattr(Proposal, name) == args[name])
    sort = args.get("sort", "tracking_number")
    order = SORTS[sort.removeprefix("-")]
    if sort.startswith("-"):
        order = [column.desc() for column in order]
    total = db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(*where)) or 0
    proposals = db.session.scalars(
        sa.select(Proposal)
        .where(*where)
        .order_by(*order)
        .options(selectinload(Proposal.area))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return jsonify(ser.page_envelope(ser.proposal_records(proposals), page, per_page, total))


@bp.get("/proposals/<tracking_number>")
@public
def get_proposal(tracking_number: str) -> ResponseReturnValue:
    proposal = None
    if safe_text(tracking_number, 24):
        proposal = db.session.scalar(
            sa.select(Proposal)
            .join(Cycle)
            .where(Proposal.tracking_number == tracking_number, Cycle.phase != Phase.DRAFT)
        )
    if proposal is None or not _listed(proposal):
        raise DomainError("not_found", _("No such proposal."), status=404)
    return jsonify(ser.proposal_records([proposal], timeline=True)[0])


def public_proposal(tracking_number: str) -> Proposal:
    """A proposal the public may see, or a 404 problem."""
    proposal = None
    if safe_text(tracking_number, 24):
        proposal = db.session.scalar(
            sa.select(Proposal)
            .join(Cycle)
            .where(Proposal.tracking_number == tracking_number, Cycle.phase != Phase.DRAFT)
        )
    if proposal is None or not _listed(proposal):
        raise DomainError("not_found", _("No such proposal."), status=404)
    return proposal


@bp.get("/proposals/<tracking_number>/comments")
@public
def list_comments(tracking_number: str) -> ResponseReturnValue:
    proposal = public_proposal(tracking_number)
    items = [ser.comment_document(c) for c in discussion_queries.all_comments(proposal.id)]
    return jsonify(items=items, open=discussion_services.comments_open(proposal))


def _listed(proposal: Proposal) -> bool:
    return proposal.status in listed_statuses(proposal.cycle)


@bp.get("/cycles/<slug>/results")
@public
def get_results(slug: str) -> ResponseReturnValue:
    cycle = public_cycle(slug)
    version = db.session.scalar(
        sa.select(ResultVersion)
        .where(ResultVersion.cycle_id == cycle.id, ResultVersion.published_at.is_not(None))
        .order_by(ResultVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise DomainError(
            "results_not_published",
            _("The results of this cycle are not published yet."),
            status=404,
        )
    results.check_published(version)  # a tampered version is a loud 500, never served
    return jsonify(ser.result_document(cycle, version))


@bp.get("/me")
@api_token_required
def me() -> ResponseReturnValue:
    return jsonify(ser.me_document(current_token_user()))


@bp.get("/me/notifications")
@api_token_required
def my_notifications() -> ResponseReturnValue:
    user = current_token_user()
    items = [ser.notification_document(n) for n in notification_queries.notifications_of(user.id)]
    return jsonify(items=items, unread=notification_queries.unread_count(user.id))
