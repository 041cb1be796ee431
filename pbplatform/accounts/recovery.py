"""Single-use recovery codes: typed instead of a TOTP code when the phone is lost.

Ten codes are made when a second factor is set up (and again on request), shown once, and
stored only as HMACs under a pepper kept outside the database (channels/pepper.py), so a
database reader cannot use or test them. A code is claimed with one conditional UPDATE, so it
works once even under concurrent use. Generating, using and running low are audited; the
codes themselves never are.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from pbplatform.accounts.models import RecoveryCode, User
from pbplatform.audit import services as audit
from pbplatform.channels.pepper import peppered_hash
from pbplatform.db import rows_changed, utcnow
from pbplatform.extensions import db

CODE_COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
GROUP = 5


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    plain = _normalise(code)
    return len(plain) == 2 * GROUP and not plain.isdigit()


def _hash(code: str) -> str:
    return peppered_hash("recovery-code", _normalise(code))


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(2 * GROUP))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def generate_codes(user: User) -> list[str]:
    """Replace the user's codes with CODE_COUNT fresh ones and return them (to show once)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    db.session.flush()
    audit.record("auth.recovery_codes_generated", user, actor=user, after={"count": len(codes)})
    return codes


def remaining_codes(user: User) -> int:
    query = sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(query) or 0


def use_code(user: User, code: str) -> bool:
    """Accept an unused code of this user once; audited with how many are left."""
    if not looks_like_recovery_code(code):
        return False
    claimed = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) != 1:
        return False
    audit.record(
        "auth.recovery_code_used", user, actor=user, after={"remaining": remaining_codes(user)}
    )
    return True
