"""Mail commands."""

import click
from flask.cli import with_appcontext

from pbplatform.mail.delivery import MailNotConfigured, deliver_outbox
from pbplatform.transaction import cli_transaction


@click.command("send-mail")
@click.option("--limit", default=200, show_default=True, help="At most this many messages.")
@with_appcontext
@cli_transaction
def send_mail_command(limit: int) -> None:
    """Deliver queued mail (reset links, notices) over SMTP; run it from a timer."""
    try:
        sent = deliver_outbox(limit)
    except MailNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sent {sent} message(s)")
