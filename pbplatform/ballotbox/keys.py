"""Each cycle's ballot-box keypair, derived from `BALLOT_BOX_SECRET`, which is never stored.

`BALLOT_BOX_SECRET` holds one or more secrets separated by spaces: the first seals the ballots
of a cycle whose voting starts now; any of them unseals a cycle whose public key it derives
(so a secret can be rotated between cycles while an older cycle is still open). In development
and testing it is derived from SECRET_KEY with a label, like the pepper; production requires it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from nacl.public import PrivateKey, PublicKey
from sqlalchemy.exc import IntegrityError

from pbplatform.ballotbox.models import BallotBoxKey
from pbplatform.cycles.models import CastCycle, Cycle
from pbplatform.errors import DomainError
from pbplatform.extensions import db


def _secrets() -> list[bytes]:
    configured = (current_app.config.get("BALLOT_BOX_SECRET") or "").split()
    if configured:
        return [s.encode() for s in configured]
    base = current_app.config["SECRET_KEY"].encode()
    return [hmac.new(base, b"pbplatform:ballot-box-secret", hashlib.sha256).digest()]


def _derive(secret: bytes, purpose: str, cycle_id: int) -> bytes:
    label = f"pbplatform:ballot-box:{purpose}:cycle:{cycle_id}".encode()
    return hmac.new(secret, label, hashlib.sha256).digest()


def _private_key(secret: bytes, cycle_id: int) -> PrivateKey:
    return PrivateKey(_derive(secret, "private-key", cycle_id))


def _hex(key: PublicKey) -> str:
    return bytes(key).hex()


def _info_key(cycle_id: int) -> tuple[str, int]:
    return ("ballot_box_public_key", cycle_id)


def remember_public_key(cycle_id: int, public_key_hex: str) -> None:
    """Keep a key read with its cycle (voting.services.read_cycle_for_cast) for this session:
    a recorded public key never changes, so sealing need not read it again."""
    db.session.info[_info_key(cycle_id)] = public_key_hex


@functools.lru_cache(maxsize=64)
def _public_key(hex_key: str) -> PublicKey:
    return PublicKey(bytes.fromhex(hex_key))  # a recorded key never changes


def public_key(cycle: Cycle | CastCycle) -> PublicKey:
    """The cycle's public key, recorded by the first ballot sealed (a racing twin re-reads it)."""
    if (known := db.session.info.get(_info_key(cycle.id))) is not None:
        return _public_key(known)
    stored = db.session.get(BallotBoxKey, cycle.id)
    if stored is None:
        derived = _hex(_private_key(_secrets()[0], cycle.id).public_key)
        try:
            with db.session.begin_nested():
                db.session.add(BallotBoxKey(cycle_id=cycle.id, public_key=derived))
        except IntegrityError:
            pass
        stored = db.session.scalars(
            sa.select(BallotBoxKey).where(BallotBoxKey.cycle_id == cycle.id)
        ).one()
    return PublicKey(bytes.fromhex(stored.public_key))


def _matching_secret(cycle: Cycle | CastCycle) -> bytes:
    expected = _hex(public_key(cycle))
    for secret in _secrets():
        if _hex(_private_key(secret, cycle.id).public_key) == expected:
            return secret
    raise DomainError(
        "ballot_box_key_missing",
        _(
            "The ballot box of this cycle cannot be opened: none of the configured "
            "BALLOT_BOX_SECRET values made its key. Nothing was changed."
        ),
        status=503,
    )


def private_key(cycle: Cycle | CastCycle) -> PrivateKey:
    """The key that unseals `cycle`'s ballots; DomainError (503) if no configured secret fits."""
    return _private_key(_matching_secret(cycle), cycle.id)


def serial_key(cycle: Cycle | CastCycle) -> bytes:
    """Keys the hash of paper serials: without the secret, no serial can be tested by guessing."""
    return _derive(_matching_secret(cycle), "paper-serial", cycle.id)
