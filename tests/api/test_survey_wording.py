"""PATCH /api/v1/surveys/{id}: a survey's title and introduction from the API, as the survey's
edit page does it (surveys.wording): fields left out are kept, German ones can be cleared with
null; once people have answered, each change is kept in the wording history shown with the
results. Refusals are problem+json and change nothing."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.surveys.models import Survey, SurveyWordingChange
from tests.api.conftest import bearer
from tests.api.test_surveys import BARRIERS, _create


def _patch(client, token, survey_id, body):
    return client.patch(f"/api/v1/surveys/{survey_id}", json=body, headers=bearer(token))


def _answer(client, token, survey):
    q, r = survey["questions"]
    a, b = (i["id"] for i in q["items"])
    answers = {
        str(q["id"]): {str(a): "60", str(b): "40"},
        str(r["id"]): {str(r["items"][0]["id"]): 4},
    }
    url = f"/api/v1/surveys/{survey['id']}/responses"
    answered = client.post(url, json={"answers": answers}, headers=bearer(token))
    assert answered.status_code == 201, answered.get_json()


def _changes(survey_id):
    return db.session.scalars(
        sa.select(SurveyWordingChange).where(SurveyWordingChange.survey_id == survey_id)
    ).all()


def test_an_officer_retitles_before_answers_without_history(client, make_user, make_token):
    token = make_token(make_user("officer"))
    survey = _create(client, token).get_json()
    edited = _patch(client, token, survey["id"], {"title": "Barriers", "title_de": "Hürden"})
    assert edited.status_code == 200, edited.get_json()
    body = edited.get_json()
    assert body["title"] == "Barriers"
    assert body["title_de"] == "Hürden"
    assert body["introduction"] == ""  # left out: kept
    assert body["recorded_changes"] == 0
    assert db.session.get(Survey, survey["id"]).title == "Barriers"
    assert _changes(survey["id"]) == []


def test_after_answers_each_change_is_in_the_history(client, make_user, make_token):
    token = make_token(make_user("officer"))
    survey = _create(client, token, {**BARRIERS, "title_de": "Hürden"}).get_json()
    _answer(client, make_token(make_user()), survey)
    edited = _patch(
        client, token, survey["id"], {"introduction": "Tell us what stops you.", "title_de": None}
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["recorded_changes"] == 2
    assert edited.get_json()["title_de"] is None
    changed = {c.field: (c.before, c.after) for c in _changes(survey["id"])}
    assert changed == {
        "introduction": ("", "Tell us what stops you."),
        "title_de": ("Hürden", None),
    }


def test_refusals_change_nothing(client, make_user, make_token):
    officer = make_token(make_user("officer"))
    survey = _create(client, officer).get_json()
    resident = _patch(client, make_token(make_user()), survey["id"], {"title": "Mine"})
    assert resident.status_code == 403
    assert resident.mimetype == "application/problem+json"
    blank = _patch(client, officer, survey["id"], {"title": "   "})
    assert blank.status_code == 422
    assert blank.get_json()["code"] == "title_needed"
    empty = _patch(client, officer, survey["id"], {})
    assert empty.status_code == 422
    unknown = _patch(client, officer, survey["id"], {"questions": []})
    assert unknown.status_code == 422
    assert _patch(client, officer, 999_999, {"title": "X"}).status_code == 404
    assert db.session.get(Survey, survey["id"]).title == BARRIERS["title"]


def test_an_officer_of_another_area_may_not(client, make_user, make_token, make_cycle):
    cycle = make_cycle("voting", areas=2)
    mine, theirs = (a.area for a in cycle.areas)
    admin = make_token(make_user("admin"))
    survey = _create(client, admin, {**BARRIERS, "area_id": mine.id}).get_json()
    other = make_token(make_user("officer", officer_areas=(theirs,)))
    refused = _patch(client, other, survey["id"], {"title": "Ours now"})
    assert refused.status_code == 403
    assert db.session.get(Survey, survey["id"]).title == BARRIERS["title"]
