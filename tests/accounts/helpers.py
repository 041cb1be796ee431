"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db


def audit_actions(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def is_logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def login(client, email: str, password: str, next_url: str | None = None):
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)
