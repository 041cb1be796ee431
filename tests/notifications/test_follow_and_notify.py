"""Follow and notify (issue 16 item 1): each life event of a proposal reaches exactly its
followers once, on the site and by e-mail as each chose; votes are never a source; offline
proposers who agreed to contact get letters; one-click unsubscribe by a signed link."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.coproduction.models import Offer
from pbplatform.mail.models import OutboxMessage
from pbplatform.notifications.models import Letter, Notification, NotificationSetting
from pbplatform.notifications.services import unsubscribe_token
from pbplatform.voting.models import Participation
from tests.factories import login_as
from tests.proposals.helpers import form, proposals_of


def _notes(db, user):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def _mails(db, user):
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email)
    ).all()


def _scene(make_cycle, make_user, make_proposal, phase="review"):
    cycle = make_cycle(phase)
    area_a, area_b = (ca.area for ca in cycle.areas)
    officer = make_user("officer", officer_areas=(area_a,))
    proposal = make_proposal(cycle, area=area_a, status="pending", title="Trees for Elm Street")
    return cycle, area_a, area_b, officer, proposal


def _approve(client, officer, proposal):
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/approve",
        data={"officer_cost": "1500.00", "feasibility": "Parks office can plant."},
    )
    assert response.status_code == 303


def test_a_follower_hears_of_an_approval_once_and_others_do_not(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    follower, bystander = make_user(), make_user()
    login_as(client, follower)
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Follow this proposal" in page
    assert client.post(f"/proposals/{proposal.tracking_number}/follow").status_code == 303
    # A second click changes nothing (one follow, one notification later).
    assert client.post(f"/proposals/{proposal.tracking_number}/follow").status_code == 303
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Stop following" in page
    _approve(app.test_client(), officer, proposal)
    [note] = _notes(db, follower)
    assert (note.kind, note.proposal_id, note.read_at) == ("approved", proposal.id, None)
    assert _notes(db, bystander) == []
    login_as(client, follower)
    page = client.get("/notifications").get_data(as_text=True)
    assert "You have 1 unread notification." in page
    assert "A proposal was approved for the ballot" in page
    assert proposal.tracking_number in page
    assert client.post("/notifications/read").status_code == 303
    assert "You have no unread notifications." in client.get("/notifications").get_data(
        as_text=True
    )


def test_authors_follow_what_they_submit_and_hear_the_review(
    app, client, db, make_cycle, make_user
):
    cycle = make_cycle("proposals")
    area_a = cycle.areas[0].area
    author = make_user(area=area_a)
    login_as(client, author)
    response = client.post(f"/proposals/new?cycle={cycle.slug}", data=form(area=str(area_a.id)))
    assert response.status_code in (302, 303)
    [proposal] = proposals_of(cycle)
    assert _notes(db, author) == []  # their own act: no news for them
    cycle.phase = "review"
    db.session.flush()
    officer = make_user("officer", officer_areas=(area_a,))
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/reject",
        data={"reason": "The street belongs to the state."},
    )
    assert response.status_code == 303
    [note] = _notes(db, author)
    assert note.kind == "rejected"
    assert note.note == "The street belongs to the state."


def test_area_followers_hear_of_new_projects_on_their_ballot_and_of_voting(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, area_b, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    neighbour, elsewhere = make_user(area=area_a), make_user(area=area_b)
    for user, area in ((neighbour, area_a), (elsewhere, area_b)):
        login_as(client, user)
        response = client.post("/notifications/follow/area", data={"area": str(area.id)})
        assert response.status_code == 303
    _approve(app.test_client(), officer, proposal)
    assert [n.kind for n in _notes(db, neighbour)] == ["approved"]
    assert _notes(db, elsewhere) == []
    admin = app.test_client()
    login_as(admin, make_user("admin"))
    assert admin.post(f"/admin/cycles/{cycle.id}/advance", data={"to": "voting"}).status_code == 302
    # Voting opening is news for both neighbourhoods of the cycle.
    assert [n.kind for n in _notes(db, neighbour)] == ["approved", "voting_opened"]
    assert [n.kind for n in _notes(db, elsewhere)] == ["voting_opened"]


def test_a_vote_notifies_nobody(app, client, db, make_cycle, make_user, make_proposal):
    cycle = make_cycle("voting")
    area_a = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area_a)
    voter, follower = make_user(area=area_a), make_user(area=area_a)
    login_as(client, follower)
    client.post(f"/proposals/{proposal.tracking_number}/follow")
    client.post("/notifications/follow/cycle", data={"cycle": str(cycle.id)})
    client.post("/notifications/email", data={"email": "immediate"})  # would be mailed at once
    before = db.session.scalar(sa.select(sa.func.count(Notification.id)))
    login_as(client, voter)
    client.post(f"/proposals/{proposal.tracking_number}/follow")
    sheet = client.get(f"/cycles/{cycle.slug}/ballot")
    assert sheet.status_code == 200
    response = client.post(f"/cycles/{cycle.slug}/ballot/cast", data={f"p-{proposal.id}": "1"})
    assert response.status_code == 200
    voted = (
        sa.select(sa.func.count())
        .select_from(Participation)
        .where(Participation.cycle_id == cycle.id)
    )
    assert db.session.scalar(voted) == 1
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == before
    from pbplatform.jobs.models import Job

    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0  # no e-mail job either


def test_immediate_mail_digest_and_one_click_unsubscribe(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    at_once, daily = make_user(), make_user()
    for user in (at_once, daily):
        login_as(client, user)
        client.post(f"/proposals/{proposal.tracking_number}/follow")
    login_as(client, at_once)
    assert client.post("/notifications/email", data={"email": "immediate"}).status_code == 303
    _approve(app.test_client(), officer, proposal)
    [mail] = _mails(db, at_once)
    assert proposal.tracking_number in mail.body
    assert "/notifications/unsubscribe/" in mail.body
    assert _mails(db, daily) == []  # the default is a daily digest
    result = app.test_cli_runner().invoke(args=["pb", "notify-digest"])
    assert result.exit_code == 0, result.output
    assert "1 digest e-mails" in result.output
    [digest] = _mails(db, daily)
    assert proposal.tracking_number in digest.body
    # Run again: nothing new, nothing sent twice.
    result = app.test_cli_runner().invoke(args=["pb", "notify-digest"])
    assert "0 digest e-mails" in result.output
    # The link: GET shows a button and changes nothing; POST (one click) stops e-mail.
    link = f"/notifications/unsubscribe/{unsubscribe_token(daily)}"
    anonymous = app.test_client()
    assert anonymous.get(link).status_code == 200
    assert db.session.get(NotificationSetting, daily.id) is None
    assert anonymous.post(link).status_code == 200
    db.session.expire_all()
    assert db.session.get(NotificationSetting, daily.id).email == "never"
    # A forged link unsubscribes nobody.
    forged = f"/notifications/unsubscribe/{unsubscribe_token(daily)}x"
    assert anonymous.post(forged).status_code == 404


def test_letters_for_offline_proposers_only_with_consent(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle = make_cycle("review")
    area_a, area_b = (ca.area for ca in cycle.areas)
    officer = make_user("officer", officer_areas=(area_a,))
    consented = make_proposal(
        cycle,
        area=area_a,
        status="pending",
        channel="letter",
        contact_consent=True,
        contact_name='=HYPERLINK("http://x")',
        contact_details="Elm Street 1",
    )
    silent = make_proposal(
        cycle, area=area_a, status="pending", channel="phone", contact_details="030 123"
    )
    for proposal in (consented, silent):
        _approve(client, officer, proposal)
    letters = db.session.scalars(sa.select(Letter)).all()
    assert [(x.proposal_id, x.kind) for x in letters] == [(consented.id, "approved")]
    login_as(client, officer)
    page = client.get("/officer/letters").get_data(as_text=True)
    assert "Elm Street 1" in page
    assert consented.tracking_number in page
    csv = client.get("/officer/letters.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv  # formula-safe
    # An officer of another area sees no letter of area A.
    other = app.test_client()
    login_as(other, make_user("officer", officer_areas=(area_b,)))
    assert "Elm Street 1" not in other.get("/officer/letters").get_data(as_text=True)
    # Marking as posted covers only the letters shown.
    [letter] = letters
    assert client.post("/officer/letters/printed", data={"letter": ["999999"]}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).printed_at is None
    done = client.post(
        "/officer/letters/printed", data={"letter": [str(letter.id)]}, follow_redirects=True
    )
    assert "1 letter marked as posted." in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).printed_at is not None
    assert "No letters are due." in client.get("/officer/letters").get_data(as_text=True)


def test_the_api_lists_the_token_owner_s_notifications_only(
    app, client, db, make_cycle, make_user, make_proposal
):
    from pbplatform.api.services import create_token

    cycle, area_a, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    follower, other = make_user(), make_user()
    login_as(client, follower)
    client.post(f"/proposals/{proposal.tracking_number}/follow")
    _approve(app.test_client(), officer, proposal)
    api = app.test_client()
    token = create_token(follower, "phone app")[1]
    body = api.get("/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}"}).json
    assert body["unread"] == 1
    [item] = body["items"]
    assert (item["kind"], item["proposal"], item["read"]) == (
        "approved",
        proposal.tracking_number,
        False,
    )
    token = create_token(other, "phone app")[1]
    body = api.get("/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}"}).json
    assert body == {"items": [], "unread": 0}
    assert api.get("/api/v1/me/notifications").status_code == 401


def test_the_database_keeps_a_follow_to_one_target(db, make_cycle, make_user):
    import pytest

    from pbplatform.notifications.models import Follow

    cycle = make_cycle("review")
    user = make_user()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Follow(user_id=user.id, cycle_id=cycle.id, area_id=cycle.areas[0].area_id))
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Follow(user_id=user.id))


def test_co_producers_follow_and_hear_of_their_offer(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle = make_cycle("proposals", hourly_rate_minor=2500)
    area_a = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area_a)
    helper, declined = make_user(area=area_a), make_user(area=area_a)
    offer_ids = []
    for user in (helper, declined):
        login_as(client, user)
        response = client.post(
            f"/proposals/{proposal.tracking_number}/offers",
            data={
                "help-kind": "volunteer_hours",
                "help-quantity": "10",
                "help-unit": "hours",
                "help-description": "Watering",
            },
        )
        assert response.status_code == 303
        offer_ids.append(db.session.scalars(sa.select(Offer.id).order_by(Offer.id.desc())).first())
    officer = make_user("officer", officer_areas=(area_a,))
    login_as(client, officer)
    accepted = client.post(f"/officer/offers/{offer_ids[0]}/accept", data={})
    assert accepted.status_code in (302, 303)
    refused = client.post(
        f"/officer/offers/{offer_ids[1]}/decline",
        data={f"offer{offer_ids[1]}-reason": "We have enough hands."},
    )
    assert refused.status_code in (302, 303)
    assert [n.kind for n in _notes(db, helper)] == ["offer_accepted"]
    # Both follow the proposal, so both hear of the accepted offer; only the declined offerer
    # hears the reason of the decline.
    assert sorted(n.kind for n in _notes(db, declined)) == ["offer_accepted", "offer_declined"]
    [why] = [n for n in _notes(db, declined) if n.kind == "offer_declined"]
    assert why.note == "We have enough hands."


def test_the_notifications_page_gives_times_in_the_readers_language_and_the_sites_zone(
    app, client, db, make_cycle, make_user, make_proposal
):
    from babel.dates import format_datetime, get_timezone

    _cycle, _area_a, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    follower = make_user()
    login_as(client, follower)
    client.post(f"/proposals/{proposal.tracking_number}/follow")
    _approve(app.test_client(), officer, proposal)
    [note] = _notes(db, follower)
    zone = get_timezone(app.config["BABEL_DEFAULT_TIMEZONE"])
    for lang in ("en", "de"):
        html = client.get("/notifications", headers={"Accept-Language": lang}).get_data(
            as_text=True
        )
        assert format_datetime(note.created_at, "medium", tzinfo=zone, locale=lang) in html
        assert " UTC" not in html
