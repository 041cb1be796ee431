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


def test_marking_delivery_done_invites_followers_and_the_report_and_review_show_ratings(
    app, client, db, make_cycle, make_proposal, make_user
):
    """Delivery marked done opens the co-assessment and invites the author, co-producers and
    the area's followers; from 5 answers the accountability report shows the rating, and the
    next cycle's review shows it to the area's officers."""
    import sqlalchemy as sa

    from pbplatform.notifications.models import Notification
    from pbplatform.notifications.services import follow
    from pbplatform.surveys.queries import coassessment_survey

    cycle = make_cycle("results")
    area = cycle.areas[0].area
    author = make_user(area=area)
    proposal = make_proposal(cycle, area=area, author=author)
    neighbour = make_user(area=area)
    follow(author, proposal=proposal)
    follow(neighbour, area=area)
    with app.test_request_context():
        survey = open_coassessment(proposal)  # what marking delivery done calls
    invited = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.kind == "coassessment_opened")
        )
    )
    assert invited == {author.id, neighbour.id}
    assert coassessment_survey(proposal.id).id == survey.id
    with app.test_request_context():
        for _n in range(5):
            services.respond_online(survey, make_user(area=area), _rate(survey, ["4", "4", "4"]))
    next_cycle = make_cycle("review", areas=[area])
    pending = make_proposal(next_cycle, area=area, status="pending")
    login_as(client, make_user("officer", officer_areas=(area,)))
    review = client.get(f"/officer/proposals/{pending.tracking_number}").get_data(as_text=True)
    assert "How residents rated what was delivered here before" in review
    assert proposal.tracking_number in review
    assert "4 of 5, 5 answers" in review


def test_review_page_reads_earlier_ratings_in_a_fixed_number_of_statements(
    app, client, db, make_cycle, make_proposal, make_user
):
    """The next cycle's review page: one earlier rated project or three, the same statements."""
    from tests.statements import statements

    cycle = make_cycle("results")
    area = cycle.areas[0].area
    delivered = [make_proposal(cycle, area=area) for _n in range(3)]
    with app.test_request_context():
        surveys = [open_coassessment(p) for p in delivered]
    next_cycle = make_cycle("review", areas=[area])
    pending = make_proposal(next_cycle, area=area, status="pending")
    login_as(client, make_user("officer", officer_areas=(area,)))
    url = f"/officer/proposals/{pending.tracking_number}"

    def rate(survey, values):
        with app.test_request_context():
            for _n in range(5):
                services.respond_online(survey, make_user(area=area), _rate(survey, values))
        db.session.expire_all()

    rate(surveys[0], ["4", "4", "4"])
    client.get(url)
    with statements() as one:
        page = client.get(url).get_data(as_text=True)
    assert page.count("of 5, 5 answers") == 1
    rate(surveys[1], ["2", "dont_know", "3"])
    rate(surveys[2], ["5", "4", "3"])
    with statements() as three:
        page = client.get(url).get_data(as_text=True)
    assert "4 of 5, 5 answers" in page
    assert "2.5 of 5, 5 answers" in page  # (2 + 3) / 2: "don't know" counts for nothing
    assert page.count("of 5, 5 answers") == 3
    assert len(three) == len(one), (len(one), len(three))


def test_one_answer_is_said_in_the_singular(app, client, make_cycle, make_proposal, make_user):
    cycle = make_cycle("results")
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    with app.test_request_context():
        survey = open_coassessment(proposal)
        services.respond_online(survey, make_user(area=area), _rate(survey, ["5", "4", "3"]))
    url = f"/proposals/{proposal.tracking_number}"
    assert "1 answer so far;" in client.get(url).get_data(as_text=True)
    german = client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Bisher 1 Antwort;" in german
