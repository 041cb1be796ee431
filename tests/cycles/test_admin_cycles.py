"""Admin set-up of areas and cycles through the HTTP client: stored right, or refused whole."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.cycles.models import Area, Cycle, CycleArea, CyclePhase
from tests.cycles.conftest import cycle_form
from tests.factories import login_as


def _cycles(db):
    return db.session.scalars(sa.select(Cycle)).all()


def test_create_cycle_with_areas_budgets_and_dates(admin_client, db, make_area):
    north, south, east = make_area("North"), make_area("South"), make_area("East")
    form = cycle_form(
        [(north, "12500.00"), (south, "9999.99"), (east, "")],
        phase_start_proposals="2027-01-10T09:00",
        phase_start_voting="2027-03-01T00:00",
        savings_target="1000",
        savings_share_pct="20",
    )
    response = admin_client.post("/admin/cycles/new", data=form)
    assert response.status_code == 302
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == "lichtenberg-2026"))
    assert cycle.phase == "draft"
    assert cycle.currency == "EUR"
    assert cycle.tracking_prefix == "LI"
    assert cycle.district_budget_minor == 250_000_00
    assert cycle.hourly_rate_minor == 25_00
    assert cycle.savings_target_minor == 1000_00
    assert cycle.savings_share_pct == 20
    budgets = {ca.area_id: ca.budget_minor for ca in cycle.areas}
    assert budgets == {north.id: 12_500_00, south.id: 9_999_99}  # blank East: not in the cycle
    starts = {p.phase: p.starts_at for p in cycle.phase_dates}
    assert set(starts) == {"proposals", "voting"}
    assert starts["proposals"].tzinfo is not None
    # Europe/Berlin in January is UTC+1.
    assert starts["proposals"].isoformat() == "2027-01-10T08:00:00+00:00"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "cycle.create"))
    assert entry.object_id == str(cycle.id)
    assert entry.after["district_budget_minor"] == 250_000_00


def test_create_form_lists_every_area(admin_client, make_area):
    make_area("Friedrichsfelde")
    page = admin_client.get("/admin/cycles/new")
    assert page.status_code == 200
    assert b"Budget for Friedrichsfelde" in page.data


BAD_INPUT = [
    ({"district_budget": "-5"}, b"The amount must be zero or more."),
    ({"district_budget": "lots"}, b"Enter an amount such as 12500.00."),
    ({"district_budget": "1.234"}, b"Use at most two decimal places."),
    ({"district_budget": "NaN"}, b"The amount must be zero or more."),
    ({"district_budget": "1e40"}, b"The amount is too large."),
    ({"district_budget": ""}, b"Enter an amount."),
    ({"currency": "XYZ"}, b"Enter a currency code from ISO 4217"),
    ({"currency": "EURO"}, b"Enter a currency code from ISO 4217"),
    ({"slug": "Not a slug!"}, b"Lower-case letters, digits and single hyphens only."),
    ({"tracking_prefix": "li-"}, b"One to six capital letters."),
    ({"coproduction_cap_pct": "101"}, b"Number must be between 0 and 100."),
    ({"name": ""}, b"This field is required."),
    (
        {"phase_start_proposals": "2027-02-01T00:00", "phase_start_review": "2027-01-01T00:00"},
        b"Phase dates must be in order",
    ),
    (
        {"phase_start_voting": "2027-02-01T00:00", "phase_start_counting": "2027-02-01T00:00"},
        b"Phase dates must be in order",
    ),
    ({"phase_start_voting": "tomorrow"}, b"Not a valid datetime value."),
]


def test_bad_input_is_a_form_error_and_nothing_stored(admin_client, db, make_area):
    area = make_area()
    for overrides, message in BAD_INPUT:
        form = cycle_form([(area, "10")], **overrides)
        response = admin_client.post("/admin/cycles/new", data=form)
        assert response.status_code == 422, overrides
        assert message in response.data, overrides
        assert _cycles(db) == []
    assert db.session.scalar(sa.select(sa.func.count(CycleArea.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(CyclePhase.id))) == 0
    created = sa.select(AuditEntry).where(AuditEntry.action == "cycle.create")
    assert db.session.scalar(created) is None


def test_negative_area_budget_is_refused(admin_client, db, make_area):
    area = make_area()
    response = admin_client.post("/admin/cycles/new", data=cycle_form([(area, "-1.00")]))
    assert response.status_code == 422
    assert b"The amount must be zero or more." in response.data
    assert _cycles(db) == []


def test_duplicate_slug_is_a_form_error(admin_client, db, make_cycle):
    existing = make_cycle("draft")
    response = admin_client.post("/admin/cycles/new", data=cycle_form(slug=existing.slug))
    assert response.status_code == 422
    assert b"Another cycle already uses this short name." in response.data
    assert len(_cycles(db)) == 1


def test_edit_cycle_changes_budgets_and_removes_an_area(admin_client, db, make_cycle):
    cycle = make_cycle("proposals", areas=2)
    first, second = (ca.area for ca in cycle.areas)
    original_name = cycle.name
    page = admin_client.get(f"/admin/cycles/{cycle.id}/edit")
    assert page.status_code == 200
    assert b'value="100000.00"' in page.data
    form = cycle_form(
        [(first, "5.00"), (second, "")], name="Renamed", slug=cycle.slug, currency="usd"
    )
    assert admin_client.post(f"/admin/cycles/{cycle.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    cycle = db.session.get(Cycle, cycle.id)
    assert cycle.name == "Renamed"
    assert cycle.currency == "USD"
    assert [(ca.area_id, ca.budget_minor) for ca in cycle.areas] == [(first.id, 500)]
    assert cycle.phase_dates == []  # blank dates remove them
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "cycle.update"))
    assert entry.before["name"] == original_name
    assert entry.before["area_budgets"] == {str(first.id): 100_000_00, str(second.id): 100_000_00}
    assert entry.after["name"] == "Renamed"


def test_areas_create_and_rename(admin_client, db):
    response = admin_client.post("/admin/areas", data={"name": "Karlshorst", "code": "kh"})
    assert response.status_code == 302
    area = db.session.scalar(sa.select(Area).where(Area.name == "Karlshorst"))
    assert area.code == "KH"
    duplicate = admin_client.post("/admin/areas", data={"name": "karlshorst", "code": "K2"})
    assert duplicate.status_code == 422
    assert b"An area with this name or code exists already." in duplicate.data
    bad = admin_client.post("/admin/areas", data={"name": "X", "code": "a b"})
    assert bad.status_code == 422
    renamed = admin_client.post(f"/admin/areas/{area.id}", data={"name": "Karlshorst-Ost"})
    assert renamed.status_code == 302
    db.session.refresh(area)
    assert area.name == "Karlshorst-Ost"
    assert db.session.scalar(sa.select(sa.func.count(Area.id))) == 1
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["area.create", "area.rename"]
    listing = admin_client.get("/admin/areas")
    assert b"Karlshorst-Ost" in listing.data


def test_admin_index_lists_cycles(admin_client, make_cycle):
    cycle = make_cycle("review")
    page = admin_client.get("/admin/cycles")
    assert page.status_code == 200
    assert cycle.name.encode() in page.data
    assert f'/admin/cycles/{cycle.id}/advance?to=voting"'.encode() in page.data


def test_residents_and_officers_cannot_reach_admin_pages(
    client, db, make_user, make_cycle, make_area
):
    cycle = make_cycle("draft")
    area = make_area()
    urls = [
        "/admin/cycles",
        "/admin/cycles/new",
        f"/admin/cycles/{cycle.id}/edit",
        f"/admin/cycles/{cycle.id}/rules",
        "/admin/areas",
        f"/admin/areas/{area.id}",
    ]
    for url in urls:
        assert client.get(url).status_code == 401, url
    for role in ("resident", "officer"):
        login_as(client, make_user(role))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        assert client.post("/admin/cycles/new", data=cycle_form()).status_code == 403
        assert (
            client.post(f"/admin/cycles/{cycle.id}/advance", data={"to": "proposals"}).status_code
            == 403
        )
        assert client.post("/admin/areas", data={"name": "Z", "code": "Z"}).status_code == 403
    db.session.refresh(cycle)
    assert cycle.phase == "draft"
    assert len(_cycles(db)) == 1
