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
