"""`flask pb erase`, `flask pb retention`, `flask pb processing-record`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from pbplatform.accounts.services import find_user_by_email
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.privacy.erasure import erase_user
from pbplatform.privacy.models import ErasureVia
from pbplatform.privacy.record import processing_record_text
from pbplatform.privacy.retention import RULES, apply_retention
from pbplatform.transaction import cli_transaction


@click.command("erase")
@click.argument("email")
@click.option("--remove-contributions", is_flag=True, help="Also remove independent proposals.")
@with_appcontext
@cli_transaction
def erase_command(email: str, remove_contributions: bool) -> None:
    """Erase the account with this e-mail address (audited), as if the person had asked."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException("no account with this e-mail address")
        try:
            report = erase_user(user, ErasureVia.COMMAND, remove_contributions=remove_contributions)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(f"erased account {user.id}")
    for what, count in sorted(report.removed.items()):
        click.echo(f"  {what}: {count}")


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Show what is due; change nothing.")
@with_appcontext
@cli_transaction
def retention_command(dry_run: bool) -> None:
    """Remove personal data whose retention period has ended; run it from a timer."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        done = apply_retention(utcnow(), dry_run=dry_run)
        verb = "due" if dry_run else "removed"
        for rule in RULES:
            click.echo(f"{rule.key}: {done[rule.key]} {verb} ({rule.label})")


@click.command("processing-record")
@with_appcontext
def processing_record_command() -> None:
    """Print the record of processing activities (GDPR Art. 30) from the settings."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        click.echo(processing_record_text())


COMMANDS = (erase_command, retention_command, processing_record_command)
