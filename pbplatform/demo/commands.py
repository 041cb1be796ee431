"""Demo data command."""

import click
from flask.cli import with_appcontext

from pbplatform.transaction import cli_transaction


@click.command("demo")
@click.option("--phase", type=click.Choice(["proposals", "voting", "results"]), default="results")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has a cycle.")
@with_appcontext
@cli_transaction
def demo(phase: str, if_empty: bool) -> None:
    """Reset the demo cycle into PHASE."""
    click.echo("demo data not implemented yet")
