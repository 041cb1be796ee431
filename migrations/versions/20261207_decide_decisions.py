"""decisions: the council's decision per published list (four eyes, versioned, hashed,
frozen once confirmed) and routing of proposals beyond the vote (issue 15 items 2 and 3)

Revision ID: 20261207_decide
Revises: 20261207_insider
Create Date: 2026-12-07 07:14:43
"""

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_decide"
down_revision = "20261207_insider"
branch_labels = None
depends_on = None

# Copied from pbplatform.decisions.models as they were at this revision.
GUARDS = {
    "postgresql": [
        "CREATE OR REPLACE FUNCTION council_decisions_guard() RETURNS trigger AS $$\n"
        "       DECLARE\n"
        "         frozen boolean;\n"
        "       BEGIN\n"
        "         IF TG_OP = 'TRUNCATE' THEN\n"
        "           RAISE EXCEPTION 'council decision is confirmed and cannot change';\n"
        "         END IF;\n"
        "         IF TG_TABLE_NAME = 'council_decisions' THEN\n"
        "           frozen := OLD.confirmed_at IS NOT NULL;\n"
        "         ELSIF TG_OP = 'INSERT' THEN\n"
        "           SELECT confirmed_at IS NOT NULL INTO frozen FROM council_decisions\n"
        "             WHERE id = NEW.decision_id;\n"
        "         ELSE\n"
        "           SELECT confirmed_at IS NOT NULL INTO frozen FROM council_decisions\n"
        "             WHERE id = OLD.decision_id OR (TG_OP = 'UPDATE' AND id = "
        "NEW.decision_id)\n"
        "             ORDER BY confirmed_at IS NOT NULL DESC LIMIT 1;\n"
        "         END IF;\n"
        "         IF NOT coalesce(frozen, false) THEN\n"
        "           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n"
        "           RETURN NEW;\n"
        "         END IF;\n"
        "         IF TG_OP = 'DELETE' AND pg_has_role(\n"
        "             session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), "
        "'USAGE') THEN\n"
        "           RETURN OLD;\n"
        "         END IF;\n"
        "         RAISE EXCEPTION 'council decision is confirmed and cannot change';\n"
        "       END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER council_decisions_guard BEFORE UPDATE OR DELETE ON "
        "council_decisions\n"
        "       FOR EACH ROW EXECUTE FUNCTION council_decisions_guard()",
        "CREATE TRIGGER council_decisions_no_truncate BEFORE TRUNCATE ON "
        "council_decisions\n"
        "       FOR EACH STATEMENT EXECUTE FUNCTION council_decisions_guard()",
        "CREATE TRIGGER council_decision_entries_guard\n"
        "       BEFORE INSERT OR UPDATE OR DELETE ON council_decision_entries\n"
        "       FOR EACH ROW EXECUTE FUNCTION council_decisions_guard()",
        "CREATE TRIGGER council_decision_entries_no_truncate\n"
        "       BEFORE TRUNCATE ON council_decision_entries\n"
        "       FOR EACH STATEMENT EXECUTE FUNCTION council_decisions_guard()",
    ],
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS council_decisions_confirmed_frozen\n"
        "       BEFORE UPDATE ON council_decisions WHEN OLD.confirmed_at IS NOT NULL\n"
        "       BEGIN SELECT RAISE(ABORT, 'council decision is confirmed and cannot change'); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS council_decision_entries_frozen_update\n"
        "       BEFORE UPDATE ON council_decision_entries\n"
        "       WHEN (SELECT confirmed_at FROM council_decisions WHERE id = OLD.decision_id) "
        "IS NOT NULL\n"
        "         OR (SELECT confirmed_at FROM council_decisions WHERE id = NEW.decision_id) "
        "IS NOT NULL\n"
        "       BEGIN SELECT RAISE(ABORT, 'council decision is confirmed and cannot change'); "
        "END",
        "CREATE TRIGGER IF NOT EXISTS council_decision_entries_frozen_insert\n"
        "       BEFORE INSERT ON council_decision_entries\n"
        "       WHEN (SELECT confirmed_at FROM council_decisions WHERE id = NEW.decision_id) "
        "IS NOT NULL\n"
        "       BEGIN SELECT RAISE(ABORT, 'council decision is confirmed and cannot change'); "
        "END",
    ],
}
GUARD_DROPS = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS council_decision_entries_no_truncate ON council_decision_entries",
        "DROP TRIGGER IF EXISTS council_decision_entries_guard ON council_decision_entries",
        "DROP TRIGGER IF EXISTS council_decisions_no_truncate ON council_decisions",
        "DROP TRIGGER IF EXISTS council_decisions_guard ON council_decisions",
        "DROP FUNCTION IF EXISTS council_decisions_guard()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS council_decision_entries_frozen_insert",
        "DROP TRIGGER IF EXISTS council_decision_entries_frozen_update",
        "DROP TRIGGER IF EXISTS council_decisions_confirmed_frozen",
    ],
}


def _run(statements):
    bind = op.get_bind()
    for statement in statements.get(bind.dialect.name, []):
        op.execute(sa.text(statement))


