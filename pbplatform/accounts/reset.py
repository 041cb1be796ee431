"""Password reset and invitation links: single-use tokens stored as SHA-256 only."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from pbplatform.accounts.models import PasswordResetToken, User
from pbplatform.accounts.services import find_user_by_email, normalise_email, set_password
from pbplatform.audit import services as audit
from pbplatform.db import UTCDateTime, utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.mail.services import log_in_development


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reset_token() -> str:
    return secrets.token_urlsafe(32)


def _issue_reset_token(user: User, ttl_seconds: int) -> str:
    """A fresh random token; only its SHA-256 is stored, so a database leak reveals no link."""
    token = new_reset_token()
    db.session.add(
        PasswordResetToken(
            user=user,
            token_hash=_token_hash(token),
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    db.session.flush()
    return token


def _reset_mail_text(ttl: int, link: str) -> str:
    return gettext(
        "To choose a new password, open this link within %(minutes)d minutes:\n\n%(link)s\n\n"
        "If you did not ask for this, ignore this e-mail; your password stays as it is.",
        minutes=max(1, ttl // 60),
        link=link,
    )


def request_password_reset(email: str, reset_url_for: Callable[[str], str]) -> None:
    """Mail a single-use link if an active account has this e-mail; silent otherwise.

    Known and unknown addresses do the same work, so the answer's timing does not tell them
    apart: both make a token, hash it, write and encrypt the mail, run the same two
    INSERT ... SELECT statements (whose WHERE finds the active account or nothing, so rows
    appear only for a real account) and append one audit entry.
    `reset_url_for(token)` builds the absolute link (the view passes url_for with _external).
    """
    address = normalise_email(email)[:254]
    user = find_user_by_email(address)
    ttl = int(current_app.config["PASSWORD_RESET_TTL_SECONDS"])
    token = new_reset_token()
    now = utcnow()
    account = sa.select(User.id, User.email).where(
        User.email == address, User.is_active_account.is_(True)
    )
    account = account.subquery()
    db.session.execute(
        sa.insert(PasswordResetToken).from_select(
            ["user_id", "token_hash", "expires_at"],
            sa.select(
                account.c.id,
                sa.literal(_token_hash(token), sa.String),
                sa.literal(now + timedelta(seconds=ttl), UTCDateTime()),
            ),
        )
    )
    subject, body = gettext("Reset your password"), _reset_mail_text(ttl, reset_url_for(token))
    sealed = OutboxMessage(body=body).body_encrypted
    db.session.execute(
        sa.insert(OutboxMessage).from_select(
            ["recipient", "subject", "body_encrypted", "created_at"],
            sa.select(
                account.c.email,
                sa.literal(subject, sa.String),
                sa.literal(sealed, sa.Text),
                sa.literal(now, UTCDateTime()),
            ),
        )
    )
    known = user is not None and user.is_active_account
    if known:
        log_in_development(user.email, subject, body)
    audit.record(
        "auth.reset_requested",
        user if known else None,
        actor=user if known else None,
        after=None if known else {"account": False},
    )


def send_invitation(user: User, reset_url_for: Callable[[str], str]) -> None:
    """Mail a new staff account a single-use link to set its first password (valid longer
    than a reset: INVITATION_TTL_SECONDS, three days by default)."""
    from pbplatform.mail.services import send_mail

    ttl = int(current_app.config.get("INVITATION_TTL_SECONDS", 3 * 24 * 60 * 60))
    token = _issue_reset_token(user, ttl)
    send_mail(
        user.email,
        gettext("Your account for the citizens' budget"),
        gettext(
            "An account has been created for you. To choose your password, open this link within "
            "%(days)d days:\n\n%(link)s",
            days=max(1, ttl // 86400),
            link=reset_url_for(token),
        ),
    )


def find_valid_reset_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired token of an active account, or None."""
    if not token or len(token) > 128:
        return None
    row = db.session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if not row.user.is_active_account:
        return None
    return row


def reset_password(token: str, password: str) -> User:
    """Use a reset token once: set the password, burn all the user's tokens, end their sessions."""
    row = find_valid_reset_token(token)
    if row is None:
        raise DomainError(
            "invalid_token",
            gettext("This link is invalid or has expired. Please ask for a new one."),
            status=410,
        )
    user = row.user
    set_password(user, password)
    now = utcnow()
    for other in db.session.scalars(
        sa.select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    db.session.flush()
    audit.record("auth.password_reset", user, actor=user)
    return user
