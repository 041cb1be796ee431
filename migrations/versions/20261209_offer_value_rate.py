"""offers: the hourly rate a rule-set value used (value_rate_minor), so the basis is said in the
reader's language when shown; accepted offers' event notes hold the value, not a sentence

Revision ID: 20261209_offer_value_rate
Revises: 20261208_mail_job_kind
Create Date: 2026-12-09 10:00:00
"""

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "20261209_offer_value_rate"
down_revision = "20261208_mail_job_kind"
branch_labels = None
depends_on = None

# Tables whose rows copy an accepted offer's event note (all name the proposal).
NOTED = ("proposal_events", "notifications", "notification_letters")


def upgrade():
    # Additive: rows written before keep their sentence in value_basis and in their notes,
    # which are shown as they are.
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value_rate_minor", sa.BigInteger(), nullable=True))


def downgrade():
    # The earlier code shows notes and value_basis as stored: write the sentences (English,
    # the source language) for the rows that hold data only, then drop the column.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE offers SET value_basis = 'Money at face value.' "
            "WHERE value_basis IS NULL AND value_minor IS NOT NULL AND kind = 'money'"
        )
    )
    rated = bind.execute(
        sa.text(
            "SELECT o.id, o.quantity, o.value_rate_minor, c.currency FROM offers o "
            "JOIN cycles c ON c.id = o.cycle_id "
            "WHERE o.value_basis IS NULL AND o.value_rate_minor IS NOT NULL"
        )
    ).all()
    for offer_id, quantity, rate, currency in rated:
        said = (
            f"{Decimal(quantity).normalize():f} hours at the published rate of "
            f"{_major(rate)} {currency} per hour."
        )
        bind.execute(
            sa.text("UPDATE offers SET value_basis = :said WHERE id = :id"),
            {"said": said, "id": offer_id},
        )
    for table in NOTED:
        _say_accepted_notes(bind, table)
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("value_rate_minor")


def _major(minor: int) -> str:
    return f"{Decimal(minor) / 100:.2f}"


def _say_accepted_notes(bind: sa.Connection, table: str) -> None:
    rows = bind.execute(
        sa.text(
            f"SELECT t.id, t.note, c.currency FROM {table} t "  # noqa: S608 - a fixed name
            "JOIN proposals p ON p.id = t.proposal_id JOIN cycles c ON c.id = p.cycle_id "
            "WHERE t.kind = 'offer_accepted' AND t.note IS NOT NULL"
        )
    ).all()
    for row_id, note, currency in rows:
        if note.isdigit():
            said = f"Offer of help accepted, valued at {_major(int(note))} {currency}."
            bind.execute(
                sa.text(f"UPDATE {table} SET note = :said WHERE id = :id"),  # noqa: S608
                {"said": said, "id": row_id},
            )