def upgrade() -> None:
    op.create_table(
        "council_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("result_version_id", sa.Integer(), nullable=False),
        sa.Column("list_key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=True),
        sa.Column("minutes_url", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", pbplatform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "minutes_url IS NULL OR minutes_url LIKE 'http://%' OR minutes_url LIKE 'https://%'",
            name=op.f("ck_council_decisions_minutes_url_http"),
        ),
        sa.CheckConstraint(
            "(confirmed_by_id IS NULL) = (confirmed_at IS NULL)"
            " AND (confirmed_at IS NULL) = (content_hash IS NULL)",
            name=op.f("ck_council_decisions_confirmed_complete"),
        ),
        sa.CheckConstraint(
            "confirmed_at IS NULL OR session_date IS NOT NULL",
            name=op.f("ck_council_decisions_confirmed_has_session"),
        ),
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id != recorded_by_id",
            name=op.f("ck_council_decisions_four_eyes"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_council_decisions_version_positive")),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_council_decisions_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_council_decisions_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_council_decisions_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["result_version_id"],
            ["result_versions.id"],
            name=op.f("fk_council_decisions_result_version_id_result_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_decisions")),
        sa.UniqueConstraint(
            "cycle_id",
            "list_key",
            "version",
            name=op.f("uq_council_decisions_cycle_id_list_key_version"),
        ),
    )
    with op.batch_alter_table("council_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_council_decisions_one_draft",
            ["cycle_id", "list_key"],
            unique=True,
            sqlite_where=sa.text("confirmed_at IS NULL"),
            postgresql_where=sa.text("confirmed_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_council_decisions_result_version_id"),
            ["result_version_id"],
            unique=False,
        )

    op.create_table(
        "proposal_routings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("authority", sa.String(length=200), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("to_cycle_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind != 'carried_over' OR (to_cycle_id IS NOT NULL AND to_cycle_id != cycle_id)",
            name=op.f("ck_proposal_routings_carried_over_has_target"),
        ),
        sa.CheckConstraint(
            "kind != 'done_without_vote' OR (cost_minor IS NOT NULL AND done_on IS NOT NULL)",
            name=op.f("ck_proposal_routings_done_has_cost_and_date"),
        ),
        sa.CheckConstraint(
            "kind != 'forwarded' OR authority IS NOT NULL",
            name=op.f("ck_proposal_routings_forwarded_has_authority"),
        ),
        sa.CheckConstraint(
            "kind IN ('forwarded', 'done_without_vote', 'carried_over')",
            name=op.f("ck_proposal_routings_kind_known"),
        ),
        sa.CheckConstraint(
            "(answer IS NULL) = (answered_on IS NULL)",
            name=op.f("ck_proposal_routings_answer_complete"),
        ),
        sa.CheckConstraint(
            "cost_minor IS NULL OR cost_minor >= 0",
            name=op.f("ck_proposal_routings_cost_nonnegative"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_proposal_routings_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_proposal_routings_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_routings_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_proposal_routings_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_cycle_id"],
            ["cycles.id"],
            name=op.f("fk_proposal_routings_to_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_routings")),
    )
    with op.batch_alter_table("proposal_routings", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_routings_cycle_kind", ["cycle_id", "kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposal_routings_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "council_decision_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status != 'adopted_with_changes' OR amount_minor IS NOT NULL OR changes IS NOT NULL",
            name=op.f("ck_council_decision_entries_changes_said"),
        ),
        sa.CheckConstraint(
            "status IN ('adopted', 'adopted_with_changes', 'deferred', 'rejected')",
            name=op.f("ck_council_decision_entries_status_known"),
        ),
        sa.CheckConstraint(
            "amount_minor IS NULL OR amount_minor >= 0",
            name=op.f("ck_council_decision_entries_amount_nonnegative"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["council_decisions.id"],
            name=op.f("fk_council_decision_entries_decision_id_council_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_council_decision_entries_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_decision_entries")),
        sa.UniqueConstraint(
            "decision_id",
            "proposal_id",
            name=op.f("uq_council_decision_entries_decision_id_proposal_id"),
        ),
    )
    with op.batch_alter_table("council_decision_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_council_decision_entries_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_council_decision_entries_proposal_id"), ["proposal_id"], unique=False
        )
    _run(GUARDS)


def downgrade() -> None:
    _run(GUARD_DROPS)
    with op.batch_alter_table("council_decision_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_decision_entries_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_council_decision_entries_decision_id"))

    op.drop_table("council_decision_entries")
    with op.batch_alter_table("proposal_routings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_routings_proposal_id"))
        batch_op.drop_index("ix_proposal_routings_cycle_kind")

    op.drop_table("proposal_routings")
    with op.batch_alter_table("council_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_decisions_result_version_id"))
        batch_op.drop_index(
            "ix_council_decisions_one_draft",
            sqlite_where=sa.text("confirmed_at IS NULL"),
            postgresql_where=sa.text("confirmed_at IS NULL"),
        )

    op.drop_table("council_decisions")
