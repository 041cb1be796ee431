"""Reads of cycles that views share."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db

SLUG_LENGTH = 64  # Cycle.slug's column: a longer slug names no cycle


def cycle_by_slug(slug: str) -> Cycle | None:
    """The cycle with this short name, or None."""
    if len(slug) > SLUG_LENGTH:
        return None
    return db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))


def cycle_or_404(slug: str) -> Cycle:
    """The cycle with this short name; 404 if there is none (drafts too: callers decide)."""
    cycle = cycle_by_slug(slug)
    if cycle is None:
        abort(404)
    return cycle


def cycle_by_id_or_404(cycle_id: int) -> Cycle:
    return db.session.get(Cycle, cycle_id) or abort(404)


def area_by_id_or_404(area_id: int) -> Area:
    return db.session.get(Area, area_id) or abort(404)
