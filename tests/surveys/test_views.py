"""The web journey through the real stack: an officer creates an allocation survey, residents
answer (refusals named beside the sheet, the no-JavaScript total check), results pages."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.surveys.models import Survey, SurveyResponse
from tests.factories import login_as
from tests.surveys.conftest import allocation


def _sheet(survey, values):
    q = survey.questions[0]
    return {f"q{q.id}-{i.id}": v for i, v in zip(q.items, values, strict=False)}


def test_officer_creates_a_survey_and_adds_an_allocation_question(client, make_user):
    officer = make_user("officer")
    login_as(client, officer)
    created = client.post(
        "/officer/surveys/new",
        data={
            "title": "Barriers",
            "title_de": "Hürden",
            "audience": "residents",
            "area_id": 0,
            "hide_results_until_close": "y",
        },
    )
    assert created.status_code == 303
    survey = db.session.scalar(sa.select(Survey).where(Survey.title == "Barriers"))
    added = client.post(
        f"/officer/surveys/{survey.id}/questions",
        data={
            "kind": "allocation",
            "text": "Spread 100 %",
            "unit": "percent",
            "total": "100",
            "items": "Staff | Personal | 0 | 60\nICT | IT",
            "scale_max": 5,
            "max_length": 1000,
            "required": "y",
        },
    )
    assert added.status_code == 303
    db.session.expire_all()
    q = survey.questions[0]
    assert q.total == 100
    assert [i.text_de for i in q.items] == ["Personal", "IT"]
    assert q.items[0].max_value == 60
    page = client.get(f"/officer/surveys/{survey.id}")
    assert "Spread 100 %" in page.get_data(as_text=True)


def test_question_form_refuses_a_missing_total_beside_the_field(client, make_user, make_survey):
    officer = make_user("officer")
    survey = make_survey([])
    login_as(client, officer)
    refused = client.post(
        f"/officer/surveys/{survey.id}/questions",
        data={
            "kind": "allocation",
            "text": "Q",
            "unit": "points",
            "total": "",
            "items": "A\nB",
            "scale_max": 5,
            "max_length": 10,
        },
    )
    assert refused.status_code == 422
    assert "Enter the total as a number" in refused.get_data(as_text=True)


def test_resident_answers_sees_the_refusal_and_the_server_total(client, make_user, make_survey):
    survey = make_survey()
    login_as(client, make_user())
    checked = client.post(
        f"/surveys/{survey.id}", data={**_sheet(survey, ["40", "2.5"]), "check": "1"}
    )
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "42.5 points" in page
    refused = client.post(f"/surveys/{survey.id}", data=_sheet(survey, ["40", "2.5"]))
    assert refused.status_code == 422
    assert "42.5 points" in refused.get_data(as_text=True)
    assert "57.5 points" in refused.get_data(as_text=True)  # how much is missing
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
    saved = client.post(f"/surveys/{survey.id}", data=_sheet(survey, ["40", "2.5", "57.5"]))
    assert saved.status_code == 303
    again = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert 'value="57.5"' in again
    assert "change your answer" in again


def test_results_hidden_from_residents_until_close_then_table_and_chart(
    client, make_user, make_survey
):
    survey = make_survey()
    officer, resident = make_user("officer"), make_user()
    login_as(client, resident)
    client.post(f"/surveys/{survey.id}", data=_sheet(survey, ["30", "70"]))
    assert client.get(f"/surveys/{survey.id}/results").status_code == 403
    assert client.get(f"/surveys/{survey.id}/results.csv").status_code == 403
    survey.opens_at, survey.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    db.session.flush()
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "<svg" in page
    assert "Respondent 1" in page
    assert "Average" in page
    assert page.index("Training frontline staff") < page.index("More frontline staff")  # by mean
    csv = client.get(f"/surveys/{survey.id}/results.csv")
    assert csv.mimetype == "text/csv"
    assert "Respondent 1" in csv.get_data(as_text=True)
    login_as(client, officer)
    assert client.get(f"/surveys/{survey.id}/results").status_code == 200


def test_german_sheet_and_results(client, make_user, make_survey):
    survey = make_survey(title_de="Hürden der Koproduktion", hide_results_until_close=False)
    login_as(client, make_user())
    client.post("/language", data={"lang": "de"})
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Hürden der Koproduktion" in page
    assert "Verteilen Sie die Erhöhung" in page
    assert "Laufende Summe" in page
    client.post(f"/surveys/{survey.id}", data=_sheet(survey, ["2,5", "97,5"]))
    results = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "Durchschnitt" in results
    assert "97,5" in results


def test_officer_of_another_area_cannot_manage_an_area_survey(
    client, make_user, make_area, make_survey
):
    area, other = make_area(), make_area()
    survey = make_survey(area_id=area.id)
    login_as(client, make_user("officer", officer_areas=(other,)))
    assert client.get(f"/officer/surveys/{survey.id}").status_code == 403
    login_as(client, make_user("officer", officer_areas=(area,)))
    assert client.get(f"/officer/surveys/{survey.id}").status_code == 200


def test_area_survey_only_for_residents_of_the_area(client, make_user, make_area, make_survey):
    area, other = make_area(), make_area()
    survey = make_survey(area_id=area.id, audience="area_residents")
    login_as(client, make_user(area=other))
    refused = client.post(f"/surveys/{survey.id}", data=_sheet(survey, ["100"]))
    assert refused.status_code == 403


def test_codes_download_and_answer_with_a_code(client, make_user, make_survey):
    survey = make_survey([allocation()], audience="invited")
    login_as(client, make_user("officer"))
    download = client.post(
        f"/officer/surveys/{survey.id}/codes", data={"count": 2, "label": "Block C"}
    )
    assert download.mimetype == "text/csv"
    code = download.get_data(as_text=True).splitlines()[1].split(",")[0]
    anonymous = client.__class__(client.application)
    ok = anonymous.post(
        f"/surveys/{survey.id}/code", data={"code": code, **_sheet(survey, ["100"])}
    )
    assert ok.status_code == 303
    used = anonymous.post(
        f"/surveys/{survey.id}/code", data={"code": code, **_sheet(survey, ["100"])}
    )
    assert used.status_code == 409
    assert "already been used" in used.get_data(as_text=True)


def test_paper_double_entry_through_the_pages(client, make_user, make_survey):
    survey = make_survey()
    for officer in (make_user("officer"), make_user("officer")):
        login_as(client, officer)
        assert (
            client.post(
                f"/officer/surveys/{survey.id}/paper",
                data={"paper_ref": "17", **_sheet(survey, ["100"])},
            ).status_code
            == 303
        )
    response = db.session.scalar(sa.select(SurveyResponse))
    assert response.channel == "paper"
    assert response.paper_ref == "17"
