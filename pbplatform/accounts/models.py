"""People and their roles. A resident's ballot is never linked from here (see voting.models)."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db, login_manager
from pbplatform.security import encryption


class Role(enum.StrEnum):
    RESIDENT = "resident"
    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.OFFICER: _l("Officer"),
    Role.ADMIN: _l("Administrator"),
}
# Roles with the officer's tools (an administrator is an officer for every area).
STAFF_ROLES = (Role.OFFICER, Role.ADMIN)

officer_areas = sa.Table(
    "officer_areas",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role, "role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.RESIDENT)
    home_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Rotated on logout and password change, so every older cookie stops working.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    # TOTP second factor for officers and admins (see accounts/mfa.py). The base32 secret is
    # stored encrypted under DATA_ENCRYPTION_KEY (security/encryption.py), read and written
    # through `totp_secret`; `totp_last_step` is the time-step of the last accepted code, so a
    # code is never accepted twice. A secret without a last step is an unconfirmed enrollment.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(sa.String(255))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Not a column: the entry hash of the user's latest census verification ('' if none),
    # loaded with the API token in one statement (api.services.authenticate_token); None when
    # that query did not load it (channels.census.census_person_key then asks the database).
    preloaded_census_hash: Mapped[str | None] = query_expression()

    home_area: Mapped[Area | None] = relationship(foreign_keys=[home_area_id])  # noqa: F821
    officer_area_list: Mapped[list[Area]] = relationship(secondary=officer_areas)  # noqa: F821

    @property
    def totp_secret(self) -> str | None:
        if self.totp_secret_encrypted is None:
            return None
        return encryption.decrypt("totp", self.totp_secret_encrypted)

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        self.totp_secret_encrypted = None if secret is None else encryption.encrypt("totp", secret)

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_officer(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def can_act_on_area(self, area_id: int | None) -> bool:
        """Officers limited to some areas may act only there. District-wide items (no area)
        concern every area, so they need an officer with district scope (no area limit)."""
        if self.is_admin:
            return True
        if not self.is_officer:
            return False
        limited = {a.id for a in self.officer_area_list}
        return not limited or (area_id is not None and area_id in limited)


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code that stands in for a TOTP code (a lost phone). Only an HMAC of the
    code is stored, under a key outside the database (see accounts/recovery.py)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MfaEnrolmentToken(db.Model):
    """A single-use link that lets a staff account set up its authenticator app (after an
    administrator created the account or reset its factor). SHA-256 of the token only."""

    __tablename__ = "mfa_enrolment_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user
