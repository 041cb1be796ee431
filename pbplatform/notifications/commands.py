"""`flask pb notify-digest`: the daily e-mail digest (run once a day from a timer)."""

import click
from flask.cli import with_appcontext

from pbplatform.notifications.services import send_digests
from pbplatform.transaction import cli_transaction


@click.command("notify-digest")
@with_appcontext
@cli_transaction
def notify_digest() -> None:
    """Write one e-mail per person with a daily digest and news not yet mailed."""
    sent = send_digests()
    click.echo(f"{sent} digest e-mails written to the outbox")
