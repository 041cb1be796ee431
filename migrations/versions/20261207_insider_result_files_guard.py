"""result files guard: a published version's stored files cannot be changed or deleted

The application's role loses DELETE on result_files (`flask pb grant-app-role`, run after
this upgrade); the triggers refuse UPDATE and TRUNCATE for everyone and DELETE for anyone but
the owner (as in pbplatform/results/models.py at this revision). SQLite: UPDATE only.

Revision ID: 20261207_insider
Revises: 20261207_deliver
Create Date: 2026-12-07 07:40:00
"""

from alembic import op

revision = "20261207_insider"
down_revision = "20261207_deliver"
branch_labels = None
depends_on = None

GUARDS = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS result_files_frozen BEFORE UPDATE ON result_files
           BEGIN SELECT RAISE(ABORT, 'a published result file cannot change'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION result_files_guard() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'DELETE' AND pg_has_role(
                 session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
               RETURN OLD;
             END IF;
             RAISE EXCEPTION 'a published result file cannot change or be deleted';
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER result_files_guard BEFORE UPDATE OR DELETE ON result_files
           FOR EACH ROW EXECUTE FUNCTION result_files_guard()""",
        """CREATE TRIGGER result_files_no_truncate BEFORE TRUNCATE ON result_files
           FOR EACH STATEMENT EXECUTE FUNCTION result_files_guard()""",
    ],
}
DROPS = {
    "sqlite": ["DROP TRIGGER IF EXISTS result_files_frozen"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS result_files_no_truncate ON result_files",
        "DROP TRIGGER IF EXISTS result_files_guard ON result_files",
        "DROP FUNCTION IF EXISTS result_files_guard()",
    ],
}


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade():
    _run(GUARDS)


def downgrade():
    _run(DROPS)
