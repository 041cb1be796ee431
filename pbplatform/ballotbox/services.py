"""Seal a ballot in the cast transaction; unseal a cycle's box when its voting closes.

While voting is open the `ballots` tables hold nothing of the cycle: each ballot is a sealed
row (libsodium sealed box under the cycle's public key), written in the same transaction as
its participation (so the two share one xmin, and a reader learns only who voted). Every
plaintext is padded to a multiple of PAD bytes, so the length does not tell how many projects
were chosen.

`unseal_box` runs in the close's transaction: it decrypts the cycle's rows, writes them into
`ballots`/`ballot_choices` in random order with new random ids (all rows then share the
closer's xmin and their storage order is random), deletes the sealed rows and the API's
idempotency records of the cycle's ballots. Only that cycle's rows are touched. It then
records what the cycle's ballot tables hold (counts per channel and area and a digest, see
`digest`) in its audit entry `ballotbox.unsealed`, which the count checks.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from nacl.public import SealedBox

from pbplatform.api.models import ApiIdempotencyKey
from pbplatform.audit import services as audit
from pbplatform.ballotbox import digest, keys
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.cycles.models import CastCycle, Cycle
from pbplatform.db import core_connection
from pbplatform.extensions import db
from pbplatform.voting.models import Ballot, BallotChoice, new_ballot_id

PAD = 1024  # about 70 choices fit one block: more would show in the length


@dataclass(frozen=True, slots=True)
class BallotContent:
    """What a cast seals (no ORM `Ballot`: the row is written only when voting closes)."""

    area_id: int | None
    channel: str
    serial: str | None
    invalid_reason: str | None
    choices: Sequence[NormalizedChoiceLike]


class NormalizedChoiceLike(Protocol):
    @property
    def proposal_id(self) -> int: ...
    @property
    def points(self) -> Decimal | None: ...
    @property
    def stance(self) -> int | None: ...


def _plaintext(ballot: BallotContent | Ballot) -> bytes:
    content = [
        ballot.area_id,
        ballot.serial,
        ballot.invalid_reason,
        [
            [c.proposal_id, str(c.points if c.points is not None else 1), c.stance or 1]
            for c in ballot.choices
        ],
    ]
    data = json.dumps(content, separators=(",", ":")).encode()
    blocks = len(data) // PAD + 1  # at least one space byte: the padding is JSON whitespace
    return data.ljust(blocks * PAD, b" ")


def serial_hash(
    cycle: Cycle | CastCycle, serial: str | None, key: bytes | None = None
) -> str | None:
    if serial is None:
        return None
    return hmac.new(key or keys.serial_key(cycle), serial.encode(), hashlib.sha256).hexdigest()


def audit_serial_hash(cycle: Cycle, serial: str) -> str:
    """What the audit log keeps of a paper serial: a keyed hash, separate from the sealed
    row's (`serial_hash`), so the log and the box cannot be joined on it."""
    return hmac.new(keys.serial_key(cycle), b"audit:" + serial.encode(), hashlib.sha256).hexdigest()


@functools.cache
def _sealed_insert() -> sa.Insert:
    return sa.insert(SealedBallot.__table__)  # built once per process


def seal_ballots(cycle: Cycle | CastCycle, ballots: Iterable[BallotContent | Ballot]) -> None:
    """Insert one sealed row per (unsaved) ballot (a Core INSERT, no ORM objects): a duplicate
    serial raises IntegrityError here."""
    box = SealedBox(keys.public_key(cycle))
    ballots = list(ballots)
    if not ballots:
        return
    key = keys.serial_key(cycle) if any(b.serial for b in ballots) else None
    rows = [
        {
            "id": new_ballot_id(),
            "cycle_id": cycle.id,
            "channel": b.channel,
            "is_valid": b.invalid_reason is None,
            "serial_hash": serial_hash(cycle, b.serial, key),
            "sealed": box.encrypt(_plaintext(b)),
        }
        for b in ballots
    ]
    # one ballot (a cast) as one INSERT, not the driver's executemany
    core_connection(db.session).execute(_sealed_insert(), rows[0] if len(rows) == 1 else rows)


