"""secrets at rest: encrypted TOTP secrets and outbox bodies, recovery codes, enrolment links

TOTP secrets and queued mail bodies are re-written encrypted under DATA_ENCRYPTION_KEY (the key
of the configuration this runs under, so run `flask db upgrade` with the production settings);
bodies of mail already sent are erased. The downgrade decrypts them back.

Revision ID: 20261207d
Revises: 96833cdc813a
Create Date: 2026-12-07 04:30:00
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207d"
down_revision = "20261207e0a1"
branch_labels = None
depends_on = None


def _rewrite(table: str, key: str, old: str, new: str, convert) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT {key}, {old} FROM {table} WHERE {old} IS NOT NULL"))
    for row_id, value in rows.all():
        conn.execute(
            sa.text(f"UPDATE {table} SET {new} = :value WHERE {key} = :id"),
            {"value": convert(value), "id": row_id},
        )


def upgrade():
    from pbplatform.security.encryption import encrypt  # needs the app's key (Flask-Migrate)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_encrypted", sa.String(length=255), nullable=True))
    _rewrite("users", "id", "totp_secret", "totp_secret_encrypted", lambda v: encrypt("totp", v))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_secret")

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_encrypted", sa.Text(), nullable=True))
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)
    op.execute("UPDATE outbox_messages SET body = NULL WHERE sent_at IS NOT NULL")
    _rewrite(
        "outbox_messages", "id", "body", "body_encrypted", lambda v: encrypt("outbox", v)
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("body")
        batch_op.create_check_constraint(
            "sent_body_erased", "sent_at IS NULL OR body_encrypted IS NULL"
        )

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])
    op.create_table(
        "mfa_enrolment_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_enrolment_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_enrolment_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mfa_enrolment_tokens_token_hash")),
    )
    op.create_index(op.f("ix_mfa_enrolment_tokens_user_id"), "mfa_enrolment_tokens", ["user_id"])


def downgrade():
    from pbplatform.security.encryption import decrypt

    op.drop_index(op.f("ix_mfa_enrolment_tokens_user_id"), table_name="mfa_enrolment_tokens")
    op.drop_table("mfa_enrolment_tokens")
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_sent_body_erased"), type_="check")
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
    _rewrite("outbox_messages", "id", "body_encrypted", "body", lambda v: decrypt("outbox", v))
    op.execute("UPDATE outbox_messages SET body = '' WHERE body IS NULL")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("body_encrypted")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    _rewrite("users", "id", "totp_secret_encrypted", "totp_secret", lambda v: decrypt("totp", v))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_secret_encrypted")
