"""Default deny, proven: every route has declared expectations for every role, and meets them.

A new route without an entry in tests/access/ fails `test_every_route_has_an_entry`.
The scene: a cycle with areas A and B, a pending proposal in area A written by the resident,
an officer limited to area A ("officer") and one limited to area B ("officer_other_area").
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.access import all_routes
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as

ROLES = ("anonymous", "resident", "officer", "officer_other_area", "admin")
ROUTES = all_routes()


def test_every_route_has_an_entry(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(endpoints - ROUTES.keys())
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted(ROUTES.keys() - endpoints)
    assert not stale, f"access-matrix entries for routes that no longer exist: {stale}"


def test_every_view_declares_its_access(app: Flask) -> None:
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access_level")
    )
    assert not undeclared, f"views without an access decorator: {undeclared}"


def _scene() -> dict[str, Any]:
    area_a, area_b = create_area("Access A"), create_area("Access B")
    cycle = create_cycle("proposals", areas=[area_a, area_b])
    resident = create_user("resident", area=area_a)
    proposal = create_proposal(cycle, area=area_a, status="pending", author=resident)
    users = {
        "resident": resident,
        "officer": create_user("officer", officer_areas=(area_a,)),
        "officer_other_area": create_user("officer", officer_areas=(area_b,)),
        "admin": create_user("admin"),
    }
    values = {
        "cycle_slug": cycle.slug,
        "cycle_id": cycle.id,
        "area_id": area_a.id,
        "proposal_tn": proposal.tracking_number,
        "proposal_id": proposal.id,
        "user_id": resident.id,
    }
    return {"users": users, "values": values}


def _url(entry: dict[str, Any], values: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        assert key in values, f"unknown placeholder {{{key}}} in {entry['url']}"
        return str(values[key])

    return re.sub(r"\{(\w+)\}", fill, entry["url"])


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_role_as_declared(app: Flask, db, endpoint: str) -> None:
    entry = ROUTES[endpoint]
    scene = _scene()
    url = _url(entry, scene["values"])
    method = entry.get("method", "GET")
    got = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login_as(client, scene["users"][role])
        got[role] = client.open(url, method=method).status_code
    expected = {role: entry[role] for role in ROLES}
    assert got == expected
