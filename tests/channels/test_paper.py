"""Paper ballots: one by one (valid / stored invalid) and all-or-nothing CSV imports."""

from __future__ import annotations

import io

import sqlalchemy as sa

from pbplatform.channels.models import PaperImport, VotingSite
from pbplatform.voting.models import Ballot, Participation
from tests.factories import login_as
from tests.sealed import unseal_all


def _scene(make_cycle, make_proposal, make_user, checks_voters=False, **cycle_fields):
    cycle = make_cycle("voting", area_budget=100_000_00, **cycle_fields)
    area = cycle.areas[0].area
    props = [make_proposal(cycle, area=area, cost=40_000_00) for _ in range(3)]
    officer = make_user("officer", officer_areas=(area,))
    from pbplatform.extensions import db

    site = VotingSite(
        cycle_id=cycle.id,
        area_id=area.id,
        name="School",
        address="Main St 1",
        checks_voters=checks_voters,
    )
    db.session.add(site)
    db.session.flush()
    return cycle, area, props, officer, site


def _count(db, model, **where):
    unseal_all()  # ballots are sealed while voting is open (tests.sealed)
    stmt = sa.select(sa.func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return db.session.scalar(stmt)


def test_site_registry_is_audited_and_public(client, db, make_cycle, make_user):
    cycle = make_cycle("voting")
    login_as(client, make_user("officer"))
    r = client.post(
        f"/officer/paper/{cycle.slug}",
        data={"name": "Library", "address": "Park Rd 2", "area_id": 0},
    )
    assert r.status_code == 302
    page = client.get(f"/cycles/{cycle.slug}/how-to-vote")
    assert b"Library" in page.data
    assert b"this site is anonymous" in page.data


def test_one_by_one_valid_and_invalid(client, db, make_cycle, make_proposal, make_user):
    cycle, area, (p1, p2, p3), officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    url = f"/officer/paper/{cycle.slug}/sites/{site.id}/ballot?area={area.id}"
    assert client.get(url).status_code == 200
    r = client.post(url, data={"serial": "S-1", f"p-{p1.id}": "1", f"p-{p2.id}": "1"})
    assert r.status_code == 302
    # 120,000 over a 100,000 budget: stored INVALID with the reason, not dropped
    r = client.post(
        url,
        data={"serial": "S-2", f"p-{p1.id}": "1", f"p-{p2.id}": "1", f"p-{p3.id}": "1"},
        follow_redirects=True,
    )
    assert b"stored as INVALID" in r.data
    unseal_all()
    ballots = {
        b.serial: b
        for b in db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id))
    }
    assert ballots["S-1"].is_valid
    assert len(ballots["S-1"].choices) == 2
    assert not ballots["S-2"].is_valid
    assert "budget" in ballots["S-2"].invalid_reason
    assert _count(db, Participation, cycle_id=cycle.id) == 0  # anonymous site
    # the same serial again is refused and nothing more is stored
    r = client.post(url, data={"serial": "S-1", f"p-{p1.id}": "1"})
    assert r.status_code in (409, 422)
    assert _count(db, Ballot, cycle_id=cycle.id) == 2


def _csv(rows, header="serial,area_code,choices"):
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def _import(client, cycle, site, data, name="ballots.csv"):
    return client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_one_bad_row_in_a_thousand_stores_nothing(client, db, make_cycle, make_proposal, make_user):
    cycle, area, (p1, p2, _p3), officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    rows = [f"P{i:04d},{area.code},{p1.tracking_number};{p2.tracking_number}" for i in range(1000)]
    rows[55] = f"P0055,{area.code},{p1.tracking_number};LI-2026-0999"  # row 57 of the file
    r = _import(client, cycle, site, _csv(rows))
    assert r.status_code == 422
    assert b"row 57: unknown project LI-2026-0999" in r.data
    assert _count(db, Ballot, cycle_id=cycle.id) == 0
    assert _count(db, PaperImport, cycle_id=cycle.id) == 0


