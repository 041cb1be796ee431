"""Outgoing mail, written in the request's transaction so it goes only if the request commits.

Bodies carry reset, invitation and enrolment links, so the database never holds them readable:
a queued body is encrypted under DATA_ENCRYPTION_KEY (security/encryption.py) and read through
`body`; delivery erases it (`body_encrypted` NULL once `sent_at` is set), so neither the
database nor its backups keep a usable link after sending.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pbplatform.db import UTCDateTime, utcnow
from pbplatform.extensions import db
from pbplatform.security import encryption


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint("sent_at IS NULL OR body_encrypted IS NULL", name="sent_body_erased"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def body(self) -> str | None:
        """The plain text of a queued message; None once it has been sent (erased)."""
        if self.body_encrypted is None:
            return None
        return encryption.decrypt("outbox", self.body_encrypted)

    @body.setter
    def body(self, text: str) -> None:
        self.body_encrypted = encryption.encrypt("outbox", text)

    @staticmethod
    def values(recipient: str, subject: str, body: str, **more: Any) -> dict[str, Any]:
        """A queued message's column values, for a bulk INSERT (the body encrypted)."""
        return {
            "recipient": recipient,
            "subject": subject,
            "body_encrypted": encryption.encrypt("outbox", body),
            **more,
        }

    def erase_body(self) -> None:
        self.body_encrypted = None
