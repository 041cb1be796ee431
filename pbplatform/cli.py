"""`flask pb ...`: operator commands. Each runs in one transaction (see transaction.py)."""

import click

from pbplatform.accounts.commands import create_admin
from pbplatform.cycles.commands import advance_phases
from pbplatform.demo.commands import demo
from pbplatform.mail.commands import send_mail_command
from pbplatform.security.commands import new_encryption_key, reencrypt


@click.group("pb")
def pb() -> None:
    """Participatory budgeting operations."""


for command in (
    create_admin,
    advance_phases,
    demo,
    send_mail_command,
    new_encryption_key,
    reencrypt,
):
    pb.add_command(command)
