"""`flask pb record-close-entry SLUG --reason TEXT`: the server operator's repair for a cycle
that was counting before close entries existed (see `late_close`)."""

from __future__ import annotations

import click
import sqlalchemy as sa

from pbplatform.audit.commands import recorded_heads
from pbplatform.ballotbox.late_close import record_late_close
from pbplatform.cycles.models import Cycle
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.transaction import cli_transaction


@click.command("record-close-entry")
@click.argument("slug")
@click.option("--reason", required=True, help="Why the close is attested late (published).")
@cli_transaction
def record_close_entry(slug: str, reason: str) -> None:
    """Record the close entry of cycle SLUG, in counting without one, from its ballots as
    they are now: a distinct audit event, shown on its results as attested late."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        raise click.ClickException(f"no cycle {slug!r}")
    try:
        entry = record_late_close(cycle, reason, recorded_heads())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    after = entry.after or {}
    click.echo(
        f"close entry {entry.id} of {slug} recorded after the fact: {after['ballots']} ballots, "
        f"digest {after['digest']}"
    )
