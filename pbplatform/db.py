"""Declarative base, constraint naming convention and column helpers shared by all models."""

import functools
import sqlite3
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable names let Alembic find, rename and drop constraints on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return utcnow().date()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back aware datetimes (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def rows_changed(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (its result is a cursor result; the generic
    `Result` that `Session.execute` is typed to return does not declare `rowcount`)."""
    return cast("sa.CursorResult[Any]", result).rowcount


def core_connection(session: Any) -> sa.Connection:
    """The session's connection in its transaction, for a Core statement that needs no ORM
    objects (cheaper than `session.execute`); pending ORM changes are flushed first, as
    `session.execute` would (autoflush)."""
    session.flush()
    return cast(sa.Connection, session.connection())


def insert_unless_present(session: Any, table: sa.Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True if the row was stored, False if a row with the
    same unique key exists (or a concurrent transaction stored it first and committed).

    One statement and no savepoint, where `begin_nested()` + INSERT + catching IntegrityError
    takes three round trips. PostgreSQL waits for a concurrent twin's transaction, as a unique
    violation would.
    """
    connection = core_connection(session)
    stmt = _insert_unless_present(connection.dialect.name, table, tuple(sorted(values)))
    params = {f"v_{name}": value for name, value in values.items()}
    return connection.execute(stmt, params).first() is not None


@functools.lru_cache(maxsize=128)
def _insert_unless_present(dialect: str, table: sa.Table, columns: tuple[str, ...]) -> Any:
    """Built once per process for each table and set of columns."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - the two supported databases
        raise NotImplementedError(dialect)
    key = next(iter(table.primary_key.columns))
    values = {name: sa.bindparam(f"v_{name}", type_=table.c[name].type) for name in columns}
    return insert(table).values(values).on_conflict_do_nothing().returning(key)


def ping_when_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only if it sat idle in the pool longer than
    `idle_seconds` (`pool_pre_ping` checks before every use: one more round trip on every
    request). One the database dropped while idle (a restart, an idle timeout) is replaced
    before any statement runs; one dropped less than `idle_seconds` after its last use fails
    its request once (the 503 of a database error) and SQLAlchemy then renews the pool."""

    @sa.event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= idle_seconds:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool invalidates this connection and checks out another (its retry).
            raise sa.exc.DisconnectionError() from exc


def enum_check(column: str, values: Iterable[str], name: str) -> sa.CheckConstraint:
    """A named CHECK that keeps a string column within its allowed values (a vocabulary
    `StrEnum`, whose members are the stored strings; see `pbplatform/vocabulary.py`)."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite honour foreign keys, and let SQLAlchemy own transactions.

    pysqlite otherwise defers BEGIN until the first write, so a SAVEPOINT opens the outermost
    transaction and releasing it commits: nested transactions (`begin_nested`) would not nest.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


@sa.event.listens_for(sa.Engine, "begin")
def _sqlite_on_begin(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
