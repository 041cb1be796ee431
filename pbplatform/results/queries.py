"""Reading counted results: versions of a cycle, the published one, and its Pabulib export."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import defer

from pbplatform import tally
from pbplatform.audit.verify import Head
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.results import recount
from pbplatform.results.election import list_election
from pbplatform.results.models import ResultVersion


def versions(cycle: Cycle, *, published_only: bool) -> list[ResultVersion]:
    """A cycle's versions, newest first, without their config and outcome (loaded on use):
    the history lists only numbers, dates and hashes."""
    query = (
        sa.select(ResultVersion)
        .where(ResultVersion.cycle_id == cycle.id)
        .options(defer(ResultVersion.config), defer(ResultVersion.outcome))
    )
    if published_only:
        query = query.where(ResultVersion.published_at.is_not(None))
    return list(db.session.scalars(query.order_by(ResultVersion.version.desc())))


def pick(history: list[ResultVersion], number: int | None) -> ResultVersion | None:
    """The newest of `history` (newest first), or the one numbered `number`, else None."""
    return next((v for v in history if number is None or v.version == number), None)


def published_version(cycle: Cycle, number: int | None = None) -> ResultVersion | None:
    """The newest published version (or the published version `number`), else None."""
    return pick(versions(cycle, published_only=True), number)


def published_cycles() -> list[Cycle]:
    has_published = (
        sa.select(ResultVersion.id)
        .where(ResultVersion.cycle_id == Cycle.id, ResultVersion.published_at.is_not(None))
        .exists()
    )
    return list(
        db.session.scalars(sa.select(Cycle).where(has_published).order_by(Cycle.created_at.desc()))
    )


def published_audit_heads() -> list[Head]:
    """The audit chain heads published with result versions: the log must still hold them."""
    rows = db.session.execute(
        sa.select(ResultVersion.audit_head_id, ResultVersion.audit_head_hash).where(
            ResultVersion.published_at.is_not(None), ResultVersion.audit_head_id.is_not(None)
        )
    )
    return [Head(ident, digest) for ident, digest in rows]


def export_election(version: ResultVersion, key: str) -> tally.Election:
    """One list of a published version as a Pabulib-ready election with the anonymous ballots.

    Projects, costs, the budget and meeting totals come from the version itself, so recounting
    the file gives the published outcome even if costs change later (see results.recount).
    """
    lst = next((item for item in version.outcome["lists"] if item["key"] == key), None)
    if lst is None:
        raise KeyError(key)
    cycle = db.session.get(Cycle, version.cycle_id)
    return list_election(
        cycle.id,
        version.config["vote_type"],
        lst["area_id"],
        recount.export_projects(lst),
        lst["budget"],
        recount.export_meta(version, cycle, lst),
        aggregates=recount.list_aggregates(version, lst),
    )


def version_of(cycle: Cycle, number: int) -> ResultVersion | None:
    """Version `number` of the cycle's count, published or not (officers' preview)."""
    return db.session.scalar(
        sa.select(ResultVersion).where(
            ResultVersion.cycle_id == cycle.id, ResultVersion.version == number
        )
    )
