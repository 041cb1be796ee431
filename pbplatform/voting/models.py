"""Who voted, and what was voted, kept apart.

`participations` records that a voter took part (and by which channel); `ballots` hold the
choices. No column, key or time links the two: ballots have random ids and no date at all,
participations have no serial id (their key is (cycle, voter)), so secrecy rests on the
schema, not on access control.

Storage order must not pair them either: rows are stored in insertion (cast) order unless the
table says otherwise. On SQLite the three tables are WITHOUT ROWID, so they are stored in the
order of their primary keys (random ballot ids; voter keys). While voting is open a cycle's
ballots are not here at all but sealed (pbplatform.ballotbox); closing voting writes them here
in random order, in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.channels.models import Channel
from pbplatform.db import enum_check, today
from pbplatform.extensions import db


def new_ballot_id() -> str:
    return str(uuid.uuid4())


class Participation(db.Model):
    __tablename__ = "participations"
    __table_args__ = (
        # One vote per person per cycle, across every channel (INV-1, INV-7). The key is the
        # primary key: no serial id, which would number the voters in cast order.
        sa.PrimaryKeyConstraint("cycle_id", "voter_key", name="pk_participations"),
        enum_check("channel", Channel, "channel_valid"),
        {"sqlite_with_rowid": False},
    )

    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # 'user:<id>', 'census:<entry id>' or 'code:<code id>': the identity the one-vote rule uses.
    voter_key: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(sa.String(16))
    voted_on: Mapped[date] = mapped_column(sa.Date, default=today)


class Ballot(db.Model):
    """What was voted. No date or time at all: even the day a ballot was cast, next to the
    participations' day, would join the two tables on a quiet day; the voter's receipt shows
    the day without storing it."""

    __tablename__ = "ballots"
    __table_args__ = (
        enum_check("channel", Channel, "channel_valid"),
        sa.UniqueConstraint("cycle_id", "serial"),
        sa.CheckConstraint("is_valid OR invalid_reason IS NOT NULL", name="invalid_has_reason"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_ballot_id)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # The voter's neighbourhood section; district-wide choices sit on the same ballot.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    channel: Mapped[str] = mapped_column(sa.String(16))
    # Paper ballots: the printed serial, and whether the ballot was valid when entered.
    serial: Mapped[str | None] = mapped_column(sa.String(40))
    is_valid: Mapped[bool] = mapped_column(default=True)
    invalid_reason: Mapped[str | None] = mapped_column(sa.String(200))

    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )


class BallotChoice(db.Model):
    """A project on a ballot. No surrogate key: a sequence would reveal the cast order."""

    __tablename__ = "ballot_choices"
    __table_args__ = (
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.CheckConstraint("stance IN (-1, 1)", name="stance_valid"),
        {"sqlite_with_rowid": False},
    )

    ballot_id: Mapped[str] = mapped_column(
        sa.ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), primary_key=True)
    points: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), default=Decimal(1))
    # +1 for, -1 against: savings proposals are voted for or against.
    stance: Mapped[int] = mapped_column(sa.SmallInteger, default=1)

    ballot: Mapped[Ballot] = relationship(back_populates="choices")