def test_every_kind_of_bad_row_is_reported(client, db, make_cycle, make_proposal, make_user):
    cycle, area, (p1, p2, p3), officer, site = _scene(make_cycle, make_proposal, make_user)
    other = cycle.areas[1].area
    login_as(client, officer)
    rows = [
        f"A1,{area.code},{p1.tracking_number}",
        f"A1,{area.code},{p2.tracking_number}",  # row 3: duplicate serial
        f"A3,ZZ,{p1.tracking_number}",  # row 4: unknown area
        f"A4,{other.code},{p1.tracking_number}",  # row 5: area not at this site
        f"A5,{area.code},{p1.tracking_number}:-2",  # row 6: negative points
        f"A6,{area.code},{p1.tracking_number},extra",  # row 7: extra column
        f"A7,{area.code}",  # row 8: missing column
    ]
    r = _import(client, cycle, site, _csv(rows))
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    for n in (3, 4, 5, 6, 7, 8):
        assert f"row {n}:" in text
    assert "row 2:" not in text
    assert _count(db, Ballot, cycle_id=cycle.id) == 0
    r = _import(client, cycle, site, "serial,area_code,choices\nX,\xff\n".encode("latin-1"))
    assert r.status_code == 422
    assert b"not UTF-8" in r.data
    r = _import(client, cycle, site, _csv([], header="serial,choices"))
    assert r.status_code == 422
    assert b"row 1:" in r.data


def test_over_budget_row_is_stored_invalid_and_file_replay_refused(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, (p1, p2, p3), officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    tns = ";".join(p.tracking_number for p in (p1, p2, p3))
    data = _csv(
        [f"B1,{area.code},{p1.tracking_number}", f"B2,{area.code},{tns}", f"B3,{area.code},"]
    )
    r = _import(client, cycle, site, data)
    assert r.status_code == 302, r.data
    unseal_all()
    ballots = {
        b.serial: b
        for b in db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id))
    }
    assert ballots["B1"].is_valid
    assert not ballots["B2"].is_valid
    assert not ballots["B3"].is_valid
    record = db.session.scalar(sa.select(PaperImport).where(PaperImport.cycle_id == cycle.id))
    assert (record.row_count, record.invalid_count) == (3, 2)
    # the same file again (same hash) and a new file repeating a serial are refused
    assert _import(client, cycle, site, data, name="again.csv").status_code == 409
    r = _import(client, cycle, site, _csv([f"B1,{area.code},{p2.tracking_number}"]))
    assert r.status_code == 422
    assert b"serial B1 is already stored" in r.data
    assert _count(db, Ballot, cycle_id=cycle.id) == 3


def test_cumulative_points_in_csv(client, db, make_cycle, make_proposal, make_user):
    from decimal import Decimal

    cycle, area, (p1, p2, _p3), officer, site = _scene(
        make_cycle, make_proposal, make_user, ballot_rule="cumulative", points_total=Decimal(5)
    )
    login_as(client, officer)
    data = _csv(
        [
            f"C1,{area.code},{p1.tracking_number}:2.5;{p2.tracking_number}:2.5",
            f"C2,{area.code},{p1.tracking_number}:4;{p2.tracking_number}:2",
        ]
    )
    assert _import(client, cycle, site, data).status_code == 302
    unseal_all()
    ballots = {
        b.serial: b
        for b in db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id))
    }
    assert sorted(c.points for c in ballots["C1"].choices) == [Decimal("2.5")] * 2
    assert not ballots["C2"].is_valid  # 6 points of 5


def test_officer_of_another_area_cannot_import(client, db, make_cycle, make_proposal, make_user):
    cycle, area, (p1, *_), _officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, make_user("officer", officer_areas=(cycle.areas[1].area,)))
    r = _import(client, cycle, site, _csv([f"D1,{area.code},{p1.tracking_number}"]))
    assert r.status_code == 403
    assert _count(db, Ballot, cycle_id=cycle.id) == 0
