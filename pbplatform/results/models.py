"""Counts and their publication. A published version is immutable and content-hashed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pbplatform.db import UTCDateTime, utcnow
from pbplatform.extensions import db


class ResultVersion(db.Model):
    __tablename__ = "result_versions"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    version: Mapped[int]
    # The declared inputs (rule, weights, tie-break, seed) and the outcome per list.
    config: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    outcome: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    counted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The audit chain's head (newest entry) when this version was published: anyone holding a
    # copy of the page or the data can later check that the log still contains it.
    audit_head_id: Mapped[int | None]
    audit_head_hash: Mapped[str | None] = mapped_column(sa.String(64))

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def _published_before(target: ResultVersion) -> bool:
    history = sa.inspect(target).attrs.published_at.history
    old = (list(history.deleted) or list(history.unchanged) or [None])[0]
    return old is not None


@sa.event.listens_for(ResultVersion, "before_update")
def _refuse_changing_published(mapper: Any, connection: Any, target: ResultVersion) -> None:
    """A published version is a public record: it is never changed, only superseded."""
    if _published_before(target):
        raise ValueError(f"result version {target.id} is published and cannot change")


# The database refuses too, whatever the client: a published row never changes, and on
# PostgreSQL only the table's owner (not the application's role) may delete one; TRUNCATE is
# refused. SQLite has one role, so deleting (a demo reset) stays possible there. The check
# names session_user, the role that logged in: a cascade from deleting a cycle runs as the
# table's owner (current_user), which must not let the application's role through.
_SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS result_versions_published_frozen
       BEFORE UPDATE ON result_versions WHEN OLD.published_at IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'result version is published and cannot change'); END""",
]
_PG_GUARDS = [
    """CREATE OR REPLACE FUNCTION result_versions_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           IF OLD.published_at IS NULL THEN RETURN NEW; END IF;
         ELSIF TG_OP = 'DELETE' THEN
           IF OLD.published_at IS NULL OR pg_has_role(
               session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
             RETURN OLD;
           END IF;
         END IF;
         RAISE EXCEPTION 'result version is published and cannot change';
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER result_versions_guard BEFORE UPDATE OR DELETE ON result_versions
       FOR EACH ROW EXECUTE FUNCTION result_versions_guard()""",
    """CREATE TRIGGER result_versions_no_truncate BEFORE TRUNCATE ON result_versions
       FOR EACH STATEMENT EXECUTE FUNCTION result_versions_guard()""",
]
PUBLISHED_GUARD_DDL = {"sqlite": _SQLITE_GUARDS, "postgresql": _PG_GUARDS}
PUBLISHED_GUARD_DROPS = {
    "sqlite": ["DROP TRIGGER IF EXISTS result_versions_published_frozen"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS result_versions_no_truncate ON result_versions",
        "DROP TRIGGER IF EXISTS result_versions_guard ON result_versions",
        "DROP FUNCTION IF EXISTS result_versions_guard()",
    ],
}


@sa.event.listens_for(ResultVersion.__table__, "after_create")
def _install_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    for statement in PUBLISHED_GUARD_DDL.get(connection.dialect.name, []):
        connection.execute(sa.text(statement))


class ResultFile(db.Model):
    """A published version's download, built once at publication and never rebuilt.

    Stored in the database so every app server serves the same bytes; a ballot row changed
    later does not change the file people already hold (its SHA-256 is its ETag).
    """

    __tablename__ = "result_files"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "list_key"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("result_versions.id", ondelete="CASCADE"), index=True
    )
    # "district" or "area-<id>", as the version's outcome names its lists.
    list_key: Mapped[str] = mapped_column(sa.String(40))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# A published version's files never change, and the application's role cannot delete them
# (it holds no DELETE grant either: pbplatform/dbroles): a deleted file would be rebuilt from
# the ballot tables as they stand, changed or not. Only the owner (a cascade from deleting a
# cycle, run by the owner) may delete one; TRUNCATE is refused. SQLite: no UPDATE.
FILE_GUARD_DDL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS result_files_frozen BEFORE UPDATE ON result_files
           BEGIN SELECT RAISE(ABORT, 'a published result file cannot change'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION result_files_guard() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'DELETE' AND pg_has_role(
                 session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
               RETURN OLD;
             END IF;
             RAISE EXCEPTION 'a published result file cannot change or be deleted';
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER result_files_guard BEFORE UPDATE OR DELETE ON result_files
           FOR EACH ROW EXECUTE FUNCTION result_files_guard()""",
        """CREATE TRIGGER result_files_no_truncate BEFORE TRUNCATE ON result_files
           FOR EACH STATEMENT EXECUTE FUNCTION result_files_guard()""",
    ],
}
FILE_GUARD_DROPS = {
    "sqlite": ["DROP TRIGGER IF EXISTS result_files_frozen"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS result_files_no_truncate ON result_files",
        "DROP TRIGGER IF EXISTS result_files_guard ON result_files",
        "DROP FUNCTION IF EXISTS result_files_guard()",
    ],
}


@sa.event.listens_for(ResultFile.__table__, "after_create")
def _install_file_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    for statement in FILE_GUARD_DDL.get(connection.dialect.name, []):
        connection.execute(sa.text(statement))
