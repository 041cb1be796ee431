"""Sealed ballots and each cycle's public key.

A sealed row says that a ballot was cast in this cycle by this channel (as the participations
do) and, for paper, whether it was valid when entered; its choices, area and serial are sealed
with the cycle's public key. No serial id, no date: the random id is the key, and on SQLite the
table is WITHOUT ROWID (stored in key order). The rows exist only while voting is open.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pbplatform.channels.models import Channel
from pbplatform.db import enum_check
from pbplatform.extensions import db
from pbplatform.voting.models import new_ballot_id


class SealedBallot(db.Model):
    __tablename__ = "sealed_ballots"
    __table_args__ = (
        enum_check("channel", Channel, "channel_valid"),
        # A paper serial is unique per cycle; only its keyed hash is in the clear.
        sa.UniqueConstraint("cycle_id", "serial_hash", name="uq_sealed_ballots_serial"),
        sa.Index("ix_sealed_ballots_cycle", "cycle_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_ballot_id)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(sa.String(16))
    is_valid: Mapped[bool] = mapped_column(default=True)
    serial_hash: Mapped[str | None] = mapped_column(sa.String(64))
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)


class BallotBoxKey(db.Model):
    """The public key a cycle's ballots are sealed with (the private key is never stored)."""

    __tablename__ = "ballot_box_keys"

    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    public_key: Mapped[str] = mapped_column(sa.String(64))
