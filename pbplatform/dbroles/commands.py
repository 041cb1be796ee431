"""`flask pb grant-app-role ROLE`: run as the owner after `flask db upgrade` (README)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from pbplatform.dbroles import grant_statements
from pbplatform.extensions import db
from pbplatform.transaction import cli_transaction


@click.command("grant-app-role")
@click.argument("role")
@with_appcontext
@cli_transaction
def grant_app_role(role: str) -> None:
    """Give the application's PostgreSQL ROLE what it needs and no more (run as the owner)."""
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("roles exist on PostgreSQL only")
    try:
        tables = sa.inspect(db.session.connection()).get_table_names()
        statements = grant_statements(role, tables)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="ROLE") from None
    for statement in statements:
        db.session.execute(sa.text(statement))
    click.echo(f"granted {role}: read and append everywhere; no rewriting of history")
