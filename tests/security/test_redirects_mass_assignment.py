"""Open redirects (case 30) and mass assignment (case 25), swept over every route of url_map.

Feature tests cover login, logout and the forms one by one; these sweeps make sure that a
new route reading `next`, or a new form bound too generously, is caught as well.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from tests.security.conftest import MUTATING, app_rules, fill_rule, login
from tests.security.scene import build_scene

TARGETS = (
    "https://evil.test/x",
    "//evil.test",
    "/\\evil.test",
    "\\\\evil.test",
    "javascript:alert(1)",
    "http:/evil.test",
    " //evil.test",
    "/%0d%0aLocation:evil.test",
    "https:evil.test",
    "\t//evil.test",
)


def _local(location: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.netloc in ("localhost", "") and parts.scheme in ("http", "https")
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.fixture
def scene_app(build_app):
    app = build_app()
    with app.app_context():
        scene = build_scene("voting")
    return app, scene


def test_no_route_redirects_off_site(scene_app):
    app, scene = scene_app
    offsite = []
    redirects = 0
    for rule in app_rules(app):
        url = fill_rule(rule, scene.values)
        for method in sorted(rule.methods & (MUTATING | {"GET"})):
            for target in TARGETS:
                for user_id in (None, scene.admin_id):
                    client = app.test_client()
                    if user_id:
                        login(app, client, user_id)  # again each time: /logout ends it
                    response = client.open(
                        url, method=method, query_string={"next": target}, data={"next": target}
                    )
                    location = response.headers.get("Location")
                    if location is None:
                        continue
                    redirects += 1
                    if not _local(location):
                        offsite.append((method, url, target, location))
    assert not offsite
    assert redirects > 50  # login, logout, language, offers ... really redirected


FORBIDDEN_FIELDS = {
    "role": "admin",
    "is_admin": "1",
    "is_active_account": "1",
    "session_token": "planted",
    "password_hash": "planted",
    "home_area_id": "0",
    "user_id": "1",
    "author_id": "1",
    "status": "approved",
    "is_hidden": "0",
    "officer_cost_minor": "1",
    "verified": "1",
    "cycle_id": "0",
    "tracking_number": "XX-1",
    "entered_by_id": "1",
    "offerer_id": "1",
    "value_minor": "1",
    "merged_into_id": "1",
    "rules_frozen_at": "2000-01-01",
}


def test_extra_fields_on_every_resident_write_change_nothing_they_name(scene_app):
    app, scene = scene_app
    with app.app_context():
        evil = db.session.get(User, scene.evil_id)
        before = (evil.role, evil.password_hash, evil.session_token, evil.home_area_id, evil.email)
    for rule in app_rules(app):
        if rule.rule.startswith("/api/") or rule.rule == "/logout":
            continue
        for method in sorted(rule.methods & MUTATING):
            client = app.test_client()
            login(app, client, scene.evil_id)
            client.open(
                fill_rule(rule, scene.values),
                method=method,
                data={
                    **FORBIDDEN_FIELDS,
                    "title": "A harmless title",
                    "display_name": "Renamed resident",
                    "home_area": str(scene.area_a_id),  # the profile form's own
                    "description": "A harmless description of a proposal.",
                },
            )
    with app.app_context():
        evil = db.session.get(User, scene.evil_id)
        after = (evil.role, evil.password_hash, evil.session_token, evil.home_area_id, evil.email)
        assert evil.display_name == "Renamed resident"  # the writes really got through
        assert after[0] == "resident"
        assert after[1:3] == before[1:3]
        assert after[3] == before[3]
        assert after[4] == before[4]
        pending = db.session.get(Proposal, scene.pending_id)
        assert pending.status == "pending"
        mine = db.session.scalars(sa.select(Proposal).where(Proposal.author_id == evil.id)).all()
        assert all(p.status != "approved" or p.id == scene.proposal_id for p in mine)
        assert all(not p.officer_cost_minor or p.id == scene.proposal_id for p in mine)
        assert all(not p.tracking_number.startswith("XX") for p in mine)
