"""delivery: delivery records, milestones, photos, open-data builds (issue 15 items 4-6)

Moves the old report-back (proposals.delivery_status / delivery_report) into delivery
records: the status becomes the record's status (progress 100 when done), the report text its
first milestone (and the reason when not done). The downgrade moves them back.

Revision ID: 20261207_deliver
Revises: 20261207_p_meeting_events
Create Date: 2026-12-07 08:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import pbplatform.db

revision = "20261207_deliver"
down_revision = "20261207_p_meeting_events"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('count', 'privacy_export')"
NEW_KINDS = "kind IN ('count', 'privacy_export', 'open_data')"

proposals = sa.table(
    "proposals",
    sa.column("id", sa.Integer),
    sa.column("delivery_status", sa.String),
    sa.column("delivery_report", sa.Text),
    sa.column("updated_at", pbplatform.db.UTCDateTime(timezone=True)),
)
deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Integer),
    sa.column("proposal_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("progress", sa.Integer),
    sa.column("committed_minor", sa.BigInteger),
    sa.column("spent_minor", sa.BigInteger),
    sa.column("not_done_reason", sa.Text),
    sa.column("created_at", pbplatform.db.UTCDateTime(timezone=True)),
    sa.column("updated_at", pbplatform.db.UTCDateTime(timezone=True)),
)
milestones = sa.table(
    "delivery_milestones",
    sa.column("id", sa.Integer),
    sa.column("delivery_id", sa.Integer),
    sa.column("on_date", sa.Date),
    sa.column("text", sa.Text),
    sa.column("created_at", pbplatform.db.UTCDateTime(timezone=True)),
)


def _create_tables():
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=160), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("actual_end", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("committed_minor", sa.BigInteger(), nullable=False),
        sa.Column("spent_minor", sa.BigInteger(), nullable=False),
        sa.Column("not_done_reason", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'not_done')",
            name=op.f("ck_deliveries_status_known"),
        ),
        sa.CheckConstraint(
            "progress BETWEEN 0 AND 100", name=op.f("ck_deliveries_progress_percent")
        ),
        sa.CheckConstraint(
            "status != 'done' OR progress = 100", name=op.f("ck_deliveries_done_is_complete")
        ),
        sa.CheckConstraint(
            "status != 'not_done' OR not_done_reason IS NOT NULL",
            name=op.f("ck_deliveries_not_done_has_reason"),
        ),
        sa.CheckConstraint(
            "committed_minor >= 0", name=op.f("ck_deliveries_committed_nonnegative")
        ),
        sa.CheckConstraint("spent_minor >= 0", name=op.f("ck_deliveries_spent_nonnegative")),
        sa.CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name=op.f("ck_deliveries_planned_in_order"),
        ),
        sa.CheckConstraint(
            "actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start",
            name=op.f("ck_deliveries_actual_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_deliveries_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_deliveries_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_deliveries_proposal_id")),
    )
    op.create_table(
        "delivery_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_milestones_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_delivery_milestones_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_milestones")),
    )
    op.create_index(
        op.f("ix_delivery_milestones_delivery_id"), "delivery_milestones", ["delivery_id"]
    )
    op.create_table(
        "milestone_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("created_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_milestone_photos_type_known"),
        ),
        sa.CheckConstraint("byte_size > 0", name=op.f("ck_milestone_photos_size_positive")),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["delivery_milestones.id"],
            name=op.f("fk_milestone_photos_milestone_id_delivery_milestones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_photos")),
        sa.UniqueConstraint("file_name", name=op.f("uq_milestone_photos_file_name")),
    )
    op.create_index(op.f("ix_milestone_photos_milestone_id"), "milestone_photos", ["milestone_id"])
    op.create_table(
        "open_data_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("result_version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("built_at", pbplatform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_open_data_releases_sha256_length")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_open_data_releases_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_data_releases")),
        sa.UniqueConstraint(
            "cycle_id", "number", name=op.f("uq_open_data_releases_cycle_id_number")
        ),
    )
    op.create_index(op.f("ix_open_data_releases_cycle_id"), "open_data_releases", ["cycle_id"])


def _old_reports():
    """(proposal id, status, report, updated_at) of every proposal reported back on."""
    return op.get_bind().execute(
        sa.select(
            proposals.c.id,
            proposals.c.delivery_status,
            proposals.c.delivery_report,
            proposals.c.updated_at,
        ).where(proposals.c.delivery_status.is_not(None))
    ).all()


def _move_reports_in(rows):
    conn = op.get_bind()
    now = datetime.now(UTC)
    for pid, status, report, updated in rows:
        status = status if status in ("planned", "in_progress", "done", "not_done") else "planned"
        reason = (report or "-") if status == "not_done" else None
        delivery_id = conn.execute(
            deliveries.insert()
            .values(
                proposal_id=pid,
                status=status,
                progress=100 if status == "done" else 0,
                committed_minor=0,
                spent_minor=0,
                not_done_reason=reason,
                created_at=updated or now,
                updated_at=updated or now,
            )
            .returning(deliveries.c.id)
        ).scalar_one()
        if report:
            conn.execute(
                milestones.insert().values(
                    delivery_id=delivery_id,
                    on_date=(updated or now).date(),
                    text=report,
                    created_at=updated or now,
                )
            )


def upgrade():
    rows = _old_reports()
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ too), never a batch rebuild: rebuilding
    # proposals drops the old table, and SQLite would cascade that into every child row.
    op.drop_column("proposals", "delivery_report")
    op.drop_column("proposals", "delivery_status")
    _create_tables()
    _move_reports_in(rows)
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint(op.f("ck_jobs_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_jobs_kind_known"), NEW_KINDS)


def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM jobs WHERE kind = 'open_data'"))
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint(op.f("ck_jobs_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_jobs_kind_known"), OLD_KINDS)
    records = conn.execute(
        sa.select(
            deliveries.c.id,
            deliveries.c.proposal_id,
            deliveries.c.status,
            deliveries.c.not_done_reason,
        )
    ).all()
    reports = []
    for delivery_id, pid, status, reason in records:
        texts = (
            conn.execute(
                sa.select(milestones.c.text)
                .where(milestones.c.delivery_id == delivery_id)
                .order_by(milestones.c.on_date, milestones.c.id)
            )
            .scalars()
            .all()
        )
        parts = dict.fromkeys([*texts, *([reason] if reason else [])])  # once each, in order
        report = "\n\n".join(parts) or None
        reports.append((pid, status, report))
    op.drop_index(op.f("ix_open_data_releases_cycle_id"), table_name="open_data_releases")
    op.drop_table("open_data_releases")
    op.drop_index(op.f("ix_milestone_photos_milestone_id"), table_name="milestone_photos")
    op.drop_table("milestone_photos")
    op.drop_index(op.f("ix_delivery_milestones_delivery_id"), table_name="delivery_milestones")
    op.drop_table("delivery_milestones")
    op.drop_table("deliveries")
    op.add_column("proposals", sa.Column("delivery_status", sa.String(length=32), nullable=True))
    op.add_column("proposals", sa.Column("delivery_report", sa.Text(), nullable=True))
    for pid, status, report in reports:
        conn.execute(
            proposals.update()
            .where(proposals.c.id == pid)
            .values(delivery_status=status, delivery_report=report)
        )
