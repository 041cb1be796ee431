"""audit chain: every column hashed and HMAC'd, personal fields apart, guards on TRUNCATE and
on published result versions, the chain head published with each result version

Existing entries are first verified under the old hash rule (the upgrade stops if that chain
is broken: investigate before sealing it), then re-sealed under the new one with the key the
application is configured with (AUDIT_HMAC_KEY). The downgrade restores the old columns and
re-chains under the old rule.

Revision ID: 20261207c0a1
Revises: 96833cdc813a
Create Date: 2026-12-07 04:30:00
"""

import hashlib
import json
import secrets
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207c0a1"
down_revision = "20261207_h_privacy"
branch_labels = None
depends_on = None

OLD_GUARDS = {
    "sqlite": [
        """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
           BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
        """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
           BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
           FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
    ],
}
OLD_GUARD_DROPS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entries_no_update",
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
        "DROP FUNCTION IF EXISTS audit_entries_append_only()",
    ],
}

# As in pbplatform/audit/models.py and pbplatform/results/models.py at this revision.
NEW_GUARDS = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
           BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
           BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_personal_no_delete BEFORE DELETE ON audit_personal
           BEGIN SELECT RAISE(ABORT, 'audit_personal is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_personal_pseudonymise_only
           BEFORE UPDATE ON audit_personal
           WHEN NEW.entry_id <> OLD.entry_id OR NOT NEW.pseudonymised OR NEW.salt IS NOT NULL
           BEGIN SELECT RAISE(ABORT, 'audit_personal changes only into a pseudonym'); END""",
        """CREATE TRIGGER IF NOT EXISTS result_versions_published_frozen
           BEFORE UPDATE ON result_versions WHEN OLD.published_at IS NOT NULL
           BEGIN SELECT RAISE(ABORT, 'result version is published and cannot change'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
           FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
        """CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
           FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()""",
        """CREATE OR REPLACE FUNCTION audit_personal_guard() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'UPDATE' THEN
               IF NEW.entry_id = OLD.entry_id AND NEW.pseudonymised AND NEW.salt IS NULL THEN
                 RETURN NEW;
               END IF;
             END IF;
             RAISE EXCEPTION 'audit_personal is append-only and changes only into a pseudonym';
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_personal_guard BEFORE UPDATE OR DELETE ON audit_personal
           FOR EACH ROW EXECUTE FUNCTION audit_personal_guard()""",
        """CREATE TRIGGER audit_personal_no_truncate BEFORE TRUNCATE ON audit_personal
           FOR EACH STATEMENT EXECUTE FUNCTION audit_personal_guard()""",
        """CREATE OR REPLACE FUNCTION result_versions_guard() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'UPDATE' THEN
               IF OLD.published_at IS NULL THEN RETURN NEW; END IF;
             ELSIF TG_OP = 'DELETE' THEN
               IF OLD.published_at IS NULL OR pg_has_role(
                   session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
               THEN
                 RETURN OLD;
               END IF;
             END IF;
             RAISE EXCEPTION 'result version is published and cannot change';
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER result_versions_guard BEFORE UPDATE OR DELETE ON result_versions
           FOR EACH ROW EXECUTE FUNCTION result_versions_guard()""",
        """CREATE TRIGGER result_versions_no_truncate BEFORE TRUNCATE ON result_versions
           FOR EACH STATEMENT EXECUTE FUNCTION result_versions_guard()""",
    ],
}
NEW_GUARD_DROPS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_entries_no_update",
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
        "DROP TRIGGER IF EXISTS audit_personal_no_delete",
        "DROP TRIGGER IF EXISTS audit_personal_pseudonymise_only",
        "DROP TRIGGER IF EXISTS result_versions_published_frozen",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS result_versions_no_truncate ON result_versions",
        "DROP TRIGGER IF EXISTS result_versions_guard ON result_versions",
        "DROP FUNCTION IF EXISTS result_versions_guard()",
        "DROP TRIGGER IF EXISTS audit_personal_no_truncate ON audit_personal",
        "DROP TRIGGER IF EXISTS audit_personal_guard ON audit_personal",
        "DROP FUNCTION IF EXISTS audit_personal_guard()",
        "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
        "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
        "DROP FUNCTION IF EXISTS audit_entries_append_only()",
    ],
}

GENESIS = "0" * 64
ENTRY_COLUMNS = (
    "id actor_id action object_type object_id area_id outcome prev_hash entry_hash".split()
)


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def _entries(*extra: sa.ColumnClause) -> sa.TableClause:
    return sa.table(
        "audit_entries",
        *(sa.column(name) for name in ENTRY_COLUMNS),
        sa.column("at", pbplatform.db.UTCDateTime()),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        *extra,
    )


