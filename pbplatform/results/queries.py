"""Reading counted results: versions of a cycle, the published one, and its Pabulib export."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pbplatform import tally
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.results.election import list_election
from pbplatform.results.models import ResultVersion


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
    has_published = (
        sa.select(ResultVersion.id)
        .where(ResultVersion.cycle_id == Cycle.id, ResultVersion.published_at.is_not(None))
        .exists()
    )
    return list(
        db.session.scalars(sa.select(Cycle).where(has_published).order_by(Cycle.created_at.desc()))
    )


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
    projects = [
        tally.Project(id=r["id"], cost=r["cost"], name=r["title"])
        for r in sorted(lst["projects"], key=lambda r: int(r["id"]))
    ]
    return list_election(
        cycle.id,
        version.config["vote_type"],
        lst["area_id"],
        projects,
        lst["budget"],
        _pabulib_meta(version, cycle, lst),
    )


def _pabulib_meta(version: ResultVersion, cycle: Cycle, lst: dict[str, Any]) -> dict[str, str]:
    """The META section: where the list comes from and how it was counted."""
    cfg = version.config
    meta = {
        "description": f"{cycle.name}: {lst['name'] or 'district-wide'}",
        "instance": cycle.slug,
        "unit": lst["name"] or "district-wide",
        "currency": cfg["currency"],
        "rule": cfg["rule"],
        "tie_break": cfg["tie_break"],
        "tie_seed": cfg["seed"],
        "combination": cfg["combination"],
        "channel_weights": ",".join(f"{ch}:{w}" for ch, w in cfg["channel_weights"].items()),
        "result_version": str(version.version),
        "content_hash": version.content_hash,
    }
    if cfg["threshold"] is not None:
        meta["min_project_score_threshold"] = cfg["threshold"]
    if cfg["n"] is not None:
        meta["top_n"] = str(cfg["n"])
    if lst["aggregate_channels"]:
        meta["comment"] = (
            "meeting totals ("
            + ", ".join(lst["aggregate_channels"])
            + ") are not in this file; see the published results"
        )
    return meta
