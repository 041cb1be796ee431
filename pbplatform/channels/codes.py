"""Voting codes: single-use codes sent by post (household survey, letters).

Only a peppered hash of each code is stored; the plaintext exists once, in the CSV that is the
response to the generating request. Redeeming marks the code used with a conditional UPDATE
in the same transaction as the ballot, so concurrent uses give exactly one ballot. The code
row keeps the day it was used and nothing else: no link to the ballot.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.models import Channel, VotingCode, VotingCodeBatch
from pbplatform.channels.pepper import peppered_hash
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import today
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.voting.models import Ballot
from pbplatform.voting.services import Selections, cast_ballot, check_ballot

# No 0/O, 1/I/L: codes are typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_BATCH = 50_000


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return peppered_hash("voting-code", normalise_code(code))


def generate_codes(
    cycle: Cycle, count: int, label: str, area_id: int | None = None, actor: User | None = None
) -> tuple[VotingCodeBatch, list[str]]:
    """Create a batch; returns the plaintext codes, which are not kept anywhere."""
    if cycle.current_phase in (Phase.COUNTING, Phase.RESULTS):  # closed by the clock too
        raise DomainError("voting_over", _("Voting is over in this cycle."), status=409)
    if not 0 < count <= MAX_BATCH:
        raise DomainError("bad_count", _("A batch holds 1 to %(max)s codes.", max=MAX_BATCH))
    if area_id is not None and area_id not in {ca.area_id for ca in cycle.areas}:
        raise DomainError("invalid_area", _("This area does not take part in this cycle."))
    batch = VotingCodeBatch(
        cycle_id=cycle.id,
        area_id=area_id,
        count=count,
        label=label,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(batch)
    db.session.flush()
    codes = _unique_codes(count)
    db.session.execute(
        sa.insert(VotingCode),
        [{"batch_id": batch.id, "code_hash": hash_code(c), "area_id": area_id} for c in codes],
    )
    audit.record(
        "codes.generate",
        batch,
        actor=actor,
        area_id=area_id,
        after={"count": count, "label": label, "area_id": area_id},
    )
    return batch, codes


def _unique_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    return sorted(codes)


def code_rows(cycle: Cycle, batch: VotingCodeBatch, codes: Sequence[str]) -> list[list[str]]:
    """Rows for the mail-merge CSV (written with csvsafe)."""
    area = batch.area.name if batch.area else ""
    rows = [["code", "cycle", "area", "batch", "label"]]
    rows += [[display_code(c), cycle.name, area, str(batch.id), batch.label] for c in codes]
    return rows


def find_code(text: str, cycle: Cycle | None = None) -> VotingCode:
    """The unused code (of `cycle` if given), or DomainError (one answer for unknown codes)."""
    stmt = (
        sa.select(VotingCode).join(VotingCodeBatch).where(VotingCode.code_hash == hash_code(text))
    )
    if cycle is not None:
        stmt = stmt.where(VotingCodeBatch.cycle_id == cycle.id)
    code = db.session.scalar(stmt) if normalise_code(text) else None
    if code is None:
        raise DomainError(
            "invalid_code",
            _("This code is not valid for this cycle. Check the letter and type it again."),
        )
    if code.used_on is not None:
        raise DomainError(
            "code_used",
            _("This code has already been used to vote."),
            status=409,
            channel=Channel.CODE,
        )
    return code


def code_area(cycle: Cycle, code: VotingCode, chosen_area_id: int | None) -> int:
    """The code's area, or the holder's choice if the batch is for the whole district."""
    area_id = code.area_id if code.area_id is not None else chosen_area_id
    if area_id is None or area_id not in {ca.area_id for ca in cycle.areas}:
        raise DomainError("choose_area", _("Choose your neighbourhood."))
    return area_id


def _mark_used(code: VotingCode) -> None:
    result = db.session.execute(
        sa.update(VotingCode)
        .where(VotingCode.id == code.id, VotingCode.used_on.is_(None))
        .values(used_on=today())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(
            "code_used",
            _("This code has already been used to vote."),
            status=409,
            channel=Channel.CODE,
        )


def redeem_code(
    cycle: Cycle, text: str, selections: Selections, area_id: int | None = None
) -> Ballot:
    """Vote with a code: check the ballot, mark the code used (once), cast; all or nothing."""
    code = find_code(text, cycle)
    area = code_area(cycle, code, area_id)
    check_ballot(cycle, area, selections)
    _mark_used(code)
    return cast_ballot(cycle, f"code:{code.id}", selections, area_id=area, channel=Channel.CODE)


def batch_stats(cycle: Cycle) -> list[tuple[VotingCodeBatch, int]]:
    """Each batch of the cycle with how many of its codes were used."""
    used = sa.func.count(VotingCode.used_on)
    rows = db.session.execute(
        sa.select(VotingCodeBatch, used)
        .outerjoin(VotingCode)
        .where(VotingCodeBatch.cycle_id == cycle.id)
        .group_by(VotingCodeBatch.id)
        .order_by(VotingCodeBatch.id)
    )
    return [(batch, n) for batch, n in rows]
