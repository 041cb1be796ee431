"""Process evaluation: one survey per cycle, opened from the command line; its ratings break
down by how people voted, groups under 5 suppressed."""

from __future__ import annotations

from pbplatform.surveys import services
from pbplatform.surveys.evaluation import evaluation_of
from pbplatform.surveys.queries import survey_results


def _answer(survey, way: str, easy: str) -> dict:
    how, ease, _text = survey.questions
    option = next(i.id for i in how.items if i.text == way)
    return {str(how.id): option, str(ease.id): {str(i.id): easy for i in ease.items}}


def test_opened_once_by_command_and_broken_down_by_way_of_voting(
    app, runner, make_cycle, make_user
):
    cycle = make_cycle("results")
    first = runner.invoke(args=["pb", "open-evaluation", cycle.slug])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["pb", "open-evaluation", cycle.slug])
    assert again.output == first.output  # the same survey
    survey = evaluation_of(cycle)
    with app.test_request_context():
        for _n in range(5):
            services.respond_online(survey, make_user(), _answer(survey, "Online", "5"))
        for _n in range(2):
            services.respond_online(survey, make_user(), _answer(survey, "On paper", "2"))
        results = survey_results(survey)
    rating = results.questions[1]
    by_way = next(b for b in rating.breakdowns if b.attribute == "How did you vote?")
    groups = {g.label: g for g in by_way.groups}
    assert groups["Online"].means[rating.question.items[0].id] == 5
    assert groups["On paper"].suppressed
    assert groups["On paper"].means == {}
    unknown = runner.invoke(args=["pb", "open-evaluation", "no-such-cycle"])
    assert unknown.exit_code != 0
