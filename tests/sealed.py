"""Test helpers for the sealed ballot box (pbplatform.ballotbox).

While voting is open a cycle's ballots are sealed rows, not `ballots`: tests that inspect what
was stored first `unseal(cycle)`, which runs the close's unsealing (not the phase change), or
`sealed_contents(cycle)` to read the sealed rows with the cycle's private key.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from nacl.public import SealedBox

from pbplatform.ballotbox import keys
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.ballotbox.services import unseal_box
from pbplatform.extensions import db


def unseal(cycle) -> int:
    """Move the cycle's sealed ballots into the ballot tables, as closing voting does."""
    n = unseal_box(cycle)
    db.session.flush()
    db.session.expire_all()
    return n


def sealed_contents(cycle) -> list[list]:
    """[area_id, serial, invalid_reason, choices] of every sealed ballot of the cycle."""
    box = SealedBox(keys.private_key(cycle))
    return [
        json.loads(box.decrypt(sealed))
        for sealed in db.session.scalars(
            sa.select(SealedBallot.sealed).where(SealedBallot.cycle_id == cycle.id)
        )
    ]


def unseal_all() -> int:
    """`unseal` every cycle that has sealed ballots; returns how many ballots moved."""
    from pbplatform.cycles.models import Cycle

    ids = db.session.scalars(sa.select(SealedBallot.cycle_id).distinct()).all()
    return sum(unseal(db.session.get(Cycle, cycle_id)) for cycle_id in ids)
