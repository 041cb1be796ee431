"""Officers invite an area's and a cycle's followers to an open survey: each person once per
survey (a unique constraint), on the site and by e-mail as they chose, and offline proposers
who agreed to be contacted by a letter (one per address), as co-assessment invitations are."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.notifications.models import Follow, Letter, Notification, NotificationSetting
from pbplatform.surveys.models import ResponseChannel, SurveyInvitation
from pbplatform.surveys.services import respond_anonymously, respond_online
from tests.factories import login_as
from tests.surveys.conftest import answers_of


@pytest.fixture
def scene(make_cycle, make_user, make_proposal, make_survey):
    cycle = make_cycle("proposals")
    area_a, area_b = (ca.area for ca in cycle.areas)
    s = type("Scene", (), {})()
    s.cycle, s.a, s.b = cycle, area_a, area_b
    s.officer = make_user("officer", officer_areas=(area_a,))
    s.survey = make_survey(title="Priorities for Fennpfuhl", cycle_id=cycle.id, area_id=area_a.id)
    s.follows_area = make_user(area=area_a)
    s.follows_cycle = make_user(area=area_b)
    s.follows_both = make_user(area=area_a)
    s.follows_b = make_user(area=area_b)
    s.answered = make_user(area=area_a)
    s.at_once = make_user(area=area_a)
    for user, target in (
        (s.follows_area, {"area_id": area_a.id}),
        (s.follows_cycle, {"cycle_id": cycle.id}),
        (s.follows_both, {"area_id": area_a.id}),
        (s.follows_both, {"cycle_id": cycle.id}),
        (s.follows_b, {"area_id": area_b.id}),
        (s.answered, {"area_id": area_a.id}),
        (s.at_once, {"area_id": area_a.id}),
    ):
        db.session.add(Follow(user_id=user.id, **target))
    db.session.add(NotificationSetting(user_id=s.at_once.id, email="immediate"))
    respond_online(s.survey, s.answered, answers_of(s.survey, ["20"] * 5))
    # an anonymous response (no person): must not stop anyone being invited
    respond_anonymously(s.survey, answers_of(s.survey, ["20"] * 5), ResponseChannel.CODE)
    offline = {"channel": "letter", "contact_name": "Karl Post", "contact_consent": True}
    s.letter_a = make_proposal(cycle, area=area_a, contact_details="Elm Street 1", **offline)
    make_proposal(cycle, area=area_a, contact_details=" elm street 1", **offline)  # same person
    make_proposal(cycle, area=area_a, channel="phone", contact_details="030 1234")  # no consent
    s.letter_b = make_proposal(cycle, area=area_b, contact_details="Oak Road 9", **offline)
    db.session.flush()
    return s


def _notified(user) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "survey_invitation"
            )
        )
    )


def _invite(client, survey, **data):
    return client.post(f"/officer/surveys/{survey.id}/invite", data=data)


def test_followers_of_the_area_and_cycle_are_invited_once(app, client, scene):
    s = scene
    login_as(client, s.officer)
    response = _invite(client, s.survey, area_id=s.a.id, cycle_followers="y")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 people invited" in page
    assert "letters to post: 2" in page
    db.session.expire_all()
    for user in (s.follows_area, s.follows_cycle, s.follows_both, s.at_once):
        [note] = _notified(user)
        assert note.survey_id == s.survey.id
    assert _notified(s.follows_b) == []  # follows another area only
    assert _notified(s.answered) == []  # has answered already
    # E-mail as each chose: at once for one, the others wait for their daily digest.
    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == s.at_once.email)
    )
    assert f"/surveys/{s.survey.id}" in mail.body
    assert mail.body.count("Priorities for Fennpfuhl") == 1  # the note repeated the title
    assert not db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == s.follows_area.email)
    ).all()
    # One letter per consenting offline proposer (per address) of the area and the cycle,
    # naming the survey and its address.
    letters = db.session.scalars(sa.select(Letter).where(Letter.kind == "survey_invitation"))
    assert {x.proposal_id for x in letters} == {s.letter_a.id, s.letter_b.id}
    assert all("Priorities for Fennpfuhl" in x.note for x in letters)
    assert all(f"/surveys/{s.survey.id}" in x.note for x in letters)
    # The notifications page links the survey.
    resident = app.test_client()
    login_as(resident, s.follows_area)
    listed = resident.get("/notifications").get_data(as_text=True)
    assert f'href="/surveys/{s.survey.id}"' in listed

    # Inviting again reaches nobody twice.
    again = _invite(client, s.survey, area_id=s.a.id, cycle_followers="y")
    assert again.status_code == 303
    assert "0 people invited" in client.get(again.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert len(_notified(s.follows_both)) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Letter).where(Letter.kind == "survey_invitation")
        )
        == 2
    )


def test_the_database_holds_one_invitation_per_survey_and_person(scene):
    s = scene
    db.session.add(SurveyInvitation(survey_id=s.survey.id, user_id=s.follows_area.id))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(SurveyInvitation(survey_id=s.survey.id, user_id=s.follows_area.id))


def test_only_the_area_or_only_the_cycle_when_asked(client, scene):
    s = scene
    login_as(client, s.officer)
    assert _invite(client, s.survey, area_id=s.a.id).status_code == 303
    db.session.expire_all()
    assert len(_notified(s.follows_area)) == 1
    assert _notified(s.follows_cycle) == []
    [letter] = db.session.scalars(sa.select(Letter).where(Letter.kind == "survey_invitation"))
    assert letter.proposal_id == s.letter_a.id  # the area's offline proposer only
    assert _invite(client, s.survey, cycle_followers="y").status_code == 303
    db.session.expire_all()
    assert len(_notified(s.follows_cycle)) == 1
    assert len(_notified(s.follows_area)) == 1  # not twice
    nobody = _invite(client, s.survey)  # neither an area nor the cycle's followers
    assert nobody.status_code == 422
    assert "Choose whom to invite" in nobody.get_data(as_text=True)


def test_an_area_survey_invites_only_who_may_answer(client, scene, make_user):
    """A follower of the area who lives elsewhere cannot answer an area survey online."""
    s = scene
    s.survey.audience = "area_residents"
    elsewhere = make_user(area=s.b)
    db.session.add(Follow(user_id=elsewhere.id, area_id=s.a.id))
    db.session.flush()
    login_as(client, s.officer)
    assert _invite(client, s.survey, area_id=s.a.id, cycle_followers="y").status_code == 303
    db.session.expire_all()
    assert _notified(elsewhere) == []
    assert _notified(s.follows_cycle) == []  # lives in area B too
    assert len(_notified(s.follows_area)) == 1


@pytest.mark.parametrize("state", ["closed", "not open yet", "invited only"])
def test_refused_unless_the_survey_is_open_online(client, scene, state):
    s = scene
    if state == "closed":
        s.survey.opens_at = utcnow() - timedelta(days=5)
        s.survey.closes_at = utcnow() - timedelta(days=1)
    elif state == "not open yet":
        s.survey.opens_at = utcnow() + timedelta(days=1)
    else:
        s.survey.audience = "invited"
    db.session.flush()
    login_as(client, s.officer)
    response = _invite(client, s.survey, area_id=s.a.id, cycle_followers="y")
    assert response.status_code in (409, 422)
    assert db.session.scalar(sa.select(sa.func.count(SurveyInvitation.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0


def test_an_officer_invites_only_in_their_areas(client, scene, make_user):
    s = scene
    login_as(client, make_user("officer", officer_areas=(s.b,)))
    assert _invite(client, s.survey, area_id=s.a.id).status_code == 403
    login_as(client, s.officer)
    assert _invite(client, s.survey, area_id=s.b.id).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(SurveyInvitation.id))) == 0


# The API: POST /api/v1/surveys/ID/invitations, the same rules, refusals as problem+json.


def _api_invite(client, user, survey_id, **body):
    from pbplatform.api.services import create_token

    token = create_token(user, "test app")[1]
    return client.post(
        f"/api/v1/surveys/{survey_id}/invitations",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_api_invites_once_as_the_page_does(client, scene):
    s = scene
    response = _api_invite(client, s.officer, s.survey.id, area_id=s.a.id, cycle_followers=True)
    assert response.status_code == 201
    assert response.get_json() == {"people": 4, "letters": 2}
    db.session.expire_all()
    assert len(_notified(s.follows_both)) == 1
    assert _notified(s.answered) == []
    again = _api_invite(client, s.officer, s.survey.id, area_id=s.a.id, cycle_followers=True)
    assert again.get_json() == {"people": 0, "letters": 0}
    db.session.expire_all()
    assert len(_notified(s.follows_both)) == 1


@pytest.mark.parametrize(
    ("state", "body", "status", "code"),
    [
        ("open", {}, 422, "nobody_chosen"),
        ("closed", {"cycle_followers": True}, 409, "survey_closed"),
        ("invited only", {"cycle_followers": True}, 409, "invited_only"),
        ("open", {"area_id": 999999}, 422, "validation_error"),
        ("open", {"area_id": "x"}, 422, "validation_error"),
    ],
)
def test_the_api_refuses_naming_the_rule(client, scene, state, body, status, code):
    s = scene
    if state == "closed":
        s.survey.opens_at = utcnow() - timedelta(days=5)
        s.survey.closes_at = utcnow() - timedelta(days=1)
    elif state == "invited only":
        s.survey.audience = "invited"
    db.session.flush()
    response = _api_invite(client, s.officer, s.survey.id, **body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    if code:
        assert response.get_json()["code"] == code
    assert db.session.scalar(sa.select(sa.func.count(SurveyInvitation.id))) == 0


def test_the_api_keeps_to_the_officers_remit(client, scene, make_user):
    s = scene
    other = make_user("officer", officer_areas=(s.b,))
    assert _api_invite(client, other, s.survey.id, area_id=s.b.id).status_code == 403
    refused = _api_invite(client, s.officer, s.survey.id, area_id=s.b.id)
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "forbidden"
    resident = _api_invite(client, s.follows_area, s.survey.id, cycle_followers=True)
    assert resident.status_code == 403
    assert _api_invite(client, s.officer, 999999, cycle_followers=True).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(SurveyInvitation.id))) == 0