def stored_serials(cycle: Cycle, serials: Iterable[str]) -> set[str]:
    """Those of `serials` already stored for the cycle: sealed (by keyed hash), or in `ballots`
    (a cycle that was open when the box was introduced keeps its earlier ballots there)."""
    key = keys.serial_key(cycle)
    by_hash = {serial_hash(cycle, s, key): s for s in serials}
    hashes, plain = list(by_hash), list(by_hash.values())
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found |= {
            by_hash[h]
            for h in db.session.scalars(
                sa.select(SealedBallot.serial_hash).where(
                    SealedBallot.cycle_id == cycle.id,
                    SealedBallot.serial_hash.in_(hashes[start : start + 500]),
                )
            )
        }
        found |= set(
            db.session.scalars(
                sa.select(Ballot.serial).where(
                    Ballot.cycle_id == cycle.id, Ballot.serial.in_(plain[start : start + 500])
                )
            )
        )
    return found


def is_sealed(cycle: Cycle) -> bool:
    """Whether any of the cycle's ballots are still in the box (voting was not closed)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(SealedBallot.cycle_id == cycle.id))))


def sealed_counts(cycle: Cycle, channel: str) -> tuple[int, int]:
    """(valid, invalid) sealed ballots of one channel: what a voters' roll shows, no choices."""
    rows = dict(
        db.session.execute(
            sa.select(SealedBallot.is_valid, sa.func.count())
            .where(SealedBallot.cycle_id == cycle.id, SealedBallot.channel == channel)
            .group_by(SealedBallot.is_valid)
        ).all()
    )
    return rows.get(True, 0), rows.get(False, 0)


def _unsealed(box: SealedBox, cycle_id: int, channel: str, sealed: bytes) -> tuple[dict, list]:
    area_id, serial, reason, choices = json.loads(box.decrypt(sealed))
    ballot_id = new_ballot_id()
    row = {
        "id": ballot_id,
        "cycle_id": cycle_id,
        "area_id": area_id,
        "channel": channel,
        "serial": serial,
        "is_valid": reason is None,
        "invalid_reason": reason,
    }
    return row, [
        {"ballot_id": ballot_id, "proposal_id": pid, "points": Decimal(points), "stance": stance}
        for pid, points, stance in choices
    ]


def _insert_in_order(table: sa.Table, rows: list[dict]) -> None:
    """Insert `rows` in the given order (PostgreSQL's heap follows it): COPY on PostgreSQL, in
    this transaction, many times faster than a statement per row; elsewhere an executemany
    (SQLite stores these WITHOUT ROWID tables in key order anyway)."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(table), rows)
        return
    names = [c.name for c in table.columns]
    raw = connection.connection.driver_connection
    assert raw is not None  # a connection checked out of the pool has its driver's
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row[name] for name in names])


def unseal_box(
    cycle: Cycle, actor: Any = None, progress: Callable[[int, str], None] | None = None
) -> int:
    """Move the cycle's sealed ballots into `ballots` in random order; return how many.

    Call under the cycle's FOR UPDATE lock, in the close's transaction: all or nothing. The
    audit entry it records holds the figures and digest of every ballot of the cycle then
    stored (ballots kept in plain from before the box included), for the count to check.
    `progress(percent, message key)` hears how far it got (the close-voting job's page).
    """
    report = progress or (lambda _percent, _message: None)
    rows = db.session.execute(
        sa.select(SealedBallot.channel, SealedBallot.sealed).where(
            SealedBallot.cycle_id == cycle.id
        )
    ).all()
    if rows:
        box = SealedBox(keys.private_key(cycle))
        ballots = []
        step = max(1, len(rows) // 10)
        for i, (channel, sealed) in enumerate(rows):
            if i % step == 0:
                report(10 + 60 * i // len(rows), "unsealing")
            ballots.append(_unsealed(box, cycle.id, channel, sealed))
        report(70, "storing")
        secrets.SystemRandom().shuffle(ballots)
        _insert_in_order(Ballot.__table__, [b for b, _ in ballots])
        _insert_in_order(BallotChoice.__table__, [c for _, cs in ballots for c in cs])
        db.session.execute(sa.delete(SealedBallot).where(SealedBallot.cycle_id == cycle.id))
    # The API's remembered outcomes numbered its voters in cast order (serial id): forget them.
    db.session.execute(sa.delete(ApiIdempotencyKey).where(ApiIdempotencyKey.cycle_id == cycle.id))
    db.session.flush()
    audit.record(
        digest.CLOSE_ACTION,
        cycle,
        actor=actor,
        after={"unsealed": len(rows), **digest.figures(cycle.id).to_dict()},
    )
    return len(rows)
