"""merge_request_originals: the proposals of each merge request as rows (was: only a JSON
list, filtered in Python); filled from merge_requests.original_ids

Revision ID: 20261208_merge_originals
Revises: 20261207_r_survey_invitations
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261208_merge_originals"
down_revision = "20261207_r_survey_invitations"
branch_labels = None
depends_on = None


def upgrade():
    originals = op.create_table(
        "merge_request_originals",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["merge_requests.id"],
            name=op.f("fk_merge_request_originals_request_id_merge_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_merge_request_originals_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "proposal_id", name=op.f("pk_merge_request_originals")
        ),
    )
    op.create_index(
        "ix_merge_request_originals_proposal", "merge_request_originals", ["proposal_id"]
    )
    _fill(op.get_bind(), originals)


def _fill(conn, originals):
    """One row per (request, proposal) of the stored lists; ids of proposals since deleted
    are left out (the list itself is kept as it was)."""
    requests = sa.table("merge_requests", sa.column("id"), sa.column("original_ids", sa.JSON))
    existing = set(conn.execute(sa.text("SELECT id FROM proposals")).scalars())
    rows = []
    for request_id, ids in conn.execute(sa.select(requests.c.id, requests.c.original_ids)):
        for pid in dict.fromkeys(ids or []):
            if isinstance(pid, int) and pid in existing:
                rows.append({"request_id": request_id, "proposal_id": pid})
    if rows:
        op.bulk_insert(originals, rows)


def downgrade():
    op.drop_index("ix_merge_request_originals_proposal", table_name="merge_request_originals")
    op.drop_table("merge_request_originals")
