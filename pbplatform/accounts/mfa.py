"""TOTP second factor for officers and administrators (security case 36).

A secret is created when an unenrolled officer passes the password step holding a valid
enrolment link (enrolment.py; the password alone is not enough) and becomes their factor once
they confirm it with a valid code (`totp_last_step` set). Secrets are stored encrypted
(User.totp_secret). Every accepted code
records its time-step, and a code of that step or an earlier one is refused afterwards, so a
code cannot be replayed within its window. Neither secrets nor codes are ever audited.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import sqlalchemy as sa
from flask import current_app

from pbplatform.accounts import recovery
from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.extensions import db

ISSUER = "Citizens' budget"
VALID_WINDOW = 1  # steps either side of now, for clock drift


def mfa_required(user: User) -> bool:
    """Officers and administrators need a second factor when OFFICER_MFA_REQUIRED is on."""
    return bool(current_app.config.get("OFFICER_MFA_REQUIRED", True)) and user.is_officer


def is_enrolled(user: User) -> bool:
    return user.totp_secret is not None and user.totp_last_step is not None


def start_enrollment(user: User) -> None:
    """Give an unenrolled user a fresh secret to confirm (a new one at every password login)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    db.session.flush()


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(int(now))
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(user: User, code: str, now: float | None = None) -> bool:
    """Accept `code` once: it must match a step after the last accepted one. The step is
    claimed with one conditional UPDATE, so two concurrent uses of a code cannot both pass."""
    if user.totp_secret is None:
        return False
    step = _matching_step(user.totp_secret, code, time.time() if now is None else now)
    if step is None:
        return False
    claimed = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            User.totp_secret_encrypted == user.totp_secret_encrypted,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["totp_last_step"])
    return claimed.rowcount == 1


def check_code(user: User, code: str) -> bool:
    """The code step of a login (or of confirming an enrollment); audits the outcome. An
    enrolled user may type one of their single-use recovery codes instead (recovery.py)."""
    enrolling = not is_enrolled(user)
    if not enrolling and recovery.looks_like_recovery_code(code):
        if recovery.use_code(user, code):
            return True
    elif verify_code(user, code):
        if enrolling:
            audit.record("auth.mfa_enrolled", user, actor=user)
        return True
    audit.record(
        "auth.mfa_failed", user, actor=user, outcome="denied", after={"enrolling": enrolling}
    )
    return False
