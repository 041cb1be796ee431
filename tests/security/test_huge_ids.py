"""Attack 2026-12-07, B4 (case 46 / INV-10): an id in a URL that no row can have is 404.

On PostgreSQL an id beyond int4 reached the query and failed as a `DataError`, answered as a
database outage (503, logged as one) that any resident could trigger at will; on SQLite an
id beyond 64 bits overflowed the driver (500). The `int` URL converter is bounded (its
`max` defaults to the largest int4), and an out-of-range number that still reaches
PostgreSQL (a query-string or form value) is a 404 too.
"""

from __future__ import annotations

import pytest

from pbplatform.routing import INT4_MAX
from tests.factories import create_cycle, create_user, login_as

HUGE = [str(INT4_MAX + 1), str(10**20)]

ROUTES = [
    ("get", "/admin/users/{n}"),
    ("post", "/admin/users/{n}/deactivate"),
    ("get", "/account/privacy/export/{n}"),
    ("post", "/offers/{n}/withdraw"),
    ("get", "/officer/offers/{n}"),
    ("get", "/officer/meetings/{slug}/{n}"),
    ("get", "/officer/cycles/{slug}/results/{n}"),
    ("get", "/admin/cycles/{n}/edit"),
    ("get", "/jobs/{n}"),
    ("post", "/account/tokens/{n}/revoke"),
]


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_id_beyond_any_row_is_not_found(client, db, method, path, huge):
    cycle = create_cycle("voting")
    login_as(client, create_user("admin"))
    response = getattr(client, method)(path.format(n=huge, slug=cycle.slug))
    assert response.status_code == 404


def test_the_largest_int4_id_is_still_routed(client, db):
    login_as(client, create_user("admin"))
    assert client.get(f"/admin/users/{INT4_MAX}").status_code == 404  # no such user, no error
