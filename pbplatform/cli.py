"""`flask pb ...`: operator commands. Each runs in one transaction (see transaction.py)."""

import click

from pbplatform.accounts.commands import create_admin
from pbplatform.api.commands import api_token
from pbplatform.audit.commands import audit_group
from pbplatform.ballotbox.commands import record_close_entry
from pbplatform.benchdata.commands import bench_data
from pbplatform.cycles.commands import advance_phases
from pbplatform.dbroles.commands import grant_app_role
from pbplatform.delivery.commands import file_cache_group, open_data, orphan_photos
from pbplatform.demo.commands import demo
from pbplatform.jobs.commands import worker
from pbplatform.mail.commands import send_mail_command
from pbplatform.notifications.commands import notify_digest
from pbplatform.privacy.commands import COMMANDS as PRIVACY_COMMANDS
from pbplatform.security.commands import new_encryption_key, reencrypt
from pbplatform.surveys.commands import open_evaluation_command


@click.group("pb")
def pb() -> None:
    """Participatory budgeting operations."""


for command in (
    create_admin,
    advance_phases,
    demo,
    send_mail_command,
    audit_group,
    record_close_entry,
    grant_app_role,
    api_token,
    bench_data,
    *PRIVACY_COMMANDS,
    new_encryption_key,
    reencrypt,
    worker,
    notify_digest,
    open_data,
    orphan_photos,
    file_cache_group,
    open_evaluation_command,
):
    pb.add_command(command)
