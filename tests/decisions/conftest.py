"""A published count (tests/results' counted scene) and two district-wide officers."""

from __future__ import annotations

import pytest

from pbplatform.results.services import publish_results, run_count
from tests.factories import create_user
from tests.results.conftest import build_counted


def build_published(db):
    s = build_counted(db)
    s.version = run_count(s.cycle, s.counter)
    publish_results(s.version, s.checker)
    s.cycle.phase = "results"
    s.recorder = create_user("officer", name="Recording Officer")
    s.confirmer = create_user("officer", name="Confirming Officer")
    db.session.flush()
    rows = {
        row["tracking_number"]: row for lst in s.version.outcome["lists"] for row in lst["projects"]
    }
    s.funded = {tn for tn, row in rows.items() if row["selected"]}
    return s


@pytest.fixture
def published(db):
    return build_published(db)


@pytest.fixture
def counted(db):
    return build_counted(db)
