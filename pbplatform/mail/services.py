"""Send mail by writing it to the outbox; development also logs it."""

import logging

import sqlalchemy as sa
from flask import current_app

from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage

log = logging.getLogger("pbplatform.mail")


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Queue a message in the outbox (delivered after commit by a mailer, or read in dev)."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    log_in_development(recipient, subject, body)
    return message


def send_mails(messages: list[tuple[str, str, str]]) -> int:
    """Queue many (recipient, subject, body) in the outbox in one bulk INSERT (bodies
    encrypted as `send_mail` does); returns how many."""
    if not messages:
        return 0
    now = utcnow()
    db.session.execute(
        sa.insert(OutboxMessage),
        [OutboxMessage.values(r, s, b, created_at=now) for r, s, b in messages],
    )
    for recipient, subject, body in messages:
        log_in_development(recipient, subject, body)
    return len(messages)


def log_in_development(recipient: str, subject: str, body: str) -> None:
    # Development only: bodies carry reset and invitation tokens, which logs must never hold.
    if current_app.config.get("ENV_NAME") == "development" and not current_app.testing:
        log.info("mail to %s: %s\n%s", recipient, subject, body)
