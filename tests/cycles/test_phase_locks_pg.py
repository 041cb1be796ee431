"""INV-4 on PostgreSQL: closing voting (FOR UPDATE) and a cast (FOR SHARE) serialise on the
cycle row, so a cast in flight either commits before the close or sees the closed phase.

Real commits on separate connections (no `db` fixture); everything is removed afterwards.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from pbplatform.cycles import services
from pbplatform.cycles.models import Area, Cycle
from pbplatform.extensions import db
from tests.factories import create_area, create_cycle

pytestmark = pytest.mark.postgres


@pytest.fixture
def voting_cycle(app):
    with app.app_context():
        areas = [create_area(), create_area()]
        cycle = create_cycle("voting", areas=areas)
        db.session.commit()
        ids = cycle.id, [a.id for a in areas]
    try:
        yield ids[0]
    finally:
        with app.app_context():
            db.session.execute(sa.delete(Cycle).where(Cycle.id == ids[0]))
            db.session.execute(sa.delete(Area).where(Area.id.in_(ids[1])))
            # Its audit entries go in tests/conftest.py's clean-up, as the schema's owner (the
            # app's role cannot delete them).
            db.session.commit()


def _close(app, cycle_id: int, done: dict) -> None:
    with app.app_context():
        services.open_phase(db.session.get(Cycle, cycle_id), "counting")
        done["closed_at"] = time.monotonic()
        db.session.commit()


def test_close_waits_for_a_cast_in_flight(app, voting_cycle):
    done: dict = {}
    with app.app_context():
        cycle = services.lock_cycle(voting_cycle, shared=True)  # the cast's lock
        assert cycle.phase == "voting"
        closer = threading.Thread(target=_close, args=(app, voting_cycle, done))
        closer.start()
        time.sleep(0.5)
        assert "closed_at" not in done  # blocked behind the cast
        cast_committed_at = time.monotonic()
        db.session.commit()
    closer.join(10)
    assert done["closed_at"] > cast_committed_at
    with app.app_context():
        assert db.session.get(Cycle, voting_cycle).phase == "counting"


def test_a_cast_after_the_close_sees_it_closed(app, voting_cycle):
    seen: dict = {}
    with app.app_context():
        services.open_phase(db.session.get(Cycle, voting_cycle), "counting")  # holds FOR UPDATE

        def cast() -> None:
            with app.app_context():
                seen["phase"] = services.lock_cycle(voting_cycle, shared=True).phase
                db.session.rollback()

        caster = threading.Thread(target=cast)
        caster.start()
        time.sleep(0.5)
        assert "phase" not in seen  # waits for the close to commit
        db.session.commit()
    caster.join(10)
    assert seen["phase"] == "counting"
