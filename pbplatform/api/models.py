"""Personal API tokens (stored as hashes) and remembered outcomes of idempotent API calls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, today, utcnow
from pbplatform.extensions import db


class ApiToken(db.Model):
    """A resident's bearer token. Only its SHA-256 is kept; the plaintext is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the token, so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A day, not a time: enough to spot unused tokens without tracking activity.
    last_used_on: Mapped[date | None] = mapped_column(sa.Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiIdempotencyKey(db.Model):
    """The first outcome of a write sent with an `Idempotency-Key`, replayed on retries.

    Written in the same transaction as the write itself, so it exists exactly when the write
    was committed; the unique key makes a concurrent duplicate fail instead of writing twice.
    """

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key_hash"),
        sa.Index("ix_api_idempotency_keys_cycle", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The cycle whose ballot this key cast: its serial id numbers API voters in cast order,
    # so closing that cycle's voting deletes the row (a retry after the close is then refused).
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    # Which request the key was used for, to refuse its reuse for another one. For ballots this
    # covers the path only: a hash of the choices next to a user id could be brute-forced.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    location: Mapped[str | None] = mapped_column(sa.String(300))
    # A day only, like participations: no fine-grained time next to a voter.
    created_on: Mapped[date] = mapped_column(sa.Date, default=today)
