"""The merge-originals revision fills its link table from the stored JSON lists, and goes back."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from pbplatform import create_app
from pbplatform.extensions import db
from tests.factories import create_cycle, create_proposal
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

BEFORE = "20261207_cast_job_kinds"
REVISION = "20261208_merge_originals"


def test_stored_merge_requests_get_their_rows_and_downgrade_drops_them(
    empty_database_url,  # noqa: F811
):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE)
            cycle = create_cycle("review")
            a, b, c = (create_proposal(cycle, status="pending") for _n in "abc")
            a, b, c = (a.id, b.id, c.id)  # plain ids: no reload after the commit
            db.session.commit()
            db.session.close()
            with db.engine.begin() as conn:
                for target, originals in ((a, [b, c, b]), (c, [a, 999_999])):
                    conn.execute(
                        sa.text(
                            "INSERT INTO merge_requests (target_id, original_ids, status, "
                            "created_at) VALUES (:t, :o, 'pending', CURRENT_TIMESTAMP)"
                        ).bindparams(sa.bindparam("o", type_=sa.JSON)),
                        {"t": target, "o": originals},
                    )
            flask_migrate.upgrade(revision=REVISION)
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT r.target_id, o.proposal_id FROM merge_request_originals o "
                        "JOIN merge_requests r ON r.id = o.request_id ORDER BY r.id, o.proposal_id"
                    )
                ).all()
            # Duplicates once; an id whose proposal is gone is left out.
            assert [tuple(r) for r in rows] == [(a, b), (a, c), (c, a)]
            flask_migrate.downgrade(revision=BEFORE)
            with db.engine.connect() as conn:
                assert "merge_request_originals" not in sa.inspect(conn).get_table_names()
                kept = conn.execute(sa.text("SELECT count(*) FROM merge_requests")).scalar()
            assert kept == 2
        finally:
            db.session.remove()
            db.engine.dispose()
