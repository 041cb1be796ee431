"""`flask pb open-data SLUG`: build a cycle's open-data zip now (for a cycle published before
the zip existed, or after changes made outside the site)."""

from __future__ import annotations

import click
import sqlalchemy as sa

from pbplatform.cycles.models import Cycle
from pbplatform.delivery.opendata import build_release
from pbplatform.extensions import db
from pbplatform.transaction import cli_transaction


@click.command("open-data")
@click.argument("slug")
@cli_transaction
def open_data(slug: str) -> None:
    """Build the open-data zip of the cycle SLUG (it needs a published count)."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        raise click.ClickException(f"no cycle {slug!r}")
    release = build_release(cycle)
    if release is None:
        raise click.ClickException("the cycle has no published count yet")
    click.echo(f"open data release {release.number} of {slug}: sha256 {release.sha256}")
