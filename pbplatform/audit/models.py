"""Append-only, hash-chained audit log of officer, admin and authentication events.

Each entry is two rows. `audit_entries` is the chain: every column is in `entry_hash`, which
also covers the previous entry's hash, and `entry_mac` authenticates it under a key outside
the database (pbplatform/audit/chain.py), so a rewritten and re-hashed chain does not verify.
The personal fields (who, from which address, e-mail addresses and names in before/after)
live apart in `audit_personal`; the chain covers only a salted, keyed digest of them, so
erasing a person can replace them with a pseudonym without breaking the chain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, utcnow
from pbplatform.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No foreign key: the log is history and outlives accounts (a cascade would rewrite it).
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    area_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    outcome: Mapped[str] = mapped_column(sa.String(16), default="ok")
    personal_digest: Mapped[str] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    entry_mac: Mapped[str] = mapped_column(sa.String(64))

    personal: Mapped[AuditPersonal | None] = relationship(
        lazy="joined", uselist=False, cascade="save-update, merge"
    )

    @property
    def actor_label(self) -> str:
        return self.personal.actor_label if self.personal else "?"

    @property
    def ip(self) -> str | None:
        return self.personal.ip if self.personal else None

    def shown(self, side: str) -> dict[str, Any] | None:
        """`before` or `after` with the personal values put back in place, for display."""
        chained = getattr(self, side)
        held = ((self.personal.data or {}) if self.personal else {}).get(side) or {}
        if chained is None and not held:
            return None
        return {**(chained or {}), **held}


class AuditPersonal(db.Model):
    """The personal fields of one entry; changed only to replace them with a pseudonym."""

    __tablename__ = "audit_personal"

    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_entries.id"), primary_key=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    # {"before": {...}, "after": {...}}: the values taken out of the chained before/after.
    data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # Random per entry, so the chained digest cannot be tested against guessed e-mails; set
    # to NULL by pseudonymisation, after which nobody can confirm what was there.
    salt: Mapped[str | None] = mapped_column(sa.String(32))
    pseudonymised: Mapped[bool] = mapped_column(default=False)
    # HMAC of this row's current content: a pseudonymised row is authenticated by it alone.
    mac: Mapped[str] = mapped_column(sa.String(64))


# The database itself refuses to change history, whatever the application does. PostgreSQL
# also refuses TRUNCATE (a statement-level trigger: row triggers never see it). Personal rows
# may change only one way: into a pseudonym, never back and never deleted.
_SQLITE_GUARDS = [
    *(
        f"""CREATE TRIGGER IF NOT EXISTS audit_entries_no_{op.lower()}
        BEFORE {op} ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"""
        for op in ("UPDATE", "DELETE")
    ),
    """CREATE TRIGGER IF NOT EXISTS audit_personal_no_delete BEFORE DELETE ON audit_personal
       BEGIN SELECT RAISE(ABORT, 'audit_personal is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_personal_pseudonymise_only
       BEFORE UPDATE ON audit_personal
       WHEN NEW.entry_id <> OLD.entry_id OR NOT NEW.pseudonymised OR NEW.salt IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'audit_personal changes only into a pseudonym'); END""",
]
_PG_GUARDS = [
    """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
       FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
    """CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()""",
    """CREATE OR REPLACE FUNCTION audit_personal_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           IF NEW.entry_id = OLD.entry_id AND NEW.pseudonymised AND NEW.salt IS NULL THEN
             RETURN NEW;
           END IF;
         END IF;
         RAISE EXCEPTION 'audit_personal is append-only and changes only into a pseudonym';
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_personal_guard BEFORE UPDATE OR DELETE ON audit_personal
       FOR EACH ROW EXECUTE FUNCTION audit_personal_guard()""",
    """CREATE TRIGGER audit_personal_no_truncate BEFORE TRUNCATE ON audit_personal
       FOR EACH STATEMENT EXECUTE FUNCTION audit_personal_guard()""",
]
APPEND_ONLY_DDL = {"sqlite": _SQLITE_GUARDS, "postgresql": _PG_GUARDS}
APPEND_ONLY_DROPS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entries_no_update",
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
        "DROP TRIGGER IF EXISTS audit_personal_no_delete",
        "DROP TRIGGER IF EXISTS audit_personal_pseudonymise_only",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_personal_no_truncate ON audit_personal",
        "DROP TRIGGER IF EXISTS audit_personal_guard ON audit_personal",
        "DROP FUNCTION IF EXISTS audit_personal_guard()",
        "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
        "DROP FUNCTION IF EXISTS audit_entries_append_only()",
    ],
}


@sa.event.listens_for(AuditPersonal.__table__, "after_create")
def _install_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    # audit_personal is created after audit_entries (its foreign key), so both exist here.
    for statement in APPEND_ONLY_DDL.get(connection.dialect.name, []):
        connection.execute(sa.text(statement))
