"""Demo data command: `flask pb demo [--phase proposals|voting|results] [--if-empty]`."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.transaction import cli_transaction

# Words in the database triggers' refusals of deleting published results or decisions.
GUARD_WORDS = ("published", "confirmed")


@click.command("demo")
@click.option("--phase", type=click.Choice(["proposals", "voting", "results"]), default="results")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has a cycle.")
@with_appcontext
@cli_transaction
def demo(phase: str, if_empty: bool) -> None:
    """Reset the demo cycle into PHASE."""
    from pbplatform.demo.loader import PASSWORD, demo_accounts, load_demo, summarize

    if if_empty and db.session.scalar(sa.select(Cycle.id).limit(1)) is not None:
        click.echo("A cycle exists already; demo data not loaded (--if-empty).")
        return
    # Services translate and format money, which needs a request (locale) context.
    with current_app.test_request_context():
        try:
            cycle = load_demo(phase)
        except sa.exc.DBAPIError as exc:
            if not any(word in str(exc.orig) for word in GUARD_WORDS):
                raise
            # The application's PostgreSQL role may not delete published results (README).
            raise click.ClickException(
                "The demo cycle has published results, which this database role may not "
                "delete: they are a public record. Run the demo as the schema's owner, or "
                "start from an empty database."
            ) from None
        summary = summarize(cycle)
    click.echo(f"Demo cycle '{cycle.name}' ({cycle.slug}) is in phase {summary['phase']}.")
    for key in ("proposals", "offers", "ballots"):
        parts = ", ".join(f"{k} {n}" for k, n in summary[key].items()) or "none"
        click.echo(f"  {key}: {parts}")
    click.echo(f"Demo accounts (password for all: {PASSWORD}):")
    for address, what in demo_accounts():
        click.echo(f"  {address:42} {what}")
