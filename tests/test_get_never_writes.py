"""A GET never writes: every GET route of the access matrix, for every role, runs zero
INSERT/UPDATE/DELETE statements.

The scene is the access matrix's, with its cycle's review phase already due by the calendar
(the timer has not run yet): a page may show the phase the clock implies, never store it.
Due phase changes are written only by `flask pb advance-phases`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_request_context, request

from pbplatform.cycles.models import Cycle, CyclePhase, Phase
from pbplatform.db import utcnow
from pbplatform.extensions import db as _db
from tests.factories import login_as
from tests.test_access_matrix import ROLES, ROUTES, _scene, _url

WRITES = ("INSERT", "UPDATE", "DELETE")
Writes = Callable[[], list[str]]
# The only writes a GET may make. Session bookkeeping is not here on purpose: it lives in the
# signed cookie (or Redis), never in the database.
# An officer refused an area outside their remit: `require_area` (pbplatform/security/access.py)
# audits the refusal on its own transaction, a security record by design. Allowed: the audit
# rows (entry and its personal part) of a request that wrote an `authz.denied` entry.
REFUSAL_AUDIT = ("INSERT INTO audit_entries", "INSERT INTO audit_personal")
REFUSAL_ACTION = "authz.denied"


GET_ROUTES = sorted(e for e, entry in ROUTES.items() if entry.get("method", "GET") == "GET")


@pytest.fixture
def get_writes(app: Flask, db) -> Iterator[Writes]:
    """A function giving the write statements run so far while GET requests were handled."""
    writes: list[tuple[int, str, str]] = []  # (request, "path: statement", parameters)

    def record(conn, cursor, statement: str, params, context, executemany) -> None:  # noqa: ANN001
        if not (has_request_context() and request.method == "GET"):
            return
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            line = f"{request.path}: {statement.splitlines()[0][:120]}"
            writes.append((id(request._get_current_object()), line, repr(params)))

    def unexpected() -> list[str]:
        refused = {req for req, _line, params in writes if REFUSAL_ACTION in params}
        return [
            line
            for req, line, _params in writes
            if not (req in refused and line.split(": ", 1)[1].startswith(REFUSAL_AUDIT))
        ]

    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield unexpected
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _due_scene(stored: str = "proposals") -> dict[str, Any]:
    """The matrix scene with the phase after `stored` due an hour ago, not yet stored."""
    scene = _scene()
    cycle = _db.session.get(Cycle, scene["values"]["cycle_id"])
    if stored == "voting":  # voting open, closing time passed: pages must not close it
        cycle.phase, cycle.rules_frozen_at = "voting", utcnow() - timedelta(days=1)
        cycle.phase_dates.append(CyclePhase(phase="counting", starts_at=utcnow()))
    due = Phase(stored).later[0]
    for phase_date in cycle.phase_dates:
        if phase_date.phase == due:
            phase_date.starts_at = utcnow() - timedelta(hours=1)
    _db.session.commit()
    return scene


@pytest.mark.parametrize("stored", ["proposals", "voting"])
@pytest.mark.parametrize("endpoint", GET_ROUTES)
def test_get_route_writes_nothing(
    app: Flask, db, get_writes: Writes, endpoint: str, stored: str
) -> None:
    scene = _due_scene(stored)
    url = _url(ROUTES[endpoint], scene["values"])
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login_as(client, scene["users"][role])
        status = client.get(url).status_code
        assert status < 500, f"{role}: {status}"
    assert get_writes() == []


def test_the_guard_sees_a_write_during_a_get(app: Flask, db, get_writes: Writes) -> None:
    """The guard itself can fail: a write run inside a GET request context is recorded."""
    scene = _due_scene()
    with app.test_request_context("/", method="GET"):
        cycle = _db.session.get(Cycle, scene["values"]["cycle_id"])
        cycle.name = "Renamed"
        _db.session.flush()
    assert len(get_writes()) == 1
    assert "UPDATE cycles" in get_writes()[0]
