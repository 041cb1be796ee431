"""Append-only, hash-chained audit log of officer, admin and authentication events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pbplatform.db import UTCDateTime, utcnow
from pbplatform.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    area_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    outcome: Mapped[str] = mapped_column(sa.String(16), default="ok")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


# The database itself refuses to change history, whatever the application does.
_SQLITE_GUARDS = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_entries_no_{op.lower()}
        BEFORE {op} ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"""
    for op in ("UPDATE", "DELETE")
]
_PG_GUARDS = [
    """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
       FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
]
APPEND_ONLY_DDL = {"sqlite": _SQLITE_GUARDS, "postgresql": _PG_GUARDS}


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _install_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    for statement in APPEND_ONLY_DDL.get(connection.dialect.name, []):
        connection.execute(sa.text(statement))
