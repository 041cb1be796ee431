"""`open_coassessment(proposal)`: the standard rating survey of a delivered project, once;
its author and co-producers may answer; the aggregate shows on the proposal page from 5."""

from __future__ import annotations

from pbplatform.surveys import services
from pbplatform.surveys.coassessment import open_coassessment
from pbplatform.surveys.models import Audience, QuestionKind, SurveyKind
from tests.factories import login_as


def _rate(survey, values):
    q = survey.questions[0]
    return {str(q.id): {str(i.id): v for i, v in zip(q.items, values, strict=True)}}


def test_opens_the_standard_survey_once(app, make_cycle, make_proposal):
    cycle = make_cycle("results")
    proposal = make_proposal(cycle, area=cycle.areas[0].area)
    with app.test_request_context():
        survey = open_coassessment(proposal)
        assert open_coassessment(proposal).id == survey.id
    assert survey.kind == SurveyKind.COASSESSMENT
    assert survey.audience == Audience.AREA
    assert survey.area_id == proposal.area_id
    rating, comment = survey.questions
    assert rating.kind == QuestionKind.RATING
    assert [i.text for i in rating.items] == ["Delivered as promised", "Useful", "Well kept"]
    assert comment.kind == QuestionKind.TEXT
    assert not comment.required
    assert survey.is_open()


def test_author_outside_the_area_may_answer(app, make_cycle, make_proposal, make_user):
    cycle = make_cycle("results")
    area, elsewhere = (ca.area for ca in cycle.areas)
    author = make_user(area=elsewhere)
    proposal = make_proposal(cycle, area=area, author=author)
    with app.test_request_context():
        survey = open_coassessment(proposal)
        assert services.may_answer_online(survey, author)
        assert not services.may_answer_online(survey, make_user(area=elsewhere))


def test_aggregate_on_the_proposal_page_from_five_answers(
    app, client, make_cycle, make_proposal, make_user
):
    cycle = make_cycle("results")
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    with app.test_request_context():
        survey = open_coassessment(proposal)
        for _n in range(4):
            services.respond_online(
                survey, make_user(area=area), _rate(survey, ["5", "4", "dont_know"])
            )
    url = f"/proposals/{proposal.tracking_number}"
    page = client.get(url).get_data(as_text=True)
    assert "4 answers so far" in page
    assert "Mean rating" not in page
    with app.test_request_context():
        services.respond_online(survey, make_user(area=area), _rate(survey, ["2", "4", "3"]))
    login_as(client, make_user())
    page = client.get(url).get_data(as_text=True)
    assert "Mean rating from 1 (very poor) to 5 (very good), from 5 answers" in page
    assert "4.4" in page  # (4 x 5 + 2) / 5
