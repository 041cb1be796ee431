"""The survey API in the shapes issue 19 item 7 gives: create, respond, results; refusals are
problem+json naming the rule and store nothing. Also `flask pb api-token --name` (audited)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.surveys.models import Survey, SurveyResponse
from tests.api.conftest import bearer

BARRIERS = {
    "title": "Barriers to co-production",
    "questions": [
        {
            "type": "allocation",
            "text": "Spread 100 % of a budget increase",
            "total": "100",
            "unit": "percent",
            "items": [{"text": "More frontline staff"}, {"text": "Better ICT"}],
        },
        {"type": "rating", "text": "Rate", "items": [{"text": "Useful"}]},
    ],
}


def _create(client, token, body=BARRIERS):
    return client.post("/api/v1/surveys", json=body, headers=bearer(token))


def test_officer_creates_a_survey_and_gets_its_ids(client, make_user, make_token):
    created = _create(client, make_token(make_user("officer")))
    assert created.status_code == 201
    body = created.get_json()
    question = body["questions"][0]
    assert question["total"] == "100"
    assert [i["text"] for i in question["items"]] == ["More frontline staff", "Better ICT"]
    assert all(isinstance(i["id"], int) for i in question["items"])
    assert db.session.get(Survey, body["id"]).is_open()


def test_a_resident_token_cannot_create(client, make_user, make_token):
    refused = _create(client, make_token(make_user()))
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"


def test_responses_checked_named_and_results_exact(client, make_user, make_token):
    officer_token = make_token(make_user("officer"))
    survey = _create(client, officer_token).get_json()
    q, r = survey["questions"]
    a, b = (i["id"] for i in q["items"])
    rating = {str(r["items"][0]["id"]): "dont_know"}

    def answers(x, y):
        return {str(q["id"]): {str(a): x, str(b): y}, str(r["id"]): rating}

    refused = client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={"answers": answers("30", 60)},
        headers=bearer(make_token(make_user())),
    )
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "total_mismatch"
    assert "90 %" in problem["detail"]
    assert "100 %" in problem["detail"]
    assert problem["errors"][0]["rule"] == "total_mismatch"
    unknown = client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={"answers": {str(q["id"]): {"999999": "100"}, str(r["id"]): rating}},
        headers=bearer(make_token(make_user())),
    )
    assert unknown.get_json()["code"] == "unknown_item"
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0

    for x, y in (("2.5", "97.5"), ("2.5", "97.5"), (5, 95)):
        ok = client.post(
            f"/api/v1/surveys/{survey['id']}/responses",
            json={"answers": answers(x, y)},
            headers=bearer(make_token(make_user())),
        )
        assert ok.status_code == 201
    named = client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={
            "respondent_label": "Surrey CC",
            "consent_to_name": True,
            "answers": answers("20", "80"),
        },
        headers=bearer(officer_token),
    )
    assert named.status_code == 201
    resident = make_token(make_user())
    hidden = client.get(f"/api/v1/surveys/{survey['id']}/results", headers=bearer(resident))
    assert hidden.status_code == 403
    results = client.get(f"/api/v1/surveys/{survey['id']}/results", headers=bearer(officer_token))
    body = results.get_json()["questions"][0]
    assert body["count"] == 4
    staff = next(i for i in body["items"] if i["id"] == a)
    assert staff["sum"] == "30"
    assert staff["mean"] == "7.5"
    assert staff["median"] == "3.75"
    assert body["responses"] == [{"label": "Surrey CC", "values": {str(a): "20", str(b): "80"}}]
    stored = db.session.get(Survey, survey["id"])
    stored.opens_at, stored.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.session.flush()
    public = client.get(f"/api/v1/surveys/{survey['id']}/results")
    assert public.status_code == 200
    assert public.get_json()["questions"][0]["items"][0]["mean"] == "92.5"


def test_only_officers_enter_on_behalf(client, make_user, make_token):
    survey = _create(client, make_token(make_user("officer"))).get_json()
    refused = client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={"respondent_label": "Me, honestly", "answers": {}},
        headers=bearer(make_token(make_user())),
    )
    assert refused.status_code == 403


def test_api_token_command_takes_a_name_and_is_audited(runner, make_user):
    user = make_user()
    result = runner.invoke(args=["pb", "api-token", user.email, "--name", "survey script"])
    assert result.exit_code == 0, result.output
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "api_token.created")
    ).all()[-1]
    assert "survey script" in str(entry.after)


def test_create_with_an_idempotency_key_makes_one_survey(client, make_user, make_token):
    token = make_token(make_user("officer"))
    headers = {**bearer(token), "Idempotency-Key": "survey-1"}
    first = client.post("/api/v1/surveys", json=BARRIERS, headers=headers)
    again = client.post("/api/v1/surveys", json=BARRIERS, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 201, again.get_json()
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.scalar(sa.select(sa.func.count(Survey.id))) == 1
