"""The delivery revision moves the old report-back into delivery records, and back."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from pbplatform import create_app
from pbplatform.extensions import db
from tests.factories import create_cycle
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

BEFORE = "20261207_p_meeting_events"  # the revision before delivery
REVISION = "20261207_deliver"


def _seed(conn: sa.Connection, cycle_id: int) -> None:
    for pid, status, report in (
        (1, "done", "Benches installed in June."),
        (2, "not_done", "The site was sold."),
        (3, None, None),
    ):
        conn.execute(
            sa.text(
                "INSERT INTO proposals (id, cycle_id, tracking_number, kind, title, description, "
                "category, estimated_cost_minor, status, is_hidden, channel, contact_consent, "
                "delivery_status, delivery_report, officer_cost_minor, created_at, updated_at) "
                "VALUES (:id, :cycle, :tn, 'spending', 'T', 'D', 'other', 100, 'approved', false, "
                "'web', false, :status, :report, 100, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"id": pid, "cycle": cycle_id, "tn": f"TC-M{pid}", "status": status, "report": report},
        )


def test_old_reports_move_into_delivery_records_and_back(empty_database_url):  # noqa: F811
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE)
            cycle_id = create_cycle("results").id  # the cycles table is as today
            db.session.commit()
            with db.engine.begin() as conn:
                _seed(conn, cycle_id)
            flask_migrate.upgrade(revision=REVISION)
            with db.engine.connect() as conn:
                records = conn.execute(
                    sa.text(
                        "SELECT proposal_id, status, progress, not_done_reason FROM deliveries "
                        "ORDER BY proposal_id"
                    )
                ).all()
                texts = conn.execute(
                    sa.text("SELECT text FROM delivery_milestones ORDER BY id")
                ).scalars()
                assert [tuple(r) for r in records] == [
                    (1, "done", 100, None),
                    (2, "not_done", 0, "The site was sold."),
                ]
                assert list(texts) == ["Benches installed in June.", "The site was sold."]
                columns = {c["name"] for c in sa.inspect(conn).get_columns("proposals")}
                assert "delivery_status" not in columns
            flask_migrate.downgrade(revision=BEFORE)
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT id, delivery_status, delivery_report FROM proposals ORDER BY id"
                    )
                ).all()
            assert [tuple(r) for r in rows] == [
                (1, "done", "Benches installed in June."),
                (2, "not_done", "The site was sold."),
                (3, None, None),
            ]
        finally:
            db.session.remove()
            db.engine.dispose()
