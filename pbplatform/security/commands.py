"""`flask pb reencrypt` and `flask pb new-encryption-key`: key rotation for stored secrets."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from pbplatform.extensions import db
from pbplatform.security import encryption
from pbplatform.transaction import cli_transaction


@click.command("new-encryption-key")
def new_encryption_key() -> None:
    """Print a fresh random key for DATA_ENCRYPTION_KEY."""
    click.echo(encryption.new_key())


@click.command("reencrypt")
@with_appcontext
@cli_transaction
def reencrypt() -> None:
    """Re-seal TOTP secrets and queued mail under the current DATA_ENCRYPTION_KEY (after a
    rotation, with the old key in DATA_ENCRYPTION_OLD_KEYS); then the old key can go."""
    from pbplatform.accounts.models import User
    from pbplatform.mail.models import OutboxMessage

    count = 0
    for model, column, purpose in (
        (User, "totp_secret_encrypted", "totp"),
        (OutboxMessage, "body_encrypted", "outbox"),
    ):
        for row in db.session.scalars(sa.select(model).where(getattr(model, column).is_not(None))):
            stored = getattr(row, column)
            if not encryption.is_current(stored):
                setattr(
                    row, column, encryption.encrypt(purpose, encryption.decrypt(purpose, stored))
                )
                count += 1
    db.session.flush()
    click.echo(f"re-encrypted {count} value(s)")
