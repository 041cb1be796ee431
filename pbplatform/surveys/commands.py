"""`flask pb open-evaluation SLUG`: open a cycle's process evaluation survey."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.surveys.evaluation import open_evaluation
from pbplatform.transaction import cli_transaction


@click.command("open-evaluation")
@click.argument("slug")
@click.option("--days", default=30, show_default=True, help="How long it stays open.")
@with_appcontext
@cli_transaction
def open_evaluation_command(slug: str, days: int) -> None:
    """Open the evaluation survey of cycle SLUG (after voting; once per cycle)."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        raise click.ClickException(f"no cycle {slug}")
    survey = open_evaluation(cycle, days=days)
    click.echo(f"survey {survey.id}: /surveys/{survey.id}")
