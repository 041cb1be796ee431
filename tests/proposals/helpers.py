"""Shared helpers for proposal and moderation tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal


def form(**overrides: Any) -> dict[str, Any]:
    """A valid resident proposal form; override or drop (value None) fields."""
    data = {
        "title": "Benches along the river",
        "description": "Six benches for older people.",
        "kind": "spending",
        "area": "",
        "category": "green",
        "estimated_cost": "1200.50",
        "location": "River walk",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def proposals_of(cycle: Any) -> list[Proposal]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Proposal).where(Proposal.cycle_id == cycle.id).order_by(Proposal.id)
        )
    )


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def fresh(obj: Any) -> Any:
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
