"""Reads for the audit page: the actions recorded and a page of entries."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db


def recorded_actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )


def entries_page(action: str, page: int, per_page: int, max_per_page: int) -> Pagination:
    """Newest first; `action` must come from `recorded_actions` (or be empty for all)."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.paginate(
        stmt, page=page, per_page=per_page, max_per_page=max_per_page, error_out=False
    )
