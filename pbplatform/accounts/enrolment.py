"""Single-use enrolment links for the second factor.

Whoever holds only an officer's password must not be able to bind their own authenticator
app to the account (trust on first use). So a staff account without a factor (created by an
administrator, promoted from resident, or after an administrator reset its factor) is mailed
a link; setting up the app needs that link AND the password, and burns the link. Only the
SHA-256 of a link's token is stored; the mail itself is encrypted in the outbox and erased
when sent (mail/models.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from pbplatform.accounts.models import MfaEnrolmentToken, User
from pbplatform.audit import services as audit
from pbplatform.db import rows_changed, utcnow
from pbplatform.extensions import db


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_enrolment_token(user: User) -> str:
    """A fresh link token (older unused ones stop working); only its hash is stored."""
    now = utcnow()
    db.session.execute(
        sa.update(MfaEnrolmentToken)
        .where(MfaEnrolmentToken.user_id == user.id, MfaEnrolmentToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    ttl = int(current_app.config.get("INVITATION_TTL_SECONDS", 3 * 24 * 60 * 60))
    db.session.add(
        MfaEnrolmentToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    db.session.flush()
    return token


def send_enrolment_link(user: User, link_for: Callable[[str], str], actor: User | None) -> None:
    """Mail `user` a single-use link to set up their authenticator app (audited, no token)."""
    from pbplatform.mail.services import send_mail

    ttl = int(current_app.config.get("INVITATION_TTL_SECONDS", 3 * 24 * 60 * 60))
    token = issue_enrolment_token(user)
    send_mail(
        user.email,
        gettext("Set up your second factor"),
        gettext(
            "Your account for the citizens' budget needs a code from an authenticator app at "
            "login. To set up the app, open this link within %(days)d days, then log in with "
            "your password:\n\n%(link)s\n\nThe link works once.",
            days=max(1, ttl // 86400),
            link=link_for(token),
        ),
    )
    audit.record("user.mfa_enrolment_link_sent", user, actor=actor)


def find_valid_enrolment_token(
    token: str | None, user: User | None = None
) -> MfaEnrolmentToken | None:
    """The unused, unexpired link of an active staff account (of `user`, if given), or None."""
    if not token or len(token) > 128:
        return None
    row = db.session.scalar(
        sa.select(MfaEnrolmentToken).where(MfaEnrolmentToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_active_account or (user is not None and row.user_id != user.id):
        return None
    return row


def burn_enrolment_token(row: MfaEnrolmentToken) -> bool:
    """Use the link once (a conditional UPDATE, so two tabs cannot both use it)."""
    claimed = db.session.execute(
        sa.update(MfaEnrolmentToken)
        .where(MfaEnrolmentToken.id == row.id, MfaEnrolmentToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(claimed) == 1
