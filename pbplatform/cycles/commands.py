"""Cycle commands."""

import click
from flask.cli import with_appcontext

from pbplatform.cycles.models import Phase
from pbplatform.cycles.services import advance_due_phases
from pbplatform.transaction import cli_transaction


@click.command("advance-phases")
@with_appcontext
@cli_transaction
def advance_phases() -> None:
    """Move every cycle whose next phase date has passed (run from a timer). Closing voting is
    handed to the close-voting job (with Redis, a worker closes it after this command)."""
    moved = advance_due_phases()
    for cycle, phase in moved:
        note = " (closing voting: a job)" if phase == Phase.COUNTING else ""
        click.echo(f"{cycle.slug}: {phase}{note}")
    if not moved:
        click.echo("no phase due")
