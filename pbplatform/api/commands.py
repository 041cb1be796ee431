"""`flask pb api-token EMAIL`: a personal API token for one account, printed once."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from pbplatform.accounts.models import User
from pbplatform.api import services
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.transaction import cli_transaction


@click.command("api-token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="The token's name.")
@with_appcontext
@cli_transaction
def api_token(email: str, name: str) -> None:
    """Create a personal API token for EMAIL and print it (only its hash is kept; audited)."""
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"no account with e-mail {email}")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            _token, plaintext = services.create_token(user, name)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(plaintext)
