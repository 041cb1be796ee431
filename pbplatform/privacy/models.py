"""Consents given and withdrawn, downloads of a person's data, erasures and inactivity notices."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db


class Purpose(enum.StrEnum):
    """What a consent record is about. NOTICE records which notice version a person was shown
    when they registered (not a consent: the platform's processing rests on public task)."""

    NOTICE = "notice"
    NEWSLETTER = "newsletter"
    PROPOSAL_CONTACT = "proposal_contact"

    @property
    def label(self) -> str:
        return str(PURPOSE_LABELS[self])


PURPOSE_LABELS = {
    Purpose.NOTICE: _l("Privacy notice shown at registration"),
    Purpose.NEWSLETTER: _l("Newsletter about the citizens' budget"),
    Purpose.PROPOSAL_CONTACT: _l("Being contacted by the council about my proposals"),
}
OPTIONAL_PURPOSES = (Purpose.NEWSLETTER, Purpose.PROPOSAL_CONTACT)


class ErasureVia(enum.StrEnum):
    SELF = "self"
    OFFICER = "officer"
    COMMAND = "command"
    RETENTION = "retention"


class ConsentRecord(db.Model):
    """One grant or withdrawal. Append-only history: the latest row per purpose is in force,
    and the history shows what the person agreed to, when, under which notice version."""

    __tablename__ = "consent_records"
    __table_args__ = (
        enum_check("purpose", tuple(Purpose), "purpose_valid"),
        sa.Index("ix_consent_records_user_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(sa.String(24))
    granted: Mapped[bool]
    notice_version: Mapped[str] = mapped_column(sa.String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataExport(db.Model):
    """A person's download (a zip of JSON and HTML), kept in the database so every app server
    can serve it, and deleted when it expires (retention) or the account is erased."""

    __tablename__ = "data_exports"
    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountErasure(db.Model):
    """That an account was erased, when and at whose request: its row in `users` stays, emptied,
    as the "former resident" its public contributions are shown under."""

    __tablename__ = "account_erasures"
    __table_args__ = (enum_check("via", tuple(ErasureVia), "via_valid"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    via: Mapped[str] = mapped_column(sa.String(16))


class InactivityWarning(db.Model):
    """An inactive account was told it will be erased; erased after the grace period unless
    the person logs in again (which removes the warning)."""

    __tablename__ = "inactivity_warnings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
