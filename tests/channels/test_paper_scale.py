"""Issue 12, broken case 8: a paper CSV over about 2,000 rows could not finish within
gunicorn's 30 s, because every row ran two queries (its proposals and their costs). The
checks now read the cycle's proposals and costs once per import, so the number of SELECTs
does not grow with the rows (figures for 20,000 rows in the README)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.factories import login_as

from .test_paper import _csv, _import, _scene


def _selects_for(client, cycle, site, area, props, n, name):
    statements: list[str] = []

    def on_sql(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*SELECT", statement):
            statements.append(statement)

    tns = [p.tracking_number for p in props]
    rows = [f"{name}{i},{area.code},{tns[i % 3]}" for i in range(n)]
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", on_sql)
    try:
        assert _import(client, cycle, site, _csv(rows), name=f"{name}.csv").status_code == 302
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", on_sql)
    return len(statements)


def test_selects_do_not_grow_with_the_rows(client, db, make_cycle, make_proposal, make_user):
    cycle, area, props, officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    # the first ballots of a cycle create its ballot-box key; measure after that
    _selects_for(client, cycle, site, area, props, 1, "W")
    few = _selects_for(client, cycle, site, area, props, 5, "F")
    many = _selects_for(client, cycle, site, area, props, 200, "M")
    assert many == few, (few, many)
