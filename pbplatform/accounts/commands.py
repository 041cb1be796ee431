"""Account commands."""

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from pbplatform.accounts import enrolment, management
from pbplatform.accounts.models import Role
from pbplatform.errors import DomainError
from pbplatform.transaction import cli_transaction


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.password_option()
@with_appcontext
@cli_transaction
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create an administrator account."""
    # No request, so no browser language: messages in the default locale.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            user = management.create_staff_user(None, email, display_name, Role.ADMIN, [], password)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(f"Created administrator {user.email} (id {user.id}).")
    if current_app.config.get("OFFICER_MFA_REQUIRED", True):
        token = enrolment.issue_enrolment_token(user)
        click.echo(
            "To set up the second factor, open this single-use path on the site within "
            f"{max(1, int(current_app.config['INVITATION_TTL_SECONDS']) // 86400)} days, "
            f"then log in: /login/code/enrol/{token}"
        )
