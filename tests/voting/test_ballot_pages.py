"""The resident's ballot through HTTP: sheet, review, cast, refusals; nothing stored on error."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from pbplatform.cycles.models import CyclePhase
from pbplatform.db import utcnow
from pbplatform.voting.models import Ballot, Participation
from tests.factories import create_cycle, create_proposal, create_user, login_as
from tests.sealed import unseal_all

from .conftest import count_rows


def _url(scene, step=""):
    return f"/cycles/{scene.cycle.slug}/ballot" + (f"/{step}" if step else "")


def test_resident_reviews_then_casts_one_ballot(client, db, scene):
    login_as(client, scene.resident)
    page = client.get(_url(scene))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for title in ("Playground", "Cycle lanes", "Stop leaf blowers"):
        assert title in html
    assert "Other area" not in html  # another neighbourhood's list is not on this ballot

    body = {f"p-{scene.a60.id}": "1", f"p-{scene.d40.id}": "1", f"s-{scene.saving.id}": "against"}
    review = client.post(_url(scene, "review"), data=body)
    assert review.status_code == 200
    assert "Cast my ballot" in review.get_data(as_text=True)
    assert count_rows(db) == (0, 0, 0)  # a draft leaves nothing recorded

    cast = client.post(_url(scene, "cast"), data=body)
    assert cast.status_code == 200
    text = cast.get_data(as_text=True)
    assert "was recorded on" in text
    unseal_all()
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert ballot.id not in text
    assert ballot.id[:8] not in text
    participation = db.session.scalars(sa.select(Participation)).one()
    assert (participation.voter_key, participation.channel) == (
        f"user:{scene.resident.id}",
        "online",
    )
    assert ballot.channel == "online"
    assert ballot.area_id == scene.home.id
    assert ballot.is_valid
    stances = {c.proposal_id: (c.points, c.stance) for c in ballot.choices}
    assert stances == {
        scene.a60.id: (Decimal(1), 1),
        scene.d40.id: (Decimal(1), 1),
        scene.saving.id: (Decimal(1), -1),
    }


def test_change_returns_to_the_filled_sheet_and_stores_nothing(client, db, scene):
    login_as(client, scene.resident)
    page = client.post(_url(scene, "review"), data={f"p-{scene.a30.id}": "1", "step": "change"})
    assert page.status_code == 200
    assert re.search(rf'name="p-{scene.a30.id}" value="1" checked', page.get_data(as_text=True))
    assert count_rows(db) == (0, 0, 0)


def test_over_budget_names_the_amounts_and_stores_nothing(client, db, scene):
    login_as(client, scene.resident)
    body = {f"p-{scene.a60.id}": "1", f"p-{scene.a70.id}": "1"}
    for step in ("review", "cast"):
        page = client.post(_url(scene, step), data=body)
        assert page.status_code == 422
        assert (
            "Your choices for Fennpfuhl cost €130,000.00 but the budget is €100,000.00"
            in page.get_data(as_text=True)
        )
    assert count_rows(db) == (0, 0, 0)


def test_district_section_has_its_own_budget(client, db, scene):
    login_as(client, scene.resident)
    body = {f"p-{scene.d150.id}": "1", f"p-{scene.d40.id}": "1", f"p-{scene.a30.id}": "1"}
    page = client.post(_url(scene, "cast"), data=body)
    assert page.status_code == 200  # 190,000 of 200,000 district-wide, 30,000 of 100,000 local
    assert count_rows(db) == (1, 1, 3)


def test_second_ballot_is_refused_kindly(client, db, scene):
    login_as(client, scene.resident)
    body = {f"p-{scene.a30.id}": "1"}
    assert client.post(_url(scene, "cast"), data=body).status_code == 200
    again = client.post(_url(scene, "cast"), data=body)  # a double click or a retry
    assert again.status_code == 409
    assert "already voted" in again.get_data(as_text=True)
    assert "channel: online" in again.get_data(as_text=True)
    assert count_rows(db) == (1, 1, 1)
    assert "already voted" in client.get(_url(scene)).get_data(as_text=True)


def test_vote_outside_the_voting_phase_is_refused(client, db, scene):
    scene.cycle.phase = "counting"
    db.session.flush()
    login_as(client, scene.resident)
    assert client.get(_url(scene)).status_code == 409
    page = client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "1"})
    assert page.status_code == 409
    assert "Voting is not open" in page.get_data(as_text=True)
    assert count_rows(db) == (0, 0, 0)


def test_cast_after_closing_time_is_refused_by_the_server_clock(client, db, scene):
    """Closing time has passed but the timer has not stored the close: still refused."""
    scene.cycle.phase_dates.append(
        CyclePhase(phase="counting", starts_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    login_as(client, scene.resident)
    assert client.get(_url(scene)).status_code == 409
    body = {f"p-{scene.a30.id}": "1"}
    page = client.post(_url(scene, "cast"), data=body)
    assert page.status_code == 409
    assert "Voting is not open" in page.get_data(as_text=True)
    assert count_rows(db) == (0, 0, 0)
    db.session.expire_all()
    assert scene.cycle.phase == "voting"


def test_not_yet_open_is_refused(client, db, scene):
    scene.cycle.phase = "review"
    db.session.flush()
    login_as(client, scene.resident)
    assert client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "1"}).status_code == 409
    assert count_rows(db) == (0, 0, 0)


def test_anonymous_and_residents_without_home_area_cannot_vote(client, db, scene):
    assert client.get(_url(scene)).status_code == 401
    assert client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "1"}).status_code == 401
    homeless = create_user("resident")
    login_as(client, homeless)
    page = client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "1"})
    assert page.status_code == 403
    assert "set your home area" in page.get_data(as_text=True)
    assert count_rows(db) == (0, 0, 0)


def test_projects_the_voter_may_not_choose_refuse_the_whole_ballot(client, db, scene):
    other_cycle = create_cycle("voting", areas=[scene.home])
    foreign = create_proposal(other_cycle, area=scene.home, cost=1_00)
    pending = create_proposal(scene.cycle, area=scene.home, status="pending", cost=1_00)
    withdrawn = create_proposal(scene.cycle, area=scene.home, status="withdrawn", cost=1_00)
    rejected = create_proposal(scene.cycle, area=scene.home, status="rejected", cost=1_00)
    login_as(client, scene.resident)
    for bad in (
        scene.elsewhere.id,
        foreign.id,
        pending.id,
        withdrawn.id,
        rejected.id,
        999_999,
    ):
        page = client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "1", f"p-{bad}": "1"})
        assert page.status_code == 422, bad
        assert "not on this ballot" in page.get_data(as_text=True)
    assert count_rows(db) == (0, 0, 0)


def test_tampered_bodies(client, db, scene):
    login_as(client, scene.resident)
    # Cost fields in the body are ignored: the database's costs make this over budget.
    body = {
        f"p-{scene.a60.id}": "1",
        f"p-{scene.a70.id}": "1",
        f"cost-{scene.a60.id}": "1",
        "cost": "1",
        "total": "0",
    }
    assert client.post(_url(scene, "cast"), data=body).status_code == 422
    # The same project twice.
    dup = {f"p-{scene.a30.id}": ["1", "1"]}
    page = client.post(_url(scene, "cast"), data=dup)
    assert page.status_code == 422
    assert "twice" in page.get_data(as_text=True)
    # Negative, fractional, huge and non-numeric ids.
    for bad in ("-5", "1.5", "99999999999999999999", "abc", ""):
        assert client.post(_url(scene, "cast"), data={f"p-{bad}": "1"}).status_code == 422, bad
    # Points on an approval ballot, and a nonsense stance.
    assert client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "5"}).status_code == 422
    assert (
        client.post(_url(scene, "cast"), data={f"s-{scene.saving.id}": "maybe"}).status_code == 422
    )
    assert client.post(_url(scene, "cast"), data={}).status_code == 422  # empty ballot
    assert count_rows(db) == (0, 0, 0)
    # Extra identity fields are ignored: the ballot is the resident's, online.
    ok = client.post(
        _url(scene, "cast"),
        data={
            f"p-{scene.a30.id}": "1",
            "channel": "paper",
            "voter_id": "1",
            "cycle_id": "999",
            "area_id": str(scene.other.id),
        },
    )
    assert ok.status_code == 200
    unseal_all()
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert (ballot.channel, ballot.area_id) == ("online", scene.home.id)


def test_k_approval_counts_per_section(client, db, scene):
    scene.cycle.ballot_rule, scene.cycle.max_projects = "k_approval", 2
    db.session.flush()
    login_as(client, scene.resident)
    three = {f"p-{scene.a60.id}": "1", f"p-{scene.a70.id}": "1", f"p-{scene.a30.id}": "1"}
    page = client.post(_url(scene, "cast"), data=three)
    assert page.status_code == 422
    assert "at most 2" in page.get_data(as_text=True)
    assert count_rows(db) == (0, 0, 0)
    # Two in the area and two district-wide: over any budget, but k-approval has no budget.
    four = {
        f"p-{scene.a60.id}": "1",
        f"p-{scene.a70.id}": "1",
        f"p-{scene.d150.id}": "1",
        f"p-{scene.d40.id}": "1",
    }
    assert client.post(_url(scene, "cast"), data=four).status_code == 200
    assert count_rows(db) == (1, 1, 4)


def test_cumulative_points_with_fractions(client, db, scene):
    scene.cycle.ballot_rule = "cumulative"
    scene.cycle.points_total = Decimal(5)
    scene.cycle.max_points_per_project = Decimal(3)
    db.session.flush()
    login_as(client, scene.resident)
    assert 'type="number"' in client.get(_url(scene)).get_data(as_text=True)
    too_many = client.post(
        _url(scene, "cast"), data={f"p-{scene.a60.id}": "3", f"p-{scene.d40.id}": "2.5"}
    )
    assert too_many.status_code == 422
    assert "5.5" in too_many.get_data(as_text=True)
    capped = client.post(_url(scene, "cast"), data={f"p-{scene.a60.id}": "3.5"})
    assert capped.status_code == 422
    assert "at most 3" in capped.get_data(as_text=True)
    for bad in ("-1", "1.005", "x", "inf", "NaN"):
        assert (
            client.post(_url(scene, "cast"), data={f"p-{scene.a60.id}": bad}).status_code == 422
        ), bad
    assert count_rows(db) == (0, 0, 0)
    # Budget is not a limit on points ballots; 2.5 + 2.5 = 5 points, zero means "not chosen".
    ok = client.post(
        _url(scene, "cast"),
        data={f"p-{scene.a60.id}": "2.5", f"p-{scene.a70.id}": "2,5", f"p-{scene.a30.id}": "0"},
    )
    assert ok.status_code == 200
    unseal_all()
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert sorted(c.points for c in ballot.choices) == [Decimal("2.5"), Decimal("2.5")]


def test_sheet_order_is_neutral(client, db, scene):
    """The sheet lists by tracking number, whatever the votes (no interim count by order)."""
    login_as(client, scene.resident)
    before = client.get(_url(scene)).get_data(as_text=True)
    voter = create_user("resident", area=scene.home)
    login_as(client, voter)
    assert client.post(_url(scene, "cast"), data={f"p-{scene.a30.id}": "1"}).status_code == 200
    login_as(client, scene.resident)
    after = client.get(_url(scene)).get_data(as_text=True)

    def order(html):
        return re.findall(r'name="p-(\d+)"', html)

    assert order(before) == order(after)
    assert order(before) == [
        str(p.id) for p in (scene.a60, scene.a70, scene.a30, scene.d150, scene.d40)
    ]


def test_without_a_home_area_the_refusal_links_the_account_page(client, db):
    """An officer (no home area) who follows 'Vote now' read 'set your home area ... in your
    account page' with only a link back to the start page."""
    cycle = create_cycle("voting")
    login_as(client, create_user("officer"))
    for lang, title, link in (
        ("en", "Set your home area", "Your account page"),
        ("de", "Wohnstadtteil", "Ihre Kontoseite"),
    ):
        page = client.get(f"/cycles/{cycle.slug}/ballot", headers={"Accept-Language": lang})
        html = page.get_data(as_text=True)
        assert page.status_code == 403
        assert title in html
        assert f'<a href="/account">{link}</a>' in html