def _legacy_digest(row) -> str:
    """The hash rule before this revision (no ip, no area_id, no id, no key)."""
    payload = json.dumps(
        [
            row.prev_hash,
            row.at.isoformat(),
            row.actor_id,
            row.actor_label,
            row.action,
            row.object_type,
            row.object_id,
            row.before,
            row.after,
            row.outcome,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _reseal(connection: sa.Connection) -> list[dict]:
    """Verify the old chain, then seal every entry under the new rule; returns the personal
    rows, written once their table exists (SQLite cannot rebuild a referenced table)."""
    from pbplatform.audit import chain
    from pbplatform.audit.services import _split

    old = _entries(sa.column("actor_label"), sa.column("ip"))
    new = _entries(sa.column("personal_digest"), sa.column("entry_mac"))
    prev_old, prev_new, personal_rows = GENESIS, GENESIS, []
    for row in connection.execute(sa.select(old).order_by(old.c.id)).all():
        if row.prev_hash != prev_old or _legacy_digest(row) != row.entry_hash:
            raise RuntimeError(
                f"audit entry {row.id} fails the old hash chain: the log was altered before "
                "this upgrade. Investigate (and restore from a backup) before sealing it."
            )
        prev_old = row.entry_hash
        before, before_personal = _split(row.object_type, row.before)
        after, after_personal = _split(row.object_type, row.after)
        data = {k: v for k, v in (("before", before_personal), ("after", after_personal)) if v}
        fields = chain.personal_fields(row.actor_label, row.ip, data or None)
        salt = secrets.token_hex(16)
        entry = SimpleNamespace(
            **{c: getattr(row, c) for c in ENTRY_COLUMNS},
            at=row.at,
            before=before,
            after=after,
            personal_digest=chain.personal_digest(salt, fields),
        )
        entry.prev_hash = prev_new
        digest = chain.entry_hash(entry)
        connection.execute(
            sa.update(new)
            .where(new.c.id == row.id)
            .values(
                before=before,
                after=after,
                prev_hash=prev_new,
                entry_hash=digest,
                entry_mac=chain.entry_mac(digest),
                personal_digest=entry.personal_digest,
            )
        )
        personal_rows.append(
            {
                "entry_id": row.id,
                "actor_label": row.actor_label,
                "ip": row.ip,
                "data": data or None,
                "salt": salt,
                "pseudonymised": False,
                "mac": chain.personal_mac(row.id, False, fields),
            }
        )
        prev_new = digest
    return personal_rows


def upgrade() -> None:
    _run(OLD_GUARD_DROPS)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_mac", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("fk_audit_entries_actor_id_users", type_="foreignkey")
    personal_rows = _reseal(op.get_bind())
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("personal_digest", existing_type=sa.String(64), nullable=False)
        batch_op.alter_column("entry_mac", existing_type=sa.String(64), nullable=False)
        batch_op.drop_column("actor_label")
        batch_op.drop_column("ip")
    personal = op.create_table(
        "audit_personal",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("actor_label", sa.String(length=120), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("pseudonymised", sa.Boolean(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["audit_entries.id"], name=op.f("fk_audit_personal_entry_id_audit_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_personal")),
    )
    if personal_rows:
        op.bulk_insert(personal, personal_rows)
    with op.batch_alter_table("result_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_head_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("audit_head_hash", sa.String(length=64), nullable=True))
    _run(NEW_GUARDS)


def _unseal(connection: sa.Connection, held: dict) -> None:
    """Put the personal fields back and re-chain under the old rule."""
    entries = _entries(sa.column("actor_label"), sa.column("ip"))
    prev = GENESIS
    for row in connection.execute(sa.select(entries).order_by(entries.c.id)).all():
        personal = held.get(row.id)
        data = (personal.data if personal else None) or {}
        values = {
            "actor_label": personal.actor_label if personal else "?",
            "ip": personal.ip if personal else None,
            "before": None if row.before is None else {**row.before, **data.get("before", {})},
            "after": None if row.after is None else {**row.after, **data.get("after", {})},
            "prev_hash": prev,
        }
        merged = SimpleNamespace(**{**row._asdict(), **values})
        values["entry_hash"] = prev = _legacy_digest(merged)
        connection.execute(sa.update(entries).where(entries.c.id == row.id).values(**values))


def downgrade() -> None:
    _run(NEW_GUARD_DROPS)
    with op.batch_alter_table("result_versions", schema=None) as batch_op:
        batch_op.drop_column("audit_head_hash")
        batch_op.drop_column("audit_head_id")
    personal = sa.table(
        "audit_personal",
        sa.column("entry_id"),
        sa.column("actor_label"),
        sa.column("ip"),
        sa.column("data", sa.JSON()),
    )
    held = {p.entry_id: p for p in op.get_bind().execute(sa.select(personal)).all()}
    op.drop_table("audit_personal")  # first: SQLite cannot rebuild a referenced table
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_label", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("ip", sa.String(length=45), nullable=True))
    # The old foreign key needs every actor to exist; actors since deleted become unknown.
    op.execute(
        "UPDATE audit_entries SET actor_id = NULL "
        "WHERE actor_id IS NOT NULL AND actor_id NOT IN (SELECT id FROM users)"
    )
    _unseal(op.get_bind(), held)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("actor_label", existing_type=sa.String(120), nullable=False)
        batch_op.drop_column("entry_mac")
        batch_op.drop_column("personal_digest")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_entries_actor_id_users"),
            "users",
            ["actor_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _run(OLD_GUARDS)
