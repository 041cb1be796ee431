"""Deliver the outbox over SMTP, after the requests that wrote it have committed.

Run `flask pb send-mail` from a timer. A sent message keeps its recipient, subject and times,
but its body is erased at sending (see mail/models.py). Several app servers may run it at
once: rows being sent are locked with SKIP LOCKED on PostgreSQL, so no message goes out twice.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage


class MailNotConfigured(RuntimeError):
    pass


def pending_messages(limit: int) -> list[OutboxMessage]:
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise MailNotConfigured("MAIL_SERVER is not set (in development, read /admin/outbox)")
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    if config["MAIL_USE_STARTTLS"]:
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def deliver_outbox(limit: int = 200) -> int:
    """Send up to `limit` unsent messages and mark them sent; returns how many went out."""
    messages = pending_messages(limit)
    if not messages:
        return 0
    with _smtp() as smtp:
        for message in messages:
            smtp.send_message(_as_email(message))
            # Once handed to the relay, the body (and any link in it) leaves the database.
            message.sent_at = utcnow()
            message.erase_body()
            db.session.flush()
    return len(messages)
