"""Cycle commands."""

import click
from flask.cli import with_appcontext

from pbplatform.transaction import cli_transaction


@click.command("advance-phases")
@with_appcontext
@cli_transaction
def advance_phases() -> None:
    """Move every cycle whose next phase date has passed (run from a timer)."""
    raise click.ClickException("not implemented yet")
